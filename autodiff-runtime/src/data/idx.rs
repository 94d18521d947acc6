//! Loading MNIST-style IDX files (the format of MNIST, Fashion-MNIST, EMNIST and KMNIST).
//!
//! The data sets themselves are too large to vendor, so users download them once and load
//! them with one call. An IDX file is a 4-byte magic number (`0x00 0x00`, a type code,
//! the number of dimensions), one big-endian `u32` per dimension, then the data. Only
//! unsigned-byte data (type `0x08`) is read, which is what all of those data sets use. Files
//! may be gzip-compressed (`train-images-idx3-ubyte.gz` as distributed); byte offsets in
//! errors then count in the decompressed data.

use super::dataset::Dataset;
use super::error::{DataError, DataErrorKind, Location};
use crate::Real;
use nalgebra::SVector;
use std::io::Read;
use std::path::Path;

/// Loads an IDX image file (`idx3-ubyte`: count x rows x columns) and its IDX label file
/// (`idx1-ubyte`) as samples of `N = rows * columns` pixels scaled from `0..=255` to
/// `[0, 1]`, in row-major pixel order.
///
/// Every malformed input is an `Err` naming the file and the byte offset: wrong magic number
/// or type code, wrong number of dimensions, a file shorter or longer than its header says,
/// images that are not `N` pixels, or image and label counts that differ.
///
/// ```
/// use autodiff_runtime::data::load_idx;
/// # let dir = std::env::temp_dir();
/// # let images = dir.join(format!("autodiff-doc-{}-images.idx", std::process::id()));
/// # let labels = dir.join(format!("autodiff-doc-{}-labels.idx", std::process::id()));
/// // Two 2x2 images and their labels.
/// std::fs::write(&images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2,
///                          0, 255, 51, 0, /* second image */ 255, 255, 255, 255])?;
/// std::fs::write(&labels, [0, 0, 8, 1, 0, 0, 0, 2, 7, 1])?;
/// let data = load_idx::<f32, 4>(&images, &labels)?;
/// assert_eq!(data.labels(), &[7, 1]);
/// assert_eq!(data.samples()[0].as_slice(), &[0.0, 1.0, 0.2, 0.0]);
///
/// let err = load_idx::<f32, 9>(&images, &labels).unwrap_err();
/// assert_eq!(err.byte_offset(), Some(8));
/// # std::fs::remove_file(&images)?; std::fs::remove_file(&labels)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_idx<T: Real, const N: usize>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Dataset<SVector<T, N>>, DataError> {
    let (images_path, labels_path) = (images.as_ref(), labels.as_ref());
    let images = IdxFile::read(images_path, 3)?;
    let labels = IdxFile::read(labels_path, 1)?;
    let (count, rows, cols) = (images.dims[0], images.dims[1], images.dims[2]);
    if rows * cols != N {
        return Err(DataError::new(
            images_path,
            Location::ByteOffset(8),
            DataErrorKind::DimensionMismatch,
            format!(
                "images are {rows}x{cols} = {} pixels, but the sample type SVector<_, {N}> holds {N}",
                rows * cols
            ),
        ));
    }
    if labels.dims[0] != count {
        return Err(DataError::new(
            labels_path,
            Location::ByteOffset(4),
            DataErrorKind::DimensionMismatch,
            format!(
                "holds {} labels, but the image file `{}` holds {count} images",
                labels.dims[0],
                images_path.display()
            ),
        ));
    }
    let scale = 1.0 / 255.0;
    let data = images.data();
    let samples = (0..count)
        .map(|k| {
            let mut x = SVector::<T, N>::zeros();
            for (v, &p) in x.iter_mut().zip(&data[k * N..(k + 1) * N]) {
                *v = T::of_f64(f64::from(p) * scale);
            }
            x
        })
        .collect();
    let labels = labels.data().iter().map(|&l| usize::from(l)).collect();
    Ok(Dataset::new(samples, labels))
}

/// [`load_idx`] for MNIST's 28x28 images: `load_mnist::<f32>("train-images-idx3-ubyte",
/// "train-labels-idx1-ubyte")`, optionally gzip-compressed.
pub fn load_mnist<T: Real>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Dataset<SVector<T, 784>>, DataError> {
    load_idx(images, labels)
}

/// The dimensions of a parsed IDX file and where its data starts.
struct IdxFile {
    bytes: Vec<u8>,
    dims: Vec<usize>,
    data_start: usize,
}

