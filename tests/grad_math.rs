//! Gradient checks of every `f32`/`f64` method `#[differentiate]` knows, at several points
//! of its domain (both signs where valid; both arguments active for binary methods), the
//! documented conventions at kinks, and `f32` versions against `f64` finite differences.

mod common;

use autodiff::differentiate;
use common::*;
use proptest::prelude::*;

/// `mod NAME { fn f(x: f64) -> f64 { x.NAME() } }` checked at the given points.
macro_rules! unary_f64 {
    ($($m:ident: [$($p:expr),+ $(,)?];)*) => {$(
        mod $m {
            use super::*;

            #[differentiate]
            pub fn f(x: f64) -> f64 {
                x.$m()
            }

            #[test]
            fn matches_fd() {
                check_1(concat!("x.", stringify!($m), "()"), f, f_grad, &[$($p),+]);
            }
        }
    )*};
}

unary_f64! {
    sin: [-2.0, -0.4, 0.3, 1.7];
    cos: [-2.0, -0.4, 0.3, 1.7];
    tan: [-1.2, -0.3, 0.3, 1.2];
    asin: [-0.8, -0.2, 0.1, 0.6];
    acos: [-0.8, -0.2, 0.1, 0.6];
    atan: [-3.0, -0.5, 0.2, 2.5];
    sinh: [-1.5, -0.3, 0.2, 2.0];
    cosh: [-1.5, -0.3, 0.2, 2.0];
    tanh: [-1.5, -0.3, 0.2, 2.0];
    asinh: [-1.5, -0.3, 0.2, 2.0];
    acosh: [1.2, 2.0, 5.0];
    atanh: [-0.7, -0.1, 0.2, 0.5];
    exp: [-1.5, -0.2, 1e-3, 2.0];
    exp2: [-1.5, -0.2, 0.2, 2.0];
    exp_m1: [-1.5, -1e-3, 1e-3, 2.0];
    ln: [0.1, 1.0, 7.0];
    ln_1p: [-0.5, 1e-3, 7.0];
    log2: [0.1, 1.0, 7.0];
    log10: [0.1, 1.0, 7.0];
    sqrt: [0.1, 1.0, 7.0];
    cbrt: [-2.0, -0.1, 0.1, 7.0];
    recip: [-2.0, -0.1, 0.1, 7.0];
    to_degrees: [-2.0, 0.5, 3.0];
    to_radians: [-90.0, 30.0, 400.0];
    abs: [-2.0, -0.3, 0.5, 3.0];
    signum: [-2.0, -0.3, 0.5, 3.0];
}

/// The same methods in `f32`, against finite differences of the `f64` method.
macro_rules! unary_f32 {
    ($($m:ident: [$($p:expr),+ $(,)?];)*) => {
        mod f32_methods {
            use super::*;
            $(
                pub mod $m {
                    use super::*;

                    #[differentiate]
                    pub fn f(x: f32) -> f32 {
                        x.$m()
                    }

                    #[test]
                    fn f32_matches_f64_fd() {
                        check_1_f32(
                            concat!("f32 x.", stringify!($m), "()"),
                            |x: f64| x.$m(),
                            f_grad,
                            &[$($p),+],
                        );
                    }
                }
            )*
        }
    };
}

