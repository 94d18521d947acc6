//! Classification metrics: accuracy, confusion matrix, precision, recall, F1, and a
//! classification report laid out like scikit-learn's.
//!
//! Accuracy alone hides which classes a model confuses and how it does on rare classes; the
//! per-class numbers and the macro average (every class counts the same) show that. The
//! definitions and the report layout follow scikit-learn, so numbers can be compared with a
//! Python baseline directly:
//!
//! - rows of the confusion matrix are true classes, columns predicted classes;
//! - precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R);
//! - a ratio whose denominator is zero counts as 0 (scikit-learn's default
//!   `zero_division="warn"` gives 0 too, with a warning; there is no warning here);
//! - averages and report rows cover the classes that occur in the true labels or the
//!   predictions (scikit-learn's `labels=None`); a class that occurs in neither is left out
//!   instead of dragging the macro average down with zeros.
//!
//! ```
//! use autodiff_runtime::metrics::{accuracy, ConfusionMatrix};
//!
//! let y_true = [0, 1, 2, 2];
//! let y_pred = [0, 2, 2, 2];
//! assert_eq!(accuracy(&y_true, &y_pred), 0.75);
//! let cm = ConfusionMatrix::<3>::from_predictions(&y_true, &y_pred)?;
//! assert_eq!(cm.count(1, 2), 1);
//! println!("{}", cm.report());
//! # Ok::<(), autodiff_runtime::metrics::MetricsError>(())
//! ```

use crate::Real;
use nalgebra::SVector;
use std::fmt;

/// The fraction of positions where `y_pred` equals `y_true` (0 for empty slices).
///
/// # Panics
///
/// If the slices have different lengths.
///
/// ```
/// assert_eq!(autodiff_runtime::metrics::accuracy(&[1, 0, 1, 1], &[1, 1, 1, 0]), 0.5);
/// ```
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> f64 {
    assert_eq!(
        y_true.len(),
        y_pred.len(),
        "accuracy: {} true labels but {} predictions",
        y_true.len(),
        y_pred.len()
    );
    if y_true.is_empty() {
        return 0.0;
    }
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    correct as f64 / y_true.len() as f64
}

/// The index of the largest score: the predicted class of a vector of logits or
/// probabilities. Ties go to the lowest index; NaN scores are never chosen unless all are NaN.
///
/// ```
/// use autodiff_runtime::metrics::argmax;
/// use nalgebra::SVector;
/// assert_eq!(argmax(&SVector::<f32, 3>::new(0.1, 2.0, -1.0)), 1);
/// ```
pub fn argmax<T: Real, const N: usize>(scores: &SVector<T, N>) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] || (scores[best].as_f64().is_nan() && !s.as_f64().is_nan()) {
            best = i;
        }
    }
    best
}

/// A label or prediction that does not fit a [`ConfusionMatrix`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricsError {
    /// The true labels and the predictions have different lengths.
    LengthMismatch {
        /// Number of true labels.
        y_true: usize,
        /// Number of predictions.
        y_pred: usize,
    },
    /// A class index is not below the number of classes.
    ClassOutOfRange {
        /// `"y_true"` or `"y_pred"`.
        which: &'static str,
        /// Position in the slice (0 for a single [`ConfusionMatrix::try_add`]).
        index: usize,
        /// The class index found.
        class: usize,
        /// The number of classes of the matrix.
        num_classes: usize,
    },
}

impl fmt::Display for MetricsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MetricsError::LengthMismatch { y_true, y_pred } => {
                write!(f, "{y_true} true labels but {y_pred} predictions")
            }
            MetricsError::ClassOutOfRange {
                which,
                index,
                class,
                num_classes,
            } => write!(
                f,
                "{which}[{index}] is class {class}, but the confusion matrix has classes 0..{num_classes}"
            ),
        }
    }
}

impl std::error::Error for MetricsError {}

/// Counts of (true class, predicted class) pairs for `N` classes.
///
/// Stored on the heap, so a large `N` does not strain the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix<const N: usize> {
    /// Row-major `N x N`: `counts[t * N + p]`.
    counts: Vec<u64>,
}

