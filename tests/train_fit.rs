//! `fit` driven by a gradient that `#[differentiate]` generates for a `#[derive(Params)]`
//! struct: the macro's `loss_grad` is the per-sample gradient closure as it is.

use autodiff::data::{Standardizer, datasets, one_hot};
use autodiff::optim::{Adam, AdamConfig};
use autodiff::train::{FitConfig, Verbosity, evaluate, fit};
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector};

type X = SVector<f64, 4>;

#[derive(Params, Clone, Debug, PartialEq)]
struct Linear {
    w: SMatrix<f64, 3, 4>,
    b: SVector<f64, 3>,
}

fn scores(net: &Linear, x: &X) -> SVector<f64, 3> {
    net.w * x + net.b
}

/// Squared error against the one-hot target (a loss the macro can see through without
/// the `nn` primitives).
#[differentiate(wrt(net))]
fn loss(net: &Linear, x: &X, label: usize) -> f64 {
    let target: SVector<f64, 3> = one_hot(label);
    let r = net.w * x + net.b - target;
    r.norm_squared()
}

#[test]
fn fit_trains_with_a_generated_gradient() {
    let (mut train, mut val) = datasets::iris::<f64>().unwrap().split(0.3, 1);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut val);
    let mut net = Linear {
        w: SMatrix::from_fn(|r, c| 0.01 * (r as f64 + 1.0) * (c as f64 - 1.5)),
        b: SVector::zeros(),
    };
    let mut opt = Adam::new(
        &net,
        AdamConfig {
            lr: 0.02,
            ..Default::default()
        },
    );
    let history = fit(
        &mut net,
        &mut opt,
        &train,
        loss_grad,
        scores,
        FitConfig {
            epochs: 60,
            batch_size: 16,
            validation: Some(&val),
            verbosity: Verbosity::Silent,
            ..Default::default()
        },
    )
    .unwrap();
    let first = history.epochs[0];
    let last = *history.last().unwrap();
    assert!(last.loss < first.loss / 2.0, "{first:?} -> {last:?}");
    let (val_loss, val_accuracy) = evaluate(&net, &val, loss, scores);
    assert_eq!(Some(val_loss), last.val_loss);
    assert_eq!(Some(val_accuracy), last.val_accuracy);
    // A linear least-squares classifier separates setosa but confuses the other two a
    // little; well above the 1/3 of chance.
    assert!(val_accuracy > 0.75, "{val_accuracy}");
}
