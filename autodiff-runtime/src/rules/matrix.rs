//! Matrix products and the nalgebra methods `#[differentiate]` understands on fixed-size
//! matrices and vectors.
//!
//! | method | value | cotangent of the receiver `a` | of the argument `b` |
//! |--------|-------|-------------------------------|---------------------|
//! | `a.transpose()` | `aᵀ` | `dᵀ` | |
//! | `a.dot(&b)` | `Σ aᵢbᵢ` | `d b` | `d a` |
//! | `a.component_mul(&b)` | `a ∘ b` | `d ∘ b` | `d ∘ a` |
//! | `a.component_div(&b)` | `a ⊘ b` | `d ⊘ b` | `-d ∘ a ⊘ b²` |
//! | `a.sum()` | `Σ aᵢ` | `d 1` | |
//! | `a.norm()` | `‖a‖` | `d a / ‖a‖` (0 at `a = 0`, like PyTorch) | |
//! | `a.norm_squared()` | `‖a‖²` | `2 d a` | |

use crate::Real;
use nalgebra::SMatrix;

/// Products with at least this many multiply-adds go through the blocked GEMM kernel;
/// smaller ones (matrix-vector products of one sample) stay on nalgebra's unrolled loops,
/// which win there.
pub const GEMM_THRESHOLD: usize = 16 * 1024;

fn use_gemm(r: usize, k: usize, c: usize) -> bool {
    c > 1 && r * k * c >= GEMM_THRESHOLD
}

fn ld(n: usize) -> isize {
    n as isize
}

/// `a * b`.
#[inline]
pub fn matmul<T: Real, const R: usize, const K: usize, const C: usize>(
    a: &SMatrix<T, R, K>,
    b: &SMatrix<T, K, C>,
) -> SMatrix<T, R, C> {
    if !use_gemm(R, K, C) {
        return a * b;
    }
    let mut out = SMatrix::<T, R, C>::zeros();
    let (zero, one) = (T::of_f64(0.0), T::of_f64(1.0));
    T::gemm(
        R,
        K,
        C,
        one,
        (a.as_slice(), 1, ld(R)),
        (b.as_slice(), 1, ld(K)),
        zero,
        (out.as_mut_slice(), 1, ld(R)),
    );
    out
}

/// `a * bᵀ` without materializing the transpose.
#[inline]
pub fn matmul_nt<T: Real, const R: usize, const K: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    b: &SMatrix<T, K, C>,
) -> SMatrix<T, R, K> {
    if !use_gemm(R, C, K) {
        return a * b.transpose();
    }
    let mut out = SMatrix::<T, R, K>::zeros();
    let (zero, one) = (T::of_f64(0.0), T::of_f64(1.0));
    T::gemm(
        R,
        C,
        K,
        one,
        (a.as_slice(), 1, ld(R)),
        (b.as_slice(), ld(K), 1),
        zero,
        (out.as_mut_slice(), 1, ld(R)),
    );
    out
}

/// `aᵀ * b` without materializing the transpose.
#[inline]
pub fn matmul_tn<T: Real, const R: usize, const K: usize, const C: usize>(
    a: &SMatrix<T, R, K>,
    b: &SMatrix<T, R, C>,
) -> SMatrix<T, K, C> {
    if !use_gemm(K, R, C) {
        return a.tr_mul(b);
    }
    let mut out = SMatrix::<T, K, C>::zeros();
    let (zero, one) = (T::of_f64(0.0), T::of_f64(1.0));
    T::gemm(
        K,
        R,
        C,
        one,
        (a.as_slice(), ld(R), 1),
        (b.as_slice(), 1, ld(R)),
        zero,
        (out.as_mut_slice(), 1, ld(K)),
    );
    out
}

/// Cotangent of `a` in `y = a.transpose()`.
#[inline(always)]
pub fn transpose_d_recv<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    _y: &SMatrix<T, C, R>,
    d: &SMatrix<T, C, R>,
) -> SMatrix<T, R, C> {
    d.transpose()
}

/// Cotangent of `a` in `y = a.dot(&b)`.
#[inline(always)]
pub fn dot_d_recv<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    b: &SMatrix<T, R, C>,
    _y: &T,
    d: &T,
) -> SMatrix<T, R, C> {
    b * *d
}

/// Cotangent of `b` in `y = a.dot(&b)`.
#[inline(always)]
pub fn dot_d_arg0<T: Real, const R: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    _b: &SMatrix<T, R, C>,
    _y: &T,
    d: &T,
) -> SMatrix<T, R, C> {
    a * *d
}

/// Cotangent of `a` in `y = a.component_mul(&b)`.
#[inline(always)]
pub fn component_mul_d_recv<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    b: &SMatrix<T, R, C>,
    _y: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
) -> SMatrix<T, R, C> {
    d.component_mul(b)
}

/// Cotangent of `b` in `y = a.component_mul(&b)`.
#[inline(always)]
pub fn component_mul_d_arg0<T: Real, const R: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    _b: &SMatrix<T, R, C>,
    _y: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
) -> SMatrix<T, R, C> {
    d.component_mul(a)
}

