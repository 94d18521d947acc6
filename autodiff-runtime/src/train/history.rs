//! [`History`]: what happened in every epoch of [`fit`](super::fit), and its CSV form.

use std::fmt;
use std::io;
use std::path::Path;

/// The metrics of one epoch (Keras `History.history`, one row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    /// The epoch, counted from 0 (as [`Schedule::lr`](crate::optim::Schedule::lr) and Keras'
    /// `CSVLogger` count).
    pub epoch: usize,
    /// Mean training loss over the epoch's samples, each taken with the parameters of the
    /// moment it was trained on (the running mean Keras reports).
    pub loss: f64,
    /// Training accuracy over the epoch, with the same running parameters.
    pub accuracy: f64,
    /// Mean loss on the validation set at the end of the epoch (`None` without one).
    pub val_loss: Option<f64>,
    /// Accuracy on the validation set at the end of the epoch (`None` without one).
    pub val_accuracy: Option<f64>,
    /// The learning rate used during the epoch.
    pub lr: f64,
    /// Wall-clock seconds the epoch took, validation included.
    pub seconds: f64,
}

impl EpochRecord {
    /// The value of `monitor` in this epoch (`None` for a validation metric without
    /// validation data).
    pub fn get(&self, monitor: super::Monitor) -> Option<f64> {
        use super::Monitor::*;
        match monitor {
            ValLoss => self.val_loss,
            ValAccuracy => self.val_accuracy,
            Loss => Some(self.loss),
            Accuracy => Some(self.accuracy),
        }
    }
}

/// Why training ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StopReason {
    /// All epochs ran.
    #[default]
    Completed,
    /// [`EarlyStopping`](super::EarlyStopping) ran out of patience.
    EarlyStopping,
    /// A [`Callback`](super::Callback) asked to stop.
    Callback,
}

/// Per-epoch metrics of a training run, returned by [`fit`](super::fit).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// One record per completed epoch, in order.
    pub epochs: Vec<EpochRecord>,
    /// Why training ended.
    pub stop_reason: StopReason,
    /// The best epoch by the early-stopping monitor (`None` without early stopping).
    pub best_epoch: Option<usize>,
    /// The epoch whose parameters were restored at the end, if any (early stopping with
    /// `restore_best_weights`, when the best epoch was not the last).
    pub restored_epoch: Option<usize>,
}

/// The columns of [`History::to_csv`], in order.
pub const CSV_HEADER: &str = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds";

impl History {
    /// The number of completed epochs.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// Whether no epoch completed.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// The record of the best epoch by `monitor` (lowest loss, highest accuracy; the first
    /// one on ties; epochs without the value are skipped).
    pub fn best(&self, monitor: super::Monitor) -> Option<&EpochRecord> {
        let mut best: Option<(&EpochRecord, f64)> = None;
        for r in &self.epochs {
            let Some(v) = r.get(monitor).filter(|v| !v.is_nan()) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((_, b)) if monitor.higher_is_better() => v > b,
                Some((_, b)) => v < b,
            };
            if better {
                best = Some((r, v));
            }
        }
        best.map(|(r, _)| r)
    }

    /// The records as CSV text with the header [`CSV_HEADER`]
    /// (`epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds`), one line per epoch.
    /// Missing validation values are empty fields. Numbers are written in Rust's shortest
    /// round-trip form, so [`History::from_csv`] reads back exactly the same values.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.epochs.len() + 1));
        out.push_str(CSV_HEADER);
        out.push('\n');
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for r in &self.epochs {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                r.epoch,
                r.loss,
                r.accuracy,
                opt(r.val_loss),
                opt(r.val_accuracy),
                r.lr,
                r.seconds
            ));
        }
        out
    }

    /// Writes [`History::to_csv`] to `path` (creating or replacing the file).
    pub fn write_csv(&self, path: impl AsRef<Path>) -> io::Result<()> {
        std::fs::write(path, self.to_csv())
    }

    /// Parses CSV text as [`History::to_csv`] writes it. Only the records are stored in the
    /// CSV; `stop_reason`, `best_epoch` and `restored_epoch` come back as their defaults.
    ///
    /// ```
    /// use autodiff_runtime::train::{EpochRecord, History};
    ///
    /// let mut history = History::default();
    /// history.epochs.push(EpochRecord {
    ///     epoch: 0, loss: 0.5, accuracy: 0.75, val_loss: None, val_accuracy: None,
    ///     lr: 1e-3, seconds: 0.25,
    /// });
    /// let csv = history.to_csv();
    /// assert_eq!(csv, "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n0,0.5,0.75,,,0.001,0.25\n");
    /// assert_eq!(History::from_csv(&csv)?, history);
    /// # Ok::<(), autodiff_runtime::train::HistoryCsvError>(())
    /// ```
    pub fn from_csv(text: &str) -> Result<History, HistoryCsvError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let err = |line: usize, message: String| HistoryCsvError {
            line: line + 1,
            message,
        };
        match lines.next() {
            Some((_, header)) if header.trim() == CSV_HEADER => {}
            Some((i, header)) => {
                return Err(err(
                    i,
                    format!("header is `{}`, expected `{CSV_HEADER}`", header.trim()),
                ));
            }
            None => return Err(err(0, "empty file, expected a header line".to_string())),
        }
        let mut history = History::default();
        for (i, line) in lines {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 7 {
                return Err(err(
                    i,
                    format!("{} fields, expected 7 ({CSV_HEADER})", fields.len()),
                ));
            }
            let num = |k: usize| -> Result<f64, HistoryCsvError> {
                fields[k].parse::<f64>().map_err(|_| {
                    err(
                        i,
                        format!("column {} is `{}`, not a number", k + 1, fields[k]),
                    )
                })
            };
            let opt = |k: usize| -> Result<Option<f64>, HistoryCsvError> {
                if fields[k].is_empty() {
                    Ok(None)
                } else {
                    num(k).map(Some)
                }
            };
            let epoch = fields[0].parse::<usize>().map_err(|_| {
                err(
                    i,
                    format!("epoch `{}` is not a non-negative integer", fields[0]),
                )
            })?;
            history.epochs.push(EpochRecord {
                epoch,
                loss: num(1)?,
                accuracy: num(2)?,
                val_loss: opt(3)?,
                val_accuracy: opt(4)?,
                lr: num(5)?,
                seconds: num(6)?,
            });
        }
        Ok(history)
    }

    /// Reads a file written by [`History::write_csv`]. A malformed file is an
    /// [`io::ErrorKind::InvalidData`] error naming the path and the line.
    pub fn read_csv(path: impl AsRef<Path>) -> io::Result<History> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        History::from_csv(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }
}

