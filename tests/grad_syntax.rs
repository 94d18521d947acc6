//! Gradient checks of the syntax `#[differentiate]` accepts: bindings, shadowing,
//! reassignment, compound assignment, literals, casts, constants, blocks, repeated and
//! unused variables, `#[no_grad]`, `wrt(..)` and reference parameters.
//!
//! Every gradient is compared with central finite differences of the original function.

// The syntax under test is deliberately spelled the long way.
#![allow(
    clippy::assign_op_pattern,
    clippy::unnecessary_cast,
    clippy::needless_return
)]

mod common;

use autodiff::differentiate;
use common::*;
use proptest::prelude::*;

const PTS2: &[(f64, f64)] = &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9), (-0.6, -2.2)];
const PTS1: &[f64] = &[-1.7, -0.3, 0.45, 2.1];

// ---- let bindings, shadowing, reassignment ----

#[differentiate]
fn let_bindings(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b: f64 = a + x;
    let c = b * b - y;
    c / (1.0 + a * a)
}

#[test]
fn let_bindings_match_fd() {
    check_2("let_bindings", let_bindings, let_bindings_grad, PTS2);
}

#[differentiate]
fn shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let x = x.sin() + x * y;
    let y = y * x;
    x * y
}

#[test]
fn shadowing_matches_fd() {
    check_2("shadowing", shadowing, shadowing_grad, PTS2);
}

#[differentiate]
fn shadowing_in_inner_block(x: f64, y: f64) -> f64 {
    let inner = {
        let x = x * 3.0;
        let y = x + y;
        x * y
    };
    // `x` and `y` are the parameters again here.
    inner + x * x * y
}

#[test]
fn shadowing_in_inner_block_matches_fd() {
    check_2(
        "shadowing_in_inner_block",
        shadowing_in_inner_block,
        shadowing_in_inner_block_grad,
        PTS2,
    );
}

#[differentiate]
fn let_mut_reassignment(x: f64, y: f64) -> f64 {
    let mut acc = x;
    acc = acc * y;
    acc = acc + x * x;
    let mut other = 1.0;
    other = other + y;
    acc = acc * other;
    acc
}

#[test]
fn let_mut_reassignment_matches_fd() {
    check_2(
        "let_mut_reassignment",
        let_mut_reassignment,
        let_mut_reassignment_grad,
        PTS2,
    );
}

#[differentiate]
fn reassign_inside_value_block(x: f64, y: f64) -> f64 {
    let mut a = x;
    let b = {
        a = a * y;
        a + 1.0
    };
    // `a` was reassigned inside the block: its new version is used here.
    a * b
}

#[test]
fn reassign_inside_value_block_matches_fd() {
    check_2(
        "reassign_inside_value_block",
        reassign_inside_value_block,
        reassign_inside_value_block_grad,
        PTS2,
    );
}

#[differentiate]
fn mut_parameter(mut x: f64, y: f64) -> f64 {
    x *= y;
    x = x + y.cos();
    x * x
}

#[test]
fn mut_parameter_matches_fd() {
    check_2("mut_parameter", mut_parameter, mut_parameter_grad, PTS2);
}

// ---- compound assignment ----

#[differentiate]
fn compound_assignment(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y;
    s -= 0.5 * x;
    s *= y;
    s /= x * x + 3.0;
    s += 1.0;
    s -= 2.0;
    s *= 1.5;
    s /= 4.0;
    s
}

#[test]
fn compound_assignment_matches_fd() {
    check_2(
        "compound_assignment",
        compound_assignment,
        compound_assignment_grad,
        PTS2,
    );
}

#[differentiate]
fn compound_on_constant_start(x: f64, y: f64) -> f64 {
    // `s` starts inactive and becomes active on the first `+=`.
    let mut s = 1.0;
    let mut k = 2.0;
    k *= 3.0;
    s += x;
    s *= y;
    s -= x / y;
    s /= k;
    s
}

#[test]
fn compound_on_constant_start_matches_fd() {
    check_2(
        "compound_on_constant_start",
        compound_on_constant_start,
        compound_on_constant_start_grad,
        PTS2,
    );
}

