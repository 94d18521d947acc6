//! Small real data sets compiled into the crate, loaded with one call and no network.
//!
//! The files live in the repository's `data/` folder (with their descriptions and
//! attribution in `data/README.md`) and are embedded with `include_bytes!`: about 60 KB of
//! binary for both, and examples, tests and benchmarks run on a fresh clone offline.
//!
//! - [`digits`]: UCI Optical Recognition of Handwritten Digits, 8x8 images of the digits
//!   0-9 (1797 images), in the canonical split every accuracy in this project is quoted on.
//! - [`iris`]: Fisher's iris flowers (150 samples, 4 measurements, 3 species).
//!
//! The UCI data sets are published under CC BY 4.0; these copies are the ones distributed
//! with scikit-learn (BSD-3-Clause).

use super::csv::{CsvOptions, parse_csv};
use super::dataset::{Dataset, Split};
use super::error::{DataError, DataErrorKind, Location};
use crate::Real;
use nalgebra::SVector;
use std::io::Read;
use std::path::Path;

static DIGITS_CSV_GZ: &[u8] = include_bytes!("../../../data/digits.csv.gz");
static IRIS_CSV: &[u8] = include_bytes!("../../../data/iris.csv");

/// The canonical train/test split of the digits data: 1437 training and 360 test images of
/// 64 pixels in `[0, 1]`.
pub type DigitsSplit<T> = Split<SVector<T, 64>>;

/// The iris species, indexed by label.
pub const IRIS_CLASSES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// The handwritten digits in the canonical split used wherever this project quotes accuracy:
/// row `i` (0-based, file order) is a test sample when `i % 5 == 0` (360 rows), a training
/// sample otherwise (1437 rows). Each sample is the 8x8 image in row-major order with pixel
/// counts `0..=16` scaled by 1/16 to `[0, 1]`; labels are the digits `0..=9`.
///
/// The `Result` only guards the decompression of the embedded file, which this crate's
/// tests check; in practice it is always `Ok`.
///
/// ```
/// use autodiff_runtime::data::datasets::digits;
///
/// let digits = digits::<f32>()?;
/// assert_eq!((digits.train.len(), digits.test.len()), (1437, 360));
/// let (image, label) = digits.test.get(0).unwrap();
/// assert_eq!(label, 0);
/// assert!(image.iter().all(|&p| (0.0..=1.0).contains(&p)));
/// # Ok::<(), autodiff_runtime::data::DataError>(())
/// ```
pub fn digits<T: Real>() -> Result<DigitsSplit<T>, DataError> {
    let all = digits_all::<T>()?;
    let (samples, labels) = all.into_parts();
    let mut train = Vec::with_capacity(1437);
    let mut test = Vec::with_capacity(360);
    for (i, pair) in samples.into_iter().zip(labels).enumerate() {
        let part = if i % 5 == 0 { &mut test } else { &mut train };
        part.push(pair);
    }
    Ok(Split {
        train: train.into_iter().collect(),
        test: test.into_iter().collect(),
    })
}

/// All 1797 digit images in file order, pixels scaled to `[0, 1]`, without splitting.
pub fn digits_all<T: Real>() -> Result<Dataset<SVector<T, 64>>, DataError> {
    let name = Path::new("<embedded data/digits.csv.gz>");
    let mut csv = Vec::with_capacity(300_000);
    flate2::read::GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_end(&mut csv)
        .map_err(|e| {
            DataError::new(
                name,
                Location::File,
                DataErrorKind::Encoding,
                format!("gzip data is corrupt: {e}"),
            )
        })?;
    let data = parse_csv::<T, 64>(name, &csv, &CsvOptions::new(64).num_classes(10))?;
    let scale = T::of_f64(1.0 / 16.0);
    Ok(data.map(|x| x * scale))
}

/// Fisher's iris data: 150 samples of sepal length, sepal width, petal length and petal
/// width in centimetres (unscaled), labels `0..3` naming [`IRIS_CLASSES`], in file order
/// (sorted by class, so shuffle or [`Dataset::split`] before training).
///
/// ```
/// use autodiff_runtime::data::datasets::{iris, IRIS_CLASSES};
///
/// let (train, validation) = iris::<f64>()?.split(0.2, 0);
/// assert_eq!((train.len(), validation.len()), (120, 30));
/// assert_eq!(IRIS_CLASSES[train.labels()[0]].len() > 0, true);
/// # Ok::<(), autodiff_runtime::data::DataError>(())
/// ```
pub fn iris<T: Real>() -> Result<Dataset<SVector<T, 4>>, DataError> {
    parse_csv(
        Path::new("<embedded data/iris.csv>"),
        IRIS_CSV,
        &CsvOptions::new(4).header(true).num_classes(3),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_canonical_split() {
        let all = digits_all::<f64>().unwrap();
        assert_eq!(all.len(), 1797);
        assert_eq!(
            all.class_counts(),
            vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
        let split = digits::<f32>().unwrap();
        assert_eq!((split.train.len(), split.test.len()), (1437, 360));
        // Test rows are 0, 5, 10, ...; training rows 1, 2, 3, 4, 6, ...
        for (k, (x, y)) in split.test.iter().enumerate() {
            let (x_all, y_all) = all.get(5 * k).unwrap();
            assert_eq!(y, y_all);
            assert_eq!(x.map(f64::from), *x_all);
        }
        let (x1, y1) = split.train.get(3).unwrap();
        assert_eq!(
            (x1.map(f64::from), y1),
            (*all.get(4).unwrap().0, all.get(4).unwrap().1)
        );
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
        let (x0, y0) = all.get(0).unwrap();
        assert_eq!((x0[2], x0[3], y0), (5.0 / 16.0, 13.0 / 16.0, 0));
        let max = all.samples().iter().map(|x| x.max()).fold(0.0, f64::max);
        assert_eq!(max, 1.0);
        assert!(all.samples().iter().all(|x| x.min() >= 0.0));
    }

    #[test]
    fn iris_loads() {
        let d = iris::<f32>().unwrap();
        assert_eq!(d.len(), 150);
        assert_eq!(d.class_counts(), vec![50, 50, 50]);
        let (x, y) = d.get(0).unwrap();
        assert_eq!((x.as_slice(), y), (&[5.1f32, 3.5, 1.4, 0.2][..], 0));
    }
}
