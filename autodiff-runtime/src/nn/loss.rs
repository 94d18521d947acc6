//! Losses: softmax cross-entropy (integer label, one-hot/soft target, batch), binary
//! cross-entropy with logits and mean squared error.
//!
//! All take logits (never probabilities) and are evaluated through the log-sum-exp /
//! `log(1 + e^-|z|)` forms, so logits of any finite magnitude (±1000 and beyond) give a finite
//! loss and a finite gradient. Every loss returns a scalar of the tensors' scalar type; its
//! pullback takes that scalar's cotangent (`1` when the loss is the final output).
//!
//! Integer labels are not differentiated: their cotangent is `()`. A label out of range
//! (`label >= N`) is a bug in the caller: debug builds panic with a message, release builds
//! do not panic but return a NaN loss and NaN gradients, so the mistake still shows up in the
//! training curve instead of silently training on a wrong target.

use super::activation::sigmoid_s;
use super::elementwise::{Elementwise, c, zero};
use super::softmax::{cols, cols_mut, log_sum_exp, softmax_col};
use crate::Real;
use nalgebra::{SMatrix, SVector};

#[inline(always)]
fn nan<T: Real>() -> T {
    c(f64::NAN)
}

/// Softmax cross-entropy of one sample with an integer class label:
/// `loss = -log softmax(x)_label = log Σ_j e^(x_j) - x_label`.
///
/// Derivative: `∂loss/∂x = softmax(x) - onehot(label)`; the label gets `()`.
/// PyTorch `F.cross_entropy(x, label)` for one sample,
/// Keras `SparseCategoricalCrossentropy(from_logits=True)`.
/// Label out of range: panics in debug builds, NaN loss and gradient in release builds.
///
/// ```
/// use autodiff_runtime::nn::{softmax_cross_entropy, softmax_cross_entropy_pullback};
/// use nalgebra::Vector3;
/// let x = Vector3::new(1000.0, -1000.0, 0.0_f64);
/// assert_eq!(softmax_cross_entropy(&x, 1), 2000.0);
/// let (loss, pullback) = softmax_cross_entropy_pullback(&x, 1);
/// let (dx, ()) = pullback(1.0);
/// assert_eq!((loss, dx), (2000.0, Vector3::new(1.0, -1.0, 0.0)));
/// ```
#[inline]
pub fn softmax_cross_entropy<T: Real, const N: usize>(logits: &SVector<T, N>, label: usize) -> T {
    debug_assert!(
        label < N,
        "softmax_cross_entropy: label {label} out of range for {N} classes"
    );
    let x = logits.as_slice();
    match x.get(label) {
        Some(&v) => log_sum_exp(x) - v,
        None => nan(),
    }
}

/// Pullback of [`softmax_cross_entropy`]: `(d (softmax(x) - onehot(label)), ())`.
#[inline]
pub fn softmax_cross_entropy_pullback<T: Real, const N: usize>(
    logits: &SVector<T, N>,
    label: usize,
) -> (T, impl FnOnce(T) -> (SVector<T, N>, ()) + use<T, N>) {
    debug_assert!(
        label < N,
        "softmax_cross_entropy: label {label} out of range for {N} classes"
    );
    let mut s = *logits;
    let lse = softmax_col(logits.as_slice(), s.as_mut_slice());
    let loss = match logits.get(label) {
        Some(&v) => lse - v,
        None => nan(),
    };
    (loss, move |d: T| {
        s *= d;
        match s.get_mut(label) {
            Some(g) => *g -= d,
            None => s.fill(nan()),
        }
        (s, ())
    })
}

