// Regression: this used to fail as described below; it must compile and give the right values.
//! An integer field of a parameter struct (`#[params(skip)] n: usize`) read as `s.n as f64`
//! does not compile: the macro treats the cast as active (its root `s` is active) and emits
//! `cast_d_recv` into `d_s.n`, so rustc reports "`usize: Params` is not satisfied" and
//! "`usize: Real` is not satisfied". An integer cast is piecewise constant and should
//! contribute nothing (as it does for an integer parameter `n: usize`).
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector, vector};

#[derive(Params, Clone, Debug)]
struct S {
    w: SMatrix<f64, 2, 2>,
    #[params(skip)]
    n: usize,
}

#[differentiate]
fn f(s: &S, x: &SVector<f64, 2>) -> f64 {
    (s.w * x).sum() * (s.n as f64)
}

fn main() {
    let s = S {
        w: SMatrix::identity(),
        n: 3,
    };
    let (v, (g, dx)) = f_grad(&s, &vector![1.0, 2.0]);
    assert_eq!(v, 9.0);
    assert_eq!(
        g.w,
        SMatrix::<f64, 2, 2>::from_row_slice(&[3.0, 6.0, 3.0, 6.0])
    );
    assert_eq!(dx, vector![3.0, 3.0]);
}