impl<const N: usize> Default for ConfusionMatrix<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Precision, recall, F1 and support of one class, or an average of them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClassMetrics {
    /// TP / (TP + FP), 0 if nothing was predicted as this class.
    pub precision: f64,
    /// TP / (TP + FN), 0 if the class has no true samples.
    pub recall: f64,
    /// Harmonic mean of precision and recall, 0 if both are 0.
    pub f1: f64,
    /// The number of true samples of the class (for averages: of all classes).
    pub support: u64,
}

impl<const N: usize> ConfusionMatrix<N> {
    /// An empty matrix.
    pub fn new() -> Self {
        ConfusionMatrix {
            counts: vec![0; N * N],
        }
    }

    /// Counts the pairs `(y_true[i], y_pred[i])`.
    ///
    /// An error if the slices differ in length or a class is `>= N`.
    pub fn from_predictions(y_true: &[usize], y_pred: &[usize]) -> Result<Self, MetricsError> {
        if y_true.len() != y_pred.len() {
            return Err(MetricsError::LengthMismatch {
                y_true: y_true.len(),
                y_pred: y_pred.len(),
            });
        }
        let mut cm = Self::new();
        for (index, (&t, &p)) in y_true.iter().zip(y_pred).enumerate() {
            cm.try_add(t, p).map_err(|e| match e {
                MetricsError::ClassOutOfRange {
                    which,
                    class,
                    num_classes,
                    ..
                } => MetricsError::ClassOutOfRange {
                    which,
                    index,
                    class,
                    num_classes,
                },
                other => other,
            })?;
        }
        Ok(cm)
    }

    /// Counts one sample of class `y_true` predicted as `y_pred`.
    ///
    /// # Panics
    ///
    /// If either class is `>= N`; [`ConfusionMatrix::try_add`] returns an error instead.
    pub fn add(&mut self, y_true: usize, y_pred: usize) {
        if let Err(e) = self.try_add(y_true, y_pred) {
            panic!("ConfusionMatrix::add: {e}");
        }
    }

    /// Like [`ConfusionMatrix::add`], but an error if a class is `>= N`.
    pub fn try_add(&mut self, y_true: usize, y_pred: usize) -> Result<(), MetricsError> {
        for (which, class) in [("y_true", y_true), ("y_pred", y_pred)] {
            if class >= N {
                return Err(MetricsError::ClassOutOfRange {
                    which,
                    index: 0,
                    class,
                    num_classes: N,
                });
            }
        }
        self.counts[y_true * N + y_pred] += 1;
        Ok(())
    }

    /// Adds all counts of `other` (for example from another batch or thread).
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// How many samples of class `y_true` were predicted as `y_pred`.
    ///
    /// # Panics
    ///
    /// If either class is `>= N`.
    pub fn count(&self, y_true: usize, y_pred: usize) -> u64 {
        assert!(
            y_true < N && y_pred < N,
            "ConfusionMatrix::count: class out of range 0..{N}"
        );
        self.counts[y_true * N + y_pred]
    }

    /// Row `y_true` of the matrix: how that class was predicted.
    pub fn row(&self, y_true: usize) -> &[u64] {
        &self.counts[y_true * N..(y_true + 1) * N]
    }

    /// The number of samples counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The number of correctly predicted samples (the trace).
    pub fn correct(&self) -> u64 {
        (0..N).map(|k| self.counts[k * N + k]).sum()
    }

    /// correct / total (0 if empty).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// The number of true samples of `class`.
    pub fn support(&self, class: usize) -> u64 {
        self.row(class).iter().sum()
    }

    /// The number of samples predicted as `class`.
    pub fn predicted(&self, class: usize) -> u64 {
        (0..N).map(|t| self.counts[t * N + class]).sum()
    }