/// Softmax cross-entropy against a target distribution (one-hot or soft labels):
/// `loss = -Σ_i t_i log softmax(x)_i = (Σ_i t_i) log Σ_j e^(x_j) - Σ_i t_i x_i`.
///
/// Derivatives: `∂/∂x = softmax(x) Σ_i t_i - t` (`softmax(x) - t` for a distribution),
/// `∂/∂t = -log_softmax(x)`. The target is differentiated like any other argument
/// (distillation uses it); ignore its cotangent when it is data.
/// PyTorch `F.cross_entropy(x, t)` with class probabilities, Keras
/// `CategoricalCrossentropy(from_logits=True)`.
///
/// ```
/// use autodiff_runtime::nn::softmax_cross_entropy_onehot;
/// use nalgebra::Vector2;
/// let x = Vector2::new(0.0, 0.0_f64);
/// let loss = softmax_cross_entropy_onehot(&x, &Vector2::new(0.0, 1.0));
/// assert!((loss - 2f64.ln()).abs() < 1e-15);
/// ```
#[inline]
pub fn softmax_cross_entropy_onehot<T: Real, const N: usize>(
    logits: &SVector<T, N>,
    target: &SVector<T, N>,
) -> T {
    let lse = log_sum_exp(logits.as_slice());
    onehot_loss(logits, target, lse)
}

#[inline(always)]
fn onehot_loss<T: Real, const N: usize>(x: &SVector<T, N>, t: &SVector<T, N>, lse: T) -> T {
    let mut loss = T::zero();
    for (&x, &t) in x.iter().zip(t.iter()) {
        loss += t * (lse - x);
    }
    loss
}

/// Pullback of [`softmax_cross_entropy_onehot`]: cotangents of the logits and of the target.
#[inline]
pub fn softmax_cross_entropy_onehot_pullback<T: Real, const N: usize>(
    logits: &SVector<T, N>,
    target: &SVector<T, N>,
) -> (
    T,
    impl FnOnce(T) -> (SVector<T, N>, SVector<T, N>) + use<T, N>,
) {
    let mut s = *logits;
    let lse = softmax_col(logits.as_slice(), s.as_mut_slice());
    let loss = onehot_loss(logits, target, lse);
    let (x, t) = (*logits, *target);
    (loss, move |d: T| {
        let mass = t.sum() * d;
        let mut dt = x;
        for ((s, dt), &t) in s.iter_mut().zip(dt.iter_mut()).zip(t.iter()) {
            *s = *s * mass - d * t;
            *dt = d * (lse - *dt);
        }
        (s, dt)
    })
}

/// Mean softmax cross-entropy over a batch, one sample per column, with integer labels:
/// `loss = (1/B) Σ_b (log Σ_i e^(x_ib) - x_(label_b, b))`.
///
/// Derivative: `∂loss/∂x = (softmax(x) - onehot(labels)) / B` column-wise; the labels get `()`.
/// PyTorch `F.cross_entropy(x.T, labels)` (`reduction='mean'`), Keras
/// `SparseCategoricalCrossentropy(from_logits=True)` on a batch.
/// A label out of range: panics in debug builds; in release builds the loss and the whole
/// gradient are NaN.
///
/// ```
/// use autodiff_runtime::nn::softmax_cross_entropy_batch;
/// use nalgebra::Matrix2;
/// // columns: sample 0 = [0, 0], sample 1 = [1000, -1000]
/// let x = Matrix2::new(0.0, 1000.0, 0.0, -1000.0_f64);
/// let loss = softmax_cross_entropy_batch(&x, &[0, 1]);
/// assert!((loss - (2f64.ln() + 2000.0) / 2.0).abs() < 1e-9);
/// ```
#[inline]
pub fn softmax_cross_entropy_batch<T: Real, const N: usize, const B: usize>(
    logits: &SMatrix<T, N, B>,
    labels: &[usize; B],
) -> T {
    let mut total = T::zero();
    for (x, &label) in cols(logits.as_slice(), N).zip(labels) {
        debug_assert!(
            label < N,
            "softmax_cross_entropy_batch: label {label} out of range for {N} classes"
        );
        total += match x.get(label) {
            Some(&v) => log_sum_exp(x) - v,
            None => nan(),
        };
    }
    total / c(B as f64)
}

