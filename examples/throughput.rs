//! Training throughput in samples per second: one step is forward, backward and Adam.
//!
//! ```text
//! cargo run --release --example throughput            # ~20 s
//! cargo run --release --example throughput -- --quick # ~2 s, for CI and smoke tests
//! ```
//!
//! For each network the gradient `#[differentiate]` generated and a hand-written backward
//! pass of the same math (see `benches/common/hand.rs`) run alternately in the same process,
//! several rounds each, and the median of the rounds is reported: machines are noisy, so
//! compare the ratio, not the absolute numbers, across machines.

use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "../benches/common/mod.rs"]
mod common;

use common::nets::{DIGITS_BATCH, MNIST_BATCH};
use common::step::{DigitsTrainer, MnistTrainer};

/// Steps per second of `step`, run for about `time`.
fn rate(time: Duration, mut step: impl FnMut() -> f32) -> f64 {
    // Calibrate on a few steps, then time a fixed count.
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < time / 10 {
        black_box(step());
        n += 1;
    }
    let count = (n * 9).max(1);
    let t = Instant::now();
    for _ in 0..count {
        black_box(step());
    }
    count as f64 / t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median samples/s of each of `variants` over `rounds` alternating rounds.
fn compare(
    name: &str,
    batch: usize,
    rounds: usize,
    time: Duration,
    variants: &mut [(&str, &mut dyn FnMut() -> f32)],
) -> Vec<f64> {
    let mut results = vec![Vec::new(); variants.len()];
    for _ in 0..rounds {
        for (i, (_, step)) in variants.iter_mut().enumerate() {
            results[i].push(rate(time, step) * batch as f64);
        }
    }
    let medians: Vec<f64> = results.into_iter().map(median).collect();
    for ((label, _), m) in variants.iter().zip(&medians) {
        println!(
            "{name:<28} {label:<10} {:>10.0} samples/s   {:.3}x hand-written",
            m,
            medians[variants.len() - 1] / m
        );
    }
    medians
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--profile digits-generated` (or `mnist-hand`, ...): run only that step for ~5 s, for perf.
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let what = args.get(i + 1).map_or("", String::as_str);
        let mut d = DigitsTrainer::new(1);
        let mut m = MnistTrainer::new(1);
        let mut step: Box<dyn FnMut() -> f32> = match what {
            "digits-generated" => Box::new(move || d.step_generated()),
            "digits-hand" => Box::new(move || d.step_hand()),
            "mnist-generated" => Box::new(move || m.step_generated()),
            "mnist-hand" => Box::new(move || m.step_hand()),
            "mnist-proposed" => Box::new(move || m.step_proposed()),
            "digits-proposed" => Box::new(move || d.step_proposed()),
            "digits-accum" => Box::new(move || d.step_accumulating()),
            "mnist-accum" => Box::new(move || m.step_accumulating()),
            _ => panic!("--profile digits-generated|digits-hand|mnist-generated|mnist-hand"),
        };
        println!(
            "{what}: {:.0} steps/s",
            rate(Duration::from_secs(5), &mut step)
        );
        return;
    }
    let (rounds, time) = if quick {
        (1, Duration::from_millis(300))
    } else {
        (5, Duration::from_millis(1000))
    };
    println!(
        "training step = forward + backward + Adam; f32; {} build; median of {rounds} rounds",
        if cfg!(target_feature = "avx2") {
            "target-cpu with AVX2"
        } else {
            "default (x86-64 baseline)"
        }
    );
    println!("(last column: time per sample relative to the hand-written step; 1.000 = parity)");

    let mut g = DigitsTrainer::new(1);
    let mut p = DigitsTrainer::new(1);
    let mut a = DigitsTrainer::new(1);
    let mut h = DigitsTrainer::new(1);
    compare(
        &format!("digits 64-128-64-10 b{DIGITS_BATCH}"),
        DIGITS_BATCH,
        rounds,
        time,
        &mut [
            ("generated", &mut || g.step_generated()),
            ("proposed", &mut || p.step_proposed()),
            ("accum", &mut || a.step_accumulating()),
            ("hand", &mut || h.step_hand()),
        ],
    );

    let mut g = MnistTrainer::new(1);
    let mut p = MnistTrainer::new(1);
    let mut a = MnistTrainer::new(1);
    let mut h = MnistTrainer::new(1);
    compare(
        &format!("mnist 784-128-64-10 b{MNIST_BATCH}"),
        MNIST_BATCH,
        rounds,
        time,
        &mut [
            ("generated", &mut || g.step_generated()),
            ("proposed", &mut || p.step_proposed()),
            ("accum", &mut || a.step_accumulating()),
            ("hand", &mut || h.step_hand()),
        ],
    );
}
