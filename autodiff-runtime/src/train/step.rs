//! [`Stepper`]: one mini-batch step (mean gradient, optimizer update, NaN guard) with
//! buffers allocated once.

use super::{NonFinite, NonFiniteKind};
use crate::data::Batch;
use crate::metrics::argmax;
use crate::optim::Optimizer;
use crate::{Params, Real};
use nalgebra::SVector;

/// The work buffers of a training step, allocated once and reused for every step.
///
/// [`fit`](super::fit) uses one; it is public for hand-written training loops. A step:
///
/// 1. zeroes the gradient buffer;
/// 2. for every sample of the batch calls `grad(params, x, label)`, checks the loss is
///    finite, adds the sample's gradient to the buffer, and counts whether
///    `argmax(predict(params, x)) == label`;
/// 3. divides the buffer by the batch size: the gradient of the **mean** loss, so the
///    learning rate does not depend on the batch size (PyTorch's and Keras' `mean`
///    reduction);
/// 4. checks the mean gradient is finite, saves the parameters, lets the optimizer update
///    them, and checks they are still finite, restoring the saved ones if not.
///
/// Nothing is allocated per step: the buffers are parameter-shaped values made at
/// construction, and they are filled and copied tensor by tensor with [`Params::zip_mut`].
/// (The per-sample gradient is the value `grad` returns; for nalgebra fixed-size
/// parameters it lives on the stack.)
///
/// ```
/// use autodiff_runtime::data::Dataset;
/// use autodiff_runtime::optim::{Sgd, SgdConfig};
/// use autodiff_runtime::train::Stepper;
/// use nalgebra::SVector;
///
/// // Fit y = w x by least squares; "class" scores are just [w x] so accuracy is trivial.
/// let data = Dataset::new(vec![1.0, 2.0, 3.0], vec![0, 0, 0]);
/// let grad = |w: &f64, x: &f64, _label: usize| {
///     let r = w * x - 2.0 * x;
///     (0.5 * r * r, r * x)
/// };
/// let predict = |w: &f64, x: &f64| SVector::<f64, 1>::new(w * x);
/// let mut w = 0.0;
/// let mut opt = Sgd::new(&w, SgdConfig { lr: 0.1, ..Default::default() });
/// let mut stepper = Stepper::new(&w);
/// let batches = data.batches(3, None);
/// for _ in 0..100 {
///     for batch in &batches {
///         stepper.step(&mut w, &mut opt, batch, &grad, &predict)?;
///     }
/// }
/// assert!((w - 2.0).abs() < 1e-6);
/// # Ok::<(), autodiff_runtime::train::NonFinite>(())
/// ```
#[derive(Debug, Clone)]
pub struct Stepper<P> {
    grad: P,
    backup: P,
}

/// What a step measured on its batch, before the update.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StepStats {
    /// The sum of the samples' losses (in `f64`).
    pub loss_sum: f64,
    /// How many samples the parameters classified correctly.
    pub correct: usize,
    /// The number of samples.
    pub samples: usize,
}

impl StepStats {
    /// The mean loss of the batch.
    pub fn loss(&self) -> f64 {
        self.loss_sum / self.samples as f64
    }

    /// The fraction of correctly classified samples.
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.samples as f64
    }
}

impl<P: Params> Stepper<P> {
    /// Buffers shaped like `params`.
    pub fn new(params: &P) -> Self {
        Stepper {
            grad: params.zeros_like(),
            backup: params.zeros_like(),
        }
    }

    /// The mean gradient of the last step (zero before the first; after a failed step,
    /// whatever was accumulated).
    pub fn gradient(&self) -> &P {
        &self.grad
    }

    /// Runs one training step on `batch`; see the type's docs.
    ///
    /// # Errors
    ///
    /// [`NonFinite`] if a loss, the mean gradient or the updated parameters are NaN or
    /// infinite. `params` are then exactly as before the call. The optimizer's state has
    /// advanced only in the [`NonFiniteKind::Parameters`] case.
    pub fn step<X, O, G, F, const C: usize>(
        &mut self,
        params: &mut P,
        optimizer: &mut O,
        batch: Batch<'_, X>,
        grad: &G,
        predict: &F,
    ) -> Result<StepStats, NonFinite>
    where
        O: Optimizer<P> + ?Sized,
        G: Fn(&P, &X, usize) -> (P::Scalar, P),
        F: Fn(&P, &X) -> SVector<P::Scalar, C>,
    {
        let mut stats = StepStats::default();
        if batch.is_empty() {
            return Ok(stats);
        }
        fill_zero(&mut self.grad, params);
        for (k, (x, label)) in batch.iter().enumerate() {
            let (loss, g) = grad(params, x, label);
            let loss = loss.as_f64();
            if !loss.is_finite() {
                return Err(NonFinite {
                    kind: NonFiniteKind::Loss,
                    sample: Some(batch.indices()[k]),
                });
            }
            stats.loss_sum += loss;
            self.grad.add_assign(&g);
            stats.correct += usize::from(argmax(&predict(params, x)) == label);
        }
        stats.samples = batch.len();
        self.grad
            .scale(<P::Scalar as Real>::of_f64(1.0 / stats.samples as f64));
        if !all_finite(&mut self.grad, params) {
            return Err(NonFinite {
                kind: NonFiniteKind::Gradient,
                sample: first_bad_gradient(params, batch, grad),
            });
        }
        copy_into(&mut self.backup, params);
        optimizer.step(params, &self.grad);
        if !all_finite(params, &self.backup) {
            copy_into(params, &self.backup);
            return Err(NonFinite {
                kind: NonFiniteKind::Parameters,
                sample: None,
            });
        }
        Ok(stats)
    }
}

/// On the error path only: the data set index of the first sample of `batch` whose own
/// gradient is not finite (`None` if each is finite and only their sum overflowed).
fn first_bad_gradient<P: Params, X>(
    params: &P,
    batch: Batch<'_, X>,
    grad: &impl Fn(&P, &X, usize) -> (P::Scalar, P),
) -> Option<usize> {
    batch.iter().enumerate().find_map(|(k, (x, label))| {
        let (_, mut g) = grad(params, x, label);
        (!all_finite(&mut g, params)).then(|| batch.indices()[k])
    })
}

/// `dst = 0`, tensor by tensor (`like` only provides the layout `zip_mut` walks).
pub(crate) fn fill_zero<P: Params>(dst: &mut P, like: &P) {
    let zero = <P::Scalar as Real>::of_f64(0.0);
    dst.zip_mut(like, &mut |d, _| d.fill(zero));
}

/// `dst = src`, tensor by tensor, without allocating (unlike `Clone` of a boxed value).
pub(crate) fn copy_into<P: Params>(dst: &mut P, src: &P) {
    dst.zip_mut(src, &mut |d, s| d.copy_from_slice(s));
}

/// Whether every entry of `values` is finite. Takes `values` mutably only because
/// [`Params::zip_mut`] is the allocation-free walk (`like` provides the layout); nothing is
/// changed.
pub(crate) fn all_finite<P: Params>(values: &mut P, like: &P) -> bool {
    let mut ok = true;
    values.zip_mut(like, &mut |v, _| {
        ok &= v.iter().all(|x| x.as_f64().is_finite());
    });
    ok
}
