//! Checkpoints: saving and loading [`Params`] in the safetensors format.
//!
//! safetensors is what PyTorch, JAX and Hugging Face use to exchange weights: a JSON header
//! naming every tensor with its dtype and shape, then raw little-endian data. It cannot run
//! code when loaded (unlike pickle), and a file written here opens directly with
//! `safetensors.torch.load_file` as a `dict` of tensors named by field path (`l1.weight`).
//!
//! Layout: nalgebra stores matrices column-major, PyTorch row-major, so a matrix of
//! `R` rows and `C` columns is written as a row-major tensor of shape `[R, C]` (transposed
//! on save and back on load). A column vector is shape `[n]`, a scalar shape `[]`. The dtype
//! is the model's scalar type (`F32` or `F64`). The header's `__metadata__` holds
//! `"format": "pt"` and a `"crc32"` of the data section, so a damaged file is reported
//! instead of loading wrong weights; files without the checksum (from other tools) load too.
//!
//! Saving is atomic: the bytes go to a temporary file in the same directory, which is
//! flushed to disk and then renamed over the target. A crash or a failed write leaves the
//! previous checkpoint intact, never a half-written one.
//!
//! Loading checks everything before changing anything: every tensor of the model must be in
//! the file with the same dtype and shape, and the file must have no others. On any error the
//! parameters are left untouched and the [`CheckpointError`] names the file and the tensor.
//!
//! ```
//! use autodiff_runtime::checkpoint;
//! use nalgebra::SMatrix;
//!
//! # let path = std::env::temp_dir().join(format!("autodiff-doc-ckpt-{}.safetensors", std::process::id()));
//! let weights = [SMatrix::<f32, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0); 2];
//! checkpoint::save(&weights, &path)?;
//!
//! let mut restored = [SMatrix::<f32, 2, 3>::zeros(); 2];
//! checkpoint::load_into(&mut restored, &path)?;
//! assert_eq!(restored, weights);
//!
//! // A different architecture is refused with both shapes named.
//! let mut other = [SMatrix::<f32, 3, 2>::zeros(); 2];
//! let err = checkpoint::load_into(&mut other, &path).unwrap_err();
//! assert!(err.to_string().contains("tensor `0` has shape [2, 3] in the file, but [3, 2] in the model"));
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{Params, Real};
use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What went wrong with a checkpoint; see [`CheckpointError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointErrorKind {
    /// The file could not be read or written (details in the message and `source()`).
    Io(String),
    /// The file is not a valid safetensors file, or its data fails the checksum.
    Corrupt(String),
    /// Tensors of the model that the file lacks.
    Missing(Vec<String>),
    /// Tensors in the file that the model lacks.
    Unexpected(Vec<String>),
    /// A tensor whose shape in the file differs from the model's.
    ShapeMismatch {
        /// Tensor name (dotted field path).
        name: String,
        /// Shape in the file.
        file: Vec<usize>,
        /// Shape in the model.
        model: Vec<usize>,
    },
    /// A tensor whose dtype in the file differs from the model's scalar type.
    DtypeMismatch {
        /// Tensor name (dotted field path).
        name: String,
        /// Dtype in the file (`"F16"`, `"F64"`, ...).
        file: String,
        /// The model's dtype ([`Real::DTYPE`]).
        model: &'static str,
    },
    /// The model yields two tensors with the same name, or a tensor whose data length does
    /// not match its shape (a bug in a hand-written [`Params`] implementation).
    InvalidParams(String),
}

/// An error saving or loading a checkpoint, naming the file.
#[derive(Debug)]
pub struct CheckpointError {
    path: PathBuf,
    kind: CheckpointErrorKind,
    source: Option<io::Error>,
}

impl CheckpointError {
    fn new(path: &Path, kind: CheckpointErrorKind) -> Self {
        CheckpointError {
            path: path.to_path_buf(),
            kind,
            source: None,
        }
    }

    fn io(path: &Path, doing: &str, err: io::Error) -> Self {
        CheckpointError {
            path: path.to_path_buf(),
            kind: CheckpointErrorKind::Io(format!("cannot {doing} checkpoint: {err}")),
            source: Some(err),
        }
    }

    /// The checkpoint file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> &CheckpointErrorKind {
        &self.kind
    }
}

fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s += &format!(" and {} more", names.len() - SHOWN);
    }
    s
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        match &self.kind {
            CheckpointErrorKind::Io(message) => f.write_str(message),
            CheckpointErrorKind::Corrupt(reason) => {
                write!(f, "not a valid safetensors checkpoint: {reason}")
            }
            CheckpointErrorKind::Missing(names) => {
                write!(
                    f,
                    "the file lacks the model's tensor(s) {}",
                    name_list(names)
                )
            }
            CheckpointErrorKind::Unexpected(names) => write!(
                f,
                "the file has tensor(s) the model lacks: {}",
                name_list(names)
            ),
            CheckpointErrorKind::ShapeMismatch { name, file, model } => write!(
                f,
                "tensor `{name}` has shape {file:?} in the file, but {model:?} in the model"
            ),
            CheckpointErrorKind::DtypeMismatch { name, file, model } => write!(
                f,
                "tensor `{name}` has dtype {file} in the file, but the model uses {model}"
            ),
            CheckpointErrorKind::InvalidParams(message) => {
                write!(f, "the parameters cannot be stored: {message}")
            }
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// One tensor ready for serialization: shape and little-endian row-major bytes.
struct OwnedTensor {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl View for &OwnedTensor {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

fn dtype_of<T: Real>() -> Dtype {
    if T::DTYPE == "F32" {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

fn dtype_name(dtype: Dtype) -> String {
    format!("{dtype:?}")
}

fn element_size<T: Real>() -> usize {
    if T::DTYPE == "F32" { 4 } else { 8 }
}

/// Appends `x` to `out` as the little-endian bytes of `T::DTYPE`.
fn push_le<T: Real>(out: &mut Vec<u8>, x: T) {
    if T::DTYPE == "F32" {
        out.extend((x.as_f64() as f32).to_le_bytes());
    } else {
        out.extend(x.as_f64().to_le_bytes());
    }
}

/// Reads element `i` of little-endian `T::DTYPE` bytes.
fn read_le<T: Real>(bytes: &[u8], i: usize) -> T {
    if T::DTYPE == "F32" {
        let b = &bytes[4 * i..4 * i + 4];
        T::of_f64(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    } else {
        let b = &bytes[8 * i..8 * i + 8];
        T::of_f64(f64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
}

/// Saves every tensor of `params` to `path` in the safetensors format, atomically.
///
/// Tensor names are the dotted field paths of [`Params::visit`]; matrices are stored
/// row-major with shape `[rows, cols]`. An existing file at `path` is replaced only once
/// the new one is completely written and flushed; if anything fails it stays as it was and
/// no temporary file is left behind.
///
/// ```
/// use autodiff_runtime::checkpoint;
/// use nalgebra::SVector;
/// # let path = std::env::temp_dir().join(format!("autodiff-doc-save-{}.safetensors", std::process::id()));
/// checkpoint::save(&SVector::<f64, 3>::new(1.0, 2.0, 3.0), &path)?;
/// let loaded: SVector<f64, 3> = checkpoint::load(&path)?;
/// assert_eq!(loaded, SVector::<f64, 3>::new(1.0, 2.0, 3.0));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save<P: Params + ?Sized>(params: &P, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
    let path = path.as_ref();
    let bytes = serialize(params).map_err(|kind| CheckpointError::new(path, kind))?;
    write_atomically(path, |file| file.write_all(&bytes))
        .map_err(|e| CheckpointError::io(path, "write", e))
}

