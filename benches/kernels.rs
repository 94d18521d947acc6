//! Products behind a batched dense layer, by kernel: nalgebra's fixed-size product, its
//! `tr_mul` (the transposed form), `matrixmultiply`, and `Real::gemm` (this crate's
//! allocation-free AVX2/FMA kernel for `f32`, `matrixmultiply` elsewhere).
//!
//! `cargo bench --bench kernels`; `-- --test` runs each once (CI).

use autodiff::Real;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::SMatrix;
use std::hint::black_box;

#[path = "common/mod.rs"]
mod common;

use common::boxed_zeros;

/// `C (M x N) = A (M x K) B (K x N)` with every kernel; `A` also stored transposed for
/// `tr_mul`.
// `&*a * &*b`: the operands are boxed and too large to copy to the stack.
#[allow(clippy::op_ref)]
fn product<const M: usize, const K: usize, const N: usize>(c: &mut Criterion, name: &str) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements((M * K * N) as u64));
    let mut r = common::rng(7);
    let mut a = boxed_zeros::<M, K>();
    let mut b = boxed_zeros::<K, N>();
    common::fill_batch(&mut r, a.as_mut_slice(), &mut []);
    common::fill_batch(&mut r, b.as_mut_slice(), &mut []);
    let at: Box<SMatrix<f32, K, M>> = {
        let mut t = boxed_zeros::<K, M>();
        a.transpose_to(&mut *t);
        t
    };
    let mut out = boxed_zeros::<M, N>();
    let reference = *a * *b;
    g.bench_function("nalgebra_mul", |bch| {
        bch.iter(|| black_box(black_box(&*a) * black_box(&*b)))
    });
    g.bench_function("nalgebra_tr_mul", |bch| {
        bch.iter(|| black_box(black_box(&*at).tr_mul(black_box(&*b))))
    });
    g.bench_function("matrixmultiply", |bch| {
        bch.iter(|| unsafe {
            matrixmultiply::sgemm(
                M,
                K,
                N,
                1.0,
                black_box(a.as_ptr()),
                1,
                M as isize,
                b.as_ptr(),
                1,
                K as isize,
                0.0,
                out.as_mut_ptr(),
                1,
                M as isize,
            )
        })
    });
    g.bench_function("real_gemm", |bch| {
        bch.iter(|| {
            f32::gemm(
                M,
                K,
                N,
                1.0,
                (black_box(a.as_slice()), 1, M as isize),
                (b.as_slice(), 1, K as isize),
                0.0,
                (out.as_mut_slice(), 1, M as isize),
            )
        })
    });
    assert!((*out - reference).norm() <= 1e-3 * reference.norm());
    g.finish();
}

fn kernels(c: &mut Criterion) {
    product::<128, 784, 32>(c, "gemm_128x784x32");
    product::<128, 784, 64>(c, "gemm_128x784x64");
    product::<128, 64, 784>(c, "gemm_128x64x784");
    product::<64, 128, 32>(c, "gemm_64x128x32");
}

criterion_group!(benches, kernels);
criterion_main!(benches);
