//! AD-suite, branches: `if`/`else`, `else if` chains, conditions on active values, on
//! integer/bool parameters and on computed values, `match` — in the style of Clad's
//! `Gradient/Gradients.C` (`f_if*`), Tapenade's piecewise validation functions, and JAX's
//! `lax.cond` tests written as plain Rust control flow.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;

mod leaky_relu {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x > 0.0 { x } else { 0.01 * x }
    }
}

mod abs_branch {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let a = if x < 0.0 { -x } else { x };
        a * y
    }
}

mod piecewise3 {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x < -1.0 {
            -2.0 * x - 1.0
        } else if x < 1.0 {
            x * x
        } else {
            2.0 * x - 1.0
        }
    }
}

mod huber {
    use super::*;
    #[differentiate]
    pub fn f(r: f64, delta: f64) -> f64 {
        if r.abs() <= delta {
            0.5 * r * r
        } else {
            delta * (r.abs() - 0.5 * delta)
        }
    }
}

mod clad_f_if {
    use super::*;
    // Clad: double f_if1(double x, double y) { if (x > y) return x * x; else return y * y; }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > y { x * x } else { y * y }
    }
}

mod stmt_assign {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut r = 0.0;
        if x > 0.0 {
            r = x * y;
        } else {
            r = x + y;
        }
        r * r
    }
}

mod if_no_else {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut r = x;
        if y > 0.0 {
            r *= y;
        }
        r + y
    }
}

mod nested_if {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > 0.0 {
            if y > 0.0 { x * y } else { x - y }
        } else {
            if y > 0.0 { x + y * y } else { x * x * y }
        }
    }
}

mod int_parity {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: u32) -> f64 {
        if n % 2 == 0 { x * x } else { x * x * x }
    }
}

mod bool_flag {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, use_sin: bool) -> f64 {
        if use_sin { x.sin() } else { x.cos() }
    }
}

mod computed_cond {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let t = x * y;
        if t > 1.0 { t.ln() + x } else { t - 1.0 + x }
    }
}

mod match_int {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, k: usize) -> f64 {
        match k {
            0 => x,
            1 => x * x,
            2 | 3 => x.exp(),
            _ => x.sin(),
        }
    }
}

mod match_bool {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64, swap: bool) -> f64 {
        match swap {
            true => y * x.exp(),
            false => x * y.exp(),
        }
    }
}

mod interp_table {
    use super::*;
    // Piecewise-linear interpolation through (0,0), (1,2), (2,3), (3,3.5), (4,3.6).
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x < 1.0 {
            2.0 * x
        } else if x < 2.0 {
            2.0 + (x - 1.0)
        } else if x < 3.0 {
            3.0 + 0.5 * (x - 2.0)
        } else if x < 4.0 {
            3.5 + 0.1 * (x - 3.0)
        } else {
            3.6
        }
    }
}

mod smoothstep {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else if x >= 1.0 {
            1.0
        } else {
            x * x * (3.0 - 2.0 * x)
        }
    }
}

mod min_branch {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let m = if x < y { x } else { y };
        m * (x + y)
    }
}

mod signed_sqrt {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x >= 0.0 { x.sqrt() } else { -(-x).sqrt() }
    }
}

mod and_cond {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > 0.0 && y > 0.0 {
            (x * y).sqrt()
        } else {
            x + y
        }
    }
}

mod or_cond {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x < -1.0 || y > 1.0 { x * y } else { x - y }
    }
}

mod two_vars_assigned {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut a = 0.0;
        let mut b = 0.0;
        if x > y {
            a = x - y;
            b = x * y;
        } else {
            a = y - x;
            b = x + y;
        }
        a * b
    }
}

mod if_in_expr {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        x * (if y > 0.0 { y } else { -y }) + 1.0
    }
}

mod method_cond {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x.abs() < 1.0 { x.asin() } else { x.atan() }
    }
}

mod soft_threshold {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, lambda: f64) -> f64 {
        if x > lambda {
            x - lambda
        } else if x < -lambda {
            x + lambda
        } else {
            0.0
        }
    }
}

mod select_scale {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64, z: f64) -> f64 {
        if x > y { x * z } else { y * z }
    }
}

