//! The runtime's types can move between threads and be shared where that makes sense, and
//! training in parallel threads gives bit-identical results to training sequentially.

use autodiff_runtime::data::Dataset;
use autodiff_runtime::nn::{Dense, Dropout};
use autodiff_runtime::optim::{Adam, AdamConfig, Optimizer, Sgd};
use autodiff_runtime::{Params, Real};
use nalgebra::SVector;

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}

#[test]
fn runtime_types_are_send_and_sync() {
    send_sync::<Dense<f32, 64, 128>>();
    send_sync::<Box<Dense<f64, 784, 128>>>();
    send_sync::<Adam<f32>>();
    send_sync::<Sgd<f64>>();
    send_sync::<Dataset<SVector<f32, 64>>>();
    send::<Dropout>();
    send_sync::<autodiff_runtime::metrics::ConfusionMatrix<10>>();
}

/// A few Adam steps on `||W x - t||^2` with a hand-written gradient; returns the weights.
fn train<T: Real>(seed: u64) -> Dense<T, 8, 4> {
    let mut layer = Dense::<T, 8, 4>::he_normal(seed);
    let mut opt = Adam::new(&layer, AdamConfig::default());
    for step in 0..50 {
        let x = SVector::<T, 8>::from_fn(|i, _| T::of_f64(((i + step) % 5) as f64 * 0.1));
        let t = SVector::<T, 4>::from_fn(|i, _| T::of_f64(i as f64 * 0.25));
        let r = layer.weight * x + layer.bias - t;
        let mut g = layer.zeros_like();
        g.weight = r * x.transpose() * T::of_f64(2.0);
        g.bias = r * T::of_f64(2.0);
        opt.step(&mut layer, &g);
    }
    layer
}

#[test]
fn parallel_training_matches_sequential() {
    let sequential: Vec<Dense<f32, 8, 4>> = (0..4).map(train::<f32>).collect();
    let parallel: Vec<Dense<f32, 8, 4>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|seed| s.spawn(move || train::<f32>(seed)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sequential, parallel);
    assert_ne!(
        sequential[0], sequential[1],
        "different seeds train different models"
    );
}
