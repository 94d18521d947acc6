//! What `#[differentiate]` writes for [`super::nets::mnist_loss`] and
//! [`super::nets::digits_batch_loss`], copied from its expansion, next to the same code with
//! the codegen changes proposed in BENCHMARKS.md applied by hand, so their effect is
//! measured rather than guessed:
//!
//! 1. cotangents of call arguments that are read through `cotangent(..)`, so a rule can
//!    return an input cotangent as a [`Deferred`] computation that never runs when the
//!    argument is inactive (here: `Wᵀ D` for the network's input, a third of the layer-1
//!    backward GEMM work);
//! 2. contributions accumulated by reference (`accum_ref(&mut d, &c)`), not moved into
//!    `accum` by value (one memcpy of each layer's gradient less).

use super::nets::{DIGITS_BATCH, Digits, MNIST_BATCH, Mnist};
use autodiff::Real;
use autodiff::nn::*;
use nalgebra::SMatrix;

/// The cotangent `Wᵀ D` of a dense layer's input, computed only if someone reads it
/// (`value()`): an unread one is dropped without its GEMM.
pub struct DeferredDx<'a, L, const O: usize, const B: usize> {
    layer: &'a L,
    d: SMatrix<f32, O, B>,
}

impl<L, const O: usize, const B: usize> DeferredDx<'_, L, O, B> {
    #[inline(always)]
    pub fn value<const I: usize>(self) -> SMatrix<f32, I, B>
    where
        L: AsDense<f32, I, O>,
    {
        let w = &self.layer.as_dense().weight;
        let mut dx = SMatrix::<f32, I, B>::zeros();
        f32::gemm(
            I,
            O,
            B,
            1.0,
            (w.as_slice(), O as isize, 1),
            (self.d.as_slice(), 1, O as isize),
            0.0,
            (dx.as_mut_slice(), 1, I as isize),
        );
        dx
    }
}

/// [`dense_batch_pullback`] with the input's cotangent deferred.
#[inline]
#[allow(clippy::type_complexity)]
pub fn dense_batch_pullback_deferred<
    'a,
    L: AsDense<f32, I, O>,
    const I: usize,
    const O: usize,
    const B: usize,
>(
    layer: &'a L,
    x: &SMatrix<f32, I, B>,
) -> (
    SMatrix<f32, O, B>,
    impl FnOnce(SMatrix<f32, O, B>) -> (L, DeferredDx<'a, L, O, B>) + use<'a, L, I, O, B>,
) {
    let x = *x;
    (dense_batch(layer, &x), move |d: SMatrix<f32, O, B>| {
        let mut g = L::zeroed();
        let gd = g.as_dense_mut();
        f32::gemm(
            O,
            B,
            I,
            1.0,
            (d.as_slice(), 1, O as isize),
            (x.as_slice(), I as isize, 1),
            0.0,
            (gd.weight.as_mut_slice(), 1, O as isize),
        );
        gd.bias = d.column_sum();
        (g, DeferredDx { layer, d })
    })
}

/// `acc += contribution` without moving the contribution.
#[inline(always)]
fn accum_ref<P: autodiff::Params>(acc: &mut P, contribution: &P) {
    acc.add_assign(contribution);
}

macro_rules! three_layer_loss {
    ($current:ident, $proposed:ident, $net:ty, $i:expr, $b:expr) => {
        /// The expansion as the macro writes it today (verbatim).
        #[allow(unused_mut)]
        pub fn $current(net: &$net, x: &SMatrix<f32, $i, $b>, labels: &[usize; $b]) -> (f32, $net) {
            let (value, pullback) = {
                let (t, mut t_pullback) = dense_batch_pullback(&net.l1, x);
                let (h1, mut h1_pullback) = relu_pullback(&t);
                let (t_1, mut t_1_pullback) = dense_batch_pullback(&net.l2, &h1);
                let (h2, mut h2_pullback) = relu_pullback(&t_1);
                let (t_2, mut t_2_pullback) = dense_batch_pullback(&net.l3, &h2);
                let (t_3, mut t_3_pullback) = softmax_cross_entropy_batch_pullback(&t_2, labels);
                let value = ::autodiff::__private::value_of(&t_3);
                (value, move |d_value: f32| {
                    let mut d_net = ::autodiff::__private::zeros_like(net);
                    let mut d_t_3 = d_value;
                    let t_3_grads = t_3_pullback(d_t_3);
                    let mut d_t_2 = t_3_grads.0;
                    let t_2_grads = t_2_pullback(d_t_2);
                    ::autodiff::__private::accum(&mut d_net.l3, t_2_grads.0);
                    let mut d_h2 = t_2_grads.1;
                    let h2_grads = h2_pullback(d_h2);
                    let mut d_t_1 = h2_grads.0;
                    let t_1_grads = t_1_pullback(d_t_1);
                    ::autodiff::__private::accum(&mut d_net.l2, t_1_grads.0);
                    let mut d_h1 = t_1_grads.1;
                    let h1_grads = h1_pullback(d_h1);
                    let mut d_t = h1_grads.0;
                    let t_grads = t_pullback(d_t);
                    ::autodiff::__private::accum(&mut d_net.l1, t_grads.0);
                    (d_net, (), ())
                })
            };
            let grads = pullback(::autodiff::__private::one_like(&value));
            (value, grads.0)
        }

        /// The same with proposals 1 and 2 applied.
        #[allow(unused_mut)]
        pub fn $proposed(
            net: &$net,
            x: &SMatrix<f32, $i, $b>,
            labels: &[usize; $b],
        ) -> (f32, $net) {
            let (value, pullback) = {
                let (t, mut t_pullback) = dense_batch_pullback_deferred(&net.l1, x);
                let (h1, mut h1_pullback) = relu_pullback(&t);
                let (t_1, mut t_1_pullback) = dense_batch_pullback_deferred(&net.l2, &h1);
                let (h2, mut h2_pullback) = relu_pullback(&t_1);
                let (t_2, mut t_2_pullback) = dense_batch_pullback_deferred(&net.l3, &h2);
                let (t_3, mut t_3_pullback) = softmax_cross_entropy_batch_pullback(&t_2, labels);
                let value = ::autodiff::__private::value_of(&t_3);
                (value, move |d_value: f32| {
                    let mut d_net = ::autodiff::__private::zeros_like(net);
                    let mut d_t_3 = d_value;
                    let t_3_grads = t_3_pullback(d_t_3);
                    let mut d_t_2 = t_3_grads.0;
                    let t_2_grads = t_2_pullback(d_t_2);
                    accum_ref(&mut d_net.l3, &t_2_grads.0);
                    let mut d_h2 = t_2_grads.1.value();
                    let h2_grads = h2_pullback(d_h2);
                    let mut d_t_1 = h2_grads.0;
                    let t_1_grads = t_1_pullback(d_t_1);
                    accum_ref(&mut d_net.l2, &t_1_grads.0);
                    let mut d_h1 = t_1_grads.1.value();
                    let h1_grads = h1_pullback(d_h1);
                    let mut d_t = h1_grads.0;
                    let t_grads = t_pullback(d_t);
                    accum_ref(&mut d_net.l1, &t_grads.0);
                    (d_net, (), ())
                })
            };
            let grads = pullback(::autodiff::__private::one_like(&value));
            (value, grads.0)
        }
    };
}

three_layer_loss!(mnist_current, mnist_proposed, Mnist, 784, MNIST_BATCH);
three_layer_loss!(digits_current, digits_proposed, Digits, 64, DIGITS_BATCH);
