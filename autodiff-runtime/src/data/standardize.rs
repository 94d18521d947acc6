//! [`Standardizer`]: zero mean and unit variance per feature, fitted on training data only.
//!
//! Gradient descent converges faster when features share a scale. The statistics must come
//! from the training part alone and then be applied unchanged to validation and test data;
//! fitting on all data leaks test information into training. This is scikit-learn's
//! `StandardScaler`: population standard deviation (`ddof = 0`), and a feature that is
//! constant in the training data is only centred (scale 1), never divided by zero.

use super::dataset::Dataset;
use crate::Real;
use nalgebra::SVector;

/// Per-feature mean and scale: `transform(x) = (x - mean) / scale`.
///
/// ```
/// use autodiff_runtime::data::{Dataset, Standardizer};
/// use nalgebra::SVector;
///
/// let mut train = Dataset::new(
///     vec![SVector::<f64, 2>::new(1.0, 5.0), [3.0, 5.0].into()],
///     vec![0, 1],
/// );
/// let mut test = Dataset::new(vec![SVector::<f64, 2>::new(4.0, 6.0)], vec![1]);
/// let scaler = Standardizer::fit(&train);
/// scaler.apply(&mut train);
/// scaler.apply(&mut test);
/// assert_eq!(train.samples()[0].as_slice(), &[-1.0, 0.0]);
/// // Feature 1 is constant in the training data: centred, not scaled.
/// assert_eq!(test.samples()[0].as_slice(), &[2.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer<T: Real, const N: usize> {
    mean: SVector<T, N>,
    scale: SVector<T, N>,
}

impl<T: Real, const N: usize> Standardizer<T, N> {
    /// Fits mean and population standard deviation of every feature of `data` (accumulated
    /// in `f64`). An empty data set gives the identity transform (mean 0, scale 1).
    pub fn fit(data: &Dataset<SVector<T, N>>) -> Self {
        let n = data.len() as f64;
        let mut mean = vec![0.0f64; N];
        for x in data.samples() {
            for (m, v) in mean.iter_mut().zip(x.iter()) {
                *m += v.as_f64();
            }
        }
        for m in &mut mean {
            *m = if n > 0.0 { *m / n } else { 0.0 };
        }
        let mut var = vec![0.0f64; N];
        for x in data.samples() {
            for ((s, v), m) in var.iter_mut().zip(x.iter()).zip(&mean) {
                let d = v.as_f64() - m;
                *s += d * d;
            }
        }
        Standardizer {
            mean: SVector::from_iterator(mean.iter().map(|&m| T::of_f64(m))),
            scale: SVector::from_iterator(var.iter().map(|&s| {
                let std = if n > 0.0 { (s / n).sqrt() } else { 0.0 };
                // scikit-learn's rule: a (near-)constant feature keeps scale 1.
                T::of_f64(if std > 10.0 * f64::EPSILON { std } else { 1.0 })
            })),
        }
    }

    /// A standardizer with given mean and scale (for example restored from a file).
    pub fn from_mean_scale(mean: SVector<T, N>, scale: SVector<T, N>) -> Self {
        Standardizer { mean, scale }
    }

    /// The per-feature mean subtracted.
    pub fn mean(&self) -> &SVector<T, N> {
        &self.mean
    }

    /// The per-feature divisor (the standard deviation, or 1 for a constant feature).
    pub fn scale(&self) -> &SVector<T, N> {
        &self.scale
    }

    /// `(x - mean) / scale`.
    #[must_use = "did you mean transform_mut()?"]
    pub fn transform(&self, x: &SVector<T, N>) -> SVector<T, N> {
        let mut y = *x;
        self.transform_mut(&mut y);
        y
    }

    /// `x = (x - mean) / scale`, in place.
    pub fn transform_mut(&self, x: &mut SVector<T, N>) {
        for ((v, &m), &s) in x.iter_mut().zip(self.mean.iter()).zip(self.scale.iter()) {
            *v = (*v - m) / s;
        }
    }

    /// `x * scale + mean`: undoes [`Standardizer::transform`].
    #[must_use]
    pub fn inverse_transform(&self, x: &SVector<T, N>) -> SVector<T, N> {
        let mut y = *x;
        for ((v, &m), &s) in y.iter_mut().zip(self.mean.iter()).zip(self.scale.iter()) {
            *v = *v * s + m;
        }
        y
    }

    /// Transforms every sample of `data` in place.
    pub fn apply(&self, data: &mut Dataset<SVector<T, N>>) {
        for x in data.samples_mut() {
            self.transform_mut(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs())
    }

    #[test]
    fn fitted_training_data_has_zero_mean_unit_std() {
        let samples: Vec<SVector<f32, 3>> = (0..20)
            .map(|i| SVector::<f32, 3>::new(i as f32, (i * i) as f32 * 0.1 - 3.0, 7.0))
            .collect();
        let mut data = Dataset::new(samples, vec![0; 20]);
        let s = Standardizer::fit(&data);
        assert_eq!(s.mean()[0], 9.5);
        assert!(close(s.scale()[0] as f64, (399.0f64 / 12.0).sqrt(), 1e-6));
        assert_eq!(s.scale()[2], 1.0);
        let original = data.samples()[3];
        s.apply(&mut data);
        for j in 0..2 {
            let col: Vec<f64> = data.samples().iter().map(|x| x[j] as f64).collect();
            let mean = col.iter().sum::<f64>() / 20.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 20.0;
            assert!(mean.abs() < 1e-5, "feature {j} mean {mean}");
            assert!(close(var, 1.0, 1e-5), "feature {j} variance {var}");
        }
        assert_eq!(data.samples()[0][2], 0.0);
        let back = s.inverse_transform(&data.samples()[3]);
        for j in 0..3 {
            assert!(close(back[j] as f64, original[j] as f64, 1e-5));
        }
    }

    #[test]
    fn empty_fit_is_identity() {
        let s = Standardizer::<f64, 2>::fit(&Dataset::default());
        let x = SVector::<f64, 2>::new(3.0, -1.0);
        assert_eq!(s.transform(&x), x);
    }
}
