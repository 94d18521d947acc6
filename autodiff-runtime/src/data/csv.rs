//! Loading numeric CSV files into a [`Dataset`] of fixed-size vectors.
//!
//! The sample type `SVector<T, N>` fixes the number of features at compile time, so the
//! loader checks every row against it and reports the first bad field with its line and
//! column instead of panicking or silently padding. Only plain numeric CSV is supported: no
//! quoting, one optional header line, class labels as integers `0, 1, 2, ...`.

use super::dataset::Dataset;
use super::error::{DataError, DataErrorKind, Location};
use crate::Real;
use nalgebra::SVector;
use std::path::Path;

/// How to read a CSV file: which column holds the label, whether the first line is a header,
/// the delimiter, and optionally how many classes there are.
///
/// ```
/// use autodiff_runtime::data::CsvOptions;
///
/// // Label in column 0 (0-based), a header line, semicolons, ten classes.
/// let options = CsvOptions::new(0).header(true).delimiter(b';').num_classes(10);
/// assert_eq!(options.label_column, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsvOptions {
    /// 0-based index of the label column; the other `N` columns are the features, in order.
    pub label_column: usize,
    /// Whether the first non-empty line is a header to skip (default `false`).
    pub header: bool,
    /// The field separator (default `b','`).
    pub delimiter: u8,
    /// If set, labels must be below this (default `None`: any non-negative integer).
    pub num_classes: Option<usize>,
}

impl CsvOptions {
    /// Options with the label in column `label_column` and every other setting at its default.
    pub fn new(label_column: usize) -> Self {
        CsvOptions {
            label_column,
            header: false,
            delimiter: b',',
            num_classes: None,
        }
    }

    /// Skip the first non-empty line.
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// Use `delimiter` between fields (an ASCII byte such as `b';'` or `b'\t'`).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Reject labels `>= num_classes`.
    pub fn num_classes(mut self, num_classes: usize) -> Self {
        self.num_classes = Some(num_classes);
        self
    }
}

/// Loads a headerless, comma-separated file of `N` numeric features plus one integer label
/// in column `label_column` (0-based; `N` for "last").
///
/// Blank lines are skipped, fields are trimmed, `\r\n` line ends are accepted. Every problem
/// is an `Err` naming the file, line and column: a row with the wrong number of fields, an
/// empty or non-numeric or non-finite feature, a label that is not a non-negative integer,
/// a file with no rows. Use [`load_csv_with`] for headers, other delimiters and a class
/// count.
///
/// ```
/// use autodiff_runtime::data::load_csv;
/// # let path = std::env::temp_dir().join(format!("autodiff-doc-csv-{}.csv", std::process::id()));
/// std::fs::write(&path, "0.5,1.5,1\n2.0,-1.0,0\n")?;
/// let data = load_csv::<f32, 2>(&path, 2)?;
/// assert_eq!(data.len(), 2);
/// assert_eq!(data.get(0).unwrap().1, 1);
///
/// std::fs::write(&path, "0.5,1.5,1\n2.0,oops,0\n")?;
/// let err = load_csv::<f32, 2>(&path, 2).unwrap_err();
/// assert_eq!((err.line(), err.column()), (Some(2), Some(2)));
/// assert!(err.to_string().ends_with("line 2, column 2: `oops` is not a number"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_csv<T: Real, const N: usize>(
    path: impl AsRef<Path>,
    label_column: usize,
) -> Result<Dataset<SVector<T, N>>, DataError> {
    load_csv_with(path, &CsvOptions::new(label_column))
}

/// Like [`load_csv`], with [`CsvOptions`].
pub fn load_csv_with<T: Real, const N: usize>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset<SVector<T, N>>, DataError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    parse_csv(path, &bytes, options)
}