impl IdxFile {
    fn data(&self) -> &[u8] {
        &self.bytes[self.data_start..]
    }

    fn read(path: &Path, ndims_wanted: u8) -> Result<IdxFile, DataError> {
        let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
        let (bytes, gz) = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .map_err(|e| {
                    DataError::new(
                        path,
                        Location::File,
                        DataErrorKind::Encoding,
                        format!("gzip data is corrupt: {e}"),
                    )
                })?;
            (out, " (decompressed)")
        } else {
            (raw, "")
        };
        let err = |offset: usize, kind, message: String| {
            DataError::new(
                path,
                Location::ByteOffset(offset as u64),
                kind,
                message + gz,
            )
        };
        let what = if ndims_wanted == 3 {
            "an image file (count, rows, columns; magic 0x00000803)"
        } else {
            "a label file (count; magic 0x00000801)"
        };
        if bytes.len() < 4 {
            return Err(err(
                bytes.len(),
                DataErrorKind::Truncated,
                format!(
                    "file ends after {} bytes, inside the 4-byte magic number",
                    bytes.len()
                ),
            ));
        }
        if bytes[0] != 0 || bytes[1] != 0 {
            let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            return Err(err(
                0,
                DataErrorKind::BadMagic,
                format!(
                    "bad magic number 0x{magic:08x}: an IDX file starts with two zero bytes, \
                     a type code and the number of dimensions; expected {what}"
                ),
            ));
        }
        if bytes[2] != 0x08 {
            return Err(err(
                2,
                DataErrorKind::BadMagic,
                format!(
                    "data type code 0x{:02x} is not supported; only 0x08 (unsigned byte) is",
                    bytes[2]
                ),
            ));
        }
        if bytes[3] != ndims_wanted {
            return Err(err(
                3,
                DataErrorKind::DimensionMismatch,
                format!("has {} dimensions, expected {what}", bytes[3]),
            ));
        }
        let data_start = 4 + 4 * usize::from(ndims_wanted);
        if bytes.len() < data_start {
            return Err(err(
                bytes.len(),
                DataErrorKind::Truncated,
                format!(
                    "file ends after {} bytes, inside the header of {data_start} bytes",
                    bytes.len()
                ),
            ));
        }
        let dims: Vec<usize> = bytes[4..data_start]
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        let shown = dims
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("x");
        let data_len = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        let data_end = data_len.and_then(|len| len.checked_add(data_start));
        match data_end {
            Some(end) if bytes.len() < end => Err(err(
                bytes.len(),
                DataErrorKind::Truncated,
                format!(
                    "file ends after {} bytes, but its header's dimensions {shown} need data up \
                     to byte {end}",
                    bytes.len()
                ),
            )),
            Some(end) if bytes.len() > end => Err(err(
                end,
                DataErrorKind::TrailingData,
                format!(
                    "{} unexpected bytes after the data of dimensions {shown}",
                    bytes.len() - end
                ),
            )),
            Some(_) => Ok(IdxFile {
                bytes,
                dims,
                data_start,
            }),
            None => Err(err(
                4,
                DataErrorKind::Truncated,
                format!("dimensions {shown} are too large for any file"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::test_files::TempFile;
    use std::io::Write;

    fn images_bytes(count: u32, rows: u32, cols: u32) -> Vec<u8> {
        let mut b = vec![0, 0, 8, 3];
        for d in [count, rows, cols] {
            b.extend(d.to_be_bytes());
        }
        b.extend((0..count * rows * cols).map(|i| (i * 17 % 256) as u8));
        b
    }

    fn labels_bytes(labels: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, 1];
        b.extend((labels.len() as u32).to_be_bytes());
        b.extend(labels);
        b
    }

    fn load(images: &[u8], labels: &[u8]) -> Result<Dataset<SVector<f64, 6>>, DataError> {
        let (i, l) = (TempFile::new("idx3", images), TempFile::new("idx1", labels));
        load_idx::<f64, 6>(i.path(), l.path())
    }

    #[track_caller]
    fn expect_err(
        result: Result<Dataset<SVector<f64, 6>>, DataError>,
        kind: DataErrorKind,
        offset: u64,
        message: &str,
    ) {
        let err = result.expect_err("expected an error");
        assert_eq!(
            (err.kind(), err.byte_offset()),
            (kind, Some(offset)),
            "{err}"
        );
        let shown = err.to_string();
        assert!(shown.contains(message), "`{shown}` lacks `{message}`");
        assert!(
            shown.contains(".idx") && shown.contains(&format!("byte {offset}:")),
            "{shown}"
        );
    }

    #[test]
    fn loads_and_scales_row_major_pixels() {
        let d = load(&images_bytes(3, 2, 3), &labels_bytes(&[4, 0, 9])).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.labels(), &[4, 0, 9]);
        let expected: Vec<f64> = (6..12).map(|i| (i * 17 % 256) as f64 / 255.0).collect();
        assert_eq!(d.samples()[1].as_slice(), &expected[..]);
        assert!(
            d.samples()
                .iter()
                .all(|x| x.iter().all(|&v| (0.0..=1.0).contains(&v)))
        );
    }

    #[test]
    fn reads_gzip_files() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&images_bytes(2, 3, 2)).unwrap();
        let d = load(&gz.finish().unwrap(), &labels_bytes(&[1, 2])).unwrap();
        assert_eq!(d.labels(), &[1, 2]);
        // Corrupt gzip is an error, not a panic.
        let err = load(&[0x1f, 0x8b, 8, 0, 1, 2, 3], &labels_bytes(&[1])).unwrap_err();
        assert_eq!(err.kind(), DataErrorKind::Encoding);
        assert!(err.to_string().contains("gzip data is corrupt"), "{err}");
    }