#[differentiate]
fn compound_self(x: f64) -> f64 {
    let mut s = x + 1.0;
    s *= s;
    s += s;
    s /= x + 5.0;
    s -= x;
    s
}

#[test]
fn compound_with_self_matches_fd() {
    check_1("compound_self", compound_self, compound_self_grad, PTS1);
}

#[differentiate]
fn reassign_to_constant(x: f64, y: f64) -> f64 {
    let mut a = x * y;
    let b = a * 3.0;
    a = 2.0;
    a * x + b
}

#[test]
fn reassigning_a_constant_cuts_the_dependence() {
    // f = 2x + 3xy: the old value of `a` only reaches the output through `b`.
    let (_, (dx, dy)) = reassign_to_constant_grad(1.5, -2.0);
    assert!((dx - (2.0 + 3.0 * -2.0)).abs() < 1e-12);
    assert!((dy - 3.0 * 1.5).abs() < 1e-12);
    check_2(
        "reassign_to_constant",
        reassign_to_constant,
        reassign_to_constant_grad,
        PTS2,
    );
}

// ---- expressions ----

#[differentiate]
fn nested_parenthesized(x: f64, y: f64) -> f64 {
    ((x + y) * (x - y)) / (1.0 + (x * x)) + (x) * (y - (x * (y + 1.0)))
}

#[test]
fn nested_parenthesized_matches_fd() {
    check_2(
        "nested_parenthesized",
        nested_parenthesized,
        nested_parenthesized_grad,
        PTS2,
    );
}

#[differentiate]
fn unary_minus(x: f64, y: f64) -> f64 {
    let a = -x * y + -(x - y);
    let b = -(-x);
    let c = -x.sin();
    let d = -1.5 * x;
    a * b + c - d - -y
}

#[test]
fn unary_minus_matches_fd() {
    check_2("unary_minus", unary_minus, unary_minus_grad, PTS2);
}

#[differentiate]
fn float_literals(x: f64) -> f64 {
    let a = x * 2.;
    let b = 2.0 * x * x;
    let c = 2e-1 * x;
    let d = x * 2.0_f64;
    let e = 1_000.0 / (x + 5.0);
    let f = 1.5e+1 * x - 3E0 * x;
    let g = x * 0.5f64 + 10.0;
    a + b + c + d + e + f + g
}

#[test]
fn float_literals_match_fd() {
    check_1("float_literals", float_literals, float_literals_grad, PTS1);
}

#[test]
fn float_literals_have_the_written_values() {
    // d/dx = 2 + 4x + 0.2 + 2 - 1000/(x+5)^2 + 15 - 3 + 0.5, at x = 0: 16.7 - 40
    let (v, dx) = float_literals_grad(0.0);
    assert_value("float_literals(0)", v, 200.0 + 10.0);
    let want = 2.0 + 0.2 + 2.0 - 40.0 + 15.0 - 3.0 + 0.5;
    assert!((dx - want).abs() < 1e-9, "{dx} vs {want}");
}

#[differentiate]
fn casts(x: f64, n: usize) -> f64 {
    let three = 3 as f64;
    let k = n as f64;
    let m = (n * 2 + 1) as f64;
    three * x * x + k * x + x / m + (n as f64).sqrt() * x.sin()
}

#[test]
fn integer_casts_are_constants() {
    for n in [0usize, 1, 4, 7] {
        check_1(
            &format!("casts with n = {n}"),
            |x| casts(x, n),
            |x| casts_grad(x, n),
            PTS1,
        );
    }
}

#[differentiate]
fn cast_f32_to_f64(x: f32) -> f64 {
    let y = x as f64;
    y * y * y + (x * 2.0) as f64
}

#[test]
fn float_cast_f32_to_f64_flows_back_as_f32() {
    check_1_f32(
        "cast_f32_to_f64",
        |x| x * x * x + 2.0 * x,
        |x| {
            let (v, dx): (f64, f32) = cast_f32_to_f64_grad(x);
            (v as f32, dx)
        },
        &[-1.5, 0.25, 2.0],
    );
}

#[differentiate]
fn cast_f64_to_f32(x: f64) -> f32 {
    let y = (x * x) as f32;
    y * 3.0
}

