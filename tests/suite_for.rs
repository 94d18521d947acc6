//! AD-suite, `for` loops: constant and runtime (`n: usize`) bounds, loop-carried sums and
//! products, nested loops, `step_by`, `rev`, inclusive ranges, iteration over arrays,
//! fixed-count Newton iterations and time stepping — in the style of Clad's `ForLoops.C` and
//! `Gradient/Loops.C`, Tapenade's validation loops and Enzyme's loop integration tests.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;
use suite_common::arr;

mod sum_squares {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            s += x[i] * x[i];
        }
        s
    }
}

mod product {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut p = 1.0;
        for i in 0..4 {
            p *= x[i];
        }
        p
    }
}

mod power_loop {
    use super::*;
    // Clad Loops.C: f1(x, n) { r = 1; for (i = 0; i < n; i++) r = r * x; }
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut r = 1.0;
        for _ in 0..n {
            r = r * x;
        }
        r
    }
}

mod horner_rev {
    use super::*;
    // Horner with the coefficients (highest degree first when reversed) active too.
    #[differentiate]
    pub fn f(c: [f64; 5], x: f64) -> f64 {
        let mut r = 0.0;
        for i in (0..5).rev() {
            r = r * x + c[i];
        }
        r
    }
}

mod horner_fwd {
    use super::*;
    // Horner with coefficients stored highest degree first, runtime degree.
    #[differentiate]
    pub fn f(c: [f64; 6], x: f64, n: usize) -> f64 {
        let mut r = c[0];
        for i in 1..n {
            r = r * x + c[i];
        }
        r
    }
}

mod clad_sin_sum {
    use super::*;
    // Clad ForLoops: for (int i = 0; i < 3; i++) r += sin(x);
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        let mut r = 0.0;
        for _i in 0..3 {
            r += x.sin();
        }
        r
    }
}

mod iterated_sin {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut y = x;
        for _ in 0..n {
            y = y.sin();
        }
        y
    }
}

mod newton_sqrt {
    use super::*;
    // Heron's method with a fixed iteration count (Tapenade-style).
    #[differentiate]
    pub fn f(a: f64) -> f64 {
        let mut y = a;
        for _ in 0..20 {
            y = 0.5 * (y + a / y);
        }
        y
    }
}

mod newton_cbrt {
    use super::*;
    #[differentiate]
    pub fn f(a: f64, iters: usize) -> f64 {
        let mut y = 1.0;
        for _ in 0..iters {
            y = y - (y * y * y - a) / (3.0 * y * y);
        }
        y
    }
}

mod step_by_two {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut s = 0.0;
        for i in (0..n).step_by(2) {
            s += x.powi(i as i32);
        }
        s
    }
}

mod inclusive_series {
    use super::*;
    // log(1 + x) = sum_{k>=1} (-1)^(k+1) x^k / k
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut s = 0.0;
        let mut sign = 1.0;
        for k in 1..=n {
            s += sign * x.powi(k as i32) / k as f64;
            sign = -sign;
        }
        s
    }
}

mod taylor_exp {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        let mut term = 1.0;
        let mut sum = 1.0;
        for i in 1..20 {
            term *= x / i as f64;
            sum += term;
        }
        sum
    }
}

mod taylor_sin {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut term = x;
        let mut sum = x;
        for k in 1..n {
            let k = k as f64;
            term = -term * x * x / ((2.0 * k) * (2.0 * k + 1.0));
            sum += term;
        }
        sum
    }
}

mod dot_loop {
    use super::*;
    #[differentiate]
    pub fn f(a: [f64; 4], b: [f64; 4]) -> f64 {
        let mut d = 0.0;
        for i in 0..4 {
            d += a[i] * b[i];
        }
        d
    }
}

mod euler_decay {
    use super::*;
    // Explicit Euler for y' = -k y on [0, 1] with n steps.
    #[differentiate]
    pub fn f(y0: f64, k: f64, n: usize) -> f64 {
        let dt = 1.0 / n as f64;
        let mut y = y0;
        for _ in 0..n {
            y += dt * (-k * y);
        }
        y
    }
}

mod midpoint_pendulum {
    use super::*;
    // Midpoint (RK2) integration of theta'' = -(g/l) sin(theta).
    #[differentiate]
    pub fn f(theta0: f64, omega0: f64, l: f64) -> f64 {
        let g = 9.81;
        let dt = 0.01;
        let mut th = theta0;
        let mut om = omega0;
        for _ in 0..50 {
            let th_mid = th + 0.5 * dt * om;
            let om_mid = om - 0.5 * dt * (g / l) * th.sin();
            th += dt * om_mid;
            om -= dt * (g / l) * th_mid.sin();
        }
        th
    }
}

