//! Tests of the training loop on a softmax regression with a hand-written gradient.

use super::*;
use crate::Params;
use crate::data::Dataset;
use crate::data::test_files::TempDir;
use crate::optim::testing::Layer;
use crate::optim::{Adam, AdamConfig, Optimizer, Schedule, Sgd, SgdConfig, StepLR};
use nalgebra::{SMatrix, SVector};
use std::cell::{Cell, RefCell};

type X = SVector<f64, 2>;
type Model = Layer<2, 3>;

/// Three well separated blobs around (2, 0), (-1, 1.7), (-1, -1.7); `n` points each,
/// deterministic jitter of radius < 0.6.
fn blobs(n: usize, offset: usize) -> Dataset<X> {
    let centers = [(2.0, 0.0), (-1.0, 1.7), (-1.0, -1.7)];
    (0..3 * n)
        .map(|i| {
            let class = i % 3;
            let t = (i + offset) as f64;
            let (cx, cy) = centers[class];
            let x = X::new(cx + 0.5 * (1.7 * t).sin(), cy + 0.5 * (2.3 * t + 0.4).cos());
            (x, class)
        })
        .collect()
}

fn model() -> Model {
    Layer {
        weight: SMatrix::from_fn(|r, c| 0.1 * (r as f64 - c as f64 * 0.7)),
        bias: SVector::zeros(),
    }
}

fn logits(m: &Model, x: &X) -> SVector<f64, 3> {
    m.weight * x + m.bias
}

/// Softmax cross-entropy of a linear model, and its gradient.
fn grad(m: &Model, x: &X, label: usize) -> (f64, Model) {
    let z = logits(m, x);
    let e = z.map(|v| (v - z.max()).exp());
    let p = e / e.sum();
    let mut dz = p;
    dz[label] -= 1.0;
    (
        -p[label].ln(),
        Layer {
            weight: dz * x.transpose(),
            bias: dz,
        },
    )
}

fn silent<'a>() -> FitConfig<'a, Model, X> {
    FitConfig {
        verbosity: Verbosity::Silent,
        ..Default::default()
    }
}

fn adam(m: &Model, lr: f64) -> Adam<Model> {
    Adam::new(
        m,
        AdamConfig {
            lr,
            ..Default::default()
        },
    )
}

/// The records without their timings, which differ from run to run.
fn untimed(h: &History) -> Vec<EpochRecord> {
    h.epochs
        .iter()
        .map(|r| EpochRecord { seconds: 0.0, ..*r })
        .collect()
}

#[test]
fn separable_problem_reaches_full_accuracy() {
    let (train, test) = (blobs(20, 0), blobs(10, 1000));
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 30,
            batch_size: 8,
            validation: Some(&test),
            ..silent()
        },
    )
    .unwrap();
    assert_eq!(history.len(), 30);
    assert_eq!(history.stop_reason, StopReason::Completed);
    let last = history.last().unwrap();
    assert_eq!(last.accuracy, 1.0);
    assert_eq!(last.val_accuracy, Some(1.0));
    assert!(last.loss < history.epochs[0].loss / 4.0, "{history:?}");
    assert_eq!(
        evaluate(&m, &test, |p, x, y| grad(p, x, y).0, logits).1,
        1.0
    );
    assert_eq!(predict(&m, test.samples(), logits), test.labels());
    let cm = confusion_matrix(&m, &test, logits);
    assert_eq!((cm.total(), cm.correct()), (30, 30));
    for (k, r) in history.epochs.iter().enumerate() {
        assert_eq!(r.epoch, k);
        assert_eq!(r.lr, 0.05);
        assert!(r.seconds >= 0.0);
    }
}

#[test]
fn batch_gradient_is_the_mean_of_sample_gradients() {
    let data = blobs(4, 3);
    let m0 = model();
    let mut m = m0.clone();
    // One step of plain SGD with lr 1 on one batch of the whole set.
    let mut opt = Sgd::new(
        &m,
        SgdConfig {
            lr: 1.0,
            ..Default::default()
        },
    );
    let mut stepper = Stepper::new(&m);
    let batches = data.batches(data.len(), None);
    let stats = stepper
        .step(
            &mut m,
            &mut opt,
            batches.iter().next().unwrap(),
            &grad,
            &logits,
        )
        .unwrap();
    let mut mean = m0.zeros_like();
    let mut loss = 0.0;
    for (x, y) in &data {
        let (l, g) = grad(&m0, x, y);
        loss += l;
        mean.add_assign(&g);
    }
    mean.scale(1.0 / data.len() as f64);
    assert!((stats.loss() - loss / data.len() as f64).abs() < 1e-12);
    assert_eq!(stats.samples, 12);
    assert!((stepper.gradient().weight - mean.weight).norm() < 1e-12);
    assert!((m.weight - (m0.weight - mean.weight)).norm() < 1e-12);
    assert!((m.bias - (m0.bias - mean.bias)).norm() < 1e-12);
}

