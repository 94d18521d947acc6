//! [`TrainError`]: why [`fit`](super::fit) stopped without finishing.

use super::History;
use std::fmt;

/// Which quantity of a training step was NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NonFiniteKind {
    /// The loss of one sample.
    Loss,
    /// The mean gradient of the batch (a sample's gradient, or their sum overflowing).
    Gradient,
    /// The parameters after the optimizer's update (for example an overflow with a huge
    /// learning rate); the update was undone.
    Parameters,
}

impl fmt::Display for NonFiniteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonFiniteKind::Loss => "loss",
            NonFiniteKind::Gradient => "gradient",
            NonFiniteKind::Parameters => "parameters after the optimizer step",
        })
    }
}

/// A training step that produced a NaN or an infinity, as [`Stepper::step`](super::Stepper::step)
/// reports it. The parameters are those from before the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonFinite {
    /// What was not finite.
    pub kind: NonFiniteKind,
    /// The index in the data set of the first sample whose loss or gradient is not finite,
    /// when one sample is to blame (`None` when only the sum of finite gradients
    /// overflowed, or the optimizer's update did).
    pub sample: Option<usize>,
}

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} is NaN or infinite", self.kind)?;
        if let Some(sample) = self.sample {
            write!(f, " (training sample {sample})")?;
        }
        Ok(())
    }
}

impl std::error::Error for NonFinite {}

/// Why [`fit`](super::fit) returned early.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TrainError {
    /// A loss, gradient or updated parameter was NaN or infinite. Training stopped at that
    /// batch and the parameters are the last good ones: those from before the batch, never
    /// containing a NaN. Displays as
    /// ``the loss is NaN or infinite (training sample 17) in epoch 3/50, batch 5/45; ...``.
    NonFinite {
        /// The epoch, counted from 0 (displayed from 1).
        epoch: usize,
        /// The batch within the epoch, counted from 0 (displayed from 1).
        batch: usize,
        /// The number of epochs asked for.
        epochs: usize,
        /// The number of batches per epoch.
        batches: usize,
        /// What was not finite, and which sample.
        cause: NonFinite,
        /// The epochs completed before the failure.
        history: Box<History>,
    },
    /// The training or validation set has no samples.
    EmptyDataset {
        /// `"training"` or `"validation"`.
        which: &'static str,
    },
    /// A [`FitConfig`](super::FitConfig) setting is out of range; the message names it.
    InvalidConfig(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFinite {
                epoch,
                batch,
                epochs,
                batches,
                cause,
                ..
            } => write!(
                f,
                "{cause} in epoch {}/{epochs}, batch {}/{batches}; the parameters are kept as \
                 they were before this batch. Try a lower learning rate, gradient clipping, or \
                 check that sample for extreme values",
                epoch + 1,
                batch + 1,
            ),
            TrainError::EmptyDataset { which } => {
                write!(f, "the {which} set has no samples")
            }
            TrainError::InvalidConfig(message) => write!(f, "invalid training config: {message}"),
        }
    }
}

impl std::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrainError::NonFinite { cause, .. } => Some(cause),
            _ => None,
        }
    }
}