    /// Precision, recall, F1 and support of `class`; zero divisions give 0.
    ///
    /// # Panics
    ///
    /// If `class >= N`.
    pub fn class_metrics(&self, class: usize) -> ClassMetrics {
        let tp = self.count(class, class);
        let precision = ratio(tp, self.predicted(class));
        let support = self.support(class);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        ClassMetrics {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// The classes that occur in the true labels or the predictions, ascending.
    pub fn present_classes(&self) -> Vec<usize> {
        (0..N)
            .filter(|&k| self.support(k) > 0 || self.predicted(k) > 0)
            .collect()
    }

    /// The unweighted mean of the per-class metrics over [`Self::present_classes`]; its
    /// support is the total.
    pub fn macro_avg(&self) -> ClassMetrics {
        self.average(|_| 1.0)
    }

    /// The mean of the per-class metrics weighted by support (scikit-learn's
    /// `average="weighted"`); its support is the total.
    pub fn weighted_avg(&self) -> ClassMetrics {
        self.average(|m| m.support as f64)
    }

    fn average(&self, weight: impl Fn(&ClassMetrics) -> f64) -> ClassMetrics {
        let (mut p, mut r, mut f1, mut w_sum) = (0.0, 0.0, 0.0, 0.0);
        for k in self.present_classes() {
            let m = self.class_metrics(k);
            let w = weight(&m);
            p += w * m.precision;
            r += w * m.recall;
            f1 += w * m.f1;
            w_sum += w;
        }
        let mean = |x: f64| if w_sum > 0.0 { x / w_sum } else { 0.0 };
        ClassMetrics {
            precision: mean(p),
            recall: mean(r),
            f1: mean(f1),
            support: self.total(),
        }
    }

    /// The classification report, with classes named by their index.
    pub fn report(&self) -> ClassificationReport {
        self.build_report(|k| k.to_string())
    }

    /// The classification report, with classes named by `names[class]`.
    ///
    /// ```
    /// use autodiff_runtime::metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix::<2>::from_predictions(&[0, 1, 1], &[0, 1, 0])?;
    /// let report = cm.report_with_names(&["cat", "dog"]);
    /// assert_eq!(report.classes[1].0, "dog");
    /// assert_eq!(report.classes[1].1.recall, 0.5);
    /// # Ok::<(), autodiff_runtime::metrics::MetricsError>(())
    /// ```
    pub fn report_with_names(&self, names: &[&str; N]) -> ClassificationReport {
        self.build_report(|k| names[k].to_string())
    }

    fn build_report(&self, name: impl Fn(usize) -> String) -> ClassificationReport {
        ClassificationReport {
            classes: self
                .present_classes()
                .into_iter()
                .map(|k| (name(k), self.class_metrics(k)))
                .collect(),
            accuracy: self.accuracy(),
            macro_avg: self.macro_avg(),
            weighted_avg: self.weighted_avg(),
        }
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Shows the matrix with true classes as rows and predicted classes as columns.
impl<const N: usize> fmt::Display for ConfusionMatrix<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .counts
            .iter()
            .map(|c| c.to_string().len())
            .chain([N.saturating_sub(1).to_string().len()])
            .max()
            .unwrap_or(1);
        write!(f, "true\\pred")?;
        for p in 0..N {
            write!(f, " {p:>width$}")?;
        }
        writeln!(f)?;
        for t in 0..N {
            write!(f, "{t:>9}")?;
            for c in self.row(t) {
                write!(f, " {c:>width$}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Per-class precision, recall, F1 and support with accuracy and averages, as made by
/// [`ConfusionMatrix::report`].
///
/// `Display` prints scikit-learn's `classification_report` layout, with two decimals by
/// default and `{:.4}` for four:
///
/// ```text
///               precision    recall  f1-score   support
///
///            0       0.67      0.67      0.67         3
///            1       0.60      1.00      0.75         3
///            2       1.00      0.50      0.67         4
///
///     accuracy                           0.70        10
///    macro avg       0.76      0.72      0.69        10
/// weighted avg       0.78      0.70      0.69        10
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationReport {
    /// Name and metrics of every class present in the labels or predictions.
    pub classes: Vec<(String, ClassMetrics)>,
    /// Fraction of correct predictions.
    pub accuracy: f64,
    /// Unweighted mean over the classes.
    pub macro_avg: ClassMetrics,
    /// Support-weighted mean over the classes.
    pub weighted_avg: ClassMetrics,
}

impl fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = f.precision().unwrap_or(2);
        let width = self
            .classes
            .iter()
            .map(|(name, _)| name.chars().count())
            .chain([12, digits])
            .max()
            .unwrap_or(12);
        writeln!(
            f,
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}",
            "", "precision", "recall", "f1-score", "support"
        )?;
        writeln!(f)?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, m: &ClassMetrics| {
            writeln!(
                f,
                "{name:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}",
                m.precision, m.recall, m.f1, m.support
            )
        };
        for (name, m) in &self.classes {
            row(f, name, m)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:>width$}  {:>9} {:>9} {:>9.digits$} {:>9}",
            "accuracy", "", "", self.accuracy, self.macro_avg.support
        )?;
        row(f, "macro avg", &self.macro_avg)?;
        row(f, "weighted avg", &self.weighted_avg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    // Three classes, worked by hand:
    //   true 0 -> predicted [0, 0, 1]     row 0: [2, 1, 0]
    //   true 1 -> predicted [1, 1, 1]     row 1: [0, 3, 0]
    //   true 2 -> predicted [2, 2, 0, 1]  row 2: [1, 1, 2]
    const Y_TRUE: [usize; 10] = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    const Y_PRED: [usize; 10] = [0, 0, 1, 1, 1, 1, 2, 2, 0, 1];

    #[test]
    fn three_class_example_by_hand() {
        let cm = ConfusionMatrix::<3>::from_predictions(&Y_TRUE, &Y_PRED).unwrap();
        assert_eq!(
            (cm.row(0), cm.row(1), cm.row(2)),
            (&[2, 1, 0][..], &[0, 3, 0][..], &[1, 1, 2][..])
        );
        assert_eq!((cm.total(), cm.correct()), (10, 7));
        close(cm.accuracy(), 0.7);
        close(accuracy(&Y_TRUE, &Y_PRED), 0.7);

        // Class 0: TP 2, predicted 2 + 0 + 1 = 3, support 3.
        let m0 = cm.class_metrics(0);
        close(m0.precision, 2.0 / 3.0);
        close(m0.recall, 2.0 / 3.0);
        close(m0.f1, 2.0 / 3.0);
        // Class 1: TP 3, predicted 1 + 3 + 1 = 5, support 3: P 0.6, R 1, F1 1.2 / 1.6.
        let m1 = cm.class_metrics(1);
        close(m1.precision, 0.6);
        close(m1.recall, 1.0);
        close(m1.f1, 0.75);
        // Class 2: TP 2, predicted 2, support 4: P 1, R 0.5, F1 1 / 1.5.
        let m2 = cm.class_metrics(2);
        close(m2.precision, 1.0);
        close(m2.recall, 0.5);
        close(m2.f1, 2.0 / 3.0);
        assert_eq!((m0.support, m1.support, m2.support), (3, 3, 4));

        let mac = cm.macro_avg();
        close(mac.precision, (2.0 / 3.0 + 0.6 + 1.0) / 3.0);
        close(mac.recall, (2.0 / 3.0 + 1.0 + 0.5) / 3.0);
        close(mac.f1, (2.0 / 3.0 + 0.75 + 2.0 / 3.0) / 3.0);
        let w = cm.weighted_avg();
        close(
            w.precision,
            (3.0 * 2.0 / 3.0 + 3.0 * 0.6 + 4.0 * 1.0) / 10.0,
        );
        close(w.recall, 0.7);
        close(
            w.f1,
            (3.0 * 2.0 / 3.0 + 3.0 * 0.75 + 4.0 * 2.0 / 3.0) / 10.0,
        );
        assert_eq!((mac.support, w.support), (10, 10));
    }

    #[test]
    fn report_matches_scikit_learn_layout() {
        // scikit-learn's classification_report(Y_TRUE, Y_PRED) prints exactly this.
        let expected = "              precision    recall  f1-score   support

           0       0.67      0.67      0.67         3
           1       0.60      1.00      0.75         3
           2       1.00      0.50      0.67         4

    accuracy                           0.70        10
   macro avg       0.76      0.72      0.69        10
weighted avg       0.78      0.70      0.69        10
";
        let cm = ConfusionMatrix::<3>::from_predictions(&Y_TRUE, &Y_PRED).unwrap();
        assert_eq!(cm.report().to_string(), expected);
        let named = cm.report_with_names(&["setosa", "versicolor", "virginica"]);
        let shown = format!("{named:.3}");
        assert!(
            shown.contains("\n  versicolor      0.600     1.000     0.750         3\n"),
            "{shown}"
        );
        assert!(
            shown.contains("\n    accuracy                          0.700        10\n"),
            "{shown}"
        );
        // Long class names widen the first column.
        let long = cm
            .report_with_names(&["a", "a very long class name", "c"])
            .to_string();
        assert!(
            long.contains("\na very long class name       0.60"),
            "{long}"
        );
    }

    #[test]
    fn zero_division_gives_zero_and_absent_classes_are_left_out() {
        // Class 1 is never predicted (precision 0/0), class 2 never occurs (recall 0/0),
        // class 3 occurs nowhere and is left out of averages and the report.
        let cm = ConfusionMatrix::<4>::from_predictions(&[0, 0, 1], &[0, 2, 0]).unwrap();
        let m1 = cm.class_metrics(1);
        assert_eq!((m1.precision, m1.recall, m1.f1), (0.0, 0.0, 0.0));
        let m2 = cm.class_metrics(2);
        assert_eq!(
            (m2.precision, m2.recall, m2.f1, m2.support),
            (0.0, 0.0, 0.0, 0)
        );
        assert_eq!(cm.present_classes(), vec![0, 1, 2]);
        let m0 = cm.class_metrics(0);
        assert_eq!((m0.precision, m0.recall, m0.f1), (0.5, 0.5, 0.5));
        close(cm.macro_avg().precision, 0.5 / 3.0);
        close(cm.weighted_avg().precision, (0.5 * 2.0) / 3.0);
        assert_eq!(cm.report().classes.len(), 3);
        // Empty matrix: everything 0, no panic.
        let empty = ConfusionMatrix::<2>::new();
        assert_eq!(empty.accuracy(), 0.0);
        assert_eq!(empty.macro_avg(), ClassMetrics::default());
        assert!(empty.report().to_string().contains("accuracy"));
        assert_eq!(accuracy(&[], &[]), 0.0);
    }

    #[test]
    fn out_of_range_and_length_errors() {
        assert_eq!(
            ConfusionMatrix::<3>::from_predictions(&[0, 1], &[0]),
            Err(MetricsError::LengthMismatch {
                y_true: 2,
                y_pred: 1
            })
        );
        let err = ConfusionMatrix::<3>::from_predictions(&[0, 1, 2], &[0, 3, 1]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "y_pred[1] is class 3, but the confusion matrix has classes 0..3"
        );
        let mut cm = ConfusionMatrix::<2>::new();
        assert!(cm.try_add(2, 0).is_err());
        cm.add(1, 0);
        let mut other = ConfusionMatrix::<2>::new();
        other.add(1, 1);
        cm.merge(&other);
        assert_eq!(cm.row(1), &[1, 1]);
        assert_eq!(
            cm.to_string(),
            "true\\pred 0 1\n        0 0 0\n        1 1 1\n"
        );
    }

    #[test]
    #[should_panic(expected = "class 5")]
    fn add_panics_on_out_of_range() {
        ConfusionMatrix::<3>::new().add(0, 5);
    }

    #[test]
    fn argmax_picks_first_maximum_and_skips_nan() {
        assert_eq!(argmax(&SVector::<f64, 4>::new(1.0, 3.0, 3.0, 0.0)), 1);
        assert_eq!(argmax(&SVector::<f64, 3>::new(f64::NAN, -1.0, -2.0)), 1);
        assert_eq!(argmax(&SVector::<f32, 2>::new(f32::NAN, f32::NAN)), 0);
    }
}