#[test]
fn float_cast_f64_to_f32_flows_back_as_f64() {
    for x in [-1.5f64, 0.25, 2.0] {
        let (v, dx) = cast_f64_to_f32_grad(x);
        assert!((v as f64 - 3.0 * x * x).abs() < 1e-5);
        let numeric = fd(|x| 3.0 * x * x, x);
        assert!(
            (dx - numeric).abs() < 1e-4 * numeric.abs().max(1.0),
            "at {x}: {dx} vs {numeric}"
        );
    }
}

// ---- constants ----

const SCALE: f64 = 0.25;
const OFFSET: f64 = -1.5;

#[differentiate]
fn module_consts(x: f64, y: f64) -> f64 {
    SCALE * x * y + OFFSET * x + (y - OFFSET).powi(2) * SCALE
}

#[test]
fn module_level_consts_match_fd() {
    check_2("module_consts", module_consts, module_consts_grad, PTS2);
}

#[differentiate]
fn body_consts(x: f64) -> f64 {
    const K: f64 = 1.5;
    const HALF: f64 = K / 3.0;
    let q = K * x * x;
    q + HALF * x
}

#[test]
fn consts_in_the_body_match_fd() {
    check_1("body_consts", body_consts, body_consts_grad, PTS1);
}

#[differentiate]
fn std_consts(x: f64) -> f64 {
    use std::f64::consts::E;
    (x * std::f64::consts::PI).sin() + std::f64::consts::FRAC_PI_2 * x + E.powf(x)
}

#[test]
fn std_consts_match_fd() {
    check_1("std_consts", std_consts, std_consts_grad, PTS1);
}

#[differentiate]
fn opaque_control_flow_on_constants(x: f64, n: usize) -> f64 {
    let k = if n > 2 { 1.5 } else { -0.5 };
    let big = n >= 4;
    let j = match n {
        0 => 1.0,
        _ => 2.0,
    };
    k * x * x + j * x + (big as u8 as f64) * x
}

#[test]
fn control_flow_on_constants_is_kept_as_written() {
    for n in [0usize, 1, 3, 5] {
        check_1(
            &format!("opaque_control_flow_on_constants, n = {n}"),
            |x| opaque_control_flow_on_constants(x, n),
            |x| opaque_control_flow_on_constants_grad(x, n),
            PTS1,
        );
    }
}

// ---- blocks ----

#[differentiate]
fn block_in_let(x: f64) -> f64 {
    let y = {
        let t = x * x;
        t + 1.0
    };
    y * 3.0 + y.ln()
}

#[test]
fn block_in_let_matches_fd() {
    check_1("block_in_let", block_in_let, block_in_let_grad, PTS1);
}

#[differentiate]
fn block_as_tail(x: f64, y: f64) -> f64 {
    {
        let t = x * x;
        let u = {
            let v = t * y;
            v - x
        };
        t + u * y
    }
}

#[test]
fn block_as_tail_matches_fd() {
    check_2("block_as_tail", block_as_tail, block_as_tail_grad, PTS2);
}

#[differentiate]
fn explicit_return(x: f64, y: f64) -> f64 {
    let z = x * y.exp();
    return z * x;
}

#[test]
fn final_return_matches_fd() {
    check_2(
        "explicit_return",
        explicit_return,
        explicit_return_grad,
        PTS2,
    );
}

// ---- repeated, unused and independent variables ----

#[differentiate]
fn cube(x: f64) -> f64 {
    x * x * x
}

#[test]
fn same_variable_three_times() {
    check_1("cube", cube, cube_grad, PTS1);
    let (_, d) = cube_grad(2.0);
    assert!((d - 12.0).abs() < 1e-12);
}

#[differentiate]
fn many_uses(x: f64, y: f64) -> f64 {
    let a = x * x + x * x - x / (x + 4.0) + x;
    let b = a * a * y + a / (a * a + 1.0);
    b + a + x * b * y
}

#[test]
fn many_uses_match_fd() {
    check_2("many_uses", many_uses, many_uses_grad, PTS2);
}

#[differentiate]
fn unused_local(x: f64, y: f64) -> f64 {
    let unused = x.exp() * y;
    let _also_unused = unused * unused;
    x * 2.0
}