/// The complete safetensors file for `params`.
fn serialize<P: Params + ?Sized>(params: &P) -> Result<Vec<u8>, CheckpointErrorKind> {
    let mut tensors: Vec<(String, OwnedTensor)> = Vec::new();
    let mut problem: Option<String> = None;
    let mut seen = HashSet::new();
    params.visit(&mut String::new(), &mut |name, data, shape| {
        if problem.is_some() {
            return;
        }
        if let Some(message) = invalid_tensor(name, data.len(), shape) {
            problem = Some(message);
            return;
        }
        if !seen.insert(name.to_string()) {
            problem = Some(format!("two tensors are named `{name}`"));
            return;
        }
        let mut bytes = Vec::with_capacity(data.len() * element_size::<P::Scalar>());
        if let [rows, cols] = *shape {
            // Column-major (nalgebra) to row-major (safetensors / PyTorch).
            for r in 0..rows {
                for c in 0..cols {
                    push_le(&mut bytes, data[c * rows + r]);
                }
            }
        } else {
            for &x in data {
                push_le(&mut bytes, x);
            }
        }
        let tensor = OwnedTensor {
            dtype: dtype_of::<P::Scalar>(),
            shape: shape.to_vec(),
            bytes,
        };
        tensors.push((name.to_string(), tensor));
    });
    if let Some(problem) = problem {
        return Err(CheckpointErrorKind::InvalidParams(problem));
    }
    let to_io = |e: safetensors::SafeTensorError| CheckpointErrorKind::Io(e.to_string());
    let mut metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    // The data section does not depend on the header, so serialize once to learn its
    // checksum, then again with the checksum in the header.
    let draft = safetensors::serialize(tensors.iter().map(|(n, t)| (n, t)), Some(metadata.clone()))
        .map_err(to_io)?;
    let header_len = u64::from_le_bytes(draft[..8].try_into().expect("8 bytes")) as usize;
    metadata.insert(
        "crc32".to_string(),
        format!("{:08x}", crc32(&draft[8 + header_len..])),
    );
    safetensors::serialize(tensors.iter().map(|(n, t)| (n, t)), Some(metadata)).map_err(to_io)
}

