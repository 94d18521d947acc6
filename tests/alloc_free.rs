//! A training step of a fixed-size network allocates nothing: forward, generated backward,
//! gradient accumulation and Adam, per sample and batched (the batched products go through
//! `Real::gemm`, whose `f32` AVX2/FMA kernel packs on the stack).
//!
//! Allocations are counted per thread by a counting global allocator.

use autodiff::nn::*;
use autodiff::optim::{Adam, AdamConfig, Optimizer};
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers to `System`; the counter is a `const`-initialized thread-local `Cell`,
// which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread while running `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[derive(Params, Clone, Debug)]
struct Net {
    l1: Dense<f32, 64, 128>,
    l2: Dense<f32, 128, 64>,
    l3: Dense<f32, 64, 10>,
}

#[differentiate(wrt(net))]
fn sample_loss(net: &Net, x: &SVector<f32, 64>, label: usize) -> f32 {
    let h1 = relu(&dense(&net.l1, x));
    let h2 = relu(&dense(&net.l2, &h1));
    softmax_cross_entropy(&dense(&net.l3, &h2), label)
}

#[differentiate(wrt(net))]
fn batch_loss(net: &Net, x: &SMatrix<f32, 64, 32>, labels: &[usize; 32]) -> f32 {
    let h1 = relu(&dense_batch(&net.l1, x));
    let h2 = relu(&dense_batch(&net.l2, &h1));
    softmax_cross_entropy_batch(&dense_batch(&net.l3, &h2), labels)
}

fn net() -> Box<Net> {
    Box::new(Net {
        l1: Dense::he_normal(1),
        l2: Dense::he_normal(2),
        l3: Dense::xavier_uniform(3),
    })
}

fn batch() -> (SMatrix<f32, 64, 32>, [usize; 32]) {
    let x = SMatrix::from_fn(|i, j| ((i * 7 + j * 3) % 17) as f32 / 16.0);
    (x, core::array::from_fn(|j| j % 10))
}

#[test]
fn training_steps_allocate_nothing() {
    // Plenty of stack for unoptimized builds, which keep several copies of the 51 KB net.
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(|| {
            // The counter sees allocations on this thread.
            let probe = allocations(|| drop(std::hint::black_box(Box::new(1u8))));
            assert_eq!(probe, 1);
            let mut net = net();
            let mut opt = Adam::new(&*net, AdamConfig::default());
            let (x, labels) = batch();
            let mut grad = Box::new(net.zeros_like());

            let mut per_sample_step = |net: &mut Net, grad: &mut Net| {
                *grad = grad.zeros_like();
                for (j, &label) in labels.iter().enumerate() {
                    let xj = SVector::<f32, 64>::from(x.column(j));
                    let (_, g) = sample_loss_grad(net, &xj, label);
                    grad.add_assign(&g);
                }
                opt.step(net, grad);
            };
            per_sample_step(&mut net, &mut grad); // warm-up
            let n = allocations(|| {
                for _ in 0..3 {
                    per_sample_step(&mut net, &mut grad);
                }
            });
            assert_eq!(n, 0, "per-sample steps allocated {n} times");

            let mut opt = Adam::new(&*net, AdamConfig::default());
            let mut batch_step = |net: &mut Net| {
                let (loss, g) = batch_loss_grad(net, &x, &labels);
                opt.step(net, &g);
                loss
            };
            batch_step(&mut net); // warm-up (CPU feature detection)
            let n = allocations(|| {
                for _ in 0..3 {
                    assert!(batch_step(&mut net).is_finite());
                }
            });
            let own_kernel = cfg!(target_arch = "x86_64") && avx2_fma();
            if own_kernel {
                assert_eq!(n, 0, "batched steps allocated {n} times");
            } else {
                // `matrixmultiply` allocates one packing buffer per product: 7 per step.
                assert!(n <= 3 * 7, "batched steps allocated {n} times");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
