//! Known bugs of the macro and the runtime, found by the gradient tests: one `#[test]` each,
//! with the minimal input, what happens and what should happen.
//!
//! THESE TESTS FAIL UNTIL THE BUGS ARE FIXED. When one is fixed, move its test into the
//! matching `grad_*.rs` file.
//!
//! Wrong values are plain runtime tests. Inputs that do not compile are trybuild "pass"
//! cases in `tests/pending/*.rs` (each a `main` that also checks the gradient), so this
//! file itself always compiles and the rest of the suite is not blocked.
//!
//! Run: `cargo test --test pending_bugs`

mod common;

use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector, vector};

// ---- wrong values ----

#[differentiate]
fn powf(x: f64, p: f64) -> f64 {
    x.powf(p)
}

/// `x.powf(p)` at `x = 0, p = 0`: the base derivative is `NaN` (the rule computes
/// `p * x.powf(p - 1) = 0 * inf`). The function is the constant `1` in `x` there
/// (`0f64.powf(0.0) == 1`); `powi`'s rule returns 0 for `n == 0`, and PyTorch returns 0.
/// Same with a literal exponent: `x.powf(0.0)` at `x = 0`.
#[test]
fn powf_base_derivative_at_zero_base_and_zero_exponent_is_nan() {
    let (v, (dx, dp)) = powf_grad(0.0, 0.0);
    assert_eq!(v, 1.0);
    assert_eq!(dp, 0.0);
    assert_eq!(dx, 0.0, "d/dx x^p at x = 0, p = 0 (observed NaN)");
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

/// A `#[params(skip)]` float field read in a differentiated function gets the chain rule's
/// contribution *added to its cloned original value* in the returned gradient: with
/// `scale = 3`, `w = I`, `x = (1, 2)` the gradient's `scale` is `6 = 3 + ∂f/∂scale`.
/// A skipped field is not a tensor, so nothing should be accumulated into it: the gradient
/// should carry it as `zeros_like` does (the original `3`), or the macro should reject it.
/// The tensor fields are right.
#[test]
fn skipped_field_receives_gradient_on_top_of_its_value() {
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
    assert_eq!(
        g.scale, 3.0,
        "skipped field in the gradient (observed 6 = 3 + 3)"
    );
}

// ---- inputs that do not compile ----

#[track_caller]
fn compiles_and_runs(path: &str) {
    trybuild::TestCases::new().pass(path);
}

/// `type V3 = SVector<f64, 3>; #[differentiate] fn h(x: &V3) -> V3 { x * 2.0 }`
/// fails: "the trait bound `Matrix<f64, Const<3>, ..>: Real` is not satisfied", reported on
/// the attribute. The macro takes a return type written as a plain path without generic
/// arguments (`V3`, also a struct like `Mlp`) for a scalar and emits `h_grad`, which calls
/// `one_like(&value)`. Expected: only `h_pullback` (or an `h_grad` that does not break the
/// build).
#[test]
fn vector_type_alias_return_type() {
    compiles_and_runs("tests/pending/vector_alias_return.rs");
}

/// `#[derive(Params)] struct Dense<const I: usize, const O: usize> { w: SMatrix<f64, O, I>,
/// b: SVector<f64, O> }` (and `struct Lin<T: Real> { .. }`) fails with E0275 "overflow
/// evaluating the requirement `<Matrix<..> as Params>::Scalar == _`": the derive bounds
/// the first field by its own `Scalar`. DESIGN.md suggests exactly such a
/// `Dense<const I, const O>` layer.
#[test]
fn derive_params_on_generic_struct() {
    compiles_and_runs("tests/pending/generic_params_derive.rs");
}

/// `#[differentiate] fn g(x: &f64) -> f64 { x * x }` called as `let t = x * 2.0; g(&t)`
/// from another `#[differentiate]` function fails with E0716 (the local does not live
/// long enough): `g_pullback`'s closure borrows its arguments for `'__autodiff` and the
/// caller's pullback closure keeps it. Same for `h(&v)` with a vector local, so a layer can
/// only be applied to parameters, never to a hidden activation.
#[test]
fn reference_to_a_local_passed_to_a_differentiated_function() {
    compiles_and_runs("tests/pending/local_ref_to_differentiated_call.rs");
}

/// `#[params(skip)] n: usize` in a parameter struct, read as `s.n as f64`, fails with
/// "`usize: Params` / `usize: Real` is not satisfied": the cast is treated as active and
/// `cast_d_recv` is emitted into `d_s.n`.
#[test]
fn integer_field_of_a_parameter_struct_cast_to_float() {
    compiles_and_runs("tests/pending/skip_integer_field_cast.rs");
}

/// `let _ = y;` is rejected as a destructuring pattern.
#[test]
fn let_underscore_binding() {
    compiles_and_runs("tests/pending/let_underscore.rs");
}

/// A block statement `{ a = a * y; }` is rejected with "the value of this expression is
/// unused; bind it with `let`" (its value is `()`), while the same assignment inside
/// `let b = { a = a * y; a };` works.
#[test]
fn block_statement_with_assignment() {
    compiles_and_runs("tests/pending/block_statement_assignment.rs");
}

/// `#[differentiate] fn f<T: Real>(x: T, y: T) -> T { x.sin() * y + x * x }` fails:
/// `T: MulRule<_>` and `T: Params` are not satisfied. `Real` is documented as "a
/// floating-point scalar usable in differentiated code".
#[test]
fn function_generic_over_real() {
    compiles_and_runs("tests/pending/generic_real_fn.rs");
}
