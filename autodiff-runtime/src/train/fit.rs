//! [`fit`]: the epoch loop.

use super::early_stopping::{Tracker, Verdict};
use super::progress::Progress;
use super::{Control, EpochRecord, FitConfig, History, Stepper, StopReason, TrainError, evaluate};
use crate::Params;
use crate::data::Dataset;
use crate::optim::Optimizer;
use nalgebra::SVector;
use std::time::Instant;

/// Trains `params` with `optimizer` on `train` for `config.epochs` epochs of mini-batches
/// (Keras `model.fit`), and returns the per-epoch [`History`].
///
/// - `grad(params, x, label) -> (loss, gradient)` is the loss of one sample and its
///   gradient with respect to the parameters, typically the `loss_grad` that
///   `#[differentiate]` writes. A batch's gradient is the mean of its samples' gradients.
/// - `predict(params, x) -> scores` returns the class scores (logits or probabilities) of a
///   sample; the predicted class is their argmax. It gives the accuracies.
///
/// Each epoch: apply the [`schedule`](FitConfig::schedule) if any, shuffle (seeded), run a
/// [`Stepper`] step per batch, evaluate on the validation set (its loss is the value half of
/// `grad`, so it includes any penalty the training loss has, as in Keras), print, run the
/// callbacks, then consider early stopping.
///
/// Costs: per sample one `grad` call and one `predict` call (for the running training
/// accuracy); per validation sample one `grad` call and one `predict` call. Memory: two
/// parameter-shaped buffers (three with `restore_best_weights`), allocated once; no
/// allocation per step (only a progress bar, when shown, formats its message).
///
/// # Errors
///
/// - [`TrainError::NonFinite`] when a loss, gradient or updated parameter is NaN or
///   infinite: it names the epoch, the batch and (when one is to blame) the sample, carries
///   the history of the completed epochs, and `params` are the last good parameters, from
///   before that batch.
/// - [`TrainError::EmptyDataset`], [`TrainError::InvalidConfig`] before training starts
///   (zero batch size, early stopping on a validation metric without validation data, a
///   schedule giving a negative or NaN learning rate), with `params` unchanged.
///
/// # Example
///
/// Softmax regression with a hand-written gradient (with `#[differentiate]` the closure is
/// just `loss_grad`):
///
/// ```
/// use autodiff_runtime::data::Dataset;
/// use autodiff_runtime::optim::{Adam, AdamConfig};
/// use autodiff_runtime::train::{fit, FitConfig, Verbosity};
/// use nalgebra::{SMatrix, SVector};
///
/// // Two classes: the sign of the first coordinate.
/// let data: Dataset<SVector<f64, 2>> = (0..40)
///     .map(|i| {
///         let x = SVector::<f64, 2>::new((i as f64 - 19.5) / 10.0, (i % 7) as f64 / 7.0);
///         (x, usize::from(x[0] > 0.0))
///     })
///     .collect();
/// // Parameters: a 2x2 weight matrix (no bias, to keep the example short).
/// let logits = |w: &SMatrix<f64, 2, 2>, x: &SVector<f64, 2>| w * x;
/// let grad = |w: &SMatrix<f64, 2, 2>, x: &SVector<f64, 2>, label: usize| {
///     let z = w * x;
///     let p = z.map(|v| (v - z.max()).exp());
///     let p = p / p.sum();
///     let mut d = p;
///     d[label] -= 1.0; // d loss / d logits = softmax - onehot
///     (-p[label].ln(), d * x.transpose())
/// };
/// let mut w = SMatrix::<f64, 2, 2>::new(0.1, -0.2, 0.05, 0.3);
/// let mut opt = Adam::new(&w, AdamConfig { lr: 0.1, ..Default::default() });
/// let history = fit(&mut w, &mut opt, &data, grad, logits, FitConfig {
///     epochs: 30,
///     batch_size: 8,
///     verbosity: Verbosity::Silent,
///     ..Default::default()
/// })?;
/// assert_eq!(history.len(), 30);
/// assert_eq!(history.last().unwrap().accuracy, 1.0);
/// # Ok::<(), autodiff_runtime::train::TrainError>(())
/// ```
pub fn fit<P, O, X, G, F, const C: usize>(
    params: &mut P,
    optimizer: &mut O,
    train: &Dataset<X>,
    grad: G,
    predict: F,
    mut config: FitConfig<'_, P, X>,
) -> Result<History, TrainError>
where
    P: Params,
    O: Optimizer<P> + ?Sized,
    G: Fn(&P, &X, usize) -> (P::Scalar, P),
    F: Fn(&P, &X) -> SVector<P::Scalar, C>,
{
    check_config(train, &config)?;
    let epochs = config.epochs;
    let mut history = History {
        epochs: Vec::with_capacity(epochs),
        ..History::default()
    };
    let mut stepper = Stepper::new(params);
    let mut tracker = config.early_stopping.map(|es| Tracker::new(es, params));
    let mut batches = train.batches(config.batch_size, None);
    let mut progress = Progress::new(config.verbosity, epochs, batches.len());
    let val_loss = |p: &P, x: &X, label: usize| grad(p, x, label).0;

    for epoch in 0..epochs {
        if let Some(schedule) = config.schedule {
            optimizer.set_learning_rate(schedule.lr(epoch));
        }
        let lr = optimizer.learning_rate();
        batches.reshuffle(config.shuffle.then(|| epoch_seed(config.seed, epoch)));
        let start = Instant::now();
        progress.start_epoch(epoch);
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0usize, 0usize);
        for (b, batch) in batches.iter().enumerate() {
            match stepper.step(params, optimizer, batch, &grad, &predict) {
                Ok(stats) => {
                    loss_sum += stats.loss_sum;
                    correct += stats.correct;
                    seen += stats.samples;
                    progress.batch_done(loss_sum / seen as f64, correct as f64 / seen as f64);
                }
                Err(cause) => {
                    progress.abandon();
                    history.best_epoch = tracker.as_ref().and_then(Tracker::best_epoch);
                    return Err(TrainError::NonFinite {
                        epoch,
                        batch: b,
                        epochs,
                        batches: batches.len(),
                        cause,
                        history: Box::new(history),
                    });
                }
            }
        }
        let val = config
            .validation
            .map(|v| evaluate(params, v, val_loss, &predict));
        let record = EpochRecord {
            epoch,
            loss: loss_sum / seen as f64,
            accuracy: correct as f64 / seen as f64,
            val_loss: val.map(|v| v.0),
            val_accuracy: val.map(|v| v.1),
            lr,
            seconds: start.elapsed().as_secs_f64(),
        };
        history.epochs.push(record);
        progress.end_epoch(&record);

        let mut stop = None;
        for callback in config.callbacks.iter_mut() {
            if callback.on_epoch_end(&record, params) == Control::Stop {
                stop = Some(StopReason::Callback);
            }
        }
        if let Some(tracker) = &mut tracker
            && tracker.update(&record, params) == Verdict::Stop
            && stop.is_none()
        {
            stop = Some(StopReason::EarlyStopping);
            let es = config.early_stopping.unwrap_or_default();
            progress.note(format_args!(
                "early stopping: {} has not improved for {} epochs",
                es.monitor.name(),
                es.patience
            ));
        }
        if let Some(reason) = stop {
            history.stop_reason = reason;
            break;
        }
    }

    if let Some(tracker) = &tracker {
        history.best_epoch = tracker.best_epoch();
        if let Some(last) = history.last().map(|r| r.epoch) {
            history.restored_epoch = tracker.restore(params, last);
        }
        if let Some(epoch) = history.restored_epoch {
            progress.note(format_args!(
                "restored the parameters of the best epoch, {}",
                epoch + 1
            ));
        }
    }
    Ok(history)
}