    #[test]
    fn bad_magic_and_type() {
        let mut images = images_bytes(1, 2, 3);
        images[0] = 0x50;
        expect_err(
            load(&images, &labels_bytes(&[0])),
            DataErrorKind::BadMagic,
            0,
            "bad magic number 0x50000803",
        );
        let mut images = images_bytes(1, 2, 3);
        images[2] = 0x0d;
        expect_err(
            load(&images, &labels_bytes(&[0])),
            DataErrorKind::BadMagic,
            2,
            "type code 0x0d",
        );
        // Image and label files swapped.
        expect_err(
            load(&labels_bytes(&[0]), &images_bytes(1, 2, 3)),
            DataErrorKind::DimensionMismatch,
            3,
            "has 1 dimensions, expected an image file",
        );
    }

    #[test]
    fn truncated_and_trailing() {
        let images = images_bytes(2, 2, 3);
        expect_err(
            load(&images[..2], &labels_bytes(&[0, 1])),
            DataErrorKind::Truncated,
            2,
            "inside the 4-byte magic",
        );
        expect_err(
            load(&images[..10], &labels_bytes(&[0, 1])),
            DataErrorKind::Truncated,
            10,
            "inside the header of 16 bytes",
        );
        expect_err(
            load(&images[..20], &labels_bytes(&[0, 1])),
            DataErrorKind::Truncated,
            20,
            "file ends after 20 bytes, but its header's dimensions 2x2x3 need data up to byte 28",
        );
        let mut long = images.clone();
        long.extend([1, 2, 3]);
        expect_err(
            load(&long, &labels_bytes(&[0, 1])),
            DataErrorKind::TrailingData,
            28,
            "3 unexpected bytes",
        );
        let labels = labels_bytes(&[0, 1]);
        expect_err(
            load(&images, &labels[..9]),
            DataErrorKind::Truncated,
            9,
            "need data up to byte 10",
        );
        // Dimensions whose product overflows.
        let mut huge = vec![0, 0, 8, 3];
        for _ in 0..3 {
            huge.extend(u32::MAX.to_be_bytes());
        }
        let result = load(&huge, &labels);
        let err = result.unwrap_err();
        assert_eq!(err.kind(), DataErrorKind::Truncated, "{err}");
    }

    #[test]
    fn dimension_mismatches() {
        expect_err(
            load(&images_bytes(2, 2, 2), &labels_bytes(&[0, 1])),
            DataErrorKind::DimensionMismatch,
            8,
            "images are 2x2 = 4 pixels, but the sample type SVector<_, 6> holds 6",
        );
        expect_err(
            load(&images_bytes(2, 2, 3), &labels_bytes(&[0, 1, 2])),
            DataErrorKind::DimensionMismatch,
            4,
            "holds 3 labels, but the image file",
        );
    }

    #[test]
    fn missing_file() {
        let labels = TempFile::new("idx1", &labels_bytes(&[0]));
        let err = load_mnist::<f32>("/nonexistent/autodiff/images.idx", labels.path()).unwrap_err();
        assert_eq!(err.kind(), DataErrorKind::Io);
        assert!(
            err.to_string()
                .starts_with("/nonexistent/autodiff/images.idx: cannot read file")
        );
    }
}
