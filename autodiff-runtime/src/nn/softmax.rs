//! Numerically stable `softmax` and `log_softmax`, for one vector and column-wise for a batch.
//!
//! All four subtract each column's maximum before exponentiating, so logits of any finite
//! magnitude (±1000 and beyond) give finite values and finite gradients.

use crate::Real;
use nalgebra::{SMatrix, SVector};

/// Writes `exp(x - max x)` into `out` and returns `(max x, Σ exp(x - max x))`.
#[inline(always)]
pub(crate) fn shifted_exp<T: Real>(x: &[T], out: &mut [T]) -> (T, T) {
    let Some(&first) = x.first() else {
        return (T::zero(), T::zero());
    };
    // A NaN anywhere makes every output NaN (through `exp(NaN - m)` or `m` itself).
    let mut m = first;
    for &v in x {
        if v > m {
            m = v;
        }
    }
    let mut s = T::zero();
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v - m).exp();
        s += *o;
    }
    (m, s)
}

/// Softmax of one column into `out`; returns `log Σ exp(x)` (the log-sum-exp).
#[inline(always)]
pub(crate) fn softmax_col<T: Real>(x: &[T], out: &mut [T]) -> T {
    let (m, s) = shifted_exp(x, out);
    let inv = T::one() / s;
    for o in out.iter_mut() {
        *o *= inv;
    }
    m + s.ln()
}

/// Splits column-major data into columns of length `n` (no columns when `n == 0`).
#[inline(always)]
pub(crate) fn cols<T>(data: &[T], n: usize) -> core::slice::ChunksExact<'_, T> {
    data.chunks_exact(n.max(1))
}

/// Like [`cols`], mutably.
#[inline(always)]
pub(crate) fn cols_mut<T>(data: &mut [T], n: usize) -> core::slice::ChunksExactMut<'_, T> {
    data.chunks_exact_mut(n.max(1))
}

/// Softmax of a vector: `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)`, computed as
/// `e^(x_i - max x) / Σ_j e^(x_j - max x)`.
///
/// Derivative (vector-Jacobian product): `dx = s ∘ (d - ⟨d, s⟩)` with `s = softmax(x)`.
/// PyTorch `torch.softmax(x, dim=0)`, Keras `activations.softmax`.
///
/// ```
/// use autodiff_runtime::nn::softmax;
/// use nalgebra::Vector3;
/// let s = softmax(&Vector3::new(1000.0, 1000.0, -1000.0_f64));
/// assert_eq!(s, Vector3::new(0.5, 0.5, 0.0));
/// ```
#[inline]
pub fn softmax<T: Real, const N: usize>(x: &SVector<T, N>) -> SVector<T, N> {
    softmax_batch(x)
}

/// Pullback of [`softmax`].
#[inline]
pub fn softmax_pullback<T: Real, const N: usize>(
    x: &SVector<T, N>,
) -> (
    SVector<T, N>,
    impl FnOnce(SVector<T, N>) -> (SVector<T, N>,) + use<T, N>,
) {
    softmax_batch_pullback(x)
}

/// Column-wise [`softmax`] of a batch (each column one sample).
/// PyTorch `torch.softmax(x, dim=0)` on a `[N, B]` tensor (`dim=1` on the usual `[B, N]`).
#[inline]
pub fn softmax_batch<T: Real, const N: usize, const B: usize>(
    x: &SMatrix<T, N, B>,
) -> SMatrix<T, N, B> {
    let mut y = *x;
    for (out, x) in cols_mut(y.as_mut_slice(), N).zip(cols(x.as_slice(), N)) {
        softmax_col(x, out);
    }
    y
}

/// Pullback of [`softmax_batch`]: `dx = s ∘ (d - ⟨d, s⟩)` per column.
#[inline]
pub fn softmax_batch_pullback<T: Real, const N: usize, const B: usize>(
    x: &SMatrix<T, N, B>,
) -> (
    SMatrix<T, N, B>,
    impl FnOnce(SMatrix<T, N, B>) -> (SMatrix<T, N, B>,) + use<T, N, B>,
) {
    let mut s = softmax_batch(x);
    (s, move |d: SMatrix<T, N, B>| {
        for (s, d) in cols_mut(s.as_mut_slice(), N).zip(cols(d.as_slice(), N)) {
            let mut dot = T::zero();
            for (&d, &s) in d.iter().zip(s.iter()) {
                dot += d * s;
            }
            for (s, &d) in s.iter_mut().zip(d) {
                *s *= d - dot;
            }
        }
        (s,)
    })
}

