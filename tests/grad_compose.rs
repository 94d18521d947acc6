//! Composition: `#[differentiate]` functions calling other `#[differentiate]` functions
//! (scalar and vector valued, used twice, chained, with integer parameters, through module
//! paths) and user-written custom derivatives (`NAME_pullback` by hand).

mod common;

use autodiff::differentiate;
use autodiff::gradcheck::{Tolerance, check_vjp};
use common::*;
use nalgebra::{SVector, vector};
use proptest::prelude::*;

type V3 = SVector<f64, 3>;

const PTS2: &[(f64, f64)] = &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9), (-0.6, -2.2)];

// ---- scalar helpers ----

#[differentiate]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn helper_used_twice(x: f64, y: f64) -> f64 {
    sq(x) * y + sq(y) - sq(x * y)
}

#[test]
fn scalar_helper_used_several_times() {
    check_2(
        "helper_used_twice",
        helper_used_twice,
        helper_used_twice_grad,
        PTS2,
    );
}

#[differentiate]
fn nested_calls(x: f64) -> f64 {
    sq(sq(x) + 1.0).sqrt() + sq(x).sin()
}

#[test]
fn helper_result_as_argument_and_receiver() {
    check_1(
        "nested_calls",
        nested_calls,
        nested_calls_grad,
        &[-1.4, -0.2, 0.6, 1.9],
    );
}

#[differentiate]
fn level1(x: f64) -> f64 {
    x.sin() * 2.0 + x
}

#[differentiate]
fn level2(x: f64, y: f64) -> f64 {
    level1(x * y) * x
}

#[differentiate]
fn level3(x: f64, y: f64) -> f64 {
    let a = level2(x + y, y);
    let b = level2(y, x);
    a - b * level1(a)
}

#[test]
fn chain_of_three() {
    check_1("level1", level1, level1_grad, &[-1.0, 0.5, 2.0]);
    check_2("level2", level2, level2_grad, PTS2);
    check_2("level3", level3, level3_grad, PTS2);
}

#[differentiate]
fn scaled_powi(x: f64, n: i32) -> f64 {
    x.powi(n) * (n as f64)
}

#[differentiate]
fn offset_index(v: &V3, k: usize) -> f64 {
    v[k] * v[(k + 1) % 3]
}

#[differentiate]
fn integer_params_caller(x: f64, k: usize, v: &V3) -> f64 {
    let m = k as i32;
    scaled_powi(x, 3) + scaled_powi(x, m) + offset_index(v, k) * x + offset_index(v, 2)
}

#[test]
fn helpers_with_integer_parameters() {
    let v = vector![0.4, -1.5, 0.9];
    for k in 0..3 {
        for x in [-1.2, 0.3, 1.7] {
            let (val, (dx, dv)) = integer_params_caller_grad(x, k, &v);
            let at = format!("integer_params_caller(x = {x}, k = {k})");
            assert_value(&at, val, integer_params_caller(x, k, &v));
            assert_grad(&at, |x: &f64| integer_params_caller(*x, k, &v), &x, &dx);
            assert_grad(&at, |v: &V3| integer_params_caller(x, k, v), &v, &dv);
        }
    }
    // The callee's pullback gives `()` for its integer parameter.
    let (_, pb) = scaled_powi_pullback(1.5, 2);
    let (dx, ()) = pb(1.0);
    assert_grad("scaled_powi", |x: &f64| scaled_powi(*x, 2), &1.5, &dx);
}

#[differentiate]
fn helper_with_no_grad(x: f64, #[no_grad] s: f64) -> f64 {
    x * s + s.sin()
}

#[differentiate]
fn no_grad_helper_caller(x: f64, y: f64) -> f64 {
    helper_with_no_grad(x * y, 2.5) + helper_with_no_grad(y, 0.5)
}

#[test]
fn helper_with_no_grad_parameter_given_constants() {
    check_2(
        "no_grad_helper_caller",
        no_grad_helper_caller,
        no_grad_helper_caller_grad,
        PTS2,
    );
}

#[differentiate]
fn mul2(a: f64, b: f64) -> f64 {
    a * b.exp()
}

#[differentiate]
fn same_argument_twice(x: f64, y: f64) -> f64 {
    mul2(x, x) + mul2(y, x) * mul2(x * y, y)
}

