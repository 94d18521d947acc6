//! Paths need not be UTF-8: data and checkpoints load from and save to them, and errors about
//! them name the path (lossily) instead of panicking.
#![cfg(unix)]

use autodiff_runtime::checkpoint::{load_into, save};
use autodiff_runtime::data::load_csv;
use nalgebra::SVector;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("autodiff-non-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn csv_and_checkpoints_work_with_non_utf8_paths() {
    let d = dir();
    let csv = d.join(OsStr::from_bytes(b"data-\xff\xfe.csv"));
    std::fs::write(&csv, "0.5,1.5,1\n2.0,-1.0,0\n").unwrap();
    let data = load_csv::<f64, 2>(&csv, 2).expect("a non-UTF-8 path is a valid path");
    assert_eq!(data.len(), 2);

    std::fs::write(&csv, "0.5,abc,1\n").unwrap();
    let err = load_csv::<f64, 2>(&csv, 2).unwrap_err().to_string();
    assert!(err.contains("data-"), "the error names the file: {err}");
    assert!(err.contains("line 1"), "and the line: {err}");

    let ckpt = d.join(OsStr::from_bytes(b"model-\xff.safetensors"));
    let w = SVector::<f32, 3>::new(1.0, 2.0, 3.0);
    save(&w, &ckpt).unwrap();
    let mut back = SVector::<f32, 3>::zeros();
    load_into(&mut back, &ckpt).unwrap();
    assert_eq!(back, w);

    let missing = d.join(OsStr::from_bytes(b"missing-\xff.safetensors"));
    let err = load_into(&mut back, &missing).unwrap_err().to_string();
    assert!(err.contains("missing-"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