#[test]
fn same_seed_same_history_other_seed_other_order() {
    let (train, test) = (blobs(15, 0), blobs(5, 77));
    let run = |seed: u64| {
        let mut m = model();
        let mut opt = adam(&m, 0.01);
        let h = fit(
            &mut m,
            &mut opt,
            &train,
            grad,
            logits,
            FitConfig {
                epochs: 5,
                batch_size: 4,
                seed,
                validation: Some(&test),
                ..silent()
            },
        )
        .unwrap();
        (untimed(&h), m)
    };
    let (h1, m1) = run(7);
    let (h2, m2) = run(7);
    assert_eq!(h1, h2);
    assert_eq!(m1, m2);
    let (h3, m3) = run(8);
    assert_ne!(m1, m3);
    assert_ne!(h1, h3);
}

#[test]
fn no_shuffle_visits_in_data_set_order() {
    let data = blobs(3, 0);
    let seen = RefCell::new(Vec::new());
    let g = |m: &Model, x: &X, y: usize| {
        seen.borrow_mut().push(x[0]);
        grad(m, x, y)
    };
    let mut m = model();
    let mut opt = adam(&m, 0.01);
    let config = FitConfig {
        epochs: 2,
        batch_size: 4,
        shuffle: false,
        ..silent()
    };
    fit(&mut m, &mut opt, &data, g, logits, config).unwrap();
    let order: Vec<f64> = data.samples().iter().map(|x| x[0]).collect();
    let seen = seen.into_inner();
    assert_eq!(seen[..9], order[..]);
    assert_eq!(seen[9..], order[..]);
}

#[test]
fn early_stopping_stops_and_restores_the_best_weights() {
    // The validation labels are rotated, so the better the model fits the training data,
    // the worse its validation loss: the best epoch is the first.
    let train = blobs(10, 0);
    let (samples, labels) = blobs(5, 50).into_parts();
    let val = Dataset::new(samples, labels.iter().map(|y| (y + 1) % 3).collect());
    let snapshots = RefCell::new(Vec::new());
    let mut record_params = |_: &EpochRecord, p: &Model| {
        snapshots.borrow_mut().push(p.clone());
        Control::Continue
    };
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 50,
            batch_size: 5,
            validation: Some(&val),
            early_stopping: Some(EarlyStopping {
                patience: 3,
                ..Default::default()
            }),
            callbacks: vec![&mut record_params],
            ..silent()
        },
    )
    .unwrap();
    assert_eq!(history.stop_reason, StopReason::EarlyStopping);
    assert_eq!(history.len(), 4, "{history:?}");
    assert_eq!(history.best_epoch, Some(0));
    assert_eq!(history.restored_epoch, Some(0));
    let v: Vec<f64> = history.epochs.iter().map(|r| r.val_loss.unwrap()).collect();
    assert!(v.windows(2).all(|w| w[1] > w[0]), "{v:?}");
    let snapshots = snapshots.into_inner();
    assert_eq!(snapshots.len(), 4);
    assert_eq!(m, snapshots[0]);
    assert_ne!(m, snapshots[3]);

    // Without restoring, the last parameters stay.
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 50,
            batch_size: 5,
            validation: Some(&val),
            early_stopping: Some(EarlyStopping {
                patience: 3,
                restore_best_weights: false,
                ..Default::default()
            }),
            ..silent()
        },
    )
    .unwrap();
    assert_eq!(history.restored_epoch, None);
    assert_eq!(m, snapshots[3]);
}

#[test]
fn early_stopping_on_accuracy_with_min_delta_and_no_trigger() {
    let train = blobs(10, 0);
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    // Training accuracy reaches 1.0 and cannot improve by more than 0.5 afterwards... but
    // patience is longer than the run: all epochs run, the best is restored at the end.
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 6,
            batch_size: 5,
            early_stopping: Some(EarlyStopping {
                monitor: Monitor::Accuracy,
                patience: 10,
                min_delta: 0.5,
                restore_best_weights: true,
            }),
            ..silent()
        },
    )
    .unwrap();
    assert_eq!(history.stop_reason, StopReason::Completed);
    assert_eq!(history.len(), 6);
    assert_eq!(history.best_epoch, Some(0));
    assert_eq!(history.restored_epoch, Some(0));
}