/// Log-softmax of a vector: `log_softmax(x)_i = x_i - log Σ_j e^(x_j)`, computed as
/// `x_i - max x - log Σ_j e^(x_j - max x)`. Finite for any finite logits, unlike
/// `softmax(x).map(ln)`, which gives `-inf` once an entry underflows.
///
/// Derivative: `dx = d - softmax(x) Σ_j d_j`.
/// PyTorch `torch.log_softmax(x, dim=0)`, Keras `ops.log_softmax`.
///
/// ```
/// use autodiff_runtime::nn::log_softmax;
/// use nalgebra::Vector2;
/// assert_eq!(log_softmax(&Vector2::new(1000.0, -1000.0_f64)), Vector2::new(0.0, -2000.0));
/// ```
#[inline]
pub fn log_softmax<T: Real, const N: usize>(x: &SVector<T, N>) -> SVector<T, N> {
    log_softmax_batch(x)
}

/// Pullback of [`log_softmax`].
#[inline]
pub fn log_softmax_pullback<T: Real, const N: usize>(
    x: &SVector<T, N>,
) -> (
    SVector<T, N>,
    impl FnOnce(SVector<T, N>) -> (SVector<T, N>,) + use<T, N>,
) {
    log_softmax_batch_pullback(x)
}

/// Log-softmax of one column into `y`, softmax into `s`.
#[inline(always)]
fn log_softmax_col<T: Real>(x: &[T], y: &mut [T], s: &mut [T]) {
    let lse = softmax_col(x, s);
    for (y, &x) in y.iter_mut().zip(x) {
        *y = x - lse;
    }
}

/// Column-wise [`log_softmax`] of a batch (each column one sample).
#[inline]
pub fn log_softmax_batch<T: Real, const N: usize, const B: usize>(
    x: &SMatrix<T, N, B>,
) -> SMatrix<T, N, B> {
    let mut y = *x;
    for (y, x) in cols_mut(y.as_mut_slice(), N).zip(cols(x.as_slice(), N)) {
        let (m, s) = shifted_exp(x, y);
        let lse = m + s.ln();
        for (y, &x) in y.iter_mut().zip(x) {
            *y = x - lse;
        }
    }
    y
}

/// Pullback of [`log_softmax_batch`]: `dx = d - softmax(x) Σ_j d_j` per column.
#[inline]
pub fn log_softmax_batch_pullback<T: Real, const N: usize, const B: usize>(
    x: &SMatrix<T, N, B>,
) -> (
    SMatrix<T, N, B>,
    impl FnOnce(SMatrix<T, N, B>) -> (SMatrix<T, N, B>,) + use<T, N, B>,
) {
    let (mut y, mut s) = (*x, *x);
    for ((y, s), x) in cols_mut(y.as_mut_slice(), N)
        .zip(cols_mut(s.as_mut_slice(), N))
        .zip(cols(x.as_slice(), N))
    {
        log_softmax_col(x, y, s);
    }
    (y, move |d: SMatrix<T, N, B>| {
        for (s, d) in cols_mut(s.as_mut_slice(), N).zip(cols(d.as_slice(), N)) {
            let sum: T = d.iter().fold(T::zero(), |a, &b| a + b);
            for (s, &d) in s.iter_mut().zip(d) {
                *s = d - *s * sum;
            }
        }
        (s,)
    })
}

