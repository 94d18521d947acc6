//! Data sets for training: in-memory labelled samples, mini-batches, preprocessing and
//! loaders.
//!
//! Networks in this crate take fixed-size nalgebra vectors, so a [`Dataset`] holds
//! `SVector<T, N>` samples with `usize` class labels, and every loader checks the file
//! against `N` up front. Loading errors are [`DataError`]s naming the file and the line,
//! column or byte offset: a bad row in a large file should cost one glance, not a debugging
//! session, and a loader never panics on bad input.
//!
//! - [`datasets`]: the embedded digits and iris data, one call each.
//! - [`Dataset`]: samples and labels; [`Dataset::split`], [`Dataset::batches`] (no
//!   allocation per batch), [`Standardizer`], [`one_hot`].
//! - [`load_csv`] / [`load_csv_with`]: numeric CSV files; [`load_idx`] / [`load_mnist`]:
//!   MNIST-style IDX files, optionally gzipped.
//!
//! ```
//! use autodiff_runtime::data::{datasets, Standardizer};
//!
//! let digits = datasets::digits::<f32>()?;
//! let (mut train, mut validation) = digits.train.split(0.1, 42);
//! let scaler = Standardizer::fit(&train);
//! scaler.apply(&mut train);
//! scaler.apply(&mut validation);
//! let mut batches = train.batches(32, Some(0));
//! for epoch in 0..2 {
//!     batches.reshuffle(Some(epoch));
//!     for batch in &batches {
//!         for (x, label) in batch {
//!             // forward, backward, accumulate the gradient of this sample ...
//!             # let _ = (x, label);
//!         }
//!     }
//! }
//! # Ok::<(), autodiff_runtime::data::DataError>(())
//! ```

mod batches;
mod csv;
mod dataset;
pub mod datasets;
mod error;
mod idx;
mod standardize;
#[cfg(test)]
pub(crate) mod test_files;

pub use batches::{Batch, BatchIter, BatchSamples, Batches};
pub use csv::{CsvOptions, load_csv, load_csv_with};
pub use dataset::{Dataset, Split, one_hot, try_one_hot};
pub use error::{DataError, DataErrorKind, Location};
pub use idx::{load_idx, load_mnist};
pub use standardize::Standardizer;
