//! What the benchmarks and `examples/throughput.rs` share: the networks, their losses written
//! as a user would (differentiated by `#[differentiate]`), the same math differentiated by
//! hand, central finite differences, seeded data and the training steps.
//!
//! Included with `#[path]` by each bench target and by the example, so each uses only part
//! of it.
#![allow(dead_code)]

pub mod expanded;
pub mod hand;
pub mod nets;
pub mod scalar;
pub mod step;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded generator: every run benchmarks the same numbers.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// `n` pixels in `[0, 1]` and labels in `0..10`, seeded.
pub fn fill_batch(rng: &mut ChaCha8Rng, pixels: &mut [f32], labels: &mut [usize]) {
    for p in pixels {
        *p = rng.random::<f32>();
    }
    for l in labels {
        *l = rng.random_range(0..10);
    }
}

/// A zero matrix built directly on the heap (an MNIST batch is 200 KB).
pub fn boxed_zeros<const R: usize, const C: usize>() -> Box<nalgebra::SMatrix<f32, R, C>> {
    let v: Box<[f32]> = vec![0.0; R * C].into_boxed_slice();
    // SAFETY: `SMatrix<f32, R, C>` is `repr(C)` around `[[f32; R]; C]`: `R * C` contiguous
    // `f32`s with the alignment of `f32`, exactly the slice's allocation.
    unsafe { Box::from_raw(Box::into_raw(v).cast()) }
}

/// Central differences of `f` with respect to every entry of the tensors `tensors` picks out
/// of `p`, in order: `2 · (number of entries)` evaluations of `f`.
pub fn central_differences<P>(
    p: &mut P,
    tensors: &[fn(&mut P) -> &mut [f32]],
    eps: f32,
    f: impl Fn(&P) -> f32,
    out: &mut Vec<f32>,
) {
    out.clear();
    for tensor in tensors {
        let n = tensor(p).len();
        for i in 0..n {
            let orig = tensor(p)[i];
            tensor(p)[i] = orig + eps;
            let up = f(p);
            tensor(p)[i] = orig - eps;
            let down = f(p);
            tensor(p)[i] = orig;
            out.push((up - down) / (2.0 * eps));
        }
    }
}
