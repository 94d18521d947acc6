//! A process killed in the middle of saving a checkpoint leaves the previous checkpoint
//! intact and loadable.
//!
//! The test re-runs its own binary as a child that saves two different parameter sets to
//! the same path in a tight loop; the parent kills it at staggered moments and checks each
//! time that the file loads and equals one of the two sets exactly (never a mix, never a
//! truncated file), and that no temporary file is left where it would be mistaken for a
//! checkpoint.

use autodiff_runtime::checkpoint::{load_into, save};
use nalgebra::SMatrix;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

type Big = [SMatrix<f32, 64, 64>; 64];

fn params(fill: f32) -> Box<Big> {
    Box::new(std::array::from_fn(|k| {
        SMatrix::from_fn(|i, j| fill + (k * 4096 + i * 64 + j) as f32)
    }))
}

const CHILD_ENV: &str = "AUTODIFF_CHECKPOINT_KILL_CHILD";

fn path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "autodiff-kill-test-{}.safetensors",
        std::process::id()
    ))
}

#[test]
fn killed_save_leaves_previous_checkpoint_intact() {
    if let Some(target) = std::env::var_os(CHILD_ENV) {
        // Child: save A and B alternately until killed.
        let (a, b) = (params(1.0), params(2.0));
        loop {
            save(&*a, &target).expect("child save");
            save(&*b, &target).expect("child save");
        }
    }
    let target = path();
    let (a, b) = (params(1.0), params(2.0));
    save(&*a, &target).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut outcomes = (0, 0);
    for round in 0..8u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "killed_save_leaves_previous_checkpoint_intact",
                "--nocapture",
            ])
            .env(CHILD_ENV, &target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + 17 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        let mut loaded = params(0.0);
        load_into(&mut *loaded, &target).expect("the checkpoint must stay loadable after a kill");
        if *loaded == *a {
            outcomes.0 += 1;
        } else if *loaded == *b {
            outcomes.1 += 1;
        } else {
            panic!("round {round}: the checkpoint is neither the old nor the new parameters");
        }
    }
    let _ = std::fs::remove_file(&target);
    // Leftover temporary files from killed writers must not look like the checkpoint.
    let dir = target.parent().unwrap();
    let stem = target.file_name().unwrap().to_string_lossy().to_string();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name != stem && name.contains(&stem) && name.contains(".tmp-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    assert_eq!(outcomes.0 + outcomes.1, 8);
}
