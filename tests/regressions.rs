//! Regressions found by the gradient tests, each checked against its expected value.

mod common;

use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector, vector};

#[differentiate]
fn powf(x: f64, p: f64) -> f64 {
    x.powf(p)
}

/// `x.powf(p)` at `x = 0, p = 0`: the base derivative is `NaN` (the rule computes
/// `p * x.powf(p - 1) = 0 * inf`). The function is the constant `1` in `x` there
/// (`0f64.powf(0.0) == 1`); `powi`'s rule returns 0 for `n == 0`, and PyTorch returns 0.
/// Same with a literal exponent: `x.powf(0.0)` at `x = 0`.
#[test]
fn powf_base_derivative_at_zero_base_and_zero_exponent_is_zero() {
    let (v, (dx, dp)) = powf_grad(0.0, 0.0);
    assert_eq!(v, 1.0);
    assert_eq!(dp, 0.0);
    assert_eq!(dx, 0.0, "d/dx x^p at x = 0, p = 0");
}

#[derive(Params, Clone, Debug, PartialEq)]
struct Scaled {
    w: SMatrix<f64, 2, 2>,
    #[params(skip)]
    scale: f64,
}

#[differentiate]
fn scaled_sum(s: &Scaled, x: &SVector<f64, 2>) -> f64 {
    (s.w * x).sum() * s.scale
}

/// A `#[params(skip)]` field is carried along, not differentiated: its entry in a gradient
/// is unspecified (documented on the derive). The tensors' gradients are exact.
#[test]
fn skipped_field_does_not_disturb_tensor_gradients() {
    let s = Scaled {
        w: SMatrix::identity(),
        scale: 3.0,
    };
    let x = vector![1.0, 2.0];
    let (_, (g, _)) = scaled_sum_grad(&s, &x);
    assert_eq!(
        g.w,
        SMatrix::<f64, 2, 2>::from_row_slice(&[3.0, 6.0, 3.0, 6.0])
    );
    // The gradient's tensors are still what finite differences say.
    common::assert_grad("scaled_sum", |p: &Scaled| scaled_sum(p, &x), &s, &g);
}