#[test]
fn nan_loss_stops_with_epoch_batch_sample_and_keeps_last_good_params() {
    let data = blobs(10, 0); // 30 samples, batches of 4: 8 per epoch
    let calls = Cell::new(0usize);
    let last_seen = RefCell::new(None);
    // Sample 17's loss becomes NaN from the third epoch on.
    let poisoned = |m: &Model, x: &X, y: usize| {
        calls.set(calls.get() + 1);
        *last_seen.borrow_mut() = Some(m.clone());
        let (l, g) = grad(m, x, y);
        let bad = calls.get() > 60 && *x == data.samples()[17];
        (if bad { f64::NAN } else { l }, g)
    };
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let err = fit(
        &mut m,
        &mut opt,
        &data,
        poisoned,
        logits,
        FitConfig {
            epochs: 5,
            batch_size: 4,
            ..silent()
        },
    )
    .unwrap_err();
    let TrainError::NonFinite {
        epoch,
        batch,
        epochs,
        batches,
        cause,
        ref history,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((epoch, epochs, batches), (2, 5, 8));
    assert_eq!(cause.kind, NonFiniteKind::Loss);
    assert_eq!(cause.sample, Some(17));
    assert_eq!(history.len(), 2);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "the loss is NaN or infinite (training sample 17) in epoch 3/5, batch {}/8;",
            batch + 1
        )),
        "{message}"
    );
    // The parameters are those the failing batch started from, and finite.
    assert_eq!(Some(m.clone()), last_seen.into_inner());
    assert!(m.weight.iter().chain(m.bias.iter()).all(|v| v.is_finite()));
}

#[test]
fn nan_gradient_names_the_sample() {
    let data = blobs(4, 0);
    let bad = |m: &Model, x: &X, y: usize| {
        let (l, mut g) = grad(m, x, y);
        if *x == data.samples()[5] {
            g.bias[1] = f64::INFINITY;
        }
        (l, g)
    };
    let mut m = model();
    let before = m.clone();
    let mut opt = adam(&m, 0.05);
    let config = FitConfig {
        epochs: 3,
        batch_size: 12,
        ..silent()
    };
    let err = fit(&mut m, &mut opt, &data, bad, logits, config).unwrap_err();
    match &err {
        TrainError::NonFinite {
            epoch: 0,
            batch: 0,
            cause,
            ..
        } => assert_eq!(
            *cause,
            NonFinite {
                kind: NonFiniteKind::Gradient,
                sample: Some(5)
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(m, before);
    assert!(err.to_string().contains("gradient is NaN or infinite"));
}

#[test]
fn overflowing_update_is_undone() {
    let data = blobs(4, 0);
    let mut m = model();
    let before = m.clone();
    let mut opt = Sgd::new(
        &m,
        SgdConfig {
            lr: 1e308,
            ..Default::default()
        },
    );
    // Finite gradients, but lr * gradient overflows to infinity.
    let steep = |m: &Model, x: &X, y: usize| {
        let (l, mut g) = grad(m, x, y);
        g.scale(1e10);
        (l, g)
    };
    let err = fit(&mut m, &mut opt, &data, steep, logits, silent()).unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFinite {
                cause: NonFinite {
                    kind: NonFiniteKind::Parameters,
                    sample: None
                },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(m, before);
}

#[test]
fn schedule_sets_the_learning_rate_per_epoch() {
    let data = blobs(4, 0);
    let mut m = model();
    let mut opt = adam(&m, 0.5);
    let schedule = StepLR::new(0.1, 2, 0.5);
    let history = fit(
        &mut m,
        &mut opt,
        &data,
        grad,
        logits,
        FitConfig {
            epochs: 5,
            schedule: Some(&schedule),
            ..silent()
        },
    )
    .unwrap();
    let lrs: Vec<f64> = history.epochs.iter().map(|r| r.lr).collect();
    assert_eq!(lrs, (0..5).map(|e| schedule.lr(e)).collect::<Vec<_>>());
    assert_eq!(opt.learning_rate(), schedule.lr(4));
}

#[test]
fn a_callback_can_stop_training() {
    let data = blobs(4, 0);
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let mut epochs_seen = 0;
    let mut stop_at_3 = |r: &EpochRecord, _: &Model| {
        epochs_seen += 1;
        if r.epoch == 2 {
            Control::Stop
        } else {
            Control::Continue
        }
    };
    let mut never = |_: &EpochRecord, _: &Model| Control::Continue;
    let history = fit(
        &mut m,
        &mut opt,
        &data,
        grad,
        logits,
        FitConfig {
            epochs: 10,
            callbacks: vec![&mut stop_at_3, &mut never],
            ..silent()
        },
    )
    .unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history.stop_reason, StopReason::Callback);
    assert_eq!(epochs_seen, 3);
}

#[test]
fn bad_configs_are_errors_before_training() {
    let data = blobs(4, 0);
    let empty = Dataset::<X>::default();
    let mut m = model();
    let before = m.clone();
    let mut opt = adam(&m, 0.05);
    let mut run = |config: FitConfig<'_, Model, X>, train: &Dataset<X>| {
        fit(&mut m, &mut opt, train, grad, logits, config).unwrap_err()
    };
    let e = run(
        FitConfig {
            early_stopping: Some(EarlyStopping::default()),
            ..silent()
        },
        &data,
    );
    assert!(
        e.to_string()
            .contains("early stopping monitors `val_loss` but there is no validation data"),
        "{e}"
    );
    let e = run(
        FitConfig {
            batch_size: 0,
            ..silent()
        },
        &data,
    );
    assert!(e.to_string().contains("batch_size is 0"));
    assert_eq!(
        run(silent(), &empty),
        TrainError::EmptyDataset { which: "training" }
    );
    assert_eq!(
        run(
            FitConfig {
                validation: Some(&empty),
                ..silent()
            },
            &data
        ),
        TrainError::EmptyDataset {
            which: "validation"
        }
    );
    let negative = |e: usize| 0.1 - 0.05 * e as f64;
    let e = run(
        FitConfig {
            epochs: 5,
            schedule: Some(&negative),
            ..silent()
        },
        &data,
    );
    assert!(e.to_string().contains("for epoch 3"), "{e}");
    assert_eq!(m, before);
}

#[test]
fn fit_history_round_trips_through_csv() {
    let (train, test) = (blobs(5, 0), blobs(3, 9));
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 3,
            validation: Some(&test),
            ..silent()
        },
    )
    .unwrap();
    let dir = TempDir::new();
    let path = dir.path().join("h.csv");
    history.write_csv(&path).unwrap();
    assert_eq!(History::read_csv(&path).unwrap(), history);
}

