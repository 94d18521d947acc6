//! AD-suite, small matrices (nalgebra `SVector`/`SMatrix`): quadratic forms, products,
//! determinants, traces, norms, least squares, matrix powers — in the style of JAX's and
//! PyTorch's linear-algebra gradient tests, restricted to small fixed sizes.

#![allow(clippy::all, unused_assignments)]

mod suite_common;

use autodiff::differentiate;
use nalgebra::{Matrix2, SMatrix, SVector, Vector2, Vector3};
use suite_common::{smat, svec};

mod quad_form {
    use super::*;
    #[differentiate]
    pub fn f(a: SMatrix<f64, 2, 2>, x: SVector<f64, 2>) -> f64 {
        (x.transpose() * a * x)[(0, 0)]
    }
}

mod quad_form_dot {
    use super::*;
    #[differentiate]
    pub fn f(a: &Matrix2<f64>, x: &Vector2<f64>) -> f64 {
        x.dot(&(a * x))
    }
}

mod matvec_norm {
    use super::*;
    #[differentiate]
    pub fn f(w: SMatrix<f64, 2, 3>, x: SVector<f64, 3>) -> f64 {
        let y = w * x;
        y.norm()
    }
}

mod det2_entries {
    use super::*;
    #[differentiate]
    pub fn f(m: SMatrix<f64, 2, 2>) -> f64 {
        m[(0, 0)] * m[(1, 1)] - m[(0, 1)] * m[(1, 0)]
    }
}

mod trace_loop {
    use super::*;
    #[differentiate]
    pub fn f(m: SMatrix<f64, 3, 3>) -> f64 {
        let mut t = 0.0;
        for i in 0..3 {
            t += m[(i, i)] * m[(i, i)];
        }
        t
    }
}

mod frobenius {
    use super::*;
    #[differentiate]
    pub fn f(a: SMatrix<f64, 2, 3>, b: SMatrix<f64, 2, 3>) -> f64 {
        (a - 2.0 * b).norm_squared() + a.component_mul(&b).sum()
    }
}

mod matmul_sum {
    use super::*;
    #[differentiate]
    pub fn f(a: SMatrix<f64, 2, 3>, b: SMatrix<f64, 3, 2>) -> f64 {
        let c = a * b;
        c.sum() + c[(0, 1)] * c[(1, 0)]
    }
}

mod transpose_mul {
    use super::*;
    #[differentiate]
    pub fn f(a: SMatrix<f64, 3, 2>) -> f64 {
        let g = a.transpose() * a;
        g[(0, 0)] * g[(1, 1)] - g[(0, 1)] * g[(1, 0)]
    }
}

mod vector_loop {
    use super::*;
    #[differentiate]
    pub fn f(v: Vector3<f64>) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += v[i] * v[i] * (i as f64 + 1.0);
        }
        s.sqrt()
    }
}

mod matrix_power {
    use super::*;
    #[differentiate]
    pub fn f(a: SMatrix<f64, 2, 2>) -> f64 {
        let mut p = a;
        for _ in 0..3 {
            p = p * a;
        }
        p[(0, 0)] + p[(1, 1)]
    }
}

mod least_squares {
    use super::*;
    #[differentiate]
    pub fn f(w: SVector<f64, 2>, xs: &SMatrix<f64, 4, 2>, ys: &SVector<f64, 4>) -> f64 {
        let r = xs * w - ys;
        0.5 * r.norm_squared()
    }
}

mod tanh_layer {
    use super::*;
    #[differentiate]
    pub fn f(w: SMatrix<f64, 3, 2>, b: SVector<f64, 3>, x: SVector<f64, 2>) -> f64 {
        let h = (w * x + b).map(|e| e.tanh());
        h.dot(&h)
    }
}

#[test]
fn matrix_suite() {
    let cases = [
        case!(
            quad_form,
            |x| (smat(&x[..4]), svec(&x[4..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5]
            ]
        ),
        case!(
            quad_form_dot,
            |x| (&smat(&x[..4]), &svec(&x[4..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5]
            ]
        ),
        case!(
            matvec_norm,
            |x| (smat(&x[..6]), svec(&x[6..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 1.0, 2.0, 3.0],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0]
            ]
        ),
        case!(
            det2_entries,
            |x| (smat(x)),
            &[
                &[1.0, 0.5, 0.2, 2.0],
                &[2.0, -1.0, 0.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4]
            ]
        ),
        case!(
            trace_loop,
            |x| (smat(x)),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 1.0, 2.0, 3.0],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.7],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0]
            ]
        ),
        case!(
            frobenius,
            |x| (smat(&x[..6]), smat(&x[6..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 1.0, 2.0, 3.0, 0.1, 0.2, 0.3],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.7, 1.0, 1.0, 1.0],
                &[
                    0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0, -1.0, 0.0, 2.0
                ]
            ]
        ),
        case!(
            matmul_sum,
            |x| (smat(&x[..6]), smat(&x[6..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 1.0, 2.0, 3.0, 0.1, 0.2, 0.3],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.7, 1.0, 1.0, 1.0],
                &[
                    0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0, -1.0, 0.0, 2.0
                ]
            ]
        ),
        case!(
            transpose_mul,
            |x| (smat(x)),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5]
            ]
        ),
        case!(
            vector_loop,
            |x| (svec(x)),
            &[&[1.0, 0.5, 0.2], &[2.0, -1.0, 0.0], &[0.1, 0.2, 0.3]]
        ),
        case!(
            matrix_power,
            |x| (smat(x)),
            &[
                &[1.0, 0.5, 0.2, 0.8],
                &[0.6, -0.4, 0.1, 0.3],
                &[0.1, 0.2, 0.3, 0.4]
            ]
        ),
        case!(
            least_squares,
            |x| (svec(&x[..2]), &smat(&x[2..10]), &svec(&x[10..])),
            &[
                &[
                    1.0, 0.5, LS[0], LS[1], LS[2], LS[3], LS[4], LS[5], LS[6], LS[7], LS[8], LS[9],
                    LS[10], LS[11]
                ],
                &[
                    2.0, -1.0, LS[0], LS[1], LS[2], LS[3], LS[4], LS[5], LS[6], LS[7], LS[8],
                    LS[9], LS[10], LS[11]
                ],
                &[
                    0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0, -1.0, 0.0, 2.0, 1.0, 0.5
                ]
            ]
        ),
        case!(
            tanh_layer,
            |x| (smat(&x[..6]), svec(&x[6..9]), svec(&x[9..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 0.1, 0.2, 0.3, 1.0, -0.5],
                &[0.2, -1.0, 0.0, 1.0, 0.4, 0.1, 0.5, 0.5, 0.7, 0.3, 0.3],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0, -1.0, 0.0]
            ]
        ),
    ];
    suite_common::run("matrix", &cases);
}

/// Design matrix (column-major, 4x2: a column of ones and one of abscissae) then targets.
const LS: [f64; 12] = [1.0, 1.0, 1.0, 1.0, 0.5, 1.5, 2.5, -1.0, 1.0, 2.0, 3.5, -0.5];