/// Cotangent of `a` in `y = a.component_div(&b)`.
#[inline(always)]
pub fn component_div_d_recv<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    b: &SMatrix<T, R, C>,
    _y: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
) -> SMatrix<T, R, C> {
    d.component_div(b)
}

/// Cotangent of `b` in `y = a.component_div(&b)`: `-d ∘ y ⊘ b`.
#[inline(always)]
pub fn component_div_d_arg0<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    b: &SMatrix<T, R, C>,
    y: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
) -> SMatrix<T, R, C> {
    -d.component_mul(y).component_div(b)
}

/// Cotangent of `a` in `y = a.sum()`.
#[inline(always)]
pub fn sum_d_recv<T: Real, const R: usize, const C: usize>(
    _a: &SMatrix<T, R, C>,
    _y: &T,
    d: &T,
) -> SMatrix<T, R, C> {
    SMatrix::repeat(*d)
}

/// Cotangent of `a` in `y = a.norm()`; zero at `a = 0` (PyTorch's and JAX's subgradient).
#[inline(always)]
pub fn norm_d_recv<T: Real, const R: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    y: &T,
    d: &T,
) -> SMatrix<T, R, C> {
    if *y == T::of_f64(0.0) {
        SMatrix::zeros()
    } else {
        a * (*d / *y)
    }
}

/// Cotangent of `a` in `y = a.norm_squared()`.
#[inline(always)]
pub fn norm_squared_d_recv<T: Real, const R: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    _y: &T,
    d: &T,
) -> SMatrix<T, R, C> {
    a * (*d * T::of_f64(2.0))
}

/// Cotangent of `v` in `y = v.map(f)`: `f'(v_i) d_i` per entry, with `df(v_i, d_i)` the
/// closure's generated pullback.
#[inline(always)]
pub fn map_d<T: Real, const R: usize, const C: usize>(
    v: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
    df: impl FnMut(T, T) -> T,
) -> SMatrix<T, R, C> {
    v.zip_map(d, df)
}

/// Cotangent of one operand of `y = a.zip_map(&b, f)`, with `df(a_i, b_i, d_i)` the
/// closure's generated pullback for that operand.
#[inline(always)]
pub fn zip_map_d<T: Real, const R: usize, const C: usize>(
    a: &SMatrix<T, R, C>,
    b: &SMatrix<T, R, C>,
    d: &SMatrix<T, R, C>,
    df: impl FnMut(T, T, T) -> T,
) -> SMatrix<T, R, C> {
    a.zip_zip_map(b, d, df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check_binary, check_unary};
    use nalgebra::{Matrix2x3, Vector3};

    #[test]
    fn matrix_methods_match_finite_differences() {
        let a = Matrix2x3::new(0.1, -0.4, 0.9, 1.2, 0.3, -0.8);
        let b = Matrix2x3::new(-1.0, 0.5, 0.25, 0.7, -0.6, 2.0);
        check_unary(&a, |a| a.transpose(), transpose_d_recv);
        check_binary(&a, &b, |a, b| a.dot(b), dot_d_recv, dot_d_arg0);
        check_binary(
            &a,
            &b,
            |a, b| a.component_mul(b),
            component_mul_d_recv,
            component_mul_d_arg0,
        );
        check_binary(
            &a,
            &b,
            |a, b| a.component_div(b),
            component_div_d_recv,
            component_div_d_arg0,
        );
        check_unary(&a, |a| a.sum(), sum_d_recv);
        check_unary(&a, |a| a.norm(), norm_d_recv);
        check_unary(&a, |a| a.norm_squared(), norm_squared_d_recv);
        let v = Vector3::new(0.3, -1.2, 0.5);
        check_unary(&v, |v| v.norm(), norm_d_recv);
    }

    #[test]
    fn gemm_paths_match_nalgebra() {
        let a = SMatrix::<f64, 40, 30>::from_fn(|i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let b = SMatrix::<f64, 30, 20>::from_fn(|i, j| ((i * 5 + j) % 7) as f64 * 0.25);
        let c = SMatrix::<f64, 40, 20>::from_fn(|i, j| ((i + j * 2) % 5) as f64 - 2.0);
        assert!(use_gemm(40, 30, 20));
        assert!((matmul(&a, &b) - a * b).norm() < 1e-9);
        assert!((matmul_nt(&c, &b) - c * b.transpose()).norm() < 1e-9);
        assert!((matmul_tn(&a, &c) - a.transpose() * c).norm() < 1e-9);
        let af = a.map(|x| x as f32);
        let bf = b.map(|x| x as f32);
        assert!((matmul(&af, &bf) - af * bf).norm() < 1e-3);
    }

    #[test]
    fn norm_at_zero_is_zero() {
        let z = Vector3::<f64>::zeros();
        assert_eq!(norm_d_recv(&z, &0.0, &1.0), Vector3::zeros());
    }
}