#[test]
fn unused_local_contributes_nothing() {
    for &(x, y) in PTS2 {
        let (v, (dx, dy)) = unused_local_grad(x, y);
        assert_eq!(v, 2.0 * x);
        assert_eq!(dx, 2.0);
        assert_eq!(dy, 0.0, "y only feeds an unused local");
    }
    check_2("unused_local", unused_local, unused_local_grad, PTS2);
}

#[differentiate]
fn independent_of_y(x: f64, _y: f64) -> f64 {
    x * x + 1.0
}

#[test]
fn output_independent_of_a_parameter() {
    let (v, (dx, dy)) = independent_of_y_grad(1.5, -3.0);
    assert_eq!(v, 3.25);
    assert_eq!(dx, 3.0);
    assert_eq!(dy, 0.0);
    check_2(
        "independent_of_y",
        independent_of_y,
        independent_of_y_grad,
        PTS2,
    );
}

#[differentiate]
fn constant_output(_x: f64) -> f64 {
    3.0
}

#[test]
fn constant_output_has_zero_gradient() {
    assert_eq!(constant_output_grad(1.25), (3.0, 0.0));
}

#[differentiate]
fn identity(x: f64) -> f64 {
    x
}

#[test]
fn identity_has_gradient_one() {
    assert_eq!(identity_grad(-4.5), (-4.5, 1.0));
    let (v, pb) = identity_pullback(2.0);
    assert_eq!(v, 2.0);
    assert_eq!(pb(-3.0), (-3.0,));
}

#[differentiate]
fn constant_methods(x: f64) -> f64 {
    let f = x.floor();
    let r = (x * 2.0).round();
    let finite = x.is_finite() as u8 as f64;
    x * f + r * x * x + finite * x
}

#[test]
fn piecewise_constant_methods_have_zero_derivative() {
    // Away from the jumps of floor/round.
    check_1(
        "constant_methods",
        constant_methods,
        constant_methods_grad,
        &[-1.7, -0.4, 0.35, 2.1],
    );
}

#[allow(clippy::clone_on_copy)]
#[differentiate]
fn clone_and_macros(x: f64, y: f64) -> f64 {
    let a = x.clone() * y;
    debug_assert!(a.is_finite(), "a = {}", a);
    let b = a.clone() + x;
    assert!(b > -1e300);
    b * a
}

#[test]
fn clone_and_assert_macros_match_fd() {
    check_2(
        "clone_and_macros",
        clone_and_macros,
        clone_and_macros_grad,
        PTS2,
    );
}

/// User names that look like the generated ones must not confuse the generated code.
#[differentiate]
fn generated_looking_names(x: f64, y: f64) -> f64 {
    let t = x * 2.0;
    let t_1 = t * y;
    let d_x = t_1 + y;
    let d_t = d_x * x;
    let value = d_t - t;
    let d_value = value * value;
    let pullback = d_value + d_x;
    let grads = pullback * 0.5;
    grads + x
}

#[test]
fn user_names_like_generated_ones_match_fd() {
    check_2(
        "generated_looking_names",
        generated_looking_names,
        generated_looking_names_grad,
        PTS2,
    );
}

// ---- #[no_grad], wrt(..), references ----

#[differentiate]
fn with_no_grad(x: f64, #[no_grad] s: f64) -> f64 {
    x * s + s.sin() * x * x
}

#[test]
fn no_grad_parameter_is_a_constant() {
    for &(x, s) in PTS2 {
        // One active parameter: `_grad` returns its gradient alone.
        let (v, dx): (f64, f64) = with_no_grad_grad(x, s);
        assert_value("with_no_grad", v, with_no_grad(x, s));
        assert_grad("with_no_grad", |p: &f64| with_no_grad(*p, s), &x, &dx);
        let (_, pb) = with_no_grad_pullback(x, s);
        let (dx2, ds): (f64, ()) = pb(1.0);
        assert_eq!(dx2, dx);
        let () = ds;
    }
}

#[differentiate(wrt(y))]
fn wrt_second(x: f64, y: f64) -> f64 {
    x * y * y + x.exp() * y
}