/// Pullback of [`softmax_cross_entropy_batch`]: `(d (softmax(x) - onehot(labels)) / B, ())`.
#[inline]
pub fn softmax_cross_entropy_batch_pullback<'a, T: Real, const N: usize, const B: usize>(
    logits: &SMatrix<T, N, B>,
    labels: &'a [usize; B],
) -> (
    T,
    impl FnOnce(T) -> (SMatrix<T, N, B>, ()) + use<'a, T, N, B>,
) {
    let mut s = *logits;
    let mut total = T::zero();
    for ((x, s), &label) in cols(logits.as_slice(), N)
        .zip(cols_mut(s.as_mut_slice(), N))
        .zip(labels)
    {
        debug_assert!(
            label < N,
            "softmax_cross_entropy_batch: label {label} out of range for {N} classes"
        );
        let lse = softmax_col(x, s);
        total += match x.get(label) {
            Some(&v) => lse - v,
            None => nan(),
        };
    }
    let loss = total / c(B as f64);
    let labels = *labels;
    (loss, move |d: T| {
        let scale = d / c(B as f64);
        s *= scale;
        let mut bad = false;
        for (s, &label) in cols_mut(s.as_mut_slice(), N).zip(&labels) {
            match s.get_mut(label) {
                Some(g) => *g -= scale,
                None => bad = true,
            }
        }
        if bad {
            s.fill(nan());
        }
        (s, ())
    })
}

#[inline(always)]
fn bce_s<T: Real>(z: T, t: T) -> T {
    // max(z, 0) - z t + log(1 + e^-|z|): no overflow for any finite z.
    let pos = if z > T::zero() { z } else { T::zero() };
    pos - z * t + (-z.abs()).exp().ln_1p()
}

#[inline(always)]
fn mean_of<T: Real>(sum: T, n: usize) -> T {
    sum / c(n as f64)
}

/// Binary cross-entropy on logits, averaged over all entries:
/// `loss = mean(-t log σ(z) - (1 - t) log(1 - σ(z)))`, computed as
/// `mean(max(z, 0) - z t + log(1 + e^(-|z|)))`.
///
/// Works for a single logit (`&f64`), a vector of independent outputs or a batch matrix.
/// Derivatives: `∂/∂z = (σ(z) - t) / n`, `∂/∂t = -z / n` with `n` the number of entries.
/// PyTorch `F.binary_cross_entropy_with_logits` (`reduction='mean'`), Keras
/// `BinaryCrossentropy(from_logits=True)`.
///
/// ```
/// use autodiff_runtime::nn::binary_cross_entropy_with_logits;
/// assert!((binary_cross_entropy_with_logits(&0.0_f64, &1.0) - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(binary_cross_entropy_with_logits(&-1000.0_f64, &1.0), 1000.0);
/// ```
#[inline]
pub fn binary_cross_entropy_with_logits<X: Elementwise>(logits: &X, targets: &X) -> X::Scalar {
    let (z, t) = (logits.elems(), targets.elems());
    let mut sum = zero::<X::Scalar>();
    for (&z, &t) in z.iter().zip(t) {
        sum += bce_s(z, t);
    }
    mean_of(sum, z.len())
}

/// Pullback of [`binary_cross_entropy_with_logits`]: cotangents of the logits and targets.
#[inline]
pub fn binary_cross_entropy_with_logits_pullback<X: Elementwise>(
    logits: &X,
    targets: &X,
) -> (X::Scalar, impl FnOnce(X::Scalar) -> (X, X) + use<X>) {
    let loss = binary_cross_entropy_with_logits(logits, targets);
    // σ(z) - t, and z: exactly the two cotangents up to a factor.
    let (mut dz, dt) = (logits.clone(), logits.clone());
    for (dz, &t) in dz.elems_mut().iter_mut().zip(targets.elems()) {
        *dz = sigmoid_s(*dz) - t;
    }
    (loss, move |d: X::Scalar| {
        let scale = mean_of(d, dz.elems().len());
        let (mut dz, mut dt) = (dz, dt);
        dz.elems_mut().iter_mut().for_each(|g| *g *= scale);
        dt.elems_mut().iter_mut().for_each(|g| *g *= -scale);
        (dz, dt)
    })
}