mod logistic_map {
    use super::*;
    #[differentiate]
    pub fn f(r: f64, x0: f64) -> f64 {
        let mut x = x0;
        for _ in 0..8 {
            x = r * x * (1.0 - x);
        }
        x
    }
}

mod prefix_products {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 5]) -> f64 {
        let mut p = 1.0;
        let mut s = 0.0;
        for i in 0..5 {
            p *= x[i];
            s += p;
        }
        s
    }
}

mod running_max {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 5]) -> f64 {
        let mut m = x[0];
        for i in 1..5 {
            m = m.max(x[i]);
        }
        m * x[0]
    }
}

mod compound_interest {
    use super::*;
    #[differentiate]
    pub fn f(principal: f64, rate: f64, years: u32) -> f64 {
        let mut b = principal;
        for _ in 0..years {
            b *= 1.0 + rate;
        }
        b
    }
}

mod body_locals {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64, n: usize) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            let t = x * i as f64 - y;
            let u = t * t;
            s += u.exp().recip();
        }
        s
    }
}

mod simpson {
    use super::*;
    // Composite Simpson rule for the integral of sin(a t) exp(-b t) over [0, 1].
    #[differentiate]
    pub fn f(a: f64, b: f64, n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let mut s = 0.0;
        for i in 0..=n {
            let t = i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            s += w * (a * t).sin() * (-b * t).exp();
        }
        s * h / 3.0
    }
}

mod trapezoid {
    use super::*;
    #[differentiate]
    pub fn f(a: f64, n: usize) -> f64 {
        let h = 2.0 / n as f64;
        let mut s = 0.5 * (1.0 / (1.0 + a * 0.0)).ln() + 0.5 * (1.0 / (1.0 + a * 2.0)).ln();
        for i in 1..n {
            let t = i as f64 * h;
            s += (1.0 / (1.0 + a * t)).ln();
        }
        s * h
    }
}

mod fibonacci_like {
    use super::*;
    #[differentiate]
    pub fn f(a0: f64, b0: f64, n: usize) -> f64 {
        let mut a = a0;
        let mut b = b0;
        for _ in 0..n {
            let t = a + 0.5 * b;
            a = b;
            b = t;
        }
        a * b
    }
}

mod clad_loops_affine {
    use super::*;
    // Clad Loops.C: for (i = 0; i < n; i++) r = r * x + y;
    #[differentiate]
    pub fn f(x: f64, y: f64, n: usize) -> f64 {
        let mut r = 1.0;
        for _ in 0..n {
            r = r * x + y;
        }
        r
    }
}

mod chebyshev {
    use super::*;
    // T_n(x) by the three-term recurrence.
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut t0 = 1.0;
        let mut t1 = x;
        for _ in 1..n {
            let t2 = 2.0 * x * t1 - t0;
            t0 = t1;
            t1 = t2;
        }
        t1
    }
}

mod jacobi_2x2 {
    use super::*;
    // Jacobi iteration for [[a, 1], [1, b]] u = [1, 2] with a fixed sweep count.
    #[differentiate]
    pub fn f(a: f64, b: f64) -> f64 {
        let mut u0 = 0.0;
        let mut u1 = 0.0;
        for _ in 0..30 {
            let n0 = (1.0 - u1) / a;
            let n1 = (2.0 - u0) / b;
            u0 = n0;
            u1 = n1;
        }
        u0 + u1
    }
}

mod shadow_in_body {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut acc = 0.0;
        for i in 0..n {
            let x = x * (i + 1) as f64;
            let x = x.cos();
            acc += x;
        }
        acc * x
    }
}

mod loop_then_scalar {
    use super::*;
    // Enzyme-style: a loop whose result feeds further straight-line code.
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut s = x;
        for i in 0..10 {
            s = s + y * (i as f64).sqrt() * s.cos();
        }
        let t = s * y;
        t.tanh() + x * t
    }
}

mod sequential_carried {
    use super::*;
    // Two loop-carried values, the second updated from the NEW value of the first.
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut a = x;
        let mut b = y;
        for _ in 0..5 {
            a = a + 0.3 * b;
            b = 0.5 * a * b;
        }
        a + b
    }
}

