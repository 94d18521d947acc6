//! [`Batches`]: mini-batch iteration that allocates once per epoch, not once per batch.
//!
//! A training loop visits tens of thousands of batches; allocating a `Vec` of samples for
//! each would dominate a small network's step. Instead one shuffled index `Vec` is kept and
//! every batch is a slice of it plus a reference to the data set. [`Batches::reshuffle`]
//! reorders the same `Vec` for the next epoch.

use super::dataset::{Dataset, shuffle_in_place};

/// The mini-batches of one epoch over a [`Dataset`]; made by [`Dataset::batches`].
///
/// Iterate it by reference (`for batch in &batches`) or with [`Batches::iter`]; each item is
/// a [`Batch`].
#[derive(Debug, Clone)]
pub struct Batches<'a, X> {
    data: &'a Dataset<X>,
    order: Vec<usize>,
    batch_size: usize,
}

impl<'a, X> Batches<'a, X> {
    pub(crate) fn new(data: &'a Dataset<X>, batch_size: usize, seed: Option<u64>) -> Self {
        assert!(
            batch_size > 0,
            "Dataset::batches: batch_size must be at least 1"
        );
        let mut batches = Batches {
            data,
            order: Vec::with_capacity(data.len()),
            batch_size,
        };
        batches.reshuffle(seed);
        batches
    }

    /// Puts the samples in the order a seeded shuffle gives (or data set order for `None`),
    /// reusing the index `Vec`. The order depends only on the seed, not on earlier calls.
    pub fn reshuffle(&mut self, seed: Option<u64>) {
        self.order.clear();
        self.order.extend(0..self.data.len());
        if let Some(seed) = seed {
            shuffle_in_place(&mut self.order, seed);
        }
    }

    /// The number of batches (the last one may be smaller than the batch size).
    pub fn len(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Whether there are no batches (the data set is empty).
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The batch size asked for.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The sample indices of the whole epoch, in visiting order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Iterates over the batches of this epoch.
    pub fn iter(&self) -> BatchIter<'_, X> {
        BatchIter {
            data: self.data,
            chunks: self.order.chunks(self.batch_size),
        }
    }
}

impl<'b, X> IntoIterator for &'b Batches<'_, X> {
    type Item = Batch<'b, X>;
    type IntoIter = BatchIter<'b, X>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over the [`Batch`]es of a [`Batches`].
#[derive(Debug, Clone)]
pub struct BatchIter<'b, X> {
    data: &'b Dataset<X>,
    chunks: core::slice::Chunks<'b, usize>,
}

impl<'b, X> Iterator for BatchIter<'b, X> {
    type Item = Batch<'b, X>;
    fn next(&mut self) -> Option<Batch<'b, X>> {
        let indices = self.chunks.next()?;
        Some(Batch {
            data: self.data,
            indices,
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl<X> ExactSizeIterator for BatchIter<'_, X> {}

/// One mini-batch: sample indices into the data set, and access to those samples.
#[derive(Debug)]
pub struct Batch<'b, X> {
    data: &'b Dataset<X>,
    indices: &'b [usize],
}

impl<X> Clone for Batch<'_, X> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X> Copy for Batch<'_, X> {}

impl<'b, X> Batch<'b, X> {
    /// The indices of this batch's samples in the data set.
    pub fn indices(&self) -> &'b [usize] {
        self.indices
    }

    /// The number of samples in the batch.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether the batch is empty (never true for a batch from [`Batches`]).
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The `k`-th sample of the batch and its label.
    ///
    /// # Panics
    ///
    /// If `k >= self.len()`.
    pub fn get(&self, k: usize) -> (&'b X, usize) {
        let i = self.indices[k];
        (&self.data.samples()[i], self.data.labels()[i])
    }

    /// Iterates over the batch's `(sample, label)` pairs.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'b X, usize)> + 'b {
        let (samples, labels) = (self.data.samples(), self.data.labels());
        self.indices.iter().map(move |&i| (&samples[i], labels[i]))
    }
}

impl<'b, X> IntoIterator for Batch<'b, X> {
    type Item = (&'b X, usize);
    type IntoIter = BatchSamples<'b, X>;
    fn into_iter(self) -> Self::IntoIter {
        BatchSamples {
            data: self.data,
            indices: self.indices.iter(),
        }
    }
}

/// Iterator over the `(sample, label)` pairs of a [`Batch`].
#[derive(Debug, Clone)]
pub struct BatchSamples<'b, X> {
    data: &'b Dataset<X>,
    indices: core::slice::Iter<'b, usize>,
}

impl<'b, X> Iterator for BatchSamples<'b, X> {
    type Item = (&'b X, usize);
    fn next(&mut self) -> Option<(&'b X, usize)> {
        let &i = self.indices.next()?;
        Some((&self.data.samples()[i], self.data.labels()[i]))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.indices.size_hint()
    }
}

impl<X> ExactSizeIterator for BatchSamples<'_, X> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(n: usize) -> Dataset<usize> {
        Dataset::new((0..n).collect(), (0..n).map(|i| i % 2).collect())
    }

    #[test]
    fn unshuffled_batches_cover_in_order() {
        let d = numbered(7);
        let b = d.batches(3, None);
        assert_eq!(b.len(), 3);
        assert_eq!(b.iter().len(), 3);
        let got: Vec<Vec<usize>> = b.iter().map(|batch| batch.indices().to_vec()).collect();
        assert_eq!(got, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        let last = b.iter().last().unwrap();
        assert_eq!(last.get(0), (&6, 0));
        assert_eq!(last.iter().len(), 1);
    }

    #[test]
    fn shuffled_batches_are_a_seeded_permutation() {
        let d = numbered(50);
        let mut b = d.batches(8, Some(3));
        let first = b.order().to_vec();
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(first, sorted);
        // Samples and labels stay together.
        for batch in &b {
            for (x, y) in batch {
                assert_eq!(y, x % 2);
            }
        }
        // Reshuffling reuses the Vec and depends only on the seed.
        let ptr = b.order().as_ptr();
        b.reshuffle(Some(4));
        assert_ne!(b.order(), &first[..]);
        assert_eq!(b.order().as_ptr(), ptr);
        b.reshuffle(Some(3));
        assert_eq!(b.order(), &first[..]);
        assert_eq!(d.batches(8, Some(3)).order(), &first[..]);
    }

    #[test]
    fn empty_data_set_has_no_batches() {
        let d = numbered(0);
        let b = d.batches(4, Some(1));
        assert!(b.is_empty());
        assert_eq!(b.iter().count(), 0);
    }

    #[test]
    #[should_panic(expected = "batch_size must be at least 1")]
    fn zero_batch_size_panics() {
        numbered(3).batches(0, None);
    }
}