/// A malformed history CSV; see [`History::from_csv`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCsvError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for HistoryCsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for HistoryCsvError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::test_files::TempDir;
    use crate::train::Monitor;

    fn record(epoch: usize, loss: f64, val: Option<(f64, f64)>) -> EpochRecord {
        EpochRecord {
            epoch,
            loss,
            accuracy: 1.0 - loss / 3.0,
            val_loss: val.map(|v| v.0),
            val_accuracy: val.map(|v| v.1),
            lr: 1e-3 / (epoch + 1) as f64,
            seconds: 0.1 + epoch as f64 / 7.0,
        }
    }

    #[test]
    fn csv_round_trips_exactly() {
        let dir = TempDir::new();
        let path = dir.path().join("history.csv");
        let history = History {
            epochs: vec![
                record(0, std::f64::consts::LN_10, Some((2.1, 0.3333333333333333))),
                record(1, 0.1 + 0.2, None),
                record(2, 1e-300, Some((f64::MIN_POSITIVE, 1.0))),
            ],
            ..Default::default()
        };
        history.write_csv(&path).unwrap();
        assert_eq!(History::read_csv(&path).unwrap(), history);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(CSV_HEADER));
        assert_eq!(text.lines().count(), 4);
    }

    #[test]
    fn malformed_csv_names_the_line() {
        let bad = format!("{CSV_HEADER}\n0,1,1,,,0.1,0.2\n1,1,x,,,0.1,0.2\n");
        let e = History::from_csv(&bad).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.to_string(), "line 3: column 3 is `x`, not a number");
        assert_eq!(History::from_csv("a,b\n").unwrap_err().line, 1);
        assert_eq!(
            History::from_csv(&format!("{CSV_HEADER}\n0,1\n"))
                .unwrap_err()
                .message,
            format!("2 fields, expected 7 ({CSV_HEADER})")
        );
        assert!(History::from_csv("").is_err());
        let dir = TempDir::new();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, &bad).unwrap();
        let e = History::read_csv(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("bad.csv: line 3"));
    }

    #[test]
    fn best_by_monitor() {
        let history = History {
            epochs: vec![
                record(0, 1.0, Some((0.9, 0.5))),
                record(1, 0.5, Some((0.7, 0.8))),
                record(2, 0.4, Some((0.8, 0.8))),
            ],
            ..Default::default()
        };
        assert_eq!(history.best(Monitor::ValLoss).unwrap().epoch, 1);
        assert_eq!(history.best(Monitor::ValAccuracy).unwrap().epoch, 1);
        assert_eq!(history.best(Monitor::Loss).unwrap().epoch, 2);
        assert_eq!(history.best(Monitor::Accuracy).unwrap().epoch, 2);
        assert_eq!(History::default().best(Monitor::Loss), None);
        assert_eq!(history.last().unwrap().epoch, 2);
        assert_eq!(history.len(), 3);
    }
}