unary_f32! {
    sin: [-2.0, 0.3, 1.7];
    cos: [-2.0, 0.3, 1.7];
    tan: [-1.0, 0.3, 1.2];
    asin: [-0.8, 0.1, 0.6];
    acos: [-0.8, 0.1, 0.6];
    atan: [-3.0, 0.2, 2.5];
    sinh: [-1.5, 0.2, 2.0];
    cosh: [-1.5, 0.2, 2.0];
    tanh: [-1.5, 0.2, 2.0];
    asinh: [-1.5, 0.2, 2.0];
    acosh: [1.2, 2.0, 5.0];
    atanh: [-0.7, 0.2, 0.5];
    exp: [-1.5, 0.2, 2.0];
    exp2: [-1.5, 0.2, 2.0];
    exp_m1: [-1.5, 1e-3, 2.0];
    ln: [0.1, 1.0, 7.0];
    ln_1p: [-0.5, 1e-3, 7.0];
    log2: [0.1, 1.0, 7.0];
    log10: [0.1, 1.0, 7.0];
    sqrt: [0.1, 1.0, 7.0];
    cbrt: [-2.0, 0.1, 7.0];
    recip: [-2.0, 0.5, 7.0];
    to_degrees: [-2.0, 0.5, 3.0];
    to_radians: [-90.0, 30.0, 400.0];
    abs: [-2.0, 0.5, 3.0];
    signum: [-2.0, 0.5, 3.0];
}

// ---- unary methods inside larger expressions ----

#[differentiate]
fn chained_unary(x: f64) -> f64 {
    let a = (x * 0.5 + 0.1).sin().exp();
    let b = (x * x + 1.0).ln().sqrt();
    let c = x.tanh().atan() * x.cosh().recip();
    a * b + c + (x * 0.3).asin().to_degrees()
}

#[test]
fn chained_unary_methods_match_fd() {
    check_1(
        "chained_unary",
        chained_unary,
        chained_unary_grad,
        &[-2.1, -0.7, 0.2, 1.3, 2.9],
    );
}

// ---- powi ----

