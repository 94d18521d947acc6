//! The network primitives and their pullbacks never allocate: a counting global allocator
//! watches this thread while every one of them runs forward and backward on fixed-size values.
//! Batched products large enough for the GEMM kernel (at least `GEMM_THRESHOLD` multiply-adds)
//! allocate nothing either where the crate's own `f32` kernel runs (x86-64 with AVX2 and FMA);
//! elsewhere they fall back to `matrixmultiply`, which allocates a packing buffer per product.

use autodiff_runtime::nn::*;
use nalgebra::{SMatrix, SVector};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn primitives_and_pullbacks_do_not_allocate() {
    let layer = Dense::<f32, 20, 10>::he_normal(0);
    let x = SVector::<f32, 20>::from_fn(|i, _| i as f32 * 0.1 - 1.0);
    // 20 · 10 · 4 multiply-adds: below the GEMM threshold
    let xb = SMatrix::<f32, 20, 4>::from_fn(|i, j| (i + j) as f32 * 0.05 - 0.5);
    let mask = Dropout::new(0.5, 1).mask_like(&xb);
    let labels = [1, 2, 3, 4];
    let target = SVector::<f32, 10>::repeat(0.1);
    let mut drop = Dropout::new(0.3, 2);
    let mut m = xb;
    let n = allocations(|| {
        let (h, p) = dense_pullback(&layer, &x);
        black_box(p(h));
        let (hb, p) = dense_batch_pullback(&layer, &xb);
        black_box(p(hb));
        black_box(dense(&layer, &x));
        black_box(dense_batch(&layer, &xb));
        let (y, p) = add_bias_pullback(&hb, &layer.bias);
        black_box(p(y));
        let (y, p) = relu_pullback(&xb);
        black_box(p(y));
        let (y, p) = leaky_relu_pullback(&xb, 0.01);
        black_box(p(y));
        let (y, p) = sigmoid_pullback(&xb);
        black_box(p(y));
        let (y, p) = tanh_pullback(&xb);
        black_box(p(y));
        let (y, p) = gelu_pullback(&xb);
        black_box(p(y));
        black_box((
            relu(&xb),
            leaky_relu(&xb, 0.1),
            sigmoid(&xb),
            tanh(&xb),
            gelu(&xb),
        ));
        let h = dense(&layer, &x);
        let (y, p) = softmax_pullback(&h);
        black_box(p(y));
        let (y, p) = log_softmax_pullback(&h);
        black_box(p(y));
        let (y, p) = softmax_batch_pullback(&hb);
        black_box(p(y));
        let (y, p) = log_softmax_batch_pullback(&hb);
        black_box(p(y));
        black_box((
            softmax(&h),
            log_softmax(&h),
            softmax_batch(&hb),
            log_softmax_batch(&hb),
        ));
        let (l, p) = softmax_cross_entropy_pullback(&h, 3);
        black_box((l, p(1.0), softmax_cross_entropy(&h, 3)));
        let (l, p) = softmax_cross_entropy_onehot_pullback(&h, &target);
        black_box((l, p(1.0), softmax_cross_entropy_onehot(&h, &target)));
        let (l, p) = softmax_cross_entropy_batch_pullback(&hb, &labels);
        black_box((l, p(1.0), softmax_cross_entropy_batch(&hb, &labels)));
        let (l, p) = binary_cross_entropy_with_logits_pullback(&xb, &mask);
        black_box((l, p(1.0), binary_cross_entropy_with_logits(&xb, &mask)));
        let (l, p) = mse_pullback(&xb, &mask);
        black_box((l, p(1.0), mse(&xb, &mask)));
        let (l, p) = l2_penalty_pullback(&layer);
        black_box((l, p(1.0), l2_penalty(&xb)));
        let (l, p) = l2sp_penalty_pullback(&layer, &layer);
        black_box((l, p(1.0), l2sp_penalty(&layer, &layer)));
        let (y, p) = dropout_pullback(&xb, &mask);
        black_box((p(y), dropout(&xb, &mask)));
        drop.fill_mask(&mut m);
        black_box(drop.mask_like(&xb));
    });
    assert_eq!(n, 0, "{n} allocations");
}

fn own_kernel() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[test]
fn gemm_sized_batches_allocate_nothing_with_the_own_kernel() {
    // One untimed call, so CPU feature detection is done.
    let own = own_kernel();
    // `matrixmultiply`: one packing buffer per product.
    let per_product = if own { 0 } else { 1 };
    let layer = Dense::<f32, 64, 32>::he_normal(0);
    let xb = SMatrix::<f32, 64, 16>::from_fn(|i, j| (i + j) as f32 * 0.05 - 0.5);
    const { assert!(64 * 32 * 16 >= autodiff_runtime::rules::matrix::GEMM_THRESHOLD) };
    let n = allocations(|| {
        black_box(dense_batch(&layer, &xb));
    });
    assert_eq!(n, per_product);
    let n = allocations(|| {
        let (y, p) = dense_batch_pullback(&layer, &xb);
        black_box(p(y));
    });
    assert_eq!(n, 3 * per_product, "forward W X, backward D Xᵀ and Wᵀ D");
}

/// `l2_penalty` on a struct reads it through `Params::visit`, which builds tensor names in a
/// `String`; document the one small allocation rather than hide it. Its pullback does not
/// allocate (checked above).
#[test]
fn l2_penalty_on_a_struct_allocates_only_its_name_buffer() {
    let layer = Dense::<f32, 20, 10>::he_normal(0);
    let n = allocations(|| {
        black_box(l2_penalty(&layer));
    });
    assert!(n <= 1, "{n} allocations");
}