/// Parses CSV text already in memory; `path` is only used in error messages.
pub(crate) fn parse_csv<T: Real, const N: usize>(
    path: &Path,
    bytes: &[u8],
    options: &CsvOptions,
) -> Result<Dataset<SVector<T, N>>, DataError> {
    let err = |location, kind, message: String| DataError::new(path, location, kind, message);
    let fields_wanted = N + 1;
    if options.label_column >= fields_wanted {
        return Err(err(
            Location::File,
            DataErrorKind::InvalidArgument,
            format!(
                "label column {} (0-based) is past the end of a row of {N} features and 1 label; \
                 use a column within 0..={N}",
                options.label_column
            ),
        ));
    }
    if !options.delimiter.is_ascii() || options.delimiter == b'\n' {
        return Err(err(
            Location::File,
            DataErrorKind::InvalidArgument,
            format!(
                "delimiter {:?} must be an ASCII byte other than newline",
                options.delimiter
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        err(
            Location::Line(line),
            DataErrorKind::Encoding,
            format!("not valid UTF-8 text (byte {})", e.valid_up_to()),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = options.delimiter as char;

    let mut samples = Vec::new();
    let mut labels = Vec::new();
    let mut header_pending = options.header;
    let mut first_row_line: Option<usize> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        if header_pending {
            header_pending = false;
            continue;
        }
        let n_fields = line.split(delimiter).count();
        if n_fields != fields_wanted {
            let (kind, message) = match first_row_line {
                Some(first) => (
                    DataErrorKind::RaggedRow,
                    format!(
                        "row has {n_fields} fields, but the row on line {first} has {fields_wanted}"
                    ),
                ),
                None => (
                    DataErrorKind::ColumnCount,
                    format!(
                        "row has {n_fields} fields, expected {fields_wanted} ({N} features and 1 label) \
                         for samples of type SVector<_, {N}>"
                    ),
                ),
            };
            return Err(err(Location::Line(line_no), kind, message));
        }
        let is_first_row = first_row_line.is_none();
        first_row_line.get_or_insert(line_no);

        let mut x = SVector::<T, N>::zeros();
        let mut feature = 0;
        for (col, field) in line.split(delimiter).enumerate() {
            let field = field.trim();
            let location = Location::Field {
                line: line_no,
                column: col + 1,
            };
            if col == options.label_column {
                let label = parse_label(field, options.num_classes)
                    .map_err(|m| err(location, DataErrorKind::BadLabel, m))?;
                labels.push(label);
                continue;
            }
            let value = parse_feature(field, is_first_row && !options.header)
                .map_err(|m| err(location, DataErrorKind::NotANumber, m))?;
            x[feature] = T::of_f64(value);
            feature += 1;
        }
        samples.push(x);
    }
    if samples.is_empty() {
        return Err(err(
            Location::File,
            DataErrorKind::Empty,
            "contains no data rows".to_string(),
        ));
    }
    Ok(Dataset::new(samples, labels))
}

fn parse_feature(field: &str, maybe_header: bool) -> Result<f64, String> {
    if field.is_empty() {
        return Err("empty field; every feature needs a number".to_string());
    }
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("`{field}` is not a finite number")),
        Err(_) if maybe_header => Err(format!(
            "`{field}` is not a number (if this line is a header, use \
             `load_csv_with` with `CsvOptions::new(..).header(true)`)"
        )),
        Err(_) => Err(format!("`{field}` is not a number")),
    }
}

fn parse_label(field: &str, num_classes: Option<usize>) -> Result<usize, String> {
    if field.is_empty() {
        return Err("empty label field; every row needs a class index 0, 1, 2, ...".to_string());
    }
    let label = match field.parse::<usize>() {
        Ok(label) => label,
        Err(_) => match field.parse::<f64>() {
            // Integral floats such as `3.0` (as pandas writes them) are accepted.
            Ok(v) if v.fract() == 0.0 && (0.0..9.0e15).contains(&v) => v as usize,
            Ok(v) if v.fract() == 0.0 && v < 0.0 => {
                return Err(format!(
                    "label `{field}` is out of range: labels are class indices 0, 1, 2, ..."
                ));
            }
            _ => {
                return Err(format!(
                    "label `{field}` is not an integer: labels are class indices 0, 1, 2, ..."
                ));
            }
        },
    };
    match num_classes {
        Some(k) if label >= k => Err(format!(
            "label `{field}` is out of range: expected a class index in 0..{k}"
        )),
        _ => Ok(label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::test_files::TempFile;

    fn load<const N: usize>(
        text: &str,
        options: &CsvOptions,
    ) -> Result<Dataset<SVector<f64, N>>, DataError> {
        let file = TempFile::new("csv", text.as_bytes());
        load_csv_with::<f64, N>(file.path(), options)
    }

    #[track_caller]
    fn expect_err<const N: usize>(
        text: &str,
        options: &CsvOptions,
        kind: DataErrorKind,
        location: Location,
        message: &str,
    ) {
        let err = load::<N>(text, options).expect_err("expected an error");
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(err.location(), location, "{err}");
        let shown = err.to_string();
        assert!(shown.contains(message), "`{shown}` lacks `{message}`");
        assert!(
            shown.contains("autodiff-test-"),
            "`{shown}` lacks the file name"
        );
    }

    #[test]
    fn loads_features_and_label_in_any_column() {
        let text = "1,2,-3e1\r\n\n 4 , 0 ,6\n";
        let d = load::<2>(text, &CsvOptions::new(1)).unwrap();
        assert_eq!(d.labels(), &[2, 0]);
        assert_eq!(d.samples()[0], SVector::<f64, 2>::new(1.0, -30.0));
        assert_eq!(d.samples()[1], SVector::<f64, 2>::new(4.0, 6.0));
        let d = load::<2>("7,1,2\n", &CsvOptions::new(0)).unwrap();
        assert_eq!((d.labels()[0], d.samples()[0][1]), (7, 2.0));
        // f32 through the public entry point, with integral-float labels.
        let file = TempFile::new("csv", b"0.25,3.0\n");
        let d = load_csv::<f32, 1>(file.path(), 1).unwrap();
        assert_eq!((d.samples()[0][0], d.labels()[0]), (0.25f32, 3));
    }

    #[test]
    fn header_delimiter_and_class_count() {
        let text = "a;b;label\n1;2;0\n3;4;2\n";
        let options = CsvOptions::new(2)
            .header(true)
            .delimiter(b';')
            .num_classes(3);
        let d = load::<2>(text, &options).unwrap();
        assert_eq!(d.len(), 2);
        let options = options.num_classes(2);
        expect_err::<2>(
            text,
            &options,
            DataErrorKind::BadLabel,
            Location::Field { line: 3, column: 3 },
            "label `2` is out of range: expected a class index in 0..2",
        );
    }

    #[test]
    fn non_numeric_field_names_line_and_column() {
        expect_err::<2>(
            "1,2,0\n3,x,1\n",
            &CsvOptions::new(2),
            DataErrorKind::NotANumber,
            Location::Field { line: 2, column: 2 },
            "line 2, column 2: `x` is not a number",
        );
        expect_err::<2>(
            "1,,0\n",
            &CsvOptions::new(2),
            DataErrorKind::NotANumber,
            Location::Field { line: 1, column: 2 },
            "empty field",
        );
        expect_err::<2>(
            "1,NaN,0\n",
            &CsvOptions::new(2),
            DataErrorKind::NotANumber,
            Location::Field { line: 1, column: 2 },
            "`NaN` is not a finite number",
        );
        // A header without `header(true)` gets a hint.
        expect_err::<2>(
            "x,y,label\n1,2,0\n",
            &CsvOptions::new(2),
            DataErrorKind::NotANumber,
            Location::Field { line: 1, column: 1 },
            "header(true)",
        );
    }

    #[test]
    fn wrong_column_count_and_ragged_rows() {
        expect_err::<3>(
            "1,2,0\n",
            &CsvOptions::new(3),
            DataErrorKind::ColumnCount,
            Location::Line(1),
            "row has 3 fields, expected 4 (3 features and 1 label)",
        );
        expect_err::<2>(
            "1,2,0\n\n1,2,3,0\n",
            &CsvOptions::new(2),
            DataErrorKind::RaggedRow,
            Location::Line(3),
            "line 3: row has 4 fields, but the row on line 1 has 3",
        );
    }

    #[test]
    fn bad_labels() {
        for (label, message) in [
            ("1.5", "label `1.5` is not an integer"),
            ("cat", "label `cat` is not an integer"),
            ("-1", "label `-1` is out of range"),
            ("", "empty label field"),
        ] {
            expect_err::<1>(
                &format!("0.5,0\n0.5,{label}\n"),
                &CsvOptions::new(1),
                DataErrorKind::BadLabel,
                Location::Field { line: 2, column: 2 },
                message,
            );
        }
    }

    #[test]
    fn empty_files_and_bad_arguments() {
        for text in ["", "\n\n  \n"] {
            expect_err::<1>(
                text,
                &CsvOptions::new(1),
                DataErrorKind::Empty,
                Location::File,
                "no data rows",
            );
        }
        expect_err::<1>(
            "x,y\n",
            &CsvOptions::new(1).header(true),
            DataErrorKind::Empty,
            Location::File,
            "no data rows",
        );
        expect_err::<1>(
            "1,0\n",
            &CsvOptions::new(2),
            DataErrorKind::InvalidArgument,
            Location::File,
            "label column 2 (0-based) is past the end",
        );
    }

    #[test]
    fn invalid_utf8_and_missing_file() {
        let file = TempFile::new("csv", b"1,0\n2,\xff\n");
        let err = load_csv::<f64, 1>(file.path(), 1).unwrap_err();
        assert_eq!((err.kind(), err.line()), (DataErrorKind::Encoding, Some(2)));

        let missing = std::env::temp_dir().join("autodiff-definitely-missing.csv");
        let err = load_csv::<f64, 1>(&missing, 1).unwrap_err();
        assert_eq!(err.kind(), DataErrorKind::Io);
        assert!(
            err.to_string()
                .contains("autodiff-definitely-missing.csv: cannot read file")
        );
        assert!(std::error::Error::source(&err).is_some());
    }
}