#[test]
fn epoch_lines_format() {
    let r = EpochRecord {
        epoch: 2,
        loss: 0.123456,
        accuracy: 0.9,
        val_loss: Some(0.2),
        val_accuracy: Some(0.85),
        lr: 1e-3,
        seconds: 0.5,
    };
    assert_eq!(
        r.to_string(),
        "loss 0.1235  accuracy 0.9000  val_loss 0.2000  val_accuracy 0.8500  lr 1.00e-3  0.50s"
    );
    // Printing paths run without a terminal too.
    let data = blobs(2, 0);
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    for verbosity in [
        Verbosity::EpochLines,
        Verbosity::ProgressBar,
        Verbosity::Auto,
    ] {
        let config = FitConfig {
            epochs: 2,
            verbosity,
            ..silent()
        };
        fit(&mut m, &mut opt, &data, grad, logits, config).unwrap();
    }
}

#[cfg(feature = "plot")]
#[test]
fn plot_writes_a_non_empty_svg() {
    let (train, test) = (blobs(5, 0), blobs(3, 9));
    let mut m = model();
    let mut opt = adam(&m, 0.05);
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs: 4,
            validation: Some(&test),
            ..silent()
        },
    )
    .unwrap();
    let dir = TempDir::new();
    let path = dir.path().join("curves.svg");
    plot_history(&history, &path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<polyline"), "no curves drawn");
    assert!(svg.contains("accuracy") && svg.contains("validation"));
    // A single epoch and a history without validation still plot.
    let one = History {
        epochs: vec![EpochRecord {
            val_loss: None,
            val_accuracy: None,
            ..history.epochs[0]
        }],
        ..Default::default()
    };
    plot_history(&one, &path).unwrap();
    let e = plot_history(&History::default(), &path).unwrap_err();
    assert!(e.to_string().contains("the history has no epochs"));
    let e = plot_history(&history, dir.path().join("missing/dir/x.svg")).unwrap_err();
    assert!(e.to_string().starts_with("cannot plot to"), "{e}");
}
