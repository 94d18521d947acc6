//! Training: a Keras-like [`fit`] over any [`Params`](crate::Params) and any
//! [`Optimizer`](crate::optim::Optimizer), with validation, early stopping, callbacks,
//! learning-rate schedules, NaN guards, progress output, history CSV and plots.
//!
//! | here | Keras | PyTorch |
//! | --- | --- | --- |
//! | [`fit`] + [`FitConfig`] | `model.fit(x, y, epochs=, batch_size=, shuffle=, validation_data=, callbacks=, verbose=)` | the usual `for epoch ...: for batch ...:` loop |
//! | [`evaluate`] | `model.evaluate` | a `torch.no_grad()` loop |
//! | [`predict`], [`confusion_matrix`] | `np.argmax(model.predict(x), axis=1)` | `logits.argmax(1)` |
//! | [`History`], [`History::write_csv`] | `History.history`, `CSVLogger` | – |
//! | [`EarlyStopping`] | `EarlyStopping(monitor, patience, min_delta, restore_best_weights)` | – |
//! | [`Callback`] | `Callback.on_epoch_end` | – |
//! | [`FitConfig::schedule`] | `LearningRateScheduler` | `lr_scheduler.step()` per epoch |
//! | `plot_history` (feature `plot`) | `plt.plot(history.history["loss"])` | – |
//! | [`Stepper`] | `model.train_on_batch` | `loss.backward(); opt.step()` |
//!
//! `fit` needs two functions of the parameters and one sample:
//!
//! - `grad(params, x, label) -> (loss, gradient)`: what `#[differentiate]` generates as
//!   `loss_grad` for `fn loss(net: &Net, x: &X, label: usize) -> f32`;
//! - `predict(params, x) -> SVector<T, C>`: the class scores, for the accuracies.
//!
//! The gradient of a batch is the mean of the per-sample gradients (PyTorch's and Keras'
//! `reduction="mean"`), accumulated into one buffer made before the first step; the
//! training loop allocates nothing per step. A NaN or infinite loss, gradient or updated
//! parameter stops training with a [`TrainError::NonFinite`] naming the epoch, batch and
//! sample, and leaves the last good parameters in place. The same seed, data, initial
//! parameters and optimizer give bit-identical histories.
//!
//! # Training a network
//!
//! With the `autodiff` facade, `#[derive(Params)]` and `#[differentiate]` (a runnable
//! version is in the `autodiff` crate docs, section "Training"; the complete program, with
//! reports, checkpoints and fine-tuning, is `examples/train_mlp.rs`):
//!
//! ```ignore
//! use autodiff::nn::*; // each primitive and its `_pullback`, which the macro calls
//! use autodiff::optim::{Adam, AdamConfig};
//! use autodiff::train::{fit, FitConfig};
//! use autodiff::{differentiate, Params};
//! use nalgebra::SVector;
//!
//! #[derive(Params, Clone)]
//! struct Mlp {
//!     l1: Dense<f32, 64, 128>,
//!     l2: Dense<f32, 128, 64>,
//!     l3: Dense<f32, 64, 10>,
//! }
//!
//! fn logits(net: &Mlp, x: &SVector<f32, 64>) -> SVector<f32, 10> {
//!     dense(&net.l3, &relu(&dense(&net.l2, &relu(&dense(&net.l1, x)))))
//! }
//!
//! #[differentiate(wrt(net))]
//! fn loss(net: &Mlp, x: &SVector<f32, 64>, label: usize) -> f32 {
//!     let h1 = relu(&dense(&net.l1, x));
//!     let h2 = relu(&dense(&net.l2, &h1));
//!     softmax_cross_entropy(&dense(&net.l3, &h2), label)
//! }
//!
//! let data = autodiff::data::datasets::digits::<f32>()?;
//! let mut net = Mlp { l1: Dense::he_normal(42), l2: Dense::he_normal(43), l3: Dense::he_normal(44) };
//! let mut opt = Adam::new(&net, AdamConfig { lr: 1e-3, ..Default::default() });
//! let history = fit(&mut net, &mut opt, &data.train, loss_grad, logits, FitConfig {
//!     epochs: 50,
//!     validation: Some(&data.test),
//!     ..Default::default()
//! })?;
//! history.write_csv("history.csv")?;
//! ```
//!
//! # Fine-tuning: frozen layers and L2-SP
//!
//! Both are ordinary pieces, not training-loop options:
//!
//! - **Frozen layers** come from the optimizer: `Adam::new(&net, cfg).freeze(&["l1"])?`
//!   leaves every tensor under `l1` (`l1.weight`, `l1.bias`) untouched, moments included
//!   (PyTorch `requires_grad_(False)`). The gradient is still computed; `fit` does not
//!   need to know.
//! - **L2-SP** (Li et al., 2018) keeps the fine-tuned weights near the pretrained ones
//!   instead of near zero: add `lambda * ||W - W_pretrained||^2` to the loss you
//!   differentiate, and the gradient `2 lambda (W - W_pretrained)` comes with it. With the
//!   facade the pretrained network is a constant parameter of the loss:
//!
//! ```ignore
//! #[differentiate(wrt(net))]
//! fn finetune_loss(net: &Mlp, pretrained: &Mlp, lambda: f32, x: &SVector<f32, 64>, label: usize) -> f32 {
//!     let ce = loss(net, x, label); // a #[differentiate] function calling another
//!     ce + lambda * l2sp_penalty(net, pretrained)
//! }
//!
//! let pretrained = net.clone();
//! let mut opt = Adam::new(&net, AdamConfig::default()).freeze(&["l1"])?;
//! let grad = |n: &Mlp, x: &SVector<f32, 64>, y: usize| finetune_loss_grad(n, &pretrained, 1e-3, x, y);
//! fit(&mut net, &mut opt, &new_task.train, grad, logits, FitConfig::default())?;
//! ```
//!
//! The penalty is part of each sample's loss, so it is computed once per sample: the mean
//! over a batch is `lambda * ||W - W_pretrained||^2` as intended, at the cost of one pass
//! over the parameters per sample (about as much as a forward pass of a dense network).
//!
//! The same with a hand-written gradient, runnable: a two-matrix linear classifier whose
//! first matrix is frozen and whose second is pulled towards its pretrained value.
//!
//! ```
//! use autodiff_runtime::data::Dataset;
//! use autodiff_runtime::optim::{Adam, AdamConfig};
//! use autodiff_runtime::train::{fit, FitConfig, Verbosity};
//! use nalgebra::{SMatrix, SVector};
//!
//! type M = SMatrix<f64, 2, 2>;
//! type Net = [M; 2]; // tensors named "0" and "1"
//! let logits = |net: &Net, x: &SVector<f64, 2>| net[1] * (net[0] * x);
//!
//! let pretrained: Net = [M::new(1.0, 0.2, -0.1, 1.0), M::new(0.5, 0.0, 0.0, 0.5)];
//! let lambda = 1e-2;
//! // loss = cross-entropy(logits) + lambda * ||W1 - W1_pretrained||^2
//! let grad = |net: &Net, x: &SVector<f64, 2>, label: usize| {
//!     let h = net[0] * x;
//!     let z = net[1] * h;
//!     let p = z.map(|v| (v - z.max()).exp());
//!     let p = p / p.sum();
//!     let mut dz = p;
//!     dz[label] -= 1.0;
//!     let diff = net[1] - pretrained[1];
//!     let loss = -p[label].ln() + lambda * diff.norm_squared();
//!     let d1 = dz * h.transpose() + 2.0 * lambda * diff;
//!     let d0 = (net[1].transpose() * dz) * x.transpose();
//!     (loss, [d0, d1])
//! };
//! // The related task: class 1 when x0 > x1.
//! let task: Dataset<SVector<f64, 2>> = (0..50)
//!     .map(|i| {
//!         let x = SVector::<f64, 2>::new((i % 10) as f64 / 5.0 - 1.0, (i / 5) as f64 / 5.0 - 1.0);
//!         (x, usize::from(x[0] > x[1]))
//!     })
//!     .filter(|(x, _)| (x[0] - x[1]).abs() > 0.1)
//!     .collect();
//!
//! let mut net = pretrained;
//! let mut opt = Adam::new(&net, AdamConfig { lr: 0.05, ..Default::default() })
//!     .freeze(&["0"])?;
//! let history = fit(&mut net, &mut opt, &task, grad, logits, FitConfig {
//!     epochs: 40,
//!     batch_size: 8,
//!     verbosity: Verbosity::Silent,
//!     ..Default::default()
//! })?;
//! assert_eq!(net[0], pretrained[0]); // frozen
//! assert!(history.last().unwrap().accuracy > 0.95);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod callback;
mod config;
mod early_stopping;
mod error;
mod evaluate;
mod fit;
mod history;
#[cfg(feature = "plot")]
mod plot;
mod progress;
mod step;
#[cfg(test)]
mod tests;

pub use callback::{Callback, Control};
pub use config::{EarlyStopping, FitConfig, Monitor, Verbosity};
pub use error::{NonFinite, NonFiniteKind, TrainError};
pub use evaluate::{confusion_matrix, evaluate, predict};
pub use fit::fit;
pub use history::{CSV_HEADER, EpochRecord, History, HistoryCsvError, StopReason};
#[cfg(feature = "plot")]
pub use plot::{PlotError, plot_history};
pub use step::{StepStats, Stepper};
