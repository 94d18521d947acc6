//! The state [`EarlyStopping`] keeps during a run: best value, best epoch, patience used,
//! and the best parameters.

use super::step::copy_into;
use super::{EarlyStopping, EpochRecord};
use crate::Params;

/// What the tracker decided after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Improved,
    Waiting,
    Stop,
}

pub(crate) struct Tracker<P> {
    cfg: EarlyStopping,
    best_value: Option<f64>,
    best_epoch: Option<usize>,
    wait: usize,
    /// The parameters at the end of the best epoch (allocated once, when restoring).
    best_params: Option<P>,
}

impl<P: Params> Tracker<P> {
    pub(crate) fn new(cfg: EarlyStopping, params: &P) -> Self {
        Tracker {
            cfg,
            best_value: None,
            best_epoch: None,
            wait: 0,
            best_params: cfg.restore_best_weights.then(|| params.zeros_like()),
        }
    }

    pub(crate) fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }

    /// Keras' rule: an improvement by more than `min_delta` resets the wait and remembers
    /// the parameters; otherwise the wait grows, and reaching `patience` stops. A NaN value
    /// never improves.
    pub(crate) fn update(&mut self, record: &EpochRecord, params: &P) -> Verdict {
        let value = record.get(self.cfg.monitor).unwrap_or(f64::NAN);
        let improved = !value.is_nan()
            && match self.best_value {
                None => true,
                Some(best) if self.cfg.monitor.higher_is_better() => {
                    value > best + self.cfg.min_delta
                }
                Some(best) => value < best - self.cfg.min_delta,
            };
        if improved {
            self.best_value = Some(value);
            self.best_epoch = Some(record.epoch);
            self.wait = 0;
            if let Some(best) = &mut self.best_params {
                copy_into(best, params);
            }
            return Verdict::Improved;
        }
        self.wait += 1;
        if self.wait >= self.cfg.patience {
            Verdict::Stop
        } else {
            Verdict::Waiting
        }
    }

    /// Copies the best epoch's parameters into `params` if restoring is on and the best
    /// epoch is not `last_epoch`; returns the restored epoch.
    pub(crate) fn restore(&self, params: &mut P, last_epoch: usize) -> Option<usize> {
        let best = self.best_params.as_ref()?;
        let epoch = self.best_epoch?;
        if epoch == last_epoch {
            return None;
        }
        copy_into(params, best);
        Some(epoch)
    }
}