#[test]
fn wrt_selects_one_parameter() {
    for &(x, y) in PTS2 {
        let (v, dy): (f64, f64) = wrt_second_grad(x, y);
        assert_value("wrt_second", v, wrt_second(x, y));
        assert_grad("wrt_second", |p: &f64| wrt_second(x, *p), &y, &dy);
    }
}

#[differentiate(wrt(z, x))]
fn wrt_two_of_three(x: f64, y: f64, z: f64) -> f64 {
    x * y * z + (x - z).sin() * y
}

#[test]
fn wrt_gradients_come_in_declaration_order() {
    for &(x, y, z) in &[(0.3, -1.2, 0.8), (1.4, 0.6, -0.9)] {
        // Declaration order (x, z), not the order written in `wrt(z, x)`.
        let (v, (dx, dz)) = wrt_two_of_three_grad(x, y, z);
        assert_value("wrt_two_of_three", v, wrt_two_of_three(x, y, z));
        assert_grad(
            "wrt_two_of_three",
            |p: &[f64; 2]| wrt_two_of_three(p[0], y, p[1]),
            &[x, z],
            &[dx, dz],
        );
        let (_, pb) = wrt_two_of_three_pullback(x, y, z);
        let (a, (), c) = pb(1.0);
        assert_eq!((a, c), (dx, dz));
    }
}

#[differentiate]
fn by_reference(x: &f64, y: &f64) -> f64 {
    let a = x * y;
    let b = *x * *y + x.sin();
    let c = x * 2.0 + 3.0 * y;
    a + b * c + *x
}

#[test]
fn reference_parameters_match_fd() {
    check_2(
        "by_reference",
        |x, y| by_reference(&x, &y),
        |x, y| by_reference_grad(&x, &y),
        PTS2,
    );
}

#[differentiate]
fn mixed_reference_and_value(x: &f64, y: f64, n: &usize) -> f64 {
    let k = *n as f64;
    (*x + y) * k + x * y
}

#[test]
fn mixed_reference_value_and_integer_reference() {
    for &(x, y) in PTS2 {
        let n = 3usize;
        let (v, (dx, dy)) = mixed_reference_and_value_grad(&x, y, &n);
        assert_value("mixed", v, mixed_reference_and_value(&x, y, &n));
        assert_grad(
            "mixed",
            |p: &[f64; 2]| mixed_reference_and_value(&p[0], p[1], &n),
            &[x, y],
            &[dx, dy],
        );
    }
}

#[differentiate]
fn reference_methods(x: &f64, y: &f64, z: &f64) -> f64 {
    (*x).sin() * x.max(*y) + x.mul_add(*y, *z) + y.atan2(*z) + z.powf(*x)
}

#[test]
fn methods_with_dereferenced_reference_arguments() {
    check_3(
        "reference_methods",
        |x, y, z| reference_methods(&x, &y, &z),
        |x, y, z| reference_methods_grad(&x, &y, &z),
        &[(0.7, -1.3, 0.4), (-1.1, 0.4, 2.2), (2.3, 1.9, 0.8)],
    );
}

#[differentiate]
fn by_mut_reference(x: &mut f64, y: f64) -> f64 {
    *x * y + x.sin()
}

#[test]
fn mut_reference_parameter_gradient_is_a_value() {
    for &(x, y) in PTS2 {
        let mut xm = x;
        let (v, (dx, dy)): (f64, (f64, f64)) = by_mut_reference_grad(&mut xm, y);
        let f = |p: &[f64; 2]| {
            let mut a = p[0];
            by_mut_reference(&mut a, p[1])
        };
        assert_value("by_mut_reference", v, f(&[x, y]));
        assert_grad("by_mut_reference", f, &[x, y], &[dx, dy]);
    }
}

/// Parameters named like the locals of the generated `_grad` function.
#[differentiate]
fn params_named_like_generated(value: f64, pullback: f64, grads: f64) -> f64 {
    value * pullback + grads * value
}

#[test]
fn parameter_names_like_generated_ones() {
    check_3(
        "params_named_like_generated",
        params_named_like_generated,
        params_named_like_generated_grad,
        &[(1.0, 2.0, 3.0), (-0.5, 0.25, 1.5)],
    );
}

