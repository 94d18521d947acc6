//! Gradient kernels: the gradient `#[differentiate]` generates vs the same math
//! differentiated by hand vs central finite differences.
//!
//! `cargo bench --bench gradients`; `-- --test` runs each once (CI).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "common/mod.rs"]
mod common;

use common::hand::{self, Workspace};
use common::nets::{self, Digits};
use common::scalar::{scalar31_fd, scalar31_grad, scalar31_hand};

fn scalar(c: &mut Criterion) {
    let mut g = c.benchmark_group("scalar31");
    let (x, y, z) = (0.7, -1.3, 0.4);
    let (v0, g0) = scalar31_grad(x, y, z);
    let (v1, g1) = scalar31_hand(x, y, z);
    assert!((v0 - v1).abs() < 1e-12);
    for (a, b) in [(g0.0, g1.0), (g0.1, g1.1), (g0.2, g1.2)] {
        assert!((a - b).abs() < 1e-10 * (1.0 + b.abs()), "{a} vs {b}");
    }
    g.bench_function("generated", |b| {
        b.iter(|| scalar31_grad(black_box(x), black_box(y), black_box(z)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| scalar31_hand(black_box(x), black_box(y), black_box(z)))
    });
    g.bench_function("finite_differences", |b| {
        b.iter(|| scalar31_fd(black_box(x), black_box(y), black_box(z)))
    });
    g.finish();
}

fn digits_sample(c: &mut Criterion) {
    let mut g = c.benchmark_group("digits_sample");
    let mut net = Digits::new(1);
    let mut r = common::rng(2);
    let mut x = nalgebra::SVector::<f32, 64>::zeros();
    let mut label = [0usize];
    common::fill_batch(&mut r, x.as_mut_slice(), &mut label);
    let label = label[0];
    let mut grad = net.clone();
    let (v0, g0) = nets::digits_loss_grad(&net, &x, label);
    let v1 = hand::digits_grad(&net, &x, label, &mut grad);
    assert!((v0 - v1).abs() < 1e-5);
    assert!((g0.l1.weight - grad.l1.weight).norm() < 1e-4);
    g.bench_function("generated", |b| {
        // The result is observed by reference: `black_box` of a 51 KB value would time a
        // memcpy of it.
        b.iter(|| {
            let r = nets::digits_loss_grad(black_box(&net), black_box(&x), black_box(label));
            black_box(&r);
        })
    });
    g.bench_function("proposed", |b| {
        b.iter(|| {
            let r = common::expanded::digits_sample_proposed(
                black_box(&net),
                black_box(&x),
                black_box(label),
            );
            black_box(&r);
        })
    });
    let mut acc = net.clone();
    let v2 = common::expanded::digits_sample_grad_into(&net, &x, label, &mut acc);
    assert!((v0 - v2).abs() < 1e-5 && (g0.l1.weight - acc.l1.weight).norm() < 1e-4);
    g.bench_function("accumulating", |b| {
        b.iter(|| {
            common::expanded::digits_sample_grad_into(
                black_box(&net),
                black_box(&x),
                label,
                &mut acc,
            )
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| hand::digits_grad(black_box(&net), black_box(&x), label, &mut grad))
    });
    g.sample_size(10);
    let mut fd = Vec::new();
    g.bench_function("finite_differences", |b| {
        b.iter(|| {
            common::central_differences(
                &mut net,
                &nets::digits_tensors(),
                1e-2,
                |n| nets::digits_loss(n, black_box(&x), label),
                &mut fd,
            )
        })
    });
    g.finish();
}

fn mnist_batch(c: &mut Criterion) {
    let mut g = c.benchmark_group("mnist_batch64");
    let t = common::step::MnistTrainer::new(3);
    let (net, (x, labels)) = (&t.net, t.data());
    let mut ws = Workspace::new();
    let mut grad = net.clone();
    let (v0, g0) = nets::mnist_loss_grad(net, x, labels);
    let v1 = hand::mnist_grad(net, x, labels, &mut ws, &mut grad);
    assert!((v0 - v1).abs() < 1e-4, "{v0} vs {v1}");
    assert!((g0.l1.weight - grad.l1.weight).norm() < 1e-3);
    g.bench_function("generated", |b| {
        b.iter(|| {
            let r = nets::mnist_loss_grad(black_box(net), black_box(x), black_box(labels));
            black_box(&r);
        })
    });
    // The expansion with the codegen changes proposed in BENCHMARKS.md applied by hand.
    g.bench_function("proposed", |b| {
        b.iter(|| {
            let r =
                common::expanded::mnist_proposed(black_box(net), black_box(x), black_box(labels));
            black_box(&r);
        })
    });
    let mut acc = net.clone();
    let v2 = common::expanded::mnist_grad_into(net, x, labels, &mut acc);
    assert!((v0 - v2).abs() < 1e-4 && (g0.l1.weight - acc.l1.weight).norm() < 1e-3);
    g.bench_function("accumulating", |b| {
        b.iter(|| common::expanded::mnist_grad_into(black_box(net), black_box(x), labels, &mut acc))
    });
    g.bench_function("hand", |b| {
        b.iter(|| hand::mnist_grad(black_box(net), black_box(x), labels, &mut ws, &mut grad))
    });
    // Central differences need 2 · 109,386 evaluations of the loss (minutes); this is one.
    g.bench_function("one_loss_evaluation", |b| {
        b.iter(|| nets::mnist_loss(black_box(net), black_box(x), black_box(labels)))
    });
    g.finish();
}

criterion_group!(benches, scalar, digits_sample, mnist_batch);
criterion_main!(benches);
