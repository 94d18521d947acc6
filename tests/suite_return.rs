//! AD-suite, early returns: guards, multiple exits, returns in nested branches and match arms,
//! returns after and inside loops — in the style of Clad's `f_if*`/`Gradient/Switch.C` tests
//! (C code returning from branches) and Tapenade's piecewise functions.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;

mod guard_sqrt {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        x.sqrt() * x
    }
}

mod guard_chain {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x < -1.0 {
            return y * x;
        } else if x > 1.0 {
            return y / x;
        }
        x * x * y
    }
}

mod two_guards {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, lo: f64, hi: f64) -> f64 {
        if x < lo {
            return (x - lo).exp();
        }
        if x > hi {
            return 1.0 + (x - hi).ln_1p();
        }
        1.0 - (x - lo) * (x - hi)
    }
}

mod nested_return {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > 0.0 {
            if y > 0.0 {
                return x * y;
            }
            return x - y;
        }
        x + y * y
    }
}

mod explicit_tail_return {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let z = x * y + y;
        return z * z;
    }
}

mod int_guard {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        if n == 0 {
            return 1.0;
        }
        let mut r = x;
        for _ in 1..n {
            r *= x;
        }
        r
    }
}

mod guard_then_loop {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        if x <= 0.0 {
            return -x;
        }
        let mut s = 0.0;
        for i in 0..n {
            s += (x + i as f64).ln();
        }
        s
    }
}

mod loop_then_guard {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            s += x * (i as f64 + 1.0);
        }
        if s > 10.0 {
            return s.sqrt();
        }
        s * s / 10.0
    }
}

mod both_arms_return {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > y {
            return x * y;
        } else {
            return x + y;
        }
    }
}

mod else_only_return {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut r = x;
        if x > 0.0 {
            r = r * y;
        } else {
            return y.exp();
        }
        r + x
    }
}

mod computed_guard {
    use super::*;
    #[differentiate]
    pub fn f(a: f64, b: f64, c: f64) -> f64 {
        let disc = b * b - 4.0 * a * c;
        if disc < 0.0 {
            return -b / (2.0 * a);
        }
        let sq = disc.sqrt();
        (-b + sq) / (2.0 * a)
    }
}

mod return_tail_no_semi {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        if x > 2.0 {
            return x.ln();
        }
        return x * 0.5 + 2f64.ln() - 1.0;
    }
}

#[test]
fn return_suite() {
    let cases = [
        case!(guard_sqrt, |x| (x[0]), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            guard_chain,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            two_guards,
            |x| (x[0], x[1], x[2]),
            &[&[0.5, 0.0, 1.0], &[-1.3, 0.0, 1.0], &[2.1, 0.0, 1.0]]
        ),
        case!(
            nested_return,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[0.3, -1.0], &[-2.1, -0.5]]
        ),
        case!(
            explicit_tail_return,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[0.3, -1.0], &[-2.1, -0.5]]
        ),
        case!(int_guard, |x| (x[0], 4), &[&[0.5], &[-1.3], &[2.1]]),
        case!(guard_then_loop, |x| (x[0], 4), &[&[0.5], &[-1.3], &[2.1]]),
        case!(loop_then_guard, |x| (x[0], 4), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            both_arms_return,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[0.3, -1.0], &[-2.1, -0.5]]
        ),
        case!(
            else_only_return,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[0.3, -1.0], &[-2.1, -0.5]]
        ),
        case!(
            computed_guard,
            |x| (x[0], x[1], x[2]),
            &[&[1.0, -3.0, 2.0], &[1.0, 1.0, 1.0], &[-1.0, 2.0, 3.0]]
        ),
        case!(return_tail_no_semi, |x| (x[0]), &[&[0.5], &[1.3], &[2.1]]),
    ];
    suite_common::run("return", &cases);
}
