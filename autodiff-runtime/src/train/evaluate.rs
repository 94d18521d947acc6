//! Inference over a data set: [`evaluate`], [`predict`], [`confusion_matrix`].

use crate::data::Dataset;
use crate::metrics::{ConfusionMatrix, argmax};
use crate::{Params, Real};
use nalgebra::SVector;

/// The mean loss and the accuracy of `params` on `data` (Keras `model.evaluate`).
///
/// `loss(params, x, label)` is any loss function: the function `#[differentiate]` was put
/// on, or the value half of its `_grad` (`|p, x, y| loss_grad(p, x, y).0`, which also runs
/// the backward pass). `predict(params, x)` returns class scores (logits or probabilities);
/// the predicted class is their [`argmax`]. The loss is averaged in `f64`. An empty data
/// set gives `(0.0, 0.0)`.
///
/// ```
/// use autodiff_runtime::data::Dataset;
/// use autodiff_runtime::train::evaluate;
/// use nalgebra::SVector;
///
/// // Scores [x, -x]: class 0 when x > 0.
/// let data = Dataset::new(vec![1.0, -2.0, 3.0, 0.5], vec![0, 1, 1, 0]);
/// let predict = |w: &f64, x: &f64| SVector::<f64, 2>::new(w * x, -w * x);
/// let loss = |w: &f64, x: &f64, y: usize| if y == 0 { -w * x } else { w * x };
/// let (mean_loss, accuracy) = evaluate(&1.0, &data, loss, predict);
/// assert_eq!(accuracy, 0.75);
/// assert_eq!(mean_loss, (-1.0 - 2.0 + 3.0 - 0.5) / 4.0);
/// ```
pub fn evaluate<P, X, L, F, const C: usize>(
    params: &P,
    data: &Dataset<X>,
    loss: L,
    predict: F,
) -> (f64, f64)
where
    P: Params,
    L: Fn(&P, &X, usize) -> P::Scalar,
    F: Fn(&P, &X) -> SVector<P::Scalar, C>,
{
    if data.is_empty() {
        return (0.0, 0.0);
    }
    let (mut loss_sum, mut correct) = (0.0, 0usize);
    for (x, label) in data {
        loss_sum += loss(params, x, label).as_f64();
        correct += usize::from(argmax(&predict(params, x)) == label);
    }
    let n = data.len() as f64;
    (loss_sum / n, correct as f64 / n)
}

/// The predicted class of every sample: the [`argmax`] of `predict(params, x)` (Keras
/// `np.argmax(model.predict(x), axis=1)`).
///
/// ```
/// use autodiff_runtime::train::predict;
/// use nalgebra::SVector;
///
/// let scores = |w: &f64, x: &f64| SVector::<f64, 2>::new(w * x, -w * x);
/// assert_eq!(predict(&1.0, &[1.0, -2.0, 3.0], scores), [0, 1, 0]);
/// ```
pub fn predict<P, X, F, const C: usize>(params: &P, samples: &[X], predict: F) -> Vec<usize>
where
    P: Params,
    F: Fn(&P, &X) -> SVector<P::Scalar, C>,
{
    samples
        .iter()
        .map(|x| argmax(&predict(params, x)))
        .collect()
}

/// The confusion matrix of `params` on `data`, with one class per score of `predict`
/// (rows: true classes, columns: predicted). Print it, or its
/// [`report`](ConfusionMatrix::report) for per-class precision, recall and F1.
///
/// # Panics
///
/// If a label of `data` is `>= C`.
pub fn confusion_matrix<P, X, F, const C: usize>(
    params: &P,
    data: &Dataset<X>,
    predict: F,
) -> ConfusionMatrix<C>
where
    P: Params,
    F: Fn(&P, &X) -> SVector<P::Scalar, C>,
{
    let mut cm = ConfusionMatrix::new();
    for (x, label) in data {
        cm.add(label, argmax(&predict(params, x)));
    }
    cm
}