/// What is wrong with a tensor a [`Params`] implementation hands out, if anything: data
/// that does not fill its shape, or more than two dimensions (whose memory order `Params`
/// does not define).
fn invalid_tensor(name: &str, len: usize, shape: &[usize]) -> Option<String> {
    if shape.len() > 2 {
        Some(format!(
            "tensor `{name}` has {} dimensions; only scalars, vectors and matrices are supported",
            shape.len()
        ))
    } else if shape.iter().product::<usize>() != len {
        Some(format!(
            "tensor `{name}` has {len} values but shape {shape:?}"
        ))
    } else {
        None
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Writes a file by writing a uniquely named temporary file in the same directory, syncing
/// it to disk and renaming it over `path`. On failure the temporary file is removed and
/// `path` is untouched.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // Make the rename itself durable. Not every platform or file system can sync a
    // directory; the new file is in place either way, so failures here are ignored.
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Loads the checkpoint at `path` into `params`, which must have exactly the same tensors
/// (names, shapes and dtype) as the file.
///
/// Nothing is changed unless the whole file matches: on error `params` keeps its values.
/// Errors name the file and, for a mismatch, the tensor with both shapes or dtypes; a
/// missing, truncated or corrupted file is an error too, never a panic.
pub fn load_into<P: Params + ?Sized>(
    params: &mut P,
    path: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|e| CheckpointError::io(path, "read", e))?;
    let err = |kind| CheckpointError::new(path, kind);
    let file = parse(&bytes).map_err(err)?;

    // Check every tensor before writing any.
    let model_dtype = P::Scalar::DTYPE;
    let mut problem: Option<CheckpointErrorKind> = None;
    let mut missing = Vec::new();
    let mut seen = HashSet::new();
    params.visit(&mut String::new(), &mut |name, data, shape| {
        if problem.is_some() {
            return;
        }
        if !seen.insert(name.to_string()) {
            problem = Some(CheckpointErrorKind::InvalidParams(format!(
                "two tensors are named `{name}`"
            )));
            return;
        }
        match file.tensor(name) {
            Err(_) => missing.push(name.to_string()),
            Ok(t) if dtype_name(t.dtype()) != model_dtype => {
                problem = Some(CheckpointErrorKind::DtypeMismatch {
                    name: name.to_string(),
                    file: dtype_name(t.dtype()),
                    model: model_dtype,
                });
            }
            Ok(_) if invalid_tensor(name, data.len(), shape).is_some() => {
                problem =
                    invalid_tensor(name, data.len(), shape).map(CheckpointErrorKind::InvalidParams);
            }
            Ok(t) if t.shape() != shape => {
                problem = Some(CheckpointErrorKind::ShapeMismatch {
                    name: name.to_string(),
                    file: t.shape().to_vec(),
                    model: shape.to_vec(),
                });
            }
            Ok(_) => {}
        }
    });
    if let Some(problem) = problem {
        return Err(err(problem));
    }
    if !missing.is_empty() {
        return Err(err(CheckpointErrorKind::Missing(missing)));
    }
    let mut unexpected: Vec<String> = file
        .names()
        .into_iter()
        .filter(|n| !seen.contains(*n))
        .map(str::to_string)
        .collect();
    if !unexpected.is_empty() {
        unexpected.sort();
        return Err(err(CheckpointErrorKind::Unexpected(unexpected)));
    }

    let size = element_size::<P::Scalar>();
    let mut inconsistent: Option<String> = None;
    params.visit_mut(&mut String::new(), &mut |name, data, shape| {
        // `visit_mut` should yield what `visit` did; a hand-written `Params` that does not
        // gets an error rather than a panic.
        let bytes = match file.tensor(name) {
            Ok(t) if t.shape() == shape && t.data().len() == data.len() * size => t.data(),
            _ => {
                inconsistent.get_or_insert_with(|| name.to_string());
                return;
            }
        };
        if let [rows, cols] = *shape {
            for r in 0..rows {
                for c in 0..cols {
                    data[c * rows + r] = read_le(bytes, r * cols + c);
                }
            }
        } else {
            for (i, x) in data.iter_mut().enumerate() {
                *x = read_le(bytes, i);
            }
        }
    });
    match inconsistent {
        Some(name) => Err(err(CheckpointErrorKind::InvalidParams(format!(
            "`visit_mut` yields tensor `{name}` differently from `visit`"
        )))),
        None => Ok(()),
    }
}

/// Loads a checkpoint into a fresh `P::default()`; see [`load_into`].
pub fn load<P: Params + Default>(path: impl AsRef<Path>) -> Result<P, CheckpointError> {
    let mut params = P::default();
    load_into(&mut params, path)?;
    Ok(params)
}

/// Name, dtype and shape of one tensor in a checkpoint, as listed by [`tensors`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Tensor name (dotted field path).
    pub name: String,
    /// Dtype name as in the file (`"F32"`, `"F64"`, `"BF16"`, ...).
    pub dtype: String,
    /// Shape (row-major for matrices).
    pub shape: Vec<usize>,
}