#[differentiate]
fn inactive_parameter_types(x: f64, flag: bool, c: char, idx: [usize; 2], k: &i64, b: u8) -> f64 {
    let s = if flag { 2.0 } else { -1.0 };
    let t = if c == 'a' { 0.5 } else { 1.5 };
    s * x * x + t * x + (idx[0] + idx[1]) as f64 * x + (*k as f64) * x.sin() + b as f64
}

#[test]
fn bool_char_integer_array_and_reference_parameters_are_constants() {
    for (flag, c) in [(true, 'a'), (false, 'z')] {
        let f = |x: f64| inactive_parameter_types(x, flag, c, [1, 2], &-3, 7);
        // One active parameter: its gradient alone.
        let g =
            |x: f64| -> (f64, f64) { inactive_parameter_types_grad(x, flag, c, [1, 2], &-3, 7) };
        check_1("inactive_parameter_types", f, g, PTS1);
    }
}

// ---- pullback ----

#[test]
fn pullback_scales_with_the_cotangent() {
    for &(x, y) in PTS2 {
        let (_, (dx, dy)) = let_bindings_grad(x, y);
        let (v, pb) = let_bindings_pullback(x, y);
        assert_value("let_bindings_pullback", v, let_bindings(x, y));
        let (px, py) = pb(-2.5);
        assert!((px + 2.5 * dx).abs() <= 1e-12 * dx.abs().max(1.0));
        assert!((py + 2.5 * dy).abs() <= 1e-12 * dy.abs().max(1.0));
    }
}

// ---- f32 ----

#[differentiate]
fn syntax_f32(x: f32, y: f32) -> f32 {
    let mut s = x * 2.0 + 1.0;
    s *= y;
    s -= 0.5;
    let t = {
        let u = -s * x;
        u + 3.0
    };
    const C: f32 = 0.75;
    t * C + (2 as f32) * y * y + x / 4. + std::f32::consts::PI * x * 2.0f32
}

#[test]
fn f32_syntax_matches_f64_fd() {
    check_2_f32(
        "syntax_f32",
        |x, y| {
            let s = (x * 2.0 + 1.0) * y - 0.5;
            let t = -s * x + 3.0;
            t * 0.75 + 2.0 * y * y + x / 4.0 + std::f64::consts::PI * x * 2.0
        },
        syntax_f32_grad,
        &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9)],
    );
}

// ---- the checker itself ----

#[test]
#[should_panic(expected = "gradient mismatch")]
fn checker_rejects_a_wrong_gradient() {
    let (_, (dx, dy)) = let_bindings_grad(0.7, -1.3);
    assert_grad(
        "deliberately wrong",
        |p: &[f64; 2]| let_bindings(p[0], p[1]),
        &[0.7, -1.3],
        &[dx * 1.01, dy],
    );
}

// ---- properties ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn compound_assignment_gradcheck(x in -3.0f64..3.0, y in -3.0f64..3.0) {
        let (_, (dx, dy)) = compound_assignment_grad(x, y);
        let r = autodiff::gradcheck::check_gradient(
            |p: &[f64; 2]| compound_assignment(p[0], p[1]),
            &[x, y],
            &[dx, dy],
            Default::default(),
        );
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn many_uses_gradcheck(x in -2.0f64..2.0, y in -2.0f64..2.0) {
        let (_, (dx, dy)) = many_uses_grad(x, y);
        let r = autodiff::gradcheck::check_gradient(
            |p: &[f64; 2]| many_uses(p[0], p[1]),
            &[x, y],
            &[dx, dy],
            Default::default(),
        );
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn gradient_is_linear_in_the_cotangent(x in -2.0f64..2.0, y in -2.0f64..2.0, c in -4.0f64..4.0) {
        let (_, (dx, dy)) = shadowing_grad(x, y);
        let (_, pb) = shadowing_pullback(x, y);
        let (px, py) = pb(c);
        prop_assert!((px - c * dx).abs() <= 1e-12 * (c * dx).abs().max(1.0));
        prop_assert!((py - c * dy).abs() <= 1e-12 * (c * dy).abs().max(1.0));
    }
}
