//! Shared helpers of the gradient-check integration tests.
//!
//! Every check compares a gradient written by `#[differentiate]` with central finite
//! differences of the user's *original* function (which the macro keeps unchanged), computed
//! in `f64` by `autodiff::gradcheck`. Nothing here knows a derivative formula, so a wrong rule
//! or a dropped contribution makes the check fail.
//!
//! `f32` gradients are compared with finite differences of an `f64` twin of the function
//! (written by hand in the test) at the same point, with [`F32_TOL`].

#![allow(dead_code)]

use autodiff::Params;
use autodiff::gradcheck::{Tolerance, check_gradient, compare, numeric_gradient};
use nalgebra::SMatrix;

/// Tolerance for `f32` gradients against `f64` finite differences.
pub const F32_TOL: Tolerance = Tolerance {
    eps: 1e-6,
    atol: 1e-4,
    rtol: 2e-3,
};

/// Checks `analytic` against central differences of `f` at `x` (PyTorch gradcheck defaults).
#[track_caller]
pub fn assert_grad<P: Params<Scalar = f64> + Clone>(
    what: &str,
    f: impl Fn(&P) -> f64,
    x: &P,
    analytic: &P,
) {
    assert_grad_tol(what, f, x, analytic, Tolerance::default());
}

/// [`assert_grad`] with an explicit tolerance.
#[track_caller]
pub fn assert_grad_tol<P: Params<Scalar = f64> + Clone>(
    what: &str,
    f: impl Fn(&P) -> f64,
    x: &P,
    analytic: &P,
    tol: Tolerance,
) {
    if let Err(e) = check_gradient(f, x, analytic, tol) {
        panic!("{what}: {e}");
    }
}

/// Checks an `f32` gradient (converted to `f64` by the caller) against central differences
/// of the `f64` twin `f64_fn` at the same point, with [`F32_TOL`].
#[track_caller]
pub fn assert_grad_f32<P: Params<Scalar = f64> + Clone>(
    what: &str,
    f64_fn: impl Fn(&P) -> f64,
    x: &P,
    analytic: &P,
) {
    let numeric = numeric_gradient(f64_fn, x, F32_TOL.eps);
    if let Err(e) = compare(analytic, &numeric, F32_TOL) {
        panic!("{what} (f32 vs f64 finite differences): {e}");
    }
}

/// Central difference of a scalar function, `eps = 1e-6`.
pub fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let eps = 1e-6;
    (f(x + eps) - f(x - eps)) / (2.0 * eps)
}

/// The value a `_grad` function returns must be the original function's value.
#[track_caller]
pub fn assert_value(what: &str, generated: f64, original: f64) {
    let ok = generated == original
        || (generated - original).abs() <= 1e-12 * original.abs().max(1.0)
        || (generated.is_nan() && original.is_nan());
    assert!(
        ok,
        "{what}: value {generated:e} of the generated function differs from the original {original:e}"
    );
}

/// One active scalar parameter: value and gradient at every point.
#[track_caller]
pub fn check_1(what: &str, f: impl Fn(f64) -> f64, grad: impl Fn(f64) -> (f64, f64), xs: &[f64]) {
    for &x in xs {
        let (v, dx) = grad(x);
        let at = format!("{what} at x = {x}");
        assert_value(&at, v, f(x));
        assert_grad(&at, |p: &f64| f(*p), &x, &dx);
    }
}

/// Two active scalar parameters.
#[track_caller]
pub fn check_2(
    what: &str,
    f: impl Fn(f64, f64) -> f64,
    grad: impl Fn(f64, f64) -> (f64, (f64, f64)),
    points: &[(f64, f64)],
) {
    for &(x, y) in points {
        let (v, (dx, dy)) = grad(x, y);
        let at = format!("{what} at ({x}, {y})");
        assert_value(&at, v, f(x, y));
        assert_grad(&at, |p: &[f64; 2]| f(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

/// Three active scalar parameters.
#[track_caller]
pub fn check_3(
    what: &str,
    f: impl Fn(f64, f64, f64) -> f64,
    grad: impl Fn(f64, f64, f64) -> (f64, (f64, f64, f64)),
    points: &[(f64, f64, f64)],
) {
    for &(x, y, z) in points {
        let (v, (dx, dy, dz)) = grad(x, y, z);
        let at = format!("{what} at ({x}, {y}, {z})");
        assert_value(&at, v, f(x, y, z));
        assert_grad(
            &at,
            |p: &[f64; 3]| f(p[0], p[1], p[2]),
            &[x, y, z],
            &[dx, dy, dz],
        );
    }
}

/// One active `f32` parameter against the `f64` twin.
#[track_caller]
pub fn check_1_f32(
    what: &str,
    f64_twin: impl Fn(f64) -> f64,
    grad: impl Fn(f32) -> (f32, f32),
    xs: &[f32],
) {
    for &x in xs {
        let (v, dx) = grad(x);
        let at = format!("{what} at x = {x}");
        let want = f64_twin(x as f64);
        assert!(
            (v as f64 - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{at}: f32 value {v} vs f64 {want}"
        );
        assert_grad_f32(&at, |p: &f64| f64_twin(*p), &(x as f64), &(dx as f64));
    }
}

/// Two active `f32` parameters against the `f64` twin.
#[track_caller]
pub fn check_2_f32(
    what: &str,
    f64_twin: impl Fn(f64, f64) -> f64,
    grad: impl Fn(f32, f32) -> (f32, (f32, f32)),
    points: &[(f32, f32)],
) {
    for &(x, y) in points {
        let (v, (dx, dy)) = grad(x, y);
        let at = format!("{what} at ({x}, {y})");
        let want = f64_twin(x as f64, y as f64);
        assert!(
            (v as f64 - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{at}: f32 value {v} vs f64 {want}"
        );
        assert_grad_f32(
            &at,
            |p: &[f64; 2]| f64_twin(p[0], p[1]),
            &[x as f64, y as f64],
            &[dx as f64, dy as f64],
        );
    }
}

/// An `f32` matrix as `f64`.
pub fn wide<const R: usize, const C: usize>(m: &SMatrix<f32, R, C>) -> SMatrix<f64, R, C> {
    m.cast::<f64>()
}

/// A deterministic matrix with entries in `[-1, 1]` (a small LCG), distinct per `seed`.
pub fn mat<const R: usize, const C: usize>(seed: u64) -> SMatrix<f64, R, C> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    SMatrix::from_fn(|_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}
