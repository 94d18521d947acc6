//! [`FitConfig`]: everything [`fit`](super::fit) can be told, with Keras-like defaults.

use super::Callback;
use crate::data::Dataset;
use crate::optim::Schedule;
use std::fmt;

/// Settings of [`fit`](super::fit) (Keras `model.fit(...)` arguments).
///
/// Build it with struct update syntax over the defaults:
///
/// ```
/// use autodiff_runtime::train::{EarlyStopping, FitConfig, Verbosity};
/// # use autodiff_runtime::data::Dataset;
/// # use nalgebra::SMatrix;
/// # let validation: Dataset<f64> = Dataset::default();
/// let config: FitConfig<'_, SMatrix<f64, 2, 2>, f64> = FitConfig {
///     epochs: 50,
///     validation: Some(&validation),
///     early_stopping: Some(EarlyStopping { patience: 3, ..Default::default() }),
///     verbosity: Verbosity::Silent,
///     ..Default::default()
/// };
/// assert_eq!((config.batch_size, config.shuffle, config.seed), (32, true, 0));
/// ```
///
/// `P` is the parameter type (for the callbacks) and `X` the sample type (for the
/// validation set); both are inferred from the call to `fit`.
pub struct FitConfig<'a, P, X> {
    /// Number of passes over the training set (default `10`; Keras defaults to 1).
    pub epochs: usize,
    /// Samples per mini-batch; the last batch of an epoch may be smaller (default `32`, as
    /// in Keras). The gradient of a batch is the mean of its samples' gradients.
    pub batch_size: usize,
    /// Visit the training samples in a new random order every epoch (default `true`).
    pub shuffle: bool,
    /// Seed of the shuffling (default `0`). The order of epoch `e` depends only on `seed` and
    /// `e`, so the same seed, data, initial parameters and optimizer give bit-identical
    /// histories.
    pub seed: u64,
    /// Data evaluated after every epoch for `val_loss` and `val_accuracy` (default `None`).
    /// Never trained on.
    pub validation: Option<&'a Dataset<X>>,
    /// Stop when the monitored quantity stops improving (default `None`: run all epochs).
    pub early_stopping: Option<EarlyStopping>,
    /// Learning rate per epoch, applied with `set_learning_rate` before each epoch
    /// (default `None`: the optimizer's own learning rate throughout).
    pub schedule: Option<&'a dyn Schedule>,
    /// Called after every epoch with its record and the parameters; any of them can stop
    /// training (default: none).
    pub callbacks: Vec<&'a mut dyn Callback<P>>,
    /// What to print (default [`Verbosity::Auto`]).
    pub verbosity: Verbosity,
}

impl<P, X> Default for FitConfig<'_, P, X> {
    /// `epochs = 10, batch_size = 32, shuffle = true, seed = 0`, no validation data, no early
    /// stopping, no schedule, no callbacks, `verbosity = Auto`.
    fn default() -> Self {
        FitConfig {
            epochs: 10,
            batch_size: 32,
            shuffle: true,
            seed: 0,
            validation: None,
            early_stopping: None,
            schedule: None,
            callbacks: Vec::new(),
            verbosity: Verbosity::Auto,
        }
    }
}

impl<P, X> fmt::Debug for FitConfig<'_, P, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FitConfig")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("shuffle", &self.shuffle)
            .field("seed", &self.seed)
            .field("validation", &self.validation.map(Dataset::len))
            .field("early_stopping", &self.early_stopping)
            .field("schedule", &self.schedule.map(|_| ".."))
            .field("callbacks", &self.callbacks.len())
            .field("verbosity", &self.verbosity)
            .finish()
    }
}

/// What [`fit`](super::fit) prints while training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Nothing.
    Silent,
    /// A progress bar when standard output is a terminal, plain epoch lines otherwise (so
    /// logs and CI output stay readable). The default.
    #[default]
    Auto,
    /// A progress bar over the batches of each epoch, with the running loss and accuracy,
    /// then one line per epoch (Keras `verbose=1`).
    ProgressBar,
    /// One line per epoch (Keras `verbose=2`).
    EpochLines,
}

/// The quantity [`EarlyStopping`] watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Monitor {
    /// Validation loss, lower is better (the default; needs validation data).
    #[default]
    ValLoss,
    /// Validation accuracy, higher is better (needs validation data).
    ValAccuracy,
    /// Training loss (mean over the epoch), lower is better.
    Loss,
    /// Training accuracy (over the epoch), higher is better.
    Accuracy,
}

impl Monitor {
    /// The name used in history CSV headers and messages (`val_loss`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Monitor::ValLoss => "val_loss",
            Monitor::ValAccuracy => "val_accuracy",
            Monitor::Loss => "loss",
            Monitor::Accuracy => "accuracy",
        }
    }

    /// Whether a larger value is better.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Monitor::ValAccuracy | Monitor::Accuracy)
    }

    /// Whether it is computed on the validation set.
    pub fn needs_validation(self) -> bool {
        matches!(self, Monitor::ValLoss | Monitor::ValAccuracy)
    }
}

/// Stop training when a monitored quantity has not improved for `patience` epochs (Keras
/// `EarlyStopping`).
///
/// An epoch improves on the best so far when its value is better by more than
/// `min_delta`. After `patience` epochs in a row without improvement training stops. With
/// `restore_best_weights` the parameters are then set back to those at the end of the best
/// epoch, also when all epochs ran without triggering the stop (as Keras 3 does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// What to watch (default [`Monitor::ValLoss`]).
    pub monitor: Monitor,
    /// Epochs without improvement before stopping (default `5`; Keras defaults to 0).
    pub patience: usize,
    /// Minimum change that counts as an improvement (default `0.0`).
    pub min_delta: f64,
    /// Restore the parameters of the best epoch at the end (default `true`; Keras defaults
    /// to `false`). Costs one extra copy of the parameters.
    pub restore_best_weights: bool,
}

impl Default for EarlyStopping {
    /// `monitor = ValLoss, patience = 5, min_delta = 0, restore_best_weights = true`.
    fn default() -> Self {
        EarlyStopping {
            monitor: Monitor::ValLoss,
            patience: 5,
            min_delta: 0.0,
            restore_best_weights: true,
        }
    }
}
