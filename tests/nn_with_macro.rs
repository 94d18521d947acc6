//! `#[differentiate]` composes with the network primitives of `autodiff::nn`: an MLP with a
//! boxed layer, a batched loss with integer labels, elementwise functions and indexing, each
//! gradient checked against finite differences.

use autodiff::differentiate;
use autodiff::gradcheck::{Tolerance, check_gradient};
use autodiff::nn::*;
use nalgebra::{SMatrix, SVector};

#[derive(autodiff::Params, Clone, Debug, PartialEq)]
struct Mlp {
    l1: Dense<f64, 4, 5>,
    l2: Box<Dense<f64, 5, 3>>,
}

#[differentiate]
fn loss(m: &Mlp, x: &SVector<f64, 4>, label: usize) -> f64 {
    let h = dense(&m.l1, x);
    let a = relu(&h);
    let z = dense(&m.l2, &a);
    softmax_cross_entropy(&z, label) + 0.01 * l2_penalty(&m.l1)
}

#[differentiate]
fn loss_nested(m: &Mlp, x: &SVector<f64, 4>, label: usize) -> f64 {
    let h = relu(&dense(&m.l1, x));
    softmax_cross_entropy(&dense(&m.l2, &h), label) + 1e-4 * l2_penalty(m)
}

#[differentiate]
fn loss_batch(m: &Mlp, x: &SMatrix<f64, 4, 6>, labels: &[usize; 6]) -> f64 {
    let h = dense_batch(&m.l1, x);
    let a = gelu(&h);
    let z = dense_batch(&m.l2, &a);
    softmax_cross_entropy_batch(&z, labels)
}

#[differentiate]
fn misc(x: &SVector<f64, 4>, t: &SVector<f64, 4>) -> f64 {
    let s = sigmoid(x);
    let l = log_softmax(&s);
    mse(&l, t) + l[0]
}

#[test]
fn differentiate_composes_nn_primitives() {
    let m = Mlp {
        l1: Dense::he_normal(1),
        l2: Dense::boxed_xavier_uniform(2),
    };
    let x = SVector::<f64, 4>::new(0.5, -1.0, 2.0, 0.3);
    let (v, (dm, dx)) = loss_grad(&m, &x, 2);
    assert_eq!(v, loss(&m, &x, 2));
    let tol = Tolerance::default();
    check_gradient(|m| loss(m, &x, 2), &m, &dm, tol).unwrap();
    check_gradient(|x| loss(&m, x, 2), &x, &dx, tol).unwrap();

    let (v, (dm, dx)) = loss_nested_grad(&m, &x, 1);
    assert_eq!(v, loss_nested(&m, &x, 1));
    check_gradient(|m| loss_nested(m, &x, 1), &m, &dm, tol).unwrap();
    check_gradient(|x| loss_nested(&m, x, 1), &x, &dx, tol).unwrap();

    let xb = SMatrix::<f64, 4, 6>::from_fn(|i, j| (i as f64 - j as f64) * 0.3);
    let labels = [0, 1, 2, 0, 1, 2];
    let (v, (dm, dx)) = loss_batch_grad(&m, &xb, &labels);
    assert_eq!(v, loss_batch(&m, &xb, &labels));
    check_gradient(|m| loss_batch(m, &xb, &labels), &m, &dm, tol).unwrap();
    check_gradient(|x| loss_batch(&m, x, &labels), &xb, &dx, tol).unwrap();

    let t = SVector::<f64, 4>::new(0.1, -0.2, 0.3, 0.0);
    let (_, (dx, dt)) = misc_grad(&x, &t);
    check_gradient(|x| misc(x, &t), &x, &dx, tol).unwrap();
    check_gradient(|t| misc(&x, t), &t, &dt, tol).unwrap();
}
