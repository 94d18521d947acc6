//! [`Dataset`]: labelled samples in memory, with the splits training needs.
//!
//! Samples and labels are two parallel `Vec`s, so a batch loop reads a sample by index with
//! no copying, and a sample type can be anything (`SVector<f32, 64>`, an image struct, a
//! sequence). Classification labels are `usize` class indices `0..num_classes`.

use crate::Real;
use nalgebra::SVector;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::batches::Batches;

/// Labelled samples: `samples[i]` has class `labels[i]`.
///
/// ```
/// use autodiff_runtime::data::Dataset;
/// use nalgebra::SVector;
///
/// let data = Dataset::new(
///     vec![SVector::<f32, 2>::new(0.0, 1.0), [1.0, 0.0].into(), [1.0, 1.0].into()],
///     vec![0, 1, 1],
/// );
/// assert_eq!(data.len(), 3);
/// let (x, y) = data.get(1).unwrap();
/// assert_eq!((x[0], y), (1.0, 1));
/// assert_eq!(data.num_classes(), 2);
/// for (x, label) in &data {
///     assert!(x.sum() >= 1.0 && label < 2);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset<X> {
    samples: Vec<X>,
    labels: Vec<usize>,
}

/// A data set divided in two parts, such as the canonical train/test split of
/// [`super::datasets::digits`].
#[derive(Debug, Clone, PartialEq)]
pub struct Split<X> {
    /// The part to train on.
    pub train: Dataset<X>,
    /// The held-out part to evaluate on.
    pub test: Dataset<X>,
}

impl<X> Dataset<X> {
    /// A data set from parallel vectors of samples and labels.
    ///
    /// # Panics
    ///
    /// If the two vectors have different lengths; [`Dataset::try_new`] returns `None`
    /// instead.
    pub fn new(samples: Vec<X>, labels: Vec<usize>) -> Self {
        let (n, m) = (samples.len(), labels.len());
        Self::try_new(samples, labels)
            .unwrap_or_else(|| panic!("Dataset::new: {n} samples but {m} labels"))
    }

    /// Like [`Dataset::new`], but `None` if the lengths differ.
    pub fn try_new(samples: Vec<X>, labels: Vec<usize>) -> Option<Self> {
        (samples.len() == labels.len()).then_some(Dataset { samples, labels })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Sample `i` and its label, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<(&X, usize)> {
        Some((self.samples.get(i)?, self.labels[i]))
    }

    /// All samples, in order.
    pub fn samples(&self) -> &[X] {
        &self.samples
    }

    /// All samples, mutably (for in-place preprocessing). Labels stay as they are.
    pub fn samples_mut(&mut self) -> &mut [X] {
        &mut self.samples
    }

    /// All labels, in order.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Iterates over `(sample, label)` pairs.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&X, usize)> + '_ {
        self.samples.iter().zip(self.labels.iter().copied())
    }

    /// Takes the data set apart into its samples and labels.
    pub fn into_parts(self) -> (Vec<X>, Vec<usize>) {
        (self.samples, self.labels)
    }

    /// One more than the largest label (0 for an empty data set).
    pub fn num_classes(&self) -> usize {
        self.labels.iter().max().map_or(0, |&m| m + 1)
    }

    /// How many samples each class has, indexed by label (length [`Dataset::num_classes`]).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes()];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// Applies `f` to every sample, keeping the labels.
    pub fn map<Y>(self, f: impl FnMut(X) -> Y) -> Dataset<Y> {
        Dataset {
            samples: self.samples.into_iter().map(f).collect(),
            labels: self.labels,
        }
    }