#[test]
fn for_suite() {
    let cases = [
        case!(
            sum_squares,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.0, 1.0, 1.0],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        ),
        case!(
            product,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.0],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        ),
        case!(power_loop, |x| (x[0], 5), &[&[0.5], &[-1.3], &[1.1]]),
        case!(
            horner_rev,
            |x| (arr(&x[..5]), x[5]),
            &[
                &[1.0, -2.0, 0.5, 3.0, -1.0, 0.7],
                &[0.1, 0.2, 0.3, 0.4, 0.5, -1.2],
                &[2.0, 0.0, -1.0, 0.0, 1.0, 1.5]
            ]
        ),
        case!(
            horner_fwd,
            |x| (arr(&x[..6]), x[6], 6),
            &[
                &[1.0, -2.0, 0.5, 3.0, -1.0, 0.2, 0.7],
                &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -1.2],
                &[2.0, 0.0, -1.0, 0.0, 1.0, 1.0, 1.5]
            ]
        ),
        case!(clad_sin_sum, |x| (x[0]), &[&[0.5], &[-1.3], &[2.1]]),
        case!(iterated_sin, |x| (x[0], 7), &[&[0.5], &[-1.3], &[2.1]]),
        case!(newton_sqrt, |x| (x[0]), &[&[0.5], &[2.0], &[10.0]]),
        case!(newton_cbrt, |x| (x[0], 30), &[&[0.5], &[2.0], &[10.0]]),
        case!(step_by_two, |x| (x[0], 7), &[&[0.5], &[-1.3], &[1.1]]),
        case!(inclusive_series, |x| (x[0], 6), &[&[0.5], &[-0.3], &[0.9]]),
        case!(taylor_exp, |x| (x[0]), &[&[0.5], &[-1.3], &[2.1]]),
        case!(taylor_sin, |x| (x[0], 8), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            dot_loop,
            |x| (arr(&x[..4]), arr(&x[4..])),
            &[
                &[0.5, -1.0, 2.0, 0.3, 1.0, 2.0, 3.0, 4.0],
                &[1.0, 1.5, 1.1, 1.0, -1.0, 0.0, 0.5, 0.2],
                &[-2.0, 0.1, 0.7, 3.0, 0.3, 0.3, 0.3, 0.3]
            ]
        ),
        case!(
            euler_decay,
            |x| (x[0], x[1], 20),
            &[&[1.0, 0.5], &[2.0, 1.5], &[-1.0, 3.0]]
        ),
        case!(
            midpoint_pendulum,
            |x| (x[0], x[1], x[2]),
            &[&[0.3, 0.0, 1.0], &[1.0, 0.5, 2.0], &[-0.5, 1.0, 0.7]]
        ),
        case!(
            logistic_map,
            |x| (x[0], x[1]),
            &[&[2.5, 0.3], &[3.2, 0.6], &[1.5, 0.1]]
        ),
        case!(
            prefix_products,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3, 1.2],
                &[1.0, 1.5, 1.1, 1.0, 0.9],
                &[-2.0, 0.1, 0.7, 3.0, -0.5]
            ]
        ),
        case!(
            running_max,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3, 1.2],
                &[1.0, 1.5, 1.1, 1.0, 0.9],
                &[-2.0, 0.1, 0.7, 3.0, -0.5]
            ]
        ),
        case!(
            compound_interest,
            |x| (x[0], x[1], 10),
            &[&[100.0, 0.05], &[1.0, 0.5], &[50.0, -0.02]]
        ),
        case!(
            body_locals,
            |x| (x[0], x[1], 5),
            &[&[0.5, -1.0], &[0.3, 0.5], &[-0.2, 0.1]]
        ),
        case!(
            simpson,
            |x| (x[0], x[1], 10),
            &[&[0.5, 1.0], &[2.0, 0.5], &[-1.0, 0.1]]
        ),
        case!(trapezoid, |x| (x[0], 8), &[&[0.5], &[2.0], &[0.1]]),
        case!(
            fibonacci_like,
            |x| (x[0], x[1], 6),
            &[&[0.5, 1.0], &[2.0, 0.5], &[-1.0, 0.1]]
        ),
        case!(
            clad_loops_affine,
            |x| (x[0], x[1], 5),
            &[&[0.5, 1.0], &[1.2, 0.5], &[-1.0, 0.1]]
        ),
        case!(chebyshev, |x| (x[0], 6), &[&[0.5], &[-0.3], &[0.9]]),
        case!(
            jacobi_2x2,
            |x| (x[0], x[1]),
            &[&[3.0, 4.0], &[5.0, 2.5], &[-4.0, 3.0]]
        ),
        case!(shadow_in_body, |x| (x[0], 4), &[&[0.5], &[-1.3], &[2.1]]),
        case!(
            loop_then_scalar,
            |x| (x[0], x[1]),
            &[&[0.5, 0.1], &[-1.3, 0.05], &[2.1, -0.1]]
        ),
        case!(
            sequential_carried,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[1.2, 0.5], &[-1.0, 0.1]]
        ),
    ];
    suite_common::run("for", &cases);
}
