//! The seed's network — 64 -> 128 ReLU -> 64 ReLU -> 10, softmax cross-entropy on an integer
//! label — written with nalgebra fixed-size types as a user would, in two styles (raw weight
//! matrices, and `Dense` layers from the runtime), its generated gradient checked against
//! central finite differences in f64 to 1e-4 relative on every one of its 12,874 weights.

// Glob import: it brings each primitive together with its `_pullback`.
use autodiff::nn::*;
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector};

#[derive(Params, Clone, Debug)]
struct RawMlp {
    w1: SMatrix<f64, 128, 64>,
    b1: SVector<f64, 128>,
    w2: SMatrix<f64, 64, 128>,
    b2: SVector<f64, 64>,
    w3: SMatrix<f64, 10, 64>,
    b3: SVector<f64, 10>,
}

/// Leaky-free ReLU written with the runtime primitive; the rest is plain nalgebra.
#[differentiate]
fn raw_loss(net: &RawMlp, x: &SVector<f64, 64>, label: usize) -> f64 {
    let h1 = relu(&(net.w1 * x + net.b1));
    let h2 = relu(&(net.w2 * h1 + net.b2));
    let logits = net.w3 * h2 + net.b3;
    softmax_cross_entropy(&logits, label)
}

#[derive(Params, Clone, Debug)]
struct Mlp {
    l1: Dense<f64, 64, 128>,
    l2: Dense<f64, 128, 64>,
    l3: Dense<f64, 64, 10>,
}

#[differentiate]
fn layer_loss(net: &Mlp, x: &SVector<f64, 64>, label: usize) -> f64 {
    let h1 = relu(&dense(&net.l1, x));
    let h2 = relu(&dense(&net.l2, &h1));
    softmax_cross_entropy(&dense(&net.l3, &h2), label)
}

/// A digit-like input: values in [0, 1].
fn input() -> SVector<f64, 64> {
    SVector::from_fn(|i, _| ((i * 37 % 17) as f64) / 16.0)
}

/// Relative agreement `|a - n| <= 1e-4 * max(|n|, 1e-3)` on every entry, plus the count of
/// entries that are nonzero (a gradient of zeros would agree with nothing).
fn check(analytic: &[f64], numeric: &[f64]) -> usize {
    assert_eq!(analytic.len(), numeric.len());
    let mut nonzero = 0;
    for (i, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        let tol = 1e-4 * n.abs().max(1e-3);
        assert!(
            (a - n).abs() <= tol,
            "entry {i}: generated {a:e}, finite differences {n:e}"
        );
        if n.abs() > 1e-9 {
            nonzero += 1;
        }
    }
    nonzero
}

/// Central differences of `f` w.r.t. every parameter, evaluated in f64.
fn numeric<P: Params<Scalar = f64> + Clone>(f: impl Fn(&P) -> f64, p: &P) -> Vec<f64> {
    let base = autodiff::gradcheck::flatten(p);
    let mut probe = p.clone();
    let mut values = base.clone();
    let eps = 1e-6;
    (0..base.len())
        .map(|i| {
            values[i] = base[i] + eps;
            autodiff::gradcheck::unflatten(&mut probe, &values);
            let up = f(&probe);
            values[i] = base[i] - eps;
            autodiff::gradcheck::unflatten(&mut probe, &values);
            let down = f(&probe);
            values[i] = base[i];
            (up - down) / (2.0 * eps)
        })
        .collect()
}

#[test]
fn seed_mlp_gradient_matches_finite_differences_with_raw_matrices() {
    let l = Mlp {
        l1: Dense::he_normal(1),
        l2: Dense::he_normal(2),
        l3: Dense::xavier_uniform(3),
    };
    let net = RawMlp {
        w1: l.l1.weight,
        b1: SVector::from_fn(|i, _| 0.01 * (i % 7) as f64),
        w2: l.l2.weight,
        b2: SVector::from_fn(|i, _| 0.02 * (i % 5) as f64),
        w3: l.l3.weight,
        b3: SVector::zeros(),
    };
    let x = input();
    let (value, (grad, _dx)) = raw_loss_grad(&net, &x, 7);
    assert_eq!(value, raw_loss(&net, &x, 7));
    let fd = numeric(|n: &RawMlp| raw_loss(n, &x, 7), &net);
    let nonzero = check(&autodiff::gradcheck::flatten(&grad), &fd);
    assert_eq!(
        grad.num_params(),
        64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    );
    assert!(nonzero > 5000, "only {nonzero} nonzero entries");
}

#[test]
fn seed_mlp_gradient_matches_finite_differences_with_dense_layers() {
    let net = Mlp {
        l1: Dense::he_normal(4),
        l2: Dense::he_normal(5),
        l3: Dense::he_normal(6),
    };
    let x = input();
    let (value, (grad, dx)) = layer_loss_grad(&net, &x, 3);
    assert_eq!(value, layer_loss(&net, &x, 3));
    let fd = numeric(|n: &Mlp| layer_loss(n, &x, 3), &net);
    check(&autodiff::gradcheck::flatten(&grad), &fd);
    let fd_x = numeric(|x: &SVector<f64, 64>| layer_loss(&net, x, 3), &x);
    check(dx.as_slice(), &fd_x);
}