#[differentiate]
fn powi_n(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[differentiate]
fn powi_literals(x: f64) -> f64 {
    x.powi(3) + x.powi(-2) + x.powi(0) + x.powi(1)
}

#[test]
fn powi_matches_fd_for_every_exponent() {
    for n in [-3, -2, -1, 0, 1, 2, 3, 5] {
        check_1(
            &format!("x.powi({n})"),
            |x| powi_n(x, n),
            |x| powi_n_grad(x, n),
            &[-1.3, -0.6, 0.7, 2.0],
        );
    }
    check_1(
        "powi_literals",
        powi_literals,
        powi_literals_grad,
        &[-1.3, -0.6, 0.7, 2.0],
    );
}

// ---- binary methods, both arguments active ----

#[differentiate]
fn powf(x: f64, p: f64) -> f64 {
    x.powf(p)
}

#[test]
fn powf_matches_fd_in_base_and_exponent() {
    check_2(
        "x.powf(p)",
        powf,
        powf_grad,
        &[(0.7, 1.3), (2.5, -0.4), (1.1, 2.0), (0.3, -1.7), (4.0, 0.5)],
    );
}

#[differentiate(wrt(x))]
fn powf_negative_base(x: f64, p: f64) -> f64 {
    x.powf(p)
}

#[test]
fn powf_negative_base_with_integer_exponent() {
    for &(x, p) in &[(-1.3, 2.0), (-0.7, 3.0), (-2.0, -1.0)] {
        let (v, dx) = powf_negative_base_grad(x, p);
        assert_value("powf_negative_base", v, x.powf(p));
        assert_grad("powf_negative_base", |x: &f64| x.powf(p), &x, &dx);
    }
}

#[differentiate]
fn log(x: f64, b: f64) -> f64 {
    x.log(b)
}

#[test]
fn log_matches_fd_in_value_and_base() {
    check_2(
        "x.log(b)",
        log,
        log_grad,
        &[(0.7, 2.5), (3.0, 10.0), (1.5, 0.5), (0.2, 0.3)],
    );
}

#[differentiate]
fn atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

#[test]
fn atan2_matches_fd_in_all_quadrants() {
    check_2(
        "y.atan2(x)",
        atan2,
        atan2_grad,
        &[
            (0.7, 1.3),
            (0.7, -1.3),
            (-0.7, -1.3),
            (-0.7, 1.3),
            (2.0, 0.1),
            (-0.1, -3.0),
        ],
    );
}

#[differentiate]
fn hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[test]
fn hypot_matches_fd() {
    check_2(
        "x.hypot(y)",
        hypot,
        hypot_grad,
        &[(0.7, 1.3), (-2.5, 0.4), (1.1, -2.0), (-0.3, -0.4)],
    );
}

#[differentiate]
fn max(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiate]
fn min(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[test]
fn max_min_match_fd_away_from_ties() {
    let pts = &[(0.7, 1.3), (2.5, -0.4), (-1.1, -2.0), (-3.0, 0.5)];
    check_2("x.max(y)", max, max_grad, pts);
    check_2("x.min(y)", min, min_grad, pts);
}

#[differentiate]
fn max_min_constants(x: f64) -> f64 {
    x.max(0.0) + x.min(-0.5) * 2.0 + (x * x).max(1.0)
}

#[test]
fn max_min_with_constant_arguments() {
    check_1(
        "max_min_constants",
        max_min_constants,
        max_min_constants_grad,
        &[-2.0, -0.3, 0.4, 1.5],
    );
}

#[differentiate]
fn mul_add(x: f64, a: f64, b: f64) -> f64 {
    x.mul_add(a, b)
}

#[test]
fn mul_add_matches_fd_in_all_three() {
    check_3(
        "x.mul_add(a, b)",
        mul_add,
        mul_add_grad,
        &[(0.7, -1.2, 0.4), (-2.0, 0.5, 3.0), (1.5, 2.5, -1.0)],
    );
}

#[differentiate]
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}

#[test]
fn clamp_matches_fd_below_inside_and_above() {
    check_3(
        "x.clamp(lo, hi)",
        clamp,
        clamp_grad,
        &[
            (-2.0, -1.0, 1.0),
            (0.3, -1.0, 1.0),
            (2.0, -1.0, 1.0),
            (-0.5, 0.25, 3.0),
            (3.5, -4.0, -2.0),
            (-3.0, -4.0, -2.0),
        ],
    );
}

#[differentiate]
fn clamp_constant_bounds(x: f64) -> f64 {
    (x * 2.0).clamp(-1.0, 1.0) * x
}

#[test]
fn clamp_with_constant_bounds() {
    check_1(
        "clamp_constant_bounds",
        clamp_constant_bounds,
        clamp_constant_bounds_grad,
        &[-2.0, -0.3, 0.2, 1.5],
    );
}

// ---- constant receivers with active arguments ----

#[differentiate]
fn constant_receivers(x: f64, y: f64) -> f64 {
    2.0f64.powf(x) + 1.0f64.atan2(x) + 0.5f64.max(x) + 0.5f64.hypot(y) + 2.0f64.log(y + 3.0)
        - 1.5f64.mul_add(x, y)
        + 0.3f64.clamp(x, y + 5.0)
        + 4.0f64.min(y * x)
}

#[test]
fn methods_on_constants_differentiate_their_arguments() {
    check_2(
        "constant_receivers",
        constant_receivers,
        constant_receivers_grad,
        &[(0.7, 0.4), (-1.2, 1.3), (1.5, -0.8)],
    );
}

// ---- documented kink conventions ----

#[test]
fn abs_at_zero_is_zero() {
    assert_eq!(abs::f_grad(0.0), (0.0, 0.0));
    assert_eq!(abs::f_grad(-0.0).1, 0.0);
    assert_eq!(f32_methods::abs::f_grad(0.0), (0.0, 0.0));
}

#[differentiate]
fn shifted_abs(x: f64) -> f64 {
    (x - 1.0).abs() * 3.0
}

#[test]
fn abs_kink_inside_an_expression_is_zero() {
    assert_eq!(shifted_abs_grad(1.0).1, 0.0);
    check_1("shifted_abs", shifted_abs, shifted_abs_grad, &[0.5, 1.5]);
}

#[test]
fn signum_has_zero_derivative_everywhere() {
    for x in [-1.0, -0.0, 0.0, 2.0] {
        assert_eq!(signum::f_grad(x).1, 0.0, "at {x}");
    }
}

#[test]
fn max_min_tie_split_the_cotangent_in_half() {
    assert_eq!(max_grad(1.0, 1.0), (1.0, (0.5, 0.5)));
    assert_eq!(min_grad(-2.0, -2.0), (-2.0, (0.5, 0.5)));
    let (_, pb) = max_pullback(0.25, 0.25);
    assert_eq!(pb(4.0), (2.0, 2.0));
}

#[differentiate]
fn max_with_itself(x: f64) -> f64 {
    x.max(x)
}

#[test]
fn max_with_itself_has_derivative_one() {
    // Both halves of the tie land on the same variable: 0.5 + 0.5.
    check_1(
        "x.max(x)",
        max_with_itself,
        max_with_itself_grad,
        &[-1.0, 0.5, 2.0],
    );
}

#[test]
fn clamp_at_a_bound_passes_to_the_receiver() {
    assert_eq!(clamp_grad(-1.0, -1.0, 1.0), (-1.0, (1.0, 0.0, 0.0)));
    assert_eq!(clamp_grad(1.0, -1.0, 1.0), (1.0, (1.0, 0.0, 0.0)));
}

#[test]
fn sqrt_at_zero_is_infinite() {
    let (v, d) = sqrt::f_grad(0.0);
    assert_eq!(v, 0.0);
    assert_eq!(d, f64::INFINITY);
    assert_eq!(f32_methods::sqrt::f_grad(0.0).1, f32::INFINITY);
}

#[test]
fn powf_exponent_derivative_at_zero_base_is_zero() {
    for p in [0.5, 1.0, 2.0, 3.5] {
        let (v, (_, dp)) = powf_grad(0.0, p);
        assert_eq!(v, 0.0);
        assert_eq!(dp, 0.0, "d/dp 0^p at p = {p}");
    }
    // Base derivative p·x^(p-1) at x = 0: 0 for p > 1, 1 for p = 1.
    assert_eq!(powf_grad(0.0, 2.0).1.0, 0.0);
    assert_eq!(powf_grad(0.0, 1.0).1.0, 1.0);
}

#[test]
fn hypot_and_atan2_at_the_origin_are_zero() {
    assert_eq!(hypot_grad(0.0, 0.0), (0.0, (0.0, 0.0)));
    assert_eq!(atan2_grad(0.0, 0.0).1, (0.0, 0.0));
}

// ---- f32 binary methods ----

#[differentiate]
fn powf_f32(x: f32, p: f32) -> f32 {
    x.powf(p)
}

#[differentiate]
fn log_f32(x: f32, b: f32) -> f32 {
    x.log(b)
}

#[differentiate]
fn atan2_f32(y: f32, x: f32) -> f32 {
    y.atan2(x)
}

#[differentiate]
fn hypot_f32(x: f32, y: f32) -> f32 {
    x.hypot(y)
}

#[differentiate]
fn max_min_f32(x: f32, y: f32) -> f32 {
    x.max(y) * 2.0 + x.min(y)
}

#[differentiate]
fn powi_f32(x: f32) -> f32 {
    x.powi(3) - x.powi(-1)
}

#[differentiate]
fn mul_add_clamp_f32(x: f32, a: f32) -> f32 {
    x.mul_add(a, 0.5) + (x * a).clamp(-1.0, 1.0)
}

#[test]
fn f32_binary_methods_match_f64_fd() {
    check_2_f32(
        "f32 powf",
        |x, p| x.powf(p),
        powf_f32_grad,
        &[(0.7, 1.3), (2.5, -0.4), (1.1, 2.0)],
    );
    check_2_f32(
        "f32 log",
        |x, b| x.log(b),
        log_f32_grad,
        &[(0.7, 2.5), (3.0, 10.0), (1.5, 0.5)],
    );
    check_2_f32(
        "f32 atan2",
        |y, x| y.atan2(x),
        atan2_f32_grad,
        &[(0.7, 1.3), (0.7, -1.3), (-0.7, -1.3), (-0.7, 1.3)],
    );
    check_2_f32(
        "f32 hypot",
        |x, y| x.hypot(y),
        hypot_f32_grad,
        &[(0.7, 1.3), (-2.5, 0.4), (1.1, -2.0)],
    );
    check_2_f32(
        "f32 max/min",
        |x, y| x.max(y) * 2.0 + x.min(y),
        max_min_f32_grad,
        &[(0.7, 1.3), (2.5, -0.4), (-1.1, -2.0)],
    );
    check_1_f32(
        "f32 powi",
        |x| x.powi(3) - x.powi(-1),
        powi_f32_grad,
        &[-1.3, 0.7, 2.0],
    );
    check_2_f32(
        "f32 mul_add/clamp",
        |x, a| x.mul_add(a, 0.5) + (x * a).clamp(-1.0, 1.0),
        mul_add_clamp_f32_grad,
        &[(0.7, -1.2), (-2.0, 0.3), (1.5, 2.5)],
    );
}

#[test]
fn f32_kinks_follow_the_same_conventions() {
    assert_eq!(max_min_f32_grad(1.0, 1.0).1, (1.5, 1.5));
    assert_eq!(powf_f32_grad(0.0, 2.0).1, (0.0, 0.0));
}

// ---- properties ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chained_unary_gradcheck(x in -3.0f64..3.0) {
        let (_, dx) = chained_unary_grad(x);
        let r = autodiff::gradcheck::check_gradient(
            |x: &f64| chained_unary(*x), &x, &dx, Default::default());
        prop_assert!(r.is_ok(), "at {}: {}", x, r.unwrap_err());
    }

    #[test]
    fn powf_gradcheck(x in 0.05f64..4.0, p in -2.0f64..3.0) {
        let (_, (dx, dp)) = powf_grad(x, p);
        let r = autodiff::gradcheck::check_gradient(
            |q: &[f64; 2]| q[0].powf(q[1]), &[x, p], &[dx, dp], Default::default());
        prop_assert!(r.is_ok(), "at ({}, {}): {}", x, p, r.unwrap_err());
    }

    #[test]
    fn atan2_hypot_gradcheck(
        y in prop_oneof![-3.0f64..-0.1, 0.1f64..3.0],
        x in prop_oneof![-3.0f64..-0.1, 0.1f64..3.0],
    ) {
        let (_, (dy, dx)) = atan2_grad(y, x);
        let r = autodiff::gradcheck::check_gradient(
            |q: &[f64; 2]| q[0].atan2(q[1]), &[y, x], &[dy, dx], Default::default());
        prop_assert!(r.is_ok(), "atan2 at ({}, {}): {}", y, x, r.unwrap_err());
        let (_, (da, db)) = hypot_grad(y, x);
        let r = autodiff::gradcheck::check_gradient(
            |q: &[f64; 2]| q[0].hypot(q[1]), &[y, x], &[da, db], Default::default());
        prop_assert!(r.is_ok(), "hypot at ({}, {}): {}", y, x, r.unwrap_err());
    }

    #[test]
    fn clamp_gradcheck_away_from_bounds(x in -3.0f64..3.0, lo in -2.0f64..-0.5, hi in 0.5f64..2.0) {
        prop_assume!((x - lo).abs() > 1e-3 && (x - hi).abs() > 1e-3);
        let (_, (dx, dlo, dhi)) = clamp_grad(x, lo, hi);
        let r = autodiff::gradcheck::check_gradient(
            |q: &[f64; 3]| q[0].clamp(q[1], q[2]), &[x, lo, hi], &[dx, dlo, dhi], Default::default());
        prop_assert!(r.is_ok(), "at ({}, {}, {}): {}", x, lo, hi, r.unwrap_err());
    }
}