/// Lists the tensors of a safetensors file sorted by name: for inspecting a checkpoint,
/// or finding out why it does not fit a model.
///
/// ```
/// use autodiff_runtime::checkpoint;
/// use nalgebra::SMatrix;
/// # let path = std::env::temp_dir().join(format!("autodiff-doc-list-{}.safetensors", std::process::id()));
/// checkpoint::save(&SMatrix::<f32, 4, 2>::zeros(), &path)?;
/// let info = checkpoint::tensors(&path)?;
/// assert_eq!((info[0].dtype.as_str(), &info[0].shape[..]), ("F32", &[4, 2][..]));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tensors(path: impl AsRef<Path>) -> Result<Vec<TensorInfo>, CheckpointError> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|e| CheckpointError::io(path, "read", e))?;
    let file = parse(&bytes).map_err(|kind| CheckpointError::new(path, kind))?;
    let mut out: Vec<TensorInfo> = file
        .iter()
        .map(|(name, t)| TensorInfo {
            name: name.to_string(),
            dtype: dtype_name(t.dtype()),
            shape: t.shape().to_vec(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Parses and validates a safetensors file, checking the `crc32` if the header has one.
fn parse(bytes: &[u8]) -> Result<SafeTensors<'_>, CheckpointErrorKind> {
    let corrupt = |reason: String| CheckpointErrorKind::Corrupt(reason);
    let (header_len, metadata): (usize, Metadata) =
        SafeTensors::read_metadata(bytes).map_err(|e| corrupt(describe(&e, bytes.len())))?;
    if let Some(expected) = metadata.metadata().as_ref().and_then(|m| m.get("crc32")) {
        let actual = format!("{:08x}", crc32(&bytes[8 + header_len..]));
        if *expected != actual {
            return Err(corrupt(format!(
                "the tensor data's checksum is {actual}, but the header records {expected}; \
                 the file is damaged"
            )));
        }
    }
    SafeTensors::deserialize(bytes).map_err(|e| corrupt(describe(&e, bytes.len())))
}

fn describe(e: &safetensors::SafeTensorError, len: usize) -> String {
    use safetensors::SafeTensorError as E;
    match e {
        E::HeaderTooSmall => format!("the file has only {len} bytes, too few for a header"),
        E::InvalidHeaderLength => {
            "the header length is larger than the file (truncated or not safetensors)".to_string()
        }
        E::MetadataIncompleteBuffer => format!(
            "the file's {len} bytes do not match the tensor sizes in its header (truncated?)"
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::test_files::TempDir;
    use crate::params::with_segment;
    use nalgebra::{SMatrix, SVector};

    /// A small two-layer-like parameter struct, with `Params` written by hand.
    #[derive(Debug, Clone, PartialEq)]
    struct Net<T: Real, const I: usize, const O: usize> {
        weight: SMatrix<T, O, I>,
        bias: SVector<T, O>,
    }

    // nalgebra's generic fixed-size matrices have no `Default`, so it is written out.
    impl<T: Real, const I: usize, const O: usize> Default for Net<T, I, O> {
        fn default() -> Self {
            Net {
                weight: SMatrix::zeros(),
                bias: SVector::zeros(),
            }
        }
    }

    impl<T: Real, const I: usize, const O: usize> Params for Net<T, I, O> {
        type Scalar = T;
        fn zeros_like(&self) -> Self {
            Net {
                weight: SMatrix::zeros(),
                bias: SVector::zeros(),
            }
        }
        fn add_assign(&mut self, other: &Self) {
            self.weight += other.weight;
            self.bias += other.bias;
        }
        fn scale(&mut self, factor: T) {
            self.weight *= factor;
            self.bias *= factor;
        }
        fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[T], &[usize])) {
            with_segment(name, "weight", |name| self.weight.visit(name, f));
            with_segment(name, "bias", |name| self.bias.visit(name, f));
        }
        fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [T], &[usize])) {
            with_segment(name, "weight", |name| self.weight.visit_mut(name, f));
            with_segment(name, "bias", |name| self.bias.visit_mut(name, f));
        }
        fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [T], &[T])) {
            self.weight.zip_mut(&other.weight, f);
            self.bias.zip_mut(&other.bias, f);
        }
    }

    fn sample_net<T: Real>() -> Net<T, 3, 2> {
        Net {
            // weight[(r, c)] = 10 r + c + 0.5
            weight: SMatrix::from_fn(|r, c| T::of_f64(10.0 * r as f64 + c as f64 + 0.5)),
            bias: SVector::from_fn(|r, _| T::of_f64(-1.25 * (r as f64 + 1.0))),
        }
    }

    fn round_trip<T: Real>() {
        let dir = TempDir::new();
        let path = dir.path().join("net.safetensors");
        let net = [sample_net::<T>(), sample_net::<T>().zeros_like()];
        save(&net, &path).unwrap();
        let mut restored = [Net::<T, 3, 2>::default(), Net::default()];
        load_into(&mut restored, &path).unwrap();
        assert_eq!(restored, net);
        let loaded: [Net<T, 3, 2>; 2] = load(&path).unwrap();
        assert_eq!(loaded, net);
        assert_eq!(dir.entries(), vec!["net.safetensors"]);
    }

    #[test]
    fn round_trip_f32_and_f64() {
        round_trip::<f32>();
        round_trip::<f64>();
    }

    #[test]
    fn file_is_pytorch_layout() {
        let dir = TempDir::new();
        let path = dir.path().join("layout.safetensors");
        save(&sample_net::<f32>(), &path).unwrap();
        let bytes = fs::read(&path).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let weight = file.tensor("weight").unwrap();
        assert_eq!((weight.dtype(), weight.shape()), (Dtype::F32, &[2, 3][..]));
        let values: Vec<f32> = weight
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        // Row-major: row 0 then row 1.
        assert_eq!(values, [0.5, 1.5, 2.5, 10.5, 11.5, 12.5]);
        assert_eq!(file.tensor("bias").unwrap().shape(), &[2]);
        let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(metadata.metadata().as_ref().unwrap()["format"], "pt");
        let listed = tensors(&path).unwrap();
        let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["bias", "weight"]);
        // Scalars have shape [].
        save(&2.5f64, &path).unwrap();
        assert_eq!(tensors(&path).unwrap()[0].shape, Vec::<usize>::new());
        assert_eq!(load::<f64>(&path).unwrap(), 2.5);
    }

    #[test]
    fn loads_files_without_checksum() {
        // As written by another tool: plain safetensors, no metadata.
        let dir = TempDir::new();
        let path = dir.path().join("foreign.safetensors");
        let data: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let view = safetensors::tensor::TensorView::new(Dtype::F64, vec![2, 2], &data).unwrap();
        fs::write(&path, safetensors::serialize([("m", view)], None).unwrap()).unwrap();
        let mut m = SMatrix::<f64, 2, 2>::zeros();
        // The bare matrix has the empty name; wrap it to get the name `m`.
        struct Named(SMatrix<f64, 2, 2>);
        impl Params for Named {
            type Scalar = f64;
            fn zeros_like(&self) -> Self {
                Named(SMatrix::zeros())
            }
            fn add_assign(&mut self, other: &Self) {
                self.0 += other.0;
            }
            fn scale(&mut self, factor: f64) {
                self.0 *= factor;
            }
            fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[f64], &[usize])) {
                with_segment(name, "m", |name| self.0.visit(name, f));
            }
            fn visit_mut(
                &mut self,
                name: &mut String,
                f: &mut dyn FnMut(&str, &mut [f64], &[usize]),
            ) {
                with_segment(name, "m", |name| self.0.visit_mut(name, f));
            }
            fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f64], &[f64])) {
                self.0.zip_mut(&other.0, f);
            }
        }
        let mut named = Named(m);
        load_into(&mut named, &path).unwrap();
        m = named.0;
        assert_eq!(m, SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0));
    }

    #[track_caller]
    fn expect_load_err<P: Params + Clone + PartialEq + fmt::Debug>(
        params: &mut P,
        path: &Path,
        message: &str,
    ) -> CheckpointErrorKind {
        let before = params.clone();
        let err = load_into(params, path).expect_err("expected an error");
        let shown = err.to_string();
        assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        assert!(shown.contains(message), "`{shown}` lacks `{message}`");
        assert_eq!(
            *params, before,
            "a failed load must not change the parameters"
        );
        err.kind().clone()
    }

    #[test]
    fn mismatched_architecture_names_tensor_and_shapes() {
        let dir = TempDir::new();
        let path = dir.path().join("net.safetensors");
        save(&sample_net::<f32>(), &path).unwrap();
        let mut wider = Net::<f32, 4, 2>::default();
        let kind = expect_load_err(
            &mut wider,
            &path,
            "tensor `weight` has shape [2, 3] in the file, but [2, 4] in the model",
        );
        assert_eq!(
            kind,
            CheckpointErrorKind::ShapeMismatch {
                name: "weight".into(),
                file: vec![2, 3],
                model: vec![2, 4]
            }
        );
        let mut f64_net = Net::<f64, 3, 2>::default();
        expect_load_err(
            &mut f64_net,
            &path,
            "tensor `weight` has dtype F32 in the file, but the model uses F64",
        );
        let mut two = [sample_net::<f32>(), sample_net::<f32>()];
        expect_load_err(
            &mut two,
            &path,
            "the file lacks the model's tensor(s) `0.weight`, `0.bias`, `1.weight`, `1.bias`",
        );
        save(&two, &path).unwrap();
        let mut one = [sample_net::<f32>()];
        expect_load_err(
            &mut one,
            &path,
            "the file has tensor(s) the model lacks: `1.bias`, `1.weight`",
        );
    }

    #[test]
    fn truncated_garbage_corrupted_and_missing_files() {
        let dir = TempDir::new();
        let path = dir.path().join("net.safetensors");
        save(&sample_net::<f64>(), &path).unwrap();
        let good = fs::read(&path).unwrap();
        let mut net = sample_net::<f64>().zeros_like();

        for cut in [0, 5, 8, 20, good.len() - 1] {
            fs::write(&path, &good[..cut]).unwrap();
            let kind = expect_load_err(&mut net, &path, "not a valid safetensors checkpoint");
            assert!(matches!(kind, CheckpointErrorKind::Corrupt(_)));
        }
        fs::write(&path, &good[..good.len() - 3]).unwrap();
        expect_load_err(
            &mut net,
            &path,
            "do not match the tensor sizes in its header (truncated?)",
        );

        fs::write(&path, b"this is not a checkpoint at all, just some text").unwrap();
        expect_load_err(&mut net, &path, "not a valid safetensors checkpoint");
        let mut garbage = vec![0xffu8; 8];
        garbage.extend(b"{{{{");
        fs::write(&path, garbage).unwrap();
        expect_load_err(&mut net, &path, "not a valid safetensors checkpoint");

        // One flipped bit in the data: caught by the checksum.
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 0x10;
        fs::write(&path, flipped).unwrap();
        expect_load_err(&mut net, &path, "the file is damaged");

        let missing = dir.path().join("missing.safetensors");
        let kind = expect_load_err(&mut net, &missing, "cannot read checkpoint");
        assert!(matches!(kind, CheckpointErrorKind::Io(_)));
        assert!(tensors(&missing).is_err());
    }

    #[test]
    fn failed_write_leaves_existing_file_intact() {
        let dir = TempDir::new();
        let path = dir.path().join("net.safetensors");
        save(&sample_net::<f32>(), &path).unwrap();
        let before = fs::read(&path).unwrap();

        // The write fails halfway (as on a full disk): the old file stays, no temp file.
        let err = write_atomically(&path, |file| {
            file.write_all(&[1, 2, 3])?;
            Err(io::Error::other("simulated: no space left on device"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("simulated"));
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(dir.entries(), vec!["net.safetensors"]);

        // Saving into a directory that does not exist fails cleanly, naming the file.
        let nowhere = dir.path().join("no-such-dir").join("net.safetensors");
        let err = save(&sample_net::<f32>(), &nowhere).unwrap_err();
        assert!(
            err.to_string().starts_with(&nowhere.display().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("cannot write checkpoint"), "{err}");

        // A target that is a directory: the rename fails, nothing is left behind.
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        fs::write(sub.join("keep"), b"x").unwrap();
        assert!(save(&sample_net::<f32>(), &sub).is_err());
        assert_eq!(dir.entries(), vec!["net.safetensors", "sub"]);

        // A successful save replaces the file whole.
        let mut changed = sample_net::<f32>();
        changed.bias[0] = 99.0;
        save(&changed, &path).unwrap();
        let mut back = Net::<f32, 3, 2>::default();
        load_into(&mut back, &path).unwrap();
        assert_eq!(back, changed);
        assert_eq!(dir.entries(), vec!["net.safetensors", "sub"]);
    }

    #[test]
    fn invalid_params_are_refused_before_writing() {
        struct Twice(SVector<f32, 2>);
        impl Params for Twice {
            type Scalar = f32;
            fn zeros_like(&self) -> Self {
                Twice(SVector::zeros())
            }
            fn add_assign(&mut self, other: &Self) {
                self.0 += other.0;
            }
            fn scale(&mut self, factor: f32) {
                self.0 *= factor;
            }
            fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[f32], &[usize])) {
                with_segment(name, "v", |name| self.0.visit(name, f));
                with_segment(name, "v", |name| self.0.visit(name, f));
            }
            fn visit_mut(
                &mut self,
                name: &mut String,
                f: &mut dyn FnMut(&str, &mut [f32], &[usize]),
            ) {
                with_segment(name, "v", |name| self.0.visit_mut(name, f));
            }
            fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
                self.0.zip_mut(&other.0, f);
            }
        }
        let dir = TempDir::new();
        let path = dir.path().join("p.safetensors");
        fs::write(&path, b"old").unwrap();
        let err = save(&Twice(SVector::zeros()), &path).unwrap_err();
        assert!(
            err.to_string().contains("two tensors are named `v`"),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(dir.entries(), vec!["p.safetensors"]);
    }
}
