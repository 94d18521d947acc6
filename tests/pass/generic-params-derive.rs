// Regression: this used to fail as described below; it must compile and give the right values.
//! `#[derive(Params)]` on a generic struct (const generics, or a scalar type parameter)
//! does not compile: E0275 "overflow evaluating the requirement
//! `<Matrix<..> as Params>::Scalar == _`". The derive adds
//! `FIELD_TY: Params<Scalar = <FIRST_FIELD_TY as Params>::Scalar>` for every field,
//! including the first one, which makes the bound refer to itself.
use autodiff::{Params, Real, differentiate};
use nalgebra::{SMatrix, SVector, vector};

#[derive(Params, Clone, Debug, PartialEq)]
struct Dense<const I: usize, const O: usize> {
    w: SMatrix<f64, O, I>,
    b: SVector<f64, O>,
}

#[derive(Params, Clone, Debug, PartialEq)]
struct Lin<T: Real> {
    w: SMatrix<T, 2, 2>,
    b: SVector<T, 2>,
}

#[differentiate]
fn loss(l: &Dense<2, 1>, x: &SVector<f64, 2>) -> f64 {
    (l.w * x + l.b).sum()
}

fn main() {
    let l = Dense::<2, 1> {
        w: SMatrix::<f64, 1, 2>::from_row_slice(&[0.5, -1.0]),
        b: vector![0.25],
    };
    assert_eq!(l.num_params(), 3);
    let x = vector![2.0, 3.0];
    let (_, (g, _)) = loss_grad(&l, &x);
    assert_eq!(g.w, SMatrix::<f64, 1, 2>::from_row_slice(&[2.0, 3.0]));
    assert_eq!(g.b, vector![1.0]);
    let lin = Lin::<f32> {
        w: SMatrix::identity(),
        b: SVector::zeros(),
    };
    assert_eq!(lin.num_params(), 6);
}
