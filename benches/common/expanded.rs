//! What `#[differentiate]` writes for the benchmarked losses, copied from its expansion,
//! next to the same code with the codegen changes proposed in BENCHMARKS.md applied by hand,
//! so their effect is measured rather than guessed:
//!
//! 1. cotangents of call arguments read through a forcing function, so a rule can return an
//!    input cotangent as a deferred computation that never runs when the argument is
//!    inactive (here: `Wᵀ D` for the network's input, half of the layer-1 backward GEMM
//!    work) — `*_proposed`;
//! 2. contributions accumulated by reference (`accum_ref(&mut d, &c)`), not moved into
//!    `accum` by value — `*_proposed`;
//! 3. pullbacks that add into the caller's cotangents (`FnOnce(d, &mut L)`) and borrow their
//!    inputs, in one flat `NAME_grad_into(.., &mut grads)`: no gradient is built, moved,
//!    zeroed twice or allocated per step — `*_grad_into`.

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

/// The expansion of [`super::nets::digits_loss`] (one sample) as the macro writes it today.
#[allow(unused_mut)]
pub fn digits_sample_current(
    net: &Digits,
    x: &nalgebra::SVector<f32, 64>,
    label: usize,
) -> (f32, Digits) {
    let (value, pullback) = {
        let (t, mut t_pullback) = dense_pullback(&net.l1, x);
        let (h1, mut h1_pullback) = relu_pullback(&t);
        let (t_1, mut t_1_pullback) = dense_pullback(&net.l2, &h1);
        let (h2, mut h2_pullback) = relu_pullback(&t_1);
        let (t_2, mut t_2_pullback) = dense_pullback(&net.l3, &h2);
        let (t_3, mut t_3_pullback) = softmax_cross_entropy_pullback(&t_2, label);
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

/// [`digits_sample_current`] with contributions accumulated by reference (proposal 2).
#[allow(unused_mut)]
pub fn digits_sample_proposed(
    net: &Digits,
    x: &nalgebra::SVector<f32, 64>,
    label: usize,
) -> (f32, Digits) {
    let (value, pullback) = {
        let (t, mut t_pullback) = dense_pullback(&net.l1, x);
        let (h1, mut h1_pullback) = relu_pullback(&t);
        let (t_1, mut t_1_pullback) = dense_pullback(&net.l2, &h1);
        let (h2, mut h2_pullback) = relu_pullback(&t_1);
        let (t_2, mut t_2_pullback) = dense_pullback(&net.l3, &h2);
        let (t_3, mut t_3_pullback) = softmax_cross_entropy_pullback(&t_2, label);
        let value = ::autodiff::__private::value_of(&t_3);
        (value, move |d_value: f32| {
            let mut d_net = ::autodiff::__private::zeros_like(net);
            let mut d_t_3 = d_value;
            let t_3_grads = t_3_pullback(d_t_3);
            let mut d_t_2 = t_3_grads.0;
            let t_2_grads = t_2_pullback(d_t_2);
            accum_ref(&mut d_net.l3, &t_2_grads.0);
            let mut d_h2 = t_2_grads.1;
            let h2_grads = h2_pullback(d_h2);
            let mut d_t_1 = h2_grads.0;
            let t_1_grads = t_1_pullback(d_t_1);
            accum_ref(&mut d_net.l2, &t_1_grads.0);
            let mut d_h1 = t_1_grads.1;
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

// ---- proposal 3: pullbacks that accumulate into the caller's cotangents ----

/// The input cotangent `Wᵀ d` of a one-sample dense layer, computed only if read.
pub struct DeferredDxVec<'a, L, const O: usize> {
    layer: &'a L,
    d: nalgebra::SVector<f32, O>,
}

impl<L, const O: usize> DeferredDxVec<'_, L, O> {
    #[inline(always)]
    pub fn value<const I: usize>(self) -> nalgebra::SVector<f32, I>
    where
        L: AsDense<f32, I, O>,
    {
        self.layer.as_dense().weight.tr_mul(&self.d)
    }
}

/// [`dense_pullback`] whose closure adds the layer's gradient into `g` (`g.weight += d xᵀ`,
/// `g.bias += d`) instead of returning a new layer, and defers the input's cotangent.
#[inline]
pub fn dense_pullback_acc<'a, L: AsDense<f32, I, O>, const I: usize, const O: usize>(
    layer: &'a L,
    x: &nalgebra::SVector<f32, I>,
) -> (
    nalgebra::SVector<f32, O>,
    impl FnOnce(nalgebra::SVector<f32, O>, &mut L) -> DeferredDxVec<'a, L, O> + use<'a, L, I, O>,
) {
    let x = *x;
    (
        dense(layer, &x),
        move |d: nalgebra::SVector<f32, O>, g: &mut L| {
            let gd = g.as_dense_mut();
            gd.weight.ger(1.0, &d, &x, 1.0);
            gd.bias += d;
            DeferredDxVec { layer, d }
        },
    )
}

/// [`dense_batch_pullback`] whose closure adds the layer's gradient into `g` (GEMM with
/// `beta = 1`), defers the input's cotangent, and borrows the input instead of copying it
/// (possible when the generated code is one flat `_grad_into` function, where every
/// forward value outlives every pullback).
#[inline]
#[allow(clippy::type_complexity)]
pub fn dense_batch_pullback_acc<
    'a,
    'b,
    L: AsDense<f32, I, O>,
    const I: usize,
    const O: usize,
    const B: usize,
>(
    layer: &'a L,
    x: &'b SMatrix<f32, I, B>,
) -> (
    SMatrix<f32, O, B>,
    impl FnOnce(SMatrix<f32, O, B>, &mut L) -> DeferredDx<'a, L, O, B> + use<'a, 'b, L, I, O, B>,
) {
    (
        dense_batch(layer, x),
        move |d: SMatrix<f32, O, B>, g: &mut L| {
            let gd = g.as_dense_mut();
            f32::gemm(
                O,
                B,
                I,
                1.0,
                (d.as_slice(), 1, O as isize),
                (x.as_slice(), I as isize, 1),
                1.0,
                (gd.weight.as_mut_slice(), 1, O as isize),
            );
            for col in d.column_iter() {
                gd.bias += col;
            }
            DeferredDx { layer, d }
        },
    )
}

/// Zeroes the layers of a 3-layer network in place (the proposal needs a `Params::set_zero`
/// for this: `scale(0)` keeps NaNs and `visit_mut` allocates its name buffer).
fn zero_layers<N: ThreeLayers>(n: &mut N) {
    n.for_each_layer(&mut |w, b| {
        w.fill(0.0);
        b.fill(0.0);
    });
}

/// The networks' layers as weight and bias slices.
pub trait ThreeLayers {
    fn for_each_layer(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32]));
}

macro_rules! three_layers {
    ($t:ty) => {
        impl ThreeLayers for $t {
            fn for_each_layer(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
                let (a, b, c) = (
                    self.l1.as_dense_mut(),
                    self.l2.as_dense_mut(),
                    self.l3.as_dense_mut(),
                );
                f(a.weight.as_mut_slice(), a.bias.as_mut_slice());
                f(b.weight.as_mut_slice(), b.bias.as_mut_slice());
                f(c.weight.as_mut_slice(), c.bias.as_mut_slice());
            }
        }
    };
}
three_layers!(Digits);
three_layers!(Mnist);

/// What `#[differentiate]` could write as `digits_loss_grad_into(net, x, label, &mut grad)`
/// with accumulating pullbacks: the gradient lands in the caller's buffer (zeroed first),
/// nothing is returned by value, nothing allocated.
pub fn digits_sample_grad_into(
    net: &Digits,
    x: &nalgebra::SVector<f32, 64>,
    label: usize,
    d_net: &mut Digits,
) -> f32 {
    let (t, t_pullback) = dense_pullback_acc(&net.l1, x);
    let (h1, h1_pullback) = relu_pullback(&t);
    let (t_1, t_1_pullback) = dense_pullback_acc(&net.l2, &h1);
    let (h2, h2_pullback) = relu_pullback(&t_1);
    let (t_2, t_2_pullback) = dense_pullback_acc(&net.l3, &h2);
    let (value, t_3_pullback) = softmax_cross_entropy_pullback(&t_2, label);
    zero_layers(d_net);
    let d_t_2 = t_3_pullback(1.0).0;
    let d_h2 = t_2_pullback(d_t_2, &mut d_net.l3).value();
    let d_t_1 = h2_pullback(d_h2).0;
    let d_h1 = t_1_pullback(d_t_1, &mut d_net.l2).value();
    let d_t = h1_pullback(d_h1).0;
    let _ = t_pullback(d_t, &mut d_net.l1);
    value
}

macro_rules! three_layer_grad_into {
    ($name:ident, $net:ty, $i:expr, $b:expr) => {
        /// The batch loss's gradient with accumulating pullbacks, into the caller's buffer.
        pub fn $name(
            net: &$net,
            x: &SMatrix<f32, $i, $b>,
            labels: &[usize; $b],
            d_net: &mut $net,
        ) -> f32 {
            let (t, t_pullback) = dense_batch_pullback_acc(&net.l1, x);
            let (h1, h1_pullback) = relu_pullback(&t);
            let (t_1, t_1_pullback) = dense_batch_pullback_acc(&net.l2, &h1);
            let (h2, h2_pullback) = relu_pullback(&t_1);
            let (t_2, t_2_pullback) = dense_batch_pullback_acc(&net.l3, &h2);
            let (value, t_3_pullback) = softmax_cross_entropy_batch_pullback(&t_2, labels);
            zero_layers(d_net);
            let d_t_2 = t_3_pullback(1.0).0;
            let d_h2 = t_2_pullback(d_t_2, &mut d_net.l3).value();
            let d_t_1 = h2_pullback(d_h2).0;
            let d_h1 = t_1_pullback(d_t_1, &mut d_net.l2).value();
            let d_t = h1_pullback(d_h1).0;
            let _ = t_pullback(d_t, &mut d_net.l1);
            value
        }
    };
}

three_layer_grad_into!(mnist_grad_into, Mnist, 784, MNIST_BATCH);
three_layer_grad_into!(digits_batch_grad_into, Digits, 64, DIGITS_BATCH);
