//! AD-suite, calls between differentiated functions: helpers called once, twice, in chains,
//! inside loops and branches, with integer and `#[no_grad]` arguments, by reference, with a
//! hand-written pullback — in the style of Clad's `FunctionCalls.C` and Enzyme's
//! inter-procedural integration tests.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;
use suite_common::arr;

mod square_sum {
    use super::*;
    #[differentiate]
    pub fn square(x: f64) -> f64 {
        x * x
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        square(x) + square(y) * x
    }
}

mod two_arg_helper {
    use super::*;
    #[differentiate]
    pub fn weighted(a: f64, b: f64) -> f64 {
        a * b.exp()
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        weighted(x, y) + weighted(y, x * x)
    }
}

mod helper_in_loop {
    use super::*;
    #[differentiate]
    pub fn neuron(x: f64, w: f64) -> f64 {
        (w * x).tanh()
    }
    #[differentiate]
    pub fn f(x: [f64; 4], w: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            s += neuron(x[i], w);
        }
        s
    }
}

mod helper_chain {
    use super::*;
    #[differentiate]
    pub fn inner(x: f64) -> f64 {
        x.sin() + 1.5
    }
    #[differentiate]
    pub fn middle(x: f64) -> f64 {
        inner(x).ln()
    }
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        middle(inner(x) * x)
    }
}

mod helper_int_arg {
    use super::*;
    #[differentiate]
    pub fn pow_n(x: f64, n: i32) -> f64 {
        x.powi(n)
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        pow_n(x, 3) + pow_n(y, 2) * pow_n(x, -1)
    }
}

mod helper_array_ref {
    use super::*;
    #[differentiate]
    pub fn norm2(v: &[f64; 3]) -> f64 {
        (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
    }
    #[differentiate]
    pub fn f(v: [f64; 3], k: f64) -> f64 {
        norm2(&v) * k
    }
}

mod helper_twice_same {
    use super::*;
    #[differentiate]
    pub fn g(x: f64) -> f64 {
        x.exp() - x
    }
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        g(x) * g(x) + g(g(x) * 0.1)
    }
}

mod custom_pullback_helper {
    use super::*;
    /// log(1 + e^x) computed stably, with a hand-written derivative.
    pub fn softplus(x: f64) -> f64 {
        x.max(0.0) + (-x.abs()).exp().ln_1p()
    }
    pub fn softplus_pullback(x: f64) -> (f64, impl FnOnce(f64) -> (f64,)) {
        let s = 1.0 / (1.0 + (-x).exp());
        (softplus(x), move |d| (d * s,))
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        softplus(x * y) + softplus(-x)
    }
}

mod helper_in_branch {
    use super::*;
    #[differentiate]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        if x > y {
            cube(x - y)
        } else {
            cube(y - x) * 0.5
        }
    }
}

mod newton_with_helpers {
    use super::*;
    #[differentiate]
    pub fn residual(x: f64, a: f64) -> f64 {
        x * x * x - a
    }
    #[differentiate]
    pub fn slope(x: f64) -> f64 {
        3.0 * x * x
    }
    #[differentiate]
    pub fn f(a: f64) -> f64 {
        let mut x = 1.0;
        let mut k = 0;
        while k < 25 {
            x = x - residual(x, a) / slope(x);
            k += 1;
        }
        x
    }
}

mod helper_with_loop {
    use super::*;
    #[differentiate]
    pub fn poly(x: f64, c: &[f64; 4]) -> f64 {
        let mut r = 0.0;
        for i in 0..4 {
            r = r * x + c[i];
        }
        r
    }
    #[differentiate]
    pub fn f(x: f64, c: [f64; 4]) -> f64 {
        poly(x, &c) * poly(x * 0.5, &c)
    }
}

mod helper_early_return {
    use super::*;
    #[differentiate]
    pub fn safe_log(x: f64) -> f64 {
        if x <= 1e-12 {
            return -27.6;
        }
        x.ln()
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        safe_log(x * y) + safe_log(x)
    }
}

mod plain_const_helper {
    use super::*;
    // A plain helper that only sees integers, used for weights.
    pub fn weight(i: usize) -> f64 {
        1.0 / (i as f64 + 1.0)
    }
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            s += weight(i) * x[i] * x[i];
        }
        s
    }
}

mod helper_ref_scalar {
    use super::*;
    #[differentiate]
    pub fn sq_ref(x: &f64) -> f64 {
        x * x
    }
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let p = x * y;
        sq_ref(&p) + sq_ref(&x)
    }
}

#[test]
fn calls_suite() {
    let cases = [
        case!(
            square_sum,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            two_arg_helper,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            helper_in_loop,
            |x| (arr(&x[..4]), x[4]),
            &[
                &[0.5, 2.0, -1.0, 0.3, 0.7],
                &[-1.3, 1.0, 0.0, 1.0, -0.2],
                &[2.1, -0.5, 0.1, 0.2, 1.5]
            ]
        ),
        case!(helper_chain, |x| (x[0]), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            helper_int_arg,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            helper_array_ref,
            |x| (arr(&x[..3]), x[3]),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(helper_twice_same, |x| (x[0]), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            custom_pullback_helper,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            helper_in_branch,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(newton_with_helpers, |x| (x[0]), &[&[0.5], &[2.0], &[10.0]]),
        case!(
            helper_with_loop,
            |x| (x[0], arr(&x[1..])),
            &[
                &[0.5, 2.0, -1.0, 0.3, 0.7],
                &[-1.3, 1.0, 0.0, 1.0, -0.2],
                &[2.1, -0.5, 0.1, 0.2, 1.5]
            ]
        ),
        case!(
            helper_early_return,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[1.3, 1.0], &[2.1, 0.5]]
        ),
        case!(
            plain_const_helper,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            helper_ref_scalar,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
    ];
    suite_common::run("calls", &cases);
}
