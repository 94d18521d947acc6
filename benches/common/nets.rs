//! The benchmarked networks and their losses, written as a user of the crate writes them.

use autodiff::nn::*;
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector};

/// Batch size of the digits training benchmark.
pub const DIGITS_BATCH: usize = 32;
/// Batch size of the MNIST-shaped benchmarks.
pub const MNIST_BATCH: usize = 64;

/// The seed network: 64 → 128 ReLU → 64 ReLU → 10 (12,874 parameters, 51 KB in `f32`).
#[derive(Params, Clone, Debug)]
pub struct Digits {
    pub l1: Dense<f32, 64, 128>,
    pub l2: Dense<f32, 128, 64>,
    pub l3: Dense<f32, 64, 10>,
}

impl Digits {
    pub fn new(seed: u64) -> Self {
        Digits {
            l1: Dense::he_normal(seed),
            l2: Dense::he_normal(seed + 1),
            l3: Dense::xavier_uniform(seed + 2),
        }
    }
}

/// MNIST-shaped: 784 → 128 ReLU → 64 ReLU → 10 (109,386 parameters), layers on the heap.
#[derive(Params, Clone, Debug)]
pub struct Mnist {
    pub l1: Box<Dense<f32, 784, 128>>,
    pub l2: Box<Dense<f32, 128, 64>>,
    pub l3: Box<Dense<f32, 64, 10>>,
}

impl Mnist {
    pub fn new(seed: u64) -> Self {
        Mnist {
            l1: Dense::boxed_he_normal(seed),
            l2: Dense::boxed_he_normal(seed + 1),
            l3: Dense::boxed_xavier_uniform(seed + 2),
        }
    }
}

/// Softmax cross-entropy of one sample.
#[differentiate(wrt(net))]
pub fn digits_loss(net: &Digits, x: &SVector<f32, 64>, label: usize) -> f32 {
    let h1 = relu(&dense(&net.l1, x));
    let h2 = relu(&dense(&net.l2, &h1));
    softmax_cross_entropy(&dense(&net.l3, &h2), label)
}

/// Mean softmax cross-entropy of a batch of 32 (one sample per column).
#[differentiate(wrt(net))]
pub fn digits_batch_loss(
    net: &Digits,
    x: &SMatrix<f32, 64, DIGITS_BATCH>,
    labels: &[usize; DIGITS_BATCH],
) -> f32 {
    let h1 = relu(&dense_batch(&net.l1, x));
    let h2 = relu(&dense_batch(&net.l2, &h1));
    softmax_cross_entropy_batch(&dense_batch(&net.l3, &h2), labels)
}

/// Mean softmax cross-entropy of a batch of 64 (one sample per column).
#[differentiate(wrt(net))]
pub fn mnist_loss(
    net: &Mnist,
    x: &SMatrix<f32, 784, MNIST_BATCH>,
    labels: &[usize; MNIST_BATCH],
) -> f32 {
    let h1 = relu(&dense_batch(&net.l1, x));
    let h2 = relu(&dense_batch(&net.l2, &h1));
    softmax_cross_entropy_batch(&dense_batch(&net.l3, &h2), labels)
}

/// The weight and bias slices of a network, for finite differences.
pub fn digits_tensors() -> [fn(&mut Digits) -> &mut [f32]; 6] {
    [
        |n| n.l1.weight.as_mut_slice(),
        |n| n.l1.bias.as_mut_slice(),
        |n| n.l2.weight.as_mut_slice(),
        |n| n.l2.bias.as_mut_slice(),
        |n| n.l3.weight.as_mut_slice(),
        |n| n.l3.bias.as_mut_slice(),
    ]
}