#[test]
fn same_variable_passed_to_several_parameters() {
    check_2(
        "same_argument_twice",
        same_argument_twice,
        same_argument_twice_grad,
        PTS2,
    );
}

#[differentiate]
fn nested_item_helper(x: f64, y: f64) -> f64 {
    #[differentiate]
    fn inner(a: f64) -> f64 {
        a.sin() * a
    }
    inner(x * y) + inner(y)
}

#[test]
fn differentiated_helper_declared_inside_the_body() {
    check_2(
        "nested_item_helper",
        nested_item_helper,
        nested_item_helper_grad,
        PTS2,
    );
}

#[differentiate]
fn locals_named_like_pullbacks(x: f64) -> f64 {
    let sq_pullback = x * 2.0;
    let sq_grads = sq(sq_pullback);
    let t_pullback = sq(sq_grads);
    t_pullback + sq_grads
}

#[test]
fn user_locals_named_like_generated_pullbacks() {
    check_1(
        "locals_named_like_pullbacks",
        locals_named_like_pullbacks,
        locals_named_like_pullbacks_grad,
        &[-0.9, 0.3, 1.1],
    );
}

mod helpers {
    use autodiff::differentiate;

    #[differentiate]
    pub fn cubic(x: f64, c: f64) -> f64 {
        x * x * x * c
    }
}

#[differentiate]
fn module_path_call(x: f64, c: f64) -> f64 {
    helpers::cubic(x, c) + self::helpers::cubic(c, x)
}

#[test]
fn helper_called_through_a_module_path() {
    check_2(
        "module_path_call",
        module_path_call,
        module_path_call_grad,
        PTS2,
    );
}

// ---- vector-valued helpers ----

#[differentiate]
fn h(x: &SVector<f64, 3>) -> SVector<f64, 3> {
    x.component_mul(x) * 2.0 + x
}

#[differentiate]
fn vector_helper_loss(x: &V3, w: &V3) -> f64 {
    let y = h(x);
    y.dot(w) + h(w).norm_squared()
}

#[test]
fn vector_valued_helper_from_a_scalar_loss() {
    let (x, w) = (vector![0.3, -1.2, 0.8], vector![-0.7, 0.4, 1.5]);
    let (v, (dx, dw)) = vector_helper_loss_grad(&x, &w);
    assert_value("vector_helper_loss", v, vector_helper_loss(&x, &w));
    assert_grad(
        "vector_helper_loss x",
        |x: &V3| vector_helper_loss(x, &w),
        &x,
        &dx,
    );
    assert_grad(
        "vector_helper_loss w",
        |w: &V3| vector_helper_loss(&x, w),
        &w,
        &dw,
    );
}

#[test]
fn vector_helper_pullback_matches_vjp_fd() {
    check_vjp(
        h,
        |x: &V3, d: &V3| h_pullback(x).1(*d).0,
        &vector![0.3, -1.2, 0.8],
        Tolerance::default(),
    )
    .unwrap();
}

#[differentiate]
fn by_value_helper(v: SVector<f64, 3>, s: f64) -> f64 {
    v.norm_squared() * s
}

#[differentiate]
fn local_passed_by_value(x: &V3, s: f64) -> f64 {
    let v = x * s;
    by_value_helper(v, s) + by_value_helper(x * 2.0, 1.0)
}

#[test]
fn locals_passed_by_value_to_a_helper() {
    let x = vector![0.5, -0.25, 1.5];
    for s in [-0.8, 0.4, 1.3] {
        let (v, (dx, ds)) = local_passed_by_value_grad(&x, s);
        assert_value("local_passed_by_value", v, local_passed_by_value(&x, s));
        assert_grad("by_value x", |x: &V3| local_passed_by_value(x, s), &x, &dx);
        assert_grad(
            "by_value s",
            |s: &f64| local_passed_by_value(&x, *s),
            &s,
            &ds,
        );
    }
}

#[differentiate]
fn h_by_value(x: SVector<f64, 3>, s: f64) -> SVector<f64, 3> {
    x.component_mul(&x) * s - x
}

