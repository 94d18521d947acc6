//! [`plot_history`]: loss and accuracy curves as an SVG file (feature `plot`).

use super::History;
use plotters::prelude::*;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Plotting failed: an empty history, or the file could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError {
    /// The file being written.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot plot to {}: {}",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for PlotError {}

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VALIDATION: RGBColor = RGBColor(255, 127, 14);

/// Writes the training curves of `history` to `path` as an SVG image (960x400): loss on
/// the left, accuracy on the right, training in blue and validation in orange (when
/// present), against the epoch counted from 1. Non-finite values are left out.
///
/// Available with the `plot` feature of `autodiff-runtime` (the `autodiff` facade's `plot`
/// feature turns it on). Uses `plotters` with its SVG backend only, so no font or image
/// libraries are needed.
///
/// ```
/// use autodiff_runtime::train::{plot_history, EpochRecord, History};
/// # let path = std::env::temp_dir().join(format!("autodiff-doc-plot-{}.svg", std::process::id()));
/// let history = History {
///     epochs: (0..5)
///         .map(|epoch| EpochRecord {
///             epoch,
///             loss: 1.0 / (epoch + 1) as f64,
///             accuracy: 0.5 + 0.1 * epoch as f64,
///             val_loss: Some(1.2 / (epoch + 1) as f64),
///             val_accuracy: Some(0.45 + 0.1 * epoch as f64),
///             lr: 1e-3,
///             seconds: 0.1,
///         })
///         .collect(),
///     ..Default::default()
/// };
/// plot_history(&history, &path)?;
/// assert!(std::fs::read_to_string(&path)?.starts_with("<svg"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plot_history(history: &History, path: impl AsRef<Path>) -> Result<(), PlotError> {
    let path = path.as_ref();
    let err = |message: String| PlotError {
        path: path.to_path_buf(),
        message,
    };
    if history.is_empty() {
        return Err(err("the history has no epochs".to_string()));
    }
    let series = |get: fn(&super::EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .filter_map(|r| Some(((r.epoch + 1) as f64, get(r)?)))
            .filter(|(_, v)| v.is_finite())
            .collect()
    };
    let loss = [
        ("train", series(|r| Some(r.loss))),
        ("validation", series(|r| r.val_loss)),
    ];
    let accuracy = [
        ("train", series(|r| Some(r.accuracy))),
        ("validation", series(|r| r.val_accuracy)),
    ];
    let first = history.epochs[0].epoch as f64 + 1.0;
    let last = history.epochs[history.len() - 1].epoch as f64 + 1.0;
    let x_range = first..last.max(first + 1.0);

    let root = SVGBackend::new(path, (960, 400)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let (left, right) = root.split_horizontally(480);
    panel(&left, "loss", x_range.clone(), loss_range(&loss), &loss)
        .map_err(|e| err(e.to_string()))?;
    panel(
        &right,
        "accuracy",
        x_range,
        accuracy_range(&accuracy),
        &accuracy,
    )
    .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))
}

type Series<'s> = [(&'s str, Vec<(f64, f64)>); 2];

/// From 0 (or the lowest value, if negative) to a little above the highest.
fn loss_range(series: &Series<'_>) -> Range<f64> {
    let values = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.1));
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    lo..if hi > lo { hi * 1.05 } else { lo + 1.0 }
}

/// From a little below the lowest value (at least 0) to 1.
fn accuracy_range(series: &Series<'_>) -> Range<f64> {
    let lo = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|p| p.1))
        .fold(1.0f64, f64::min);
    ((lo - 0.05).max(0.0) * 20.0).floor() / 20.0..1.0
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    name: &str,
    x: Range<f64>,
    y: Range<f64>,
    series: &Series<'_>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(area)
        .caption(name, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(x, y)?;
    // Epochs are whole numbers: label those ticks only.
    let whole = |x: &f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(name)
        .x_label_formatter(&whole)
        .draw()?;
    for ((label, points), color) in series.iter().zip([TRAIN, VALIDATION]) {
        if points.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(*label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(if name == "loss" {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::LowerRight
        })
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    Ok(())
}