/// The shuffling seed of `epoch`: distinct for every (seed, epoch) pair that matters, and
/// not simply `seed + epoch` so runs with neighbouring seeds do not share epoch orders.
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn check_config<P, X>(train: &Dataset<X>, config: &FitConfig<'_, P, X>) -> Result<(), TrainError> {
    let invalid = |m: String| Err(TrainError::InvalidConfig(m));
    if train.is_empty() {
        return Err(TrainError::EmptyDataset { which: "training" });
    }
    if config.validation.is_some_and(Dataset::is_empty) {
        return Err(TrainError::EmptyDataset {
            which: "validation",
        });
    }
    if config.batch_size == 0 {
        return invalid("batch_size is 0; use at least 1 (32 is the default)".into());
    }
    if let Some(es) = &config.early_stopping {
        if es.monitor.needs_validation() && config.validation.is_none() {
            return invalid(format!(
                "early stopping monitors `{}` but there is no validation data; set \
                 `validation: Some(&data)` or monitor `Monitor::Loss`",
                es.monitor.name()
            ));
        }
        if es.min_delta.is_nan() || es.min_delta < 0.0 {
            return invalid(format!(
                "early stopping min_delta is {}; use a value >= 0",
                es.min_delta
            ));
        }
    }
    if let Some(schedule) = config.schedule
        && let Some(epoch) = (0..config.epochs).find(|&e| {
            let lr = schedule.lr(e);
            lr.is_nan() || lr < 0.0
        })
    {
        return invalid(format!(
            "the schedule gives learning rate {} for epoch {epoch}; learning rates must be >= 0",
            schedule.lr(epoch)
        ));
    }
    Ok(())
}