#[differentiate]
fn vector_locals_by_value(x: &V3, s: f64) -> f64 {
    let a = x * s;
    let b = h_by_value(a, s);
    let c = h_by_value(b + x, 0.5);
    c.dot(&b) + h_by_value(*x, s).sum()
}

#[test]
fn vector_locals_passed_by_value_to_a_vector_helper() {
    let x = vector![0.5, -0.25, 0.75];
    for s in [-0.8, 0.4, 1.3] {
        let (v, (dx, ds)) = vector_locals_by_value_grad(&x, s);
        assert_value("vector_locals_by_value", v, vector_locals_by_value(&x, s));
        assert_grad(
            "vector_locals x",
            |x: &V3| vector_locals_by_value(x, s),
            &x,
            &dx,
        );
        assert_grad(
            "vector_locals s",
            |s: &f64| vector_locals_by_value(&x, *s),
            &s,
            &ds,
        );
    }
}

// ---- custom derivatives written by hand ----

/// `ln(1 + e^x)`, written in a numerically stable form the macro cannot differentiate
/// (`if`), so it gets a hand-written pullback.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Hand-written derivative: `softplus'(x) = sigmoid(x)`.
fn softplus_pullback(x: f64) -> (f64, impl FnOnce(f64) -> (f64,)) {
    let y = softplus(x);
    (y, move |d: f64| (d / (1.0 + (-x).exp()),))
}

#[differentiate]
fn uses_softplus(x: f64, y: f64) -> f64 {
    softplus(x * y) + softplus(x) * y - softplus(-y)
}

#[test]
fn custom_pullback_inside_a_differentiated_function() {
    check_2("uses_softplus", uses_softplus, uses_softplus_grad, PTS2);
    check_2(
        "uses_softplus far out",
        uses_softplus,
        uses_softplus_grad,
        &[(3.0, 2.5), (-4.0, 3.0)],
    );
}

/// A hand-written vector rule: elementwise `max(v, 0)` with an owned mask in the closure.
fn relu3(v: &V3) -> V3 {
    v.map(|a| a.max(0.0))
}

fn relu3_pullback(v: &V3) -> (V3, impl FnOnce(V3) -> (V3,) + use<>) {
    let mask = v.map(|a| if a > 0.0 { 1.0 } else { 0.0 });
    (relu3(v), move |d: V3| (d.component_mul(&mask),))
}

#[differentiate]
fn uses_relu3(w: &V3, x: &V3) -> f64 {
    let z = w.component_mul(x);
    let a = relu3(&z);
    a.dot(w) + relu3(x).sum()
}

#[test]
fn custom_vector_pullback_inside_a_differentiated_function() {
    let (w, x) = (vector![0.6, -1.1, 0.8], vector![0.9, 0.7, -0.4]);
    let (v, (dw, dx)) = uses_relu3_grad(&w, &x);
    assert_value("uses_relu3", v, uses_relu3(&w, &x));
    assert_grad("uses_relu3 w", |w: &V3| uses_relu3(w, &x), &w, &dw);
    assert_grad("uses_relu3 x", |x: &V3| uses_relu3(&w, x), &x, &dx);
}

// ---- f32 ----

#[differentiate]
fn sq32(x: f32) -> f32 {
    x * x
}

#[differentiate]
fn compose_f32(x: f32, y: f32) -> f32 {
    sq32(x * y) + sq32(sq32(x) - y).sqrt() * 0.5
}

#[test]
fn f32_composition_matches_f64_fd() {
    check_2_f32(
        "compose_f32",
        |x, y| (x * y) * (x * y) + (x * x - y).abs() * 0.5,
        compose_f32_grad,
        &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9)],
    );
}

// ---- properties ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn level3_gradcheck(x in -2.0f64..2.0, y in -2.0f64..2.0) {
        let (_, (dx, dy)) = level3_grad(x, y);
        let r = autodiff::gradcheck::check_gradient(
            |p: &[f64; 2]| level3(p[0], p[1]), &[x, y], &[dx, dy], Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn softplus_composition_gradcheck(x in -5.0f64..5.0, y in -5.0f64..5.0) {
        let (_, (dx, dy)) = uses_softplus_grad(x, y);
        let r = autodiff::gradcheck::check_gradient(
            |p: &[f64; 2]| uses_softplus(p[0], p[1]), &[x, y], &[dx, dy], Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}
