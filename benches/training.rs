//! Training throughput: one full step (forward, backward, Adam) per iteration, reported by
//! criterion as samples per second (`thrpt`), generated gradient vs the expansion
//! with the codegen changes proposed in BENCHMARKS.md vs hand-written.
//!
//! `cargo bench --bench training`; `-- --test` runs each once (CI). For a quick table of
//! samples/s in one run: `cargo run --release --example throughput`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "common/mod.rs"]
mod common;

use common::nets::{DIGITS_BATCH, MNIST_BATCH};
use common::step::{DigitsTrainer, MnistTrainer};

fn digits(c: &mut Criterion) {
    let mut g = c.benchmark_group("train_digits_b32");
    g.throughput(Throughput::Elements(DIGITS_BATCH as u64));
    let mut t = DigitsTrainer::new(1);
    g.bench_function("generated", |b| b.iter(|| black_box(t.step_generated())));
    let mut t = DigitsTrainer::new(1);
    g.bench_function("proposed", |b| b.iter(|| black_box(t.step_proposed())));
    let mut t = DigitsTrainer::new(1);
    g.bench_function("accumulating", |b| {
        b.iter(|| black_box(t.step_accumulating()))
    });
    let mut t = DigitsTrainer::new(1);
    g.bench_function("hand", |b| b.iter(|| black_box(t.step_hand())));
    g.finish();
}

fn mnist(c: &mut Criterion) {
    let mut g = c.benchmark_group("train_mnist_b64");
    g.throughput(Throughput::Elements(MNIST_BATCH as u64));
    let mut t = MnistTrainer::new(1);
    g.bench_function("generated", |b| b.iter(|| black_box(t.step_generated())));
    let mut t = MnistTrainer::new(1);
    g.bench_function("proposed", |b| b.iter(|| black_box(t.step_proposed())));
    let mut t = MnistTrainer::new(1);
    g.bench_function("accumulating", |b| {
        b.iter(|| black_box(t.step_accumulating()))
    });
    let mut t = MnistTrainer::new(1);
    g.bench_function("hand", |b| b.iter(|| black_box(t.step_hand())));
    g.finish();
}

criterion_group!(benches, digits, mnist);
criterion_main!(benches);
