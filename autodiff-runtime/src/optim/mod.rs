//! Optimizers, learning-rate schedules, gradient clipping and frozen parameters.
//!
//! Everything follows PyTorch's `torch.optim` update rules exactly (checked against the
//! published formulas in this module's tests), with dfdx-style construction: a config with
//! PyTorch's defaults builds the optimizer from the parameters it will update.
//!
//! | here | PyTorch | state per entry |
//! | --- | --- | --- |
//! | [`Sgd`] / [`SgdConfig`] | `torch.optim.SGD` (momentum, dampening, Nesterov, weight decay) | 0–1 |
//! | [`Adam`] / [`AdamConfig`] | `torch.optim.Adam` (L2 weight decay, AMSGrad) | 2–3 |
//! | [`AdamW`] / [`AdamWConfig`] | `torch.optim.AdamW` (decoupled weight decay) | 2–3 |
//! | [`RMSprop`] / [`RMSpropConfig`] | `torch.optim.RMSprop` (momentum, centered) | 1–3 |
//! | [`StepLR`], [`ExponentialLR`], [`CosineAnnealingLR`] | `torch.optim.lr_scheduler.*` (closed forms) | – |
//! | [`clip_grad_norm`], [`clip_grad_value`] | `torch.nn.utils.clip_grad_norm_`, `clip_grad_value_` | – |
//! | `.freeze(&["l1"])` | `requires_grad_(False)` on `l1`'s parameters | – |
//!
//! The optimizer state lives in flat buffers allocated once by `new`; [`Optimizer::step`]
//! walks parameters and gradients with [`Params::zip_mut`] and never allocates.
//! Hyperparameters are `f64`; the arithmetic runs in the parameters' scalar type.
//!
//! # A training loop
//!
//! ```
//! use autodiff_runtime::optim::{
//!     clip_grad_norm, AdamW, AdamWConfig, CosineAnnealingLR, Optimizer, Schedule,
//! };
//! use nalgebra::SMatrix;
//!
//! // Parameters: any `Params` value; here two tensors in an array (names "0" and "1").
//! let mut params = [SMatrix::<f64, 2, 2>::identity(), SMatrix::<f64, 2, 2>::repeat(0.5)];
//! let target = SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0);
//!
//! let mut opt = AdamW::new(&params, AdamWConfig { lr: 0.1, ..Default::default() })
//!     .freeze(&["0"]) // keep the first tensor as it is
//!     .unwrap();
//! let schedule = CosineAnnealingLR::new(0.1, 100, 0.0);
//!
//! for epoch in 0..100 {
//!     opt.set_learning_rate(schedule.lr(epoch));
//!     // Gradient of 0.5 * ||p - target||^2 for each tensor.
//!     let mut grads = [params[0] - target, params[1] - target];
//!     let norm = clip_grad_norm(&mut grads, 1.0);
//!     assert!(norm.is_finite());
//!     opt.step(&mut params, &grads);
//! }
//! assert_eq!(params[0], SMatrix::<f64, 2, 2>::identity()); // frozen
//! assert!((params[1] - target).norm() < 0.5);
//! ```

mod adam;
mod clip;
mod freeze;
mod rmsprop;
mod schedule;
mod sgd;
#[cfg(test)]
pub(crate) mod testing;

pub use adam::{Adam, AdamConfig, AdamW, AdamWConfig};
pub use clip::{clip_grad_norm, clip_grad_value};
pub use freeze::FreezeError;
pub use rmsprop::{RMSprop, RMSpropConfig};
pub use schedule::{CosineAnnealingLR, ExponentialLR, Schedule, StepLR};
pub use sgd::{Sgd, SgdConfig};

use crate::Params;

/// A first-order optimizer updating parameters of type `P` in place from gradients of the
/// same type (PyTorch `torch.optim.Optimizer`).
///
/// Object safe: a `Box<dyn Optimizer<P>>` can hold any of them. Unlike PyTorch there is no
/// `zero_grad`: gradients are values the caller owns, returned by the `_grad` functions.
pub trait Optimizer<P: Params> {
    /// Applies one update: `params` moves using `grads` and the optimizer's state
    /// (PyTorch `optimizer.step()`). Frozen tensors are left alone. Allocation-free.
    ///
    /// # Panics
    /// If `params` does not have the layout of the parameters the optimizer was built for.
    fn step(&mut self, params: &mut P, grads: &P);

    /// The current learning rate (PyTorch `param_groups[0]["lr"]`).
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate used by the following steps; this is how a [`Schedule`] is
    /// applied: `opt.set_learning_rate(schedule.lr(epoch))`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN.
    fn set_learning_rate(&mut self, lr: f64);
}

impl<P: Params, O: Optimizer<P> + ?Sized> Optimizer<P> for Box<O> {
    fn step(&mut self, params: &mut P, grads: &P) {
        (**self).step(params, grads)
    }
    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }
    fn set_learning_rate(&mut self, lr: f64) {
        (**self).set_learning_rate(lr)
    }
}

/// Panics with PyTorch's message unless `ok` (hyperparameter validation in `new`).
#[track_caller]
fn check(ok: bool, what: &str, value: f64) {
    assert!(ok, "invalid {what}: {value}");
}

/// Panics unless `lr >= 0` (also rejects NaN).
#[track_caller]
fn check_lr(lr: f64) {
    check(lr >= 0.0, "learning rate", lr);
}
