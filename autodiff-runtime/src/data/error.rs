//! [`DataError`]: what went wrong while reading a data file, and exactly where.
//!
//! A loader that panics on a bad row, or says only "invalid digit found in string", costs the
//! user a search through a 60 000-line file. Every error here names the file and the place:
//! line and column for text formats, byte offset for binary ones.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where in a file an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// The file as a whole (it could not be read, or it holds no data).
    File,
    /// A 1-based line of a text file.
    Line(usize),
    /// A 1-based line and 1-based column (field number) of a CSV file.
    Field {
        /// 1-based line number.
        line: usize,
        /// 1-based field number within the line.
        column: usize,
    },
    /// A 0-based byte offset into a binary file.
    ByteOffset(u64),
}

/// The kind of a [`DataError`], for programs that react to specific failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataErrorKind {
    /// The file could not be opened or read.
    Io,
    /// The file holds no data rows.
    Empty,
    /// The file is not valid UTF-8 text, or its gzip compression is corrupt.
    Encoding,
    /// A CSV row has a different number of fields than the rows before it.
    RaggedRow,
    /// The rows have a different number of fields than the sample type needs.
    ColumnCount,
    /// A feature field is empty, not a number, or not finite.
    NotANumber,
    /// A label is not a non-negative integer, or is out of range.
    BadLabel,
    /// A binary file does not start with the expected magic number or type code.
    BadMagic,
    /// A binary file ends before the data its header announces.
    Truncated,
    /// A binary file has more bytes than its header announces.
    TrailingData,
    /// Dimensions disagree: with the sample type, or between an image and a label file.
    DimensionMismatch,
    /// The loader's arguments do not fit the file (for example a label column past the end).
    InvalidArgument,
}

/// An error while loading a data set, naming the file and the place in it.
///
/// `Display` gives one line such as
/// ``data/iris.csv: line 7, column 2: `abc` is not a number``.
///
/// ```
/// use autodiff_runtime::data::{load_csv, DataErrorKind, Location};
/// use nalgebra::SVector;
///
/// let err = load_csv::<f32, 2>("no/such/file.csv", 2).unwrap_err();
/// assert_eq!(err.kind(), DataErrorKind::Io);
/// assert_eq!(err.location(), Location::File);
/// assert!(err.to_string().starts_with("no/such/file.csv: cannot read"));
/// ```
#[derive(Debug)]
pub struct DataError {
    path: PathBuf,
    location: Location,
    kind: DataErrorKind,
    message: String,
    source: Option<io::Error>,
}

impl DataError {
    pub(crate) fn new(
        path: &Path,
        location: Location,
        kind: DataErrorKind,
        message: impl Into<String>,
    ) -> Self {
        DataError {
            path: path.to_path_buf(),
            location,
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(path: &Path, err: io::Error) -> Self {
        DataError {
            path: path.to_path_buf(),
            location: Location::File,
            kind: DataErrorKind::Io,
            message: format!("cannot read file: {err}"),
            source: Some(err),
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where in the file the error was found.
    pub fn location(&self) -> Location {
        self.location
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> DataErrorKind {
        self.kind
    }

    /// The description without the file and location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line, for errors in text files.
    pub fn line(&self) -> Option<usize> {
        match self.location {
            Location::Line(line) | Location::Field { line, .. } => Some(line),
            _ => None,
        }
    }

    /// The 1-based column (field number), for errors in a single CSV field.
    pub fn column(&self) -> Option<usize> {
        match self.location {
            Location::Field { column, .. } => Some(column),
            _ => None,
        }
    }

    /// The 0-based byte offset, for errors in binary files.
    pub fn byte_offset(&self) -> Option<u64> {
        match self.location {
            Location::ByteOffset(offset) => Some(offset),
            _ => None,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        match self.location {
            Location::File => {}
            Location::Line(line) => write!(f, "line {line}: ")?,
            Location::Field { line, column } => write!(f, "line {line}, column {column}: ")?,
            Location::ByteOffset(offset) => write!(f, "byte {offset}: ")?,
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}
