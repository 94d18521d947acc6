//! [`Callback`]: code that runs after every epoch of [`fit`](super::fit) and may stop it.

use super::EpochRecord;

/// Whether training goes on after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Carry on with the next epoch.
    #[default]
    Continue,
    /// Stop after this epoch ([`StopReason::Callback`](super::StopReason::Callback)).
    Stop,
}

/// Runs after every epoch with its record and the current parameters (Keras
/// `Callback.on_epoch_end`; set `self.model.stop_training` by returning [`Control::Stop`]).
///
/// Closures `FnMut(&EpochRecord, &P) -> Control` are callbacks, so a checkpoint per epoch
/// or a custom stopping rule is a few lines:
///
/// ```
/// use autodiff_runtime::train::{Callback, Control, EpochRecord};
///
/// let mut best_so_far = f64::INFINITY;
/// let mut stop_when_good = |record: &EpochRecord, _params: &[f64; 2]| {
///     best_so_far = best_so_far.min(record.loss);
///     if record.accuracy >= 0.99 { Control::Stop } else { Control::Continue }
/// };
/// # let record = EpochRecord { epoch: 0, loss: 0.1, accuracy: 1.0, val_loss: None,
/// #     val_accuracy: None, lr: 0.1, seconds: 0.0 };
/// assert_eq!(stop_when_good.on_epoch_end(&record, &[0.0; 2]), Control::Stop);
/// ```
///
/// Pass them in [`FitConfig::callbacks`](super::FitConfig::callbacks) as `&mut` references,
/// so their state is still yours after training.
pub trait Callback<P> {
    /// Called once the epoch's record (validation metrics included) is complete, before
    /// early stopping is considered. `params` are the parameters at the end of the epoch.
    fn on_epoch_end(&mut self, record: &EpochRecord, params: &P) -> Control;
}

impl<P, F: FnMut(&EpochRecord, &P) -> Control> Callback<P> for F {
    fn on_epoch_end(&mut self, record: &EpochRecord, params: &P) -> Control {
        self(record, params)
    }
}