/// `log Σ exp(x)` without a buffer, as `max x + log Σ exp(x - max x)`; bit-identical to the
/// value [`softmax_col`] returns for the same column.
#[inline(always)]
pub(crate) fn log_sum_exp<T: Real>(x: &[T]) -> T {
    let Some(&first) = x.first() else {
        return T::zero().ln();
    };
    let mut m = first;
    for &v in x {
        if v > m {
            m = v;
        }
    }
    let mut s = T::zero();
    for &v in x {
        s += (v - m).exp();
    }
    m + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::{all_finite, check, close_f32};
    use nalgebra::{Matrix3x2, SMatrix, SVector, Vector3, Vector4};

    fn logits() -> Vector4<f64> {
        Vector4::new(0.3, -1.2, 2.0, 0.7)
    }

    fn batch() -> SMatrix<f64, 3, 4> {
        SMatrix::from_fn(|i, j| ((i * 7 + j * 3) % 5) as f64 * 0.6 - 1.1 + j as f64 * 0.2)
    }

    #[test]
    fn softmax_matches_finite_differences() {
        for x in [
            logits(),
            Vector4::new(5.0, -3.0, 0.0, 0.1),
            Vector4::repeat(0.25),
        ] {
            check(&x, softmax, |x, d| {
                let (y, p) = softmax_pullback(x);
                (y, p(d).0)
            });
            check(&x, log_softmax, |x, d| {
                let (y, p) = log_softmax_pullback(x);
                (y, p(d).0)
            });
        }
        check(&batch(), softmax_batch, |x, d| {
            let (y, p) = softmax_batch_pullback(x);
            (y, p(d).0)
        });
        check(&batch(), log_softmax_batch, |x, d| {
            let (y, p) = log_softmax_batch_pullback(x);
            (y, p(d).0)
        });
    }

    #[test]
    fn values_are_normalized_and_shift_invariant() {
        let x = logits();
        let s = softmax(&x);
        assert!((s.sum() - 1.0).abs() < 1e-15);
        // softmax(x)_i / softmax(x)_j = e^(x_i - x_j)
        assert!((s[2] / s[0] - (2.0f64 - 0.3).exp()).abs() < 1e-12);
        let shifted = softmax(&x.add_scalar(123.0));
        assert!((shifted - s).norm() < 1e-15);
        let ls = log_softmax(&x);
        assert!((ls.map(f64::exp) - s).norm() < 1e-15);
        // columns of the batch versions are the vector versions
        let b = batch();
        let (sb, lb) = (softmax_batch(&b), log_softmax_batch(&b));
        for j in 0..4 {
            let col = Vector3::from(b.column(j));
            assert_eq!(Vector3::from(sb.column(j)), softmax(&col));
            assert_eq!(Vector3::from(lb.column(j)), log_softmax(&col));
        }
    }

    #[test]
    fn stable_at_large_logits() {
        let x = Vector3::new(1000.0, -1000.0, 0.0);
        assert_eq!(softmax(&x), Vector3::new(1.0, 0.0, 0.0));
        assert_eq!(log_softmax(&x), Vector3::new(0.0, -2000.0, -1000.0));
        let d = Vector3::new(0.3, -0.2, 1.0);
        all_finite(&softmax_pullback(&x).1(d).0);
        // d - softmax(x) Σd, with softmax(x) = e₀ to double precision
        assert_eq!(
            log_softmax_pullback(&x).1(d).0,
            Vector3::new(0.3 - 1.1, -0.2, 1.0)
        );
        let b = Matrix3x2::new(1000.0, -1000.0, -1000.0, 1000.0, 999.0, -999.0);
        all_finite(&softmax_batch(&b));
        all_finite(&log_softmax_batch(&b));
        all_finite(&softmax_batch_pullback(&b).1(Matrix3x2::repeat(1.0)).0);
        all_finite(&log_softmax_batch_pullback(&b).1(Matrix3x2::repeat(1.0)).0);
        // f32: e^1000 overflows long before
        let x32 = Vector3::new(1000.0f32, -1000.0, 0.0);
        assert_eq!(softmax(&x32), Vector3::new(1.0, 0.0, 0.0));
        all_finite(&log_softmax_pullback(&x32).1(Vector3::repeat(1.0)).0);
    }

    #[test]
    fn nan_propagates() {
        let s = softmax(&Vector3::new(0.0, f64::NAN, 1.0));
        assert!(s.iter().all(|v| v.is_nan()));
        let s = softmax(&Vector3::new(f64::NAN, 0.0, 1.0));
        assert!(s.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn f32_agrees_with_f64() {
        let b64 = batch();
        let b32: SMatrix<f32, 3, 4> = b64.cast();
        let d64 = SMatrix::<f64, 3, 4>::from_fn(|i, j| 0.4 - (i + 2 * j) as f64 * 0.15);
        let d32: SMatrix<f32, 3, 4> = d64.cast();
        close_f32(&softmax_batch(&b32), &softmax_batch(&b64), 1e-6);
        close_f32(&log_softmax_batch(&b32), &log_softmax_batch(&b64), 1e-6);
        close_f32(
            &softmax_batch_pullback(&b32).1(d32).0,
            &softmax_batch_pullback(&b64).1(d64).0,
            1e-6,
        );
        close_f32(
            &log_softmax_batch_pullback(&b32).1(d32).0,
            &log_softmax_batch_pullback(&b64).1(d64).0,
            1e-6,
        );
        let v: SVector<f32, 4> = logits().cast();
        close_f32(&softmax(&v), &softmax(&logits()), 1e-6);
    }
}