mod nan_guard {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        let r = x.ln();
        if r.is_nan() { 0.0 } else { r * x }
    }
}

mod branch_reuse {
    use super::*;
    // A value computed before the branch is used in both arms and after.
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let s = x.sin();
        let t = if s > 0.0 { s * y } else { s / y };
        t + s * s
    }
}

mod clamp_branch {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, lo: f64, hi: f64) -> f64 {
        let mut v = x;
        if v < lo {
            v = lo;
        }
        if v > hi {
            v = hi;
        }
        v * v
    }
}

mod shadow_in_branch {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let r = if x > y {
            let x = x * 2.0;
            let y = x * y;
            x + y
        } else {
            let y = y.exp();
            x * y
        };
        r * x + y
    }
}

#[test]
fn branch_suite() {
    let cases = [
        case!(leaky_relu, |x| (x[0]), &[&[0.7], &[-1.3], &[2.2]]),
        case!(
            abs_branch,
            |x| (x[0], x[1]),
            &[&[0.7, 1.0], &[-1.3, 2.0], &[2.2, -0.5]]
        ),
        case!(piecewise3, |x| (x[0]), &[&[-2.0], &[0.3], &[1.7]]),
        case!(
            huber,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, 1.0], &[3.0, 1.5]]
        ),
        case!(
            clad_f_if,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, 1.0], &[-3.0, 1.5]]
        ),
        case!(
            stmt_assign,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, 1.0], &[3.0, -1.5]]
        ),
        case!(
            if_no_else,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, -1.0], &[3.0, 1.5]]
        ),
        case!(
            nested_if,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, -1.0], &[3.0, -1.5]]
        ),
        case!(int_parity, |x| (x[0], 3), &[&[0.5], &[-2.0], &[3.0]]),
        case!(bool_flag, |x| (x[0], false), &[&[0.5], &[-2.0], &[3.0]]),
        case!(
            computed_cond,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, 1.0], &[3.0, 1.5]]
        ),
        case!(match_int, |x| (x[0], 2), &[&[0.5], &[-2.0], &[3.0]]),
        case!(
            match_bool,
            |x| (x[0], x[1], true),
            &[&[0.5, 1.0], &[-2.0, 1.0], &[3.0, -1.5]]
        ),
        case!(interp_table, |x| (x[0]), &[&[0.5], &[2.5], &[3.7]]),
        case!(smoothstep, |x| (x[0]), &[&[0.3], &[0.8], &[-0.5]]),
        case!(
            min_branch,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, 1.0], &[-3.0, 1.5]]
        ),
        case!(signed_sqrt, |x| (x[0]), &[&[0.5], &[-2.0], &[3.0]]),
        case!(
            and_cond,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, -1.0], &[-3.0, 1.5]]
        ),
        case!(
            or_cond,
            |x| (x[0], x[1]),
            &[&[0.5, 0.2], &[-2.0, 0.5], &[0.3, 1.5]]
        ),
        case!(
            two_vars_assigned,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, 1.0], &[-3.0, 1.5]]
        ),
        case!(
            if_in_expr,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, -1.0], &[3.0, 1.5]]
        ),
        case!(method_cond, |x| (x[0]), &[&[0.5], &[-2.0], &[-0.3]]),
        case!(
            soft_threshold,
            |x| (x[0], x[1]),
            &[&[2.0, 1.0], &[-2.0, 1.0], &[0.3, 0.5]]
        ),
        case!(
            select_scale,
            |x| (x[0], x[1], x[2]),
            &[&[0.5, 1.0, 2.0], &[2.0, 1.0, -1.0], &[-3.0, 1.5, 0.5]]
        ),
        case!(nan_guard, |x| (x[0]), &[&[0.5], &[2.0], &[3.0]]),
        case!(
            branch_reuse,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, 1.5], &[3.5, 1.5]]
        ),
        case!(
            clamp_branch,
            |x| (x[0], x[1], x[2]),
            &[&[0.5, 0.0, 1.0], &[-2.0, -1.0, 1.0], &[3.0, 0.0, 2.0]]
        ),
        case!(
            shadow_in_branch,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[2.0, 1.0], &[-3.0, 1.5]]
        ),
    ];
    suite_common::run("branch", &cases);
}