/// Mean squared error over all entries: `loss = mean((p - t)²)`.
///
/// Derivatives: `∂/∂p = 2 (p - t) / n`, `∂/∂t = -2 (p - t) / n`.
/// PyTorch `F.mse_loss` (`reduction='mean'`), Keras `MeanSquaredError`.
///
/// ```
/// use autodiff_runtime::nn::mse;
/// use nalgebra::Vector2;
/// assert_eq!(mse(&Vector2::new(1.0, 2.0), &Vector2::new(0.0, 4.0)), 2.5);
/// ```
#[inline]
pub fn mse<X: Elementwise>(pred: &X, target: &X) -> X::Scalar {
    let (p, t) = (pred.elems(), target.elems());
    let mut sum = zero::<X::Scalar>();
    for (&p, &t) in p.iter().zip(t) {
        sum += (p - t) * (p - t);
    }
    mean_of(sum, p.len())
}

/// Pullback of [`mse`]: cotangents of the prediction and the target.
#[inline]
pub fn mse_pullback<X: Elementwise>(
    pred: &X,
    target: &X,
) -> (X::Scalar, impl FnOnce(X::Scalar) -> (X, X) + use<X>) {
    let mut diff = pred.clone();
    let mut sum = zero::<X::Scalar>();
    for (p, &t) in diff.elems_mut().iter_mut().zip(target.elems()) {
        *p -= t;
        sum += *p * *p;
    }
    (mean_of(sum, diff.elems().len()), move |d: X::Scalar| {
        let scale = mean_of(d * c(2.0), diff.elems().len());
        let mut dp = diff;
        dp.elems_mut().iter_mut().for_each(|g| *g *= scale);
        let mut dt = dp.clone();
        dt.elems_mut().iter_mut().for_each(|g| *g = -*g);
        (dp, dt)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::{all_finite, check, close_f32};
    use nalgebra::{Matrix2x3, SMatrix, SVector, Vector3, Vector4};

    fn logits() -> [Vector4<f64>; 3] {
        [
            Vector4::new(0.3, -1.2, 2.0, 0.7),
            Vector4::new(-3.0, 4.5, 0.1, -0.2),
            Vector4::new(0.0, 0.05, -0.05, 0.0),
        ]
    }

    #[test]
    fn cross_entropy_with_label_matches_finite_differences() {
        for x in logits() {
            for label in 0..4 {
                check(
                    &x,
                    |x| softmax_cross_entropy(x, label),
                    |x, d| {
                        let (v, p) = softmax_cross_entropy_pullback(x, label);
                        (v, p(d).0)
                    },
                );
            }
        }
    }

    #[test]
    fn cross_entropy_with_label_is_minus_log_softmax() {
        for x in logits() {
            let lse = x.map(f64::exp).sum().ln();
            for label in 0..4 {
                let expected = lse - x[label];
                assert!((softmax_cross_entropy(&x, label) - expected).abs() < 1e-12);
                let mut onehot = Vector4::zeros();
                onehot[label] = 1.0;
                assert!((softmax_cross_entropy_onehot(&x, &onehot) - expected).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn cross_entropy_with_target_matches_finite_differences() {
        let soft = [
            Vector4::new(0.1, 0.2, 0.3, 0.4),
            Vector4::new(0.0, 1.0, 0.0, 0.0),
        ];
        // Σt ≠ 1 is allowed (e.g. label weights) and changes the gradient: check it too.
        let unnormalized = Vector4::new(0.5, -0.25, 2.0, 0.0);
        for x in logits() {
            for t in soft.iter().chain([&unnormalized]) {
                check(
                    &x,
                    |x| softmax_cross_entropy_onehot(x, t),
                    |x, d| {
                        let (v, p) = softmax_cross_entropy_onehot_pullback(x, t);
                        (v, p(d).0)
                    },
                );
                check(
                    t,
                    |t| softmax_cross_entropy_onehot(&x, t),
                    |t, d| {
                        let (v, p) = softmax_cross_entropy_onehot_pullback(&x, t);
                        (v, p(d).1)
                    },
                );
            }
        }
    }

    #[test]
    fn batch_cross_entropy_matches_finite_differences_and_the_mean() {
        let x = SMatrix::<f64, 4, 3>::from_columns(&logits());
        let labels = [2, 0, 3];
        check(
            &x,
            |x| softmax_cross_entropy_batch(x, &labels),
            |x, d| {
                let (v, p) = softmax_cross_entropy_batch_pullback(x, &labels);
                (v, p(d).0)
            },
        );
        let mean = logits()
            .iter()
            .zip(labels)
            .map(|(x, l)| softmax_cross_entropy(x, l))
            .sum::<f64>()
            / 3.0;
        assert!((softmax_cross_entropy_batch(&x, &labels) - mean).abs() < 1e-12);
    }

    #[test]
    fn cross_entropy_is_stable_at_large_logits() {
        let x = Vector3::new(1000.0f64, -1000.0, 0.0);
        // log Σ e^x = 1000 to double precision, so the losses are 1000 - x_label.
        for (label, loss) in [(0, 0.0), (1, 2000.0), (2, 1000.0)] {
            assert_eq!(softmax_cross_entropy(&x, label), loss);
            let (v, p) = softmax_cross_entropy_pullback(&x, label);
            assert_eq!(v, loss);
            let mut expected = Vector3::new(1.0, 0.0, 0.0);
            expected[label] -= 1.0;
            assert_eq!(p(1.0).0, expected);
        }
        let t = Vector3::new(0.2, 0.3, 0.5);
        let (v, p) = softmax_cross_entropy_onehot_pullback(&x, &t);
        assert!((v - (0.3 * 2000.0 + 0.5 * 1000.0)).abs() < 1e-9);
        let (dx, dt) = p(1.0);
        all_finite(&dx);
        all_finite(&dt);
        let b = Matrix2x3::new(1000.0f64, -1000.0, 0.0, -1000.0, 1000.0, 1000.0);
        let (v, p) = softmax_cross_entropy_batch_pullback(&b, &[1, 1, 0]);
        assert!((v - (2000.0 + 0.0 + 1000.0) / 3.0).abs() < 1e-9);
        all_finite(&p(1.0).0);
        let x32 = Vector3::new(1000.0f32, -1000.0, 0.0);
        assert_eq!(softmax_cross_entropy(&x32, 1), 2000.0);
        all_finite(&softmax_cross_entropy_pullback(&x32, 1).1(1.0).0);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "out of range")]
    fn label_out_of_range_panics_in_debug_builds() {
        softmax_cross_entropy(&Vector3::new(0.0, 1.0, 2.0), 3);
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn label_out_of_range_is_nan_in_release_builds() {
        let x = Vector3::new(0.0f64, 1.0, 2.0);
        assert!(softmax_cross_entropy(&x, 3).is_nan());
        let (v, p) = softmax_cross_entropy_pullback(&x, 3);
        assert!(v.is_nan() && p(1.0).0.iter().all(|g| g.is_nan()));
        let b = Matrix2x3::new(0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0);
        assert!(softmax_cross_entropy_batch(&b, &[0, 2, 1]).is_nan());
        assert!(
            softmax_cross_entropy_batch_pullback(&b, &[0, 2, 1]).1(1.0)
                .0
                .iter()
                .all(|g| g.is_nan())
        );
    }

    fn bce_reference(z: f64, t: f64) -> f64 {
        let s = 1.0 / (1.0 + (-z).exp());
        -(t * s.ln() + (1.0 - t) * (1.0 - s).ln())
    }

    #[test]
    fn binary_cross_entropy_matches_finite_differences_and_definition() {
        let z = SMatrix::<f64, 2, 3>::new(-2.0, -0.4, 0.0, 0.3, 1.5, 4.0);
        let t = SMatrix::<f64, 2, 3>::new(0.0, 1.0, 0.5, 1.0, 0.0, 0.8);
        check(
            &z,
            |z| binary_cross_entropy_with_logits(z, &t),
            |z, d| {
                let (v, p) = binary_cross_entropy_with_logits_pullback(z, &t);
                (v, p(d).0)
            },
        );
        check(
            &t,
            |t| binary_cross_entropy_with_logits(&z, t),
            |t, d| {
                let (v, p) = binary_cross_entropy_with_logits_pullback(&z, t);
                (v, p(d).1)
            },
        );
        let mean = z
            .iter()
            .zip(t.iter())
            .map(|(&z, &t)| bce_reference(z, t))
            .sum::<f64>()
            / 6.0;
        assert!((binary_cross_entropy_with_logits(&z, &t) - mean).abs() < 1e-12);
        for (z, t) in [(0.7, 1.0), (-1.3, 0.0), (2.2, 0.25)] {
            assert!((binary_cross_entropy_with_logits(&z, &t) - bce_reference(z, t)).abs() < 1e-12);
            check(
                &z,
                |z| binary_cross_entropy_with_logits(z, &t),
                |z, d| {
                    let (v, p) = binary_cross_entropy_with_logits_pullback(z, &t);
                    (v, p(d).0)
                },
            );
        }
    }

    #[test]
    fn binary_cross_entropy_is_stable_at_large_logits() {
        for (z, t, loss, dz) in [
            (1000.0, 1.0, 0.0, 0.0),
            (-1000.0, 1.0, 1000.0, -1.0),
            (1000.0, 0.0, 1000.0, 1.0),
            (-1000.0, 0.0, 0.0, 0.0),
        ] {
            assert_eq!(binary_cross_entropy_with_logits(&z, &t), loss);
            let (v, p) = binary_cross_entropy_with_logits_pullback(&z, &t);
            assert_eq!((v, p(1.0)), (loss, (dz, -z)));
        }
        assert_eq!(binary_cross_entropy_with_logits(&-1000.0f32, &1.0), 1000.0);
        let (dz, dt) = binary_cross_entropy_with_logits_pullback(&-1e30f32, &0.5).1(1.0);
        assert_eq!((dz, dt), (-0.5, 1e30));
    }

    #[test]
    fn mse_matches_finite_differences_and_definition() {
        let p = SMatrix::<f64, 3, 2>::new(0.5, -1.0, 2.0, 0.0, 0.25, -0.75);
        let t = SMatrix::<f64, 3, 2>::new(0.0, -1.5, 2.5, 1.0, 0.0, 0.0);
        check(
            &p,
            |p| mse(p, &t),
            |p, d| {
                let (v, pb) = mse_pullback(p, &t);
                (v, pb(d).0)
            },
        );
        check(
            &t,
            |t| mse(&p, t),
            |t, d| {
                let (v, pb) = mse_pullback(&p, t);
                (v, pb(d).1)
            },
        );
        assert!((mse(&p, &t) - (0.25 + 0.25 + 0.25 + 1.0 + 0.0625 + 0.5625) / 6.0).abs() < 1e-15);
        assert_eq!(mse(&3.0, &1.0), 4.0);
        assert_eq!(mse_pullback(&3.0, &1.0).1(1.0), (4.0, -4.0));
    }

    #[test]
    fn f32_agrees_with_f64() {
        let x64 = SMatrix::<f64, 4, 3>::from_columns(&logits());
        let x32: SMatrix<f32, 4, 3> = x64.cast();
        let labels = [1, 3, 0];
        close_f32(
            &softmax_cross_entropy_batch(&x32, &labels),
            &softmax_cross_entropy_batch(&x64, &labels),
            1e-6,
        );
        close_f32(
            &softmax_cross_entropy_batch_pullback(&x32, &labels).1(0.5).0,
            &softmax_cross_entropy_batch_pullback(&x64, &labels).1(0.5).0,
            1e-6,
        );
        let v32: SVector<f32, 4> = logits()[0].cast();
        close_f32(
            &softmax_cross_entropy_pullback(&v32, 2).1(1.0).0,
            &softmax_cross_entropy_pullback(&logits()[0], 2).1(1.0).0,
            1e-6,
        );
        let t64 = x64.map(|v| 1.0 / (1.0 + v * v));
        let t32: SMatrix<f32, 4, 3> = t64.cast();
        close_f32(
            &binary_cross_entropy_with_logits(&x32, &t32),
            &binary_cross_entropy_with_logits(&x64, &t64),
            1e-6,
        );
        close_f32(
            &mse_pullback(&x32, &t32).1(1.0).0,
            &mse_pullback(&x64, &t64).1(1.0).0,
            1e-6,
        );
    }
}
