//! AD-suite, arrays: index reads and writes on `[f64; N]`, local arrays, 2-D arrays, array
//! literals from active values, stencils and convolutions — in the style of Clad's
//! `Arrays.C`/`Gradient/Arrays.C` and Enzyme's array integration tests.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;
use suite_common::arr;

mod array_sum {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        x[0] + 2.0 * x[1] + x[2] * x[3]
    }
}

mod write_local {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 3]) -> f64 {
        let mut y = [0.0; 3];
        for i in 0..3 {
            y[i] = x[i] * 2.0 + 1.0;
        }
        y[0] * y[1] * y[2]
    }
}

mod add_assign_index {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 3], w: f64) -> f64 {
        let mut y = [1.0, 2.0, 3.0];
        for i in 0..3 {
            y[i] += w * x[i];
            y[i] *= x[i];
        }
        y[0] + y[1] + y[2]
    }
}

mod prefix_sum_array {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut c = [0.0; 4];
        c[0] = x[0];
        for i in 1..4 {
            c[i] = c[i - 1] + x[i];
        }
        let mut s = 0.0;
        for i in 0..4 {
            s += c[i] * c[i];
        }
        s
    }
}

mod reverse_copy {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut r = [0.0; 4];
        for i in 0..4 {
            r[i] = x[3 - i];
        }
        r[0] * 4.0 + r[1] * 3.0 + r[2] * 2.0 + r[3]
    }
}

mod swap_tmp {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 3]) -> f64 {
        let mut a = x;
        let t = a[0];
        a[0] = a[2];
        a[2] = t;
        a[0] * 3.0 + a[1] * 2.0 + a[2]
    }
}

mod array_2d_direct {
    use super::*;
    #[differentiate]
    pub fn f(m: [[f64; 2]; 2]) -> f64 {
        m[0][0] * m[1][1] - m[0][1] * m[1][0]
    }
}

mod two_array_params {
    use super::*;
    #[differentiate]
    pub fn f(a: [f64; 3], b: [f64; 3]) -> f64 {
        let d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        d * d
    }
}

mod array_ref_param {
    use super::*;
    #[differentiate]
    pub fn f(x: &[f64; 4]) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            s += (x[i] - 1.0).powi(2);
        }
        s
    }
}

mod literal_from_active {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let v = [x, y, x * y];
        v[0] * v[2] + v[1].sin()
    }
}

mod stencil {
    use super::*;
    // Discrete Dirichlet energy of u with fixed ends.
    #[differentiate]
    pub fn f(u: [f64; 6]) -> f64 {
        let mut e = 0.0;
        for i in 1..5 {
            let lap = u[i - 1] - 2.0 * u[i] + u[i + 1];
            e += lap * lap;
        }
        e
    }
}

mod modular_index {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 5]) -> f64 {
        let mut s = 0.0;
        for i in 0..5 {
            s += x[i] * x[(i + 1) % 5];
        }
        s
    }
}

mod mut_param_array {
    use super::*;
    #[differentiate]
    pub fn f(mut x: [f64; 3]) -> f64 {
        for i in 0..3 {
            x[i] = x[i].sin();
        }
        x[0] * x[1] + x[2]
    }
}

mod in_place_alias {
    use super::*;
    // In-place updates that read elements written just before.
    #[differentiate]
    pub fn f(x: [f64; 3]) -> f64 {
        let mut y = x;
        y[0] = y[0] * y[1];
        y[1] = y[0] + y[1];
        y[2] = y[2] * y[0] - y[1];
        y[0] = y[0] * y[0];
        y[0] + y[1] + y[2]
    }
}

mod repeated_write {
    use super::*;
    // One element written in every iteration (Enzyme: accumulation into a fixed slot).
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut acc = [1.0, 0.0];
        for i in 0..4 {
            acc[0] = acc[0] * x[i];
            acc[1] = acc[1] + acc[0];
        }
        acc[1]
    }
}

#[test]
fn array_suite() {
    let cases = [
        case!(
            array_sum,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            write_local,
            |x| (arr(x)),
            &[&[0.5, 2.0, -1.0], &[-1.3, 1.0, 0.1], &[2.1, -0.5, 0.2]]
        ),
        case!(
            add_assign_index,
            |x| (arr(&x[..3]), x[3]),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            prefix_sum_array,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            reverse_copy,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            swap_tmp,
            |x| (arr(x)),
            &[&[0.5, 2.0, -1.0], &[-1.3, 1.0, 0.1], &[2.1, -0.5, 0.2]]
        ),
        case!(
            array_2d_direct,
            |x| ([arr(&x[..2]), arr(&x[2..])]),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            two_array_params,
            |x| (arr(&x[..3]), arr(&x[3..])),
            &[
                &[0.5, 2.0, -1.0, 0.3, 1.0, 2.0],
                &[-1.3, 1.0, 0.1, 1.0, 0.0, 0.5],
                &[2.1, -0.5, 0.1, 0.2, 0.3, 0.4]
            ]
        ),
        case!(
            array_ref_param,
            |x| (&arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.0],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
        case!(
            literal_from_active,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        ),
        case!(
            stencil,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3, 1.0, 2.0],
                &[-1.3, 1.0, 0.1, 1.0, 0.0, 0.5],
                &[2.1, -0.5, 0.1, 0.2, 0.3, 0.4]
            ]
        ),
        case!(
            modular_index,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3, 1.0],
                &[-1.3, 1.0, 0.1, 1.0, 0.0],
                &[2.1, -0.5, 0.1, 0.2, 0.3]
            ]
        ),
        case!(
            mut_param_array,
            |x| (arr(x)),
            &[&[0.5, 2.0, -1.0], &[-1.3, 1.0, 0.1], &[2.1, -0.5, 0.2]]
        ),
        case!(
            in_place_alias,
            |x| (arr(x)),
            &[&[0.5, 2.0, -1.0], &[-1.3, 1.0, 0.1], &[2.1, -0.5, 0.2]]
        ),
        case!(
            repeated_write,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.5],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        ),
    ];
    suite_common::run("array", &cases);
}
