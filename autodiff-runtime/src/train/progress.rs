//! What [`fit`](super::fit) prints: an `indicatif` progress bar on a terminal, plain epoch
//! lines otherwise.

use super::{EpochRecord, Verbosity};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt;
use std::io::IsTerminal;

impl fmt::Display for EpochRecord {
    /// `loss 0.1234  accuracy 0.9652  val_loss 0.1456  val_accuracy 0.9611  lr 1.00e-3  0.41s`
    /// (validation fields only when present).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "loss {:.4}  accuracy {:.4}", self.loss, self.accuracy)?;
        if let Some(v) = self.val_loss {
            write!(f, "  val_loss {v:.4}")?;
        }
        if let Some(v) = self.val_accuracy {
            write!(f, "  val_accuracy {v:.4}")?;
        }
        write!(f, "  lr {:.2e}  {:.2}s", self.lr, self.seconds)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Silent,
    Bar,
    Lines,
}

/// The progress output of one `fit` call.
pub(crate) struct Progress {
    mode: Mode,
    epochs: usize,
    batches: u64,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(verbosity: Verbosity, epochs: usize, batches: usize) -> Self {
        let mode = match verbosity {
            Verbosity::Silent => Mode::Silent,
            Verbosity::ProgressBar => Mode::Bar,
            Verbosity::EpochLines => Mode::Lines,
            Verbosity::Auto if std::io::stdout().is_terminal() => Mode::Bar,
            Verbosity::Auto => Mode::Lines,
        };
        Progress {
            mode,
            epochs,
            batches: batches as u64,
            bar: None,
        }
    }

    fn epoch_label(&self, epoch: usize) -> String {
        let width = self.epochs.to_string().len();
        format!("epoch {:>width$}/{}", epoch + 1, self.epochs)
    }

    pub(crate) fn start_epoch(&mut self, epoch: usize) {
        if self.mode != Mode::Bar {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(self.batches), ProgressDrawTarget::stdout());
        let style =
            ProgressStyle::with_template("{prefix} [{bar:25.cyan/blue}] {pos}/{len}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(self.epoch_label(epoch));
        self.bar = Some(bar);
    }

    /// After a batch: the running loss and accuracy of the epoch so far.
    pub(crate) fn batch_done(&mut self, loss: f64, accuracy: f64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("loss {loss:.4}  accuracy {accuracy:.4}"));
            bar.inc(1);
        }
    }

    pub(crate) fn end_epoch(&mut self, record: &EpochRecord) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.mode != Mode::Silent {
            println!("{}  {record}", self.epoch_label(record.epoch));
        }
    }

    /// Leaves a failed epoch's bar where it stopped.
    pub(crate) fn abandon(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }

    /// A one-line note (early stopping, restored weights).
    pub(crate) fn note(&self, message: fmt::Arguments<'_>) {
        if self.mode != Mode::Silent {
            println!("{message}");
        }
    }
}