    /// A new data set with the samples at `indices`, in that order (cloned).
    ///
    /// # Panics
    ///
    /// If an index is out of range.
    pub fn subset(&self, indices: &[usize]) -> Self
    where
        X: Clone,
    {
        Dataset {
            samples: indices.iter().map(|&i| self.samples[i].clone()).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// Splits into `(train, validation)`: a seeded random `validation_fraction` of the
    /// samples (rounded up, like scikit-learn's `train_test_split(test_size=...)`) goes to
    /// validation, the rest to train. Both parts keep the original relative order. The same
    /// seed always gives the same split. Samples are moved, not cloned.
    ///
    /// # Panics
    ///
    /// If `validation_fraction` is not within `0.0..=1.0`.
    ///
    /// ```
    /// use autodiff_runtime::data::Dataset;
    ///
    /// let data = Dataset::new((0..10).collect::<Vec<i32>>(), vec![0; 10]);
    /// let (train, val) = data.clone().split(0.25, 7);
    /// assert_eq!((train.len(), val.len()), (7, 3));
    /// assert_eq!(data.split(0.25, 7).1, val);
    /// ```
    pub fn split(self, validation_fraction: f64, seed: u64) -> (Self, Self) {
        assert!(
            (0.0..=1.0).contains(&validation_fraction),
            "Dataset::split: validation_fraction must be within 0.0..=1.0, got {validation_fraction}"
        );
        let n = self.len();
        let n_val = ((validation_fraction * n as f64).ceil() as usize).min(n);
        let mut is_val = vec![false; n];
        for &i in shuffled_indices(n, seed).iter().take(n_val) {
            is_val[i] = true;
        }
        let mut train = Dataset {
            samples: Vec::with_capacity(n - n_val),
            labels: Vec::with_capacity(n - n_val),
        };
        let mut val = Dataset {
            samples: Vec::with_capacity(n_val),
            labels: Vec::with_capacity(n_val),
        };
        for ((x, y), v) in self.samples.into_iter().zip(self.labels).zip(is_val) {
            let part = if v { &mut val } else { &mut train };
            part.samples.push(x);
            part.labels.push(y);
        }
        (train, val)
    }

    /// Mini-batches for one epoch: `batch_size` samples each (the last batch may be
    /// smaller), in a seeded random order, or in data set order when `shuffle_seed` is
    /// `None`.
    ///
    /// The order is one `Vec<usize>` allocated here; iterating hands out slices of it, so no
    /// batch allocates. Call [`Batches::reshuffle`] to reuse that `Vec` for the next epoch.
    ///
    /// # Panics
    ///
    /// If `batch_size` is 0.
    ///
    /// ```
    /// use autodiff_runtime::data::Dataset;
    ///
    /// let data = Dataset::new(vec![10.0, 11.0, 12.0, 13.0, 14.0], vec![0, 1, 0, 1, 0]);
    /// let mut batches = data.batches(2, None);
    /// let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
    /// assert_eq!(sizes, [2, 2, 1]);
    /// for epoch in 0..3 {
    ///     batches.reshuffle(Some(epoch)); // same Vec, new order
    ///     let mut seen = 0;
    ///     for batch in &batches {
    ///         for (x, label) in batch {
    ///             assert_eq!(label, (*x as usize) % 2);
    ///             seen += 1;
    ///         }
    ///     }
    ///     assert_eq!(seen, 5);
    /// }
    /// ```
    pub fn batches(&self, batch_size: usize, shuffle_seed: Option<u64>) -> Batches<'_, X> {
        Batches::new(self, batch_size, shuffle_seed)
    }
}

impl<X> FromIterator<(X, usize)> for Dataset<X> {
    fn from_iter<I: IntoIterator<Item = (X, usize)>>(iter: I) -> Self {
        let (samples, labels) = iter.into_iter().unzip();
        Dataset { samples, labels }
    }
}

impl<'a, X> IntoIterator for &'a Dataset<X> {
    type Item = (&'a X, usize);
    type IntoIter =
        core::iter::Zip<core::slice::Iter<'a, X>, core::iter::Copied<core::slice::Iter<'a, usize>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.samples.iter().zip(self.labels.iter().copied())
    }
}

/// `0..n` in the order a ChaCha8 generator seeded with `seed` shuffles it into.
pub(crate) fn shuffled_indices(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    shuffle_in_place(&mut order, seed);
    order
}

/// Shuffles `order` with a ChaCha8 generator seeded with `seed` (portable and reproducible).
pub(crate) fn shuffle_in_place(order: &mut [usize], seed: u64) {
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
}

/// The one-hot encoding of `label`: a vector with `1` at `label` and `0` elsewhere.
///
/// # Panics
///
/// If `label >= N`; [`try_one_hot`] returns `None` instead.
///
/// ```
/// use autodiff_runtime::data::one_hot;
/// use nalgebra::SVector;
///
/// let y: SVector<f32, 3> = one_hot(2);
/// assert_eq!(y, SVector::<f32, 3>::new(0.0, 0.0, 1.0));
/// ```
pub fn one_hot<T: Real, const N: usize>(label: usize) -> SVector<T, N> {
    try_one_hot(label).unwrap_or_else(|| panic!("one_hot: label {label} is not below {N}"))
}

/// Like [`one_hot`], but `None` if `label >= N`.
pub fn try_one_hot<T: Real, const N: usize>(label: usize) -> Option<SVector<T, N>> {
    (label < N).then(|| {
        let mut v = SVector::<T, N>::zeros();
        v[label] = T::of_f64(1.0);
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(n: usize) -> Dataset<usize> {
        Dataset::new((0..n).collect(), (0..n).map(|i| i % 3).collect())
    }

    #[test]
    fn new_get_iter() {
        let d = numbered(5);
        assert_eq!(d.len(), 5);
        assert!(!d.is_empty());
        assert_eq!(d.get(4), Some((&4, 1)));
        assert_eq!(d.get(5), None);
        assert_eq!(d.iter().len(), 5);
        assert_eq!(d.num_classes(), 3);
        assert_eq!(d.class_counts(), vec![2, 2, 1]);
        assert!(Dataset::try_new(vec![1, 2], vec![0]).is_none());
        let collected: Dataset<usize> = d.iter().map(|(&x, y)| (x, y)).collect();
        assert_eq!(collected, d);
        assert_eq!(Dataset::<f32>::default().num_classes(), 0);
    }

    #[test]
    #[should_panic(expected = "2 samples but 1 labels")]
    fn new_rejects_length_mismatch() {
        Dataset::new(vec![1, 2], vec![0]);
    }

    #[test]
    fn split_is_a_seeded_partition() {
        let (train, val) = numbered(100).split(0.2, 42);
        assert_eq!((train.len(), val.len()), (80, 20));
        // A partition that keeps samples with their labels and keeps relative order.
        let mut all: Vec<usize> = train
            .samples()
            .iter()
            .chain(val.samples())
            .copied()
            .collect();
        all.sort();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        for part in [&train, &val] {
            assert!(part.iter().all(|(&x, y)| y == x % 3));
            assert!(part.samples().windows(2).all(|w| w[0] < w[1]));
        }
        // Reproducible, and a different seed gives a different split.
        assert_eq!(numbered(100).split(0.2, 42).1, val);
        assert_ne!(numbered(100).split(0.2, 43).1, val);
        // Rounded up; extremes.
        assert_eq!(numbered(10).split(0.01, 0).1.len(), 1);
        assert_eq!(numbered(10).split(0.0, 0).0.len(), 10);
        assert_eq!(numbered(10).split(1.0, 0).1.len(), 10);
        assert_eq!(numbered(0).split(0.5, 0).0.len(), 0);
    }

    #[test]
    #[should_panic(expected = "validation_fraction")]
    fn split_rejects_bad_fraction() {
        numbered(3).split(1.5, 0);
    }

    #[test]
    fn subset_and_map() {
        let d = numbered(6);
        let s = d.subset(&[5, 0]);
        assert_eq!(s.samples(), &[5, 0]);
        assert_eq!(s.labels(), &[2, 0]);
        let m = s.map(|x| x as f64 * 0.5);
        assert_eq!(m.samples(), &[2.5, 0.0]);
    }

    #[test]
    fn one_hot_encodes() {
        let v: SVector<f64, 4> = one_hot(0);
        assert_eq!(v, SVector::<f64, 4>::new(1.0, 0.0, 0.0, 0.0));
        assert_eq!(try_one_hot::<f32, 4>(4), None);
    }
}
