//! Network primitives: activations, softmax, losses, penalties, the [`Dense`] layer, batched
//! layers and dropout.
//!
//! Every differentiable function `f` here has a sibling `f_pullback` with the same
//! parameters, returning the value and a closure that maps the output's cotangent to the
//! cotangents of all parameters in declaration order (see [`crate::rules`] for the
//! convention). `#[differentiate]` calls them by path, so they are all exported side by side
//! from this module:
//!
//! ```
//! use autodiff_runtime::nn::{dense_pullback, relu_pullback, softmax_cross_entropy_pullback, Dense};
//! use nalgebra::SVector;
//!
//! // loss = softmax_cross_entropy(relu(dense(layer, x)), label), backward by hand
//! let layer = Dense::<f64, 4, 3>::he_normal(0);
//! let x = SVector::<f64, 4>::new(0.5, -1.0, 2.0, 0.1);
//! let (h, dense_pb) = dense_pullback(&layer, &x);
//! let (a, relu_pb) = relu_pullback(&h);
//! let (loss, loss_pb) = softmax_cross_entropy_pullback(&a, 2);
//! let (d_a, ()) = loss_pb(1.0);
//! let (d_h,) = relu_pb(d_a);
//! let (d_layer, _d_x) = dense_pb(d_h);
//! assert!(loss > 0.0 && d_layer.weight.iter().all(|g| g.is_finite()));
//! ```
//!
//! # What the closures hold
//!
//! A pullback closure owns what it needs from the forward pass (a copy of `x`, the softmax,
//! the local derivative — one value shaped like the input), because the caller is often a
//! generated `f_pullback` that returns its own closure holding these inner ones, while the
//! inner arguments are locals of that function. The one exception is a layer: [`dense()`] and
//! [`dense_batch`] borrow `layer` (a parameter, which outlives the closure) instead of
//! copying its weights.
//!
//! Closures only *read* the cotangent they receive and build their results in the state they
//! own. Writing into a by-value argument of a closure is exposed to a rustc miscompilation
//! (rust-lang/rust#155241, present in the 1.95 compiler this project builds with): when the
//! argument is passed by pointer, the caller's own copy can be overwritten.
//!
//! # Allocation
//!
//! Nothing here allocates on the heap (checked by `tests/nn_no_alloc.rs`), with three
//! documented exceptions: a `Box` that is the value's own type (the cotangent of a
//! `Box<Dense>` is a `Box<Dense>`); a batched product large enough for the GEMM kernel
//! ([`crate::rules::matrix::GEMM_THRESHOLD`] multiply-adds), which allocates the kernel's
//! packing buffer once per product, as
//! BLAS implementations do; and [`l2_penalty`] on a struct, whose read through
//! [`crate::Params::visit`] builds tensor names in a `String` (its pullback does not).
//!
//! # Use with `#[differentiate]`
//!
//! The macro calls `f_pullback` by the same path as `f`, so both must be in scope: import
//! with a glob (`use autodiff::nn::*;`) or call through the module (`nn::dense(..)`).
//!
//! ```text
//! use autodiff::differentiate;
//! use autodiff::nn::*;
//!
//! #[differentiate]
//! fn loss(m: &Mlp, x: &SVector<f64, 784>, label: usize) -> f64 {
//!     let h = relu(&dense(&m.l1, x));   // m.l1: Box<Dense<f64, 784, 128>>
//!     softmax_cross_entropy(&dense(&m.l2, &h), label) + 1e-4 * l2_penalty(m)
//! }
//! ```
//!
//! Tensors are passed by reference. Scalars, vectors and batch matrices (one sample per
//! column) share the elementwise functions through [`Elementwise`].

pub mod activation;
pub mod batch;
pub mod dense;
pub mod dropout;
pub mod elementwise;
pub mod loss;
pub mod penalty;
pub mod softmax;

pub use activation::*;
pub use batch::{add_bias, add_bias_pullback, dense_batch, dense_batch_pullback};
pub use dense::*;
pub use dropout::*;
pub use elementwise::Elementwise;
pub use loss::*;
pub use penalty::*;
pub use softmax::{
    log_softmax, log_softmax_batch, log_softmax_batch_pullback, log_softmax_pullback, softmax,
    softmax_batch, softmax_batch_pullback, softmax_pullback,
};

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;
    use crate::gradcheck::{Tolerance, check_gradient};
    use nalgebra::{SMatrix, SVector};

    type Layer1 = Dense<f64, 4, 6>;
    type Layer2 = Dense<f64, 6, 3>;

    fn loss(l1: &Layer1, l2: &Layer2, x: &SVector<f64, 4>, label: usize) -> f64 {
        let h = dense(l1, x);
        let a = gelu(&h);
        let z = dense(l2, &a);
        softmax_cross_entropy(&z, label) + 0.01 * l2_penalty(l2)
    }

    /// Shaped like the code `#[differentiate]` writes: the forward pass keeps the inner
    /// pullbacks, whose arguments are locals of this function, and returns a closure holding
    /// them. This only compiles if no inner closure borrows its (local) arguments.
    #[allow(clippy::type_complexity)]
    fn loss_pullback<'a>(
        l1: &'a Layer1,
        l2: &'a Layer2,
        x: &'a SVector<f64, 4>,
        label: usize,
    ) -> (
        f64,
        impl FnOnce(f64) -> (Layer1, Layer2, SVector<f64, 4>, ()) + use<'a>,
    ) {
        let (h, h_pb) = dense_pullback(l1, x);
        let (a, a_pb) = gelu_pullback(&h);
        let (z, z_pb) = dense_pullback(l2, &a);
        let (ce, ce_pb) = softmax_cross_entropy_pullback(&z, label);
        let (pen, pen_pb) = l2_penalty_pullback(l2);
        let value = ce + 0.01 * pen;
        (value, move |d: f64| {
            let (d_z, ()) = ce_pb(d);
            let (mut d_l2, d_a) = z_pb(d_z);
            let (d_pen,) = pen_pb(0.01 * d);
            Params::add_assign(&mut d_l2, &d_pen);
            let (d_h,) = a_pb(d_a);
            let (d_l1, d_x) = h_pb(d_h);
            (d_l1, d_l2, d_x, ())
        })
    }

    #[test]
    fn pullbacks_compose_like_generated_code() {
        let (l1, l2) = (Layer1::he_normal(1), Layer2::xavier_normal(2));
        let x = SVector::<f64, 4>::new(0.5, -1.5, 2.0, 0.25);
        let (v, pb) = loss_pullback(&l1, &l2, &x, 1);
        assert_eq!(v, loss(&l1, &l2, &x, 1));
        let (d_l1, d_l2, d_x, ()) = pb(1.0);
        let tol = Tolerance::default();
        check_gradient(|l1| loss(l1, &l2, &x, 1), &l1, &d_l1, tol).unwrap();
        check_gradient(|l2| loss(&l1, l2, &x, 1), &l2, &d_l2, tol).unwrap();
        check_gradient(|x| loss(&l1, &l2, x, 1), &x, &d_x, tol).unwrap();
    }

    /// rust-lang/rust#155241: a closure that writes into its by-pointer argument can overwrite
    /// the caller's copy. Call every pullback twice with the same cotangent variable: the
    /// results must agree and the variable must be unchanged.
    #[test]
    fn pullbacks_never_modify_the_callers_cotangent() {
        let x =
            SMatrix::<f64, 3, 4>::from_fn(|i, j| (i as f64 - 1.0) * 0.8 + j as f64 * 0.35 - 0.5);
        let d = SMatrix::<f64, 3, 4>::from_fn(|i, j| 0.3 - (i * 4 + j) as f64 * 0.1);
        let d0 = d;
        macro_rules! twice {
            ($e:expr) => {{
                let a = $e;
                let b = $e;
                assert_eq!(a, b, "{}", stringify!($e));
                assert_eq!(d, d0, "{}", stringify!($e));
            }};
        }
        twice!(relu_pullback(&x).1(d));
        twice!(leaky_relu_pullback(&x, 0.1).1(d));
        twice!(sigmoid_pullback(&x).1(d));
        twice!(tanh_pullback(&x).1(d));
        twice!(gelu_pullback(&x).1(d));
        twice!(softmax_batch_pullback(&x).1(d));
        twice!(log_softmax_batch_pullback(&x).1(d));
        twice!(dropout_pullback(&x, &x.map(|v| v * v)).1(d));
        twice!(add_bias_pullback(
            &x,
            &SVector::<f64, 3>::new(1.0, 2.0, 3.0)
        )
        .1(d));
        let v = SVector::<f64, 3>::new(0.2, -0.4, 1.0);
        let dv = SVector::<f64, 3>::new(1.0, -2.0, 0.5);
        let dv0 = dv;
        let l = Dense::<f64, 3, 3>::he_normal(3);
        for _ in 0..2 {
            assert_eq!(softmax_pullback(&v).1(dv), softmax_pullback(&v).1(dv));
            assert_eq!(
                log_softmax_pullback(&v).1(dv),
                log_softmax_pullback(&v).1(dv)
            );
            assert_eq!(dense_pullback(&l, &v).1(dv), dense_pullback(&l, &v).1(dv));
            assert_eq!(dv, dv0);
        }
        let xb = SMatrix::<f64, 3, 4>::from_fn(|i, j| (i + j) as f64);
        let lb = Dense::<f64, 3, 3>::he_normal(4);
        twice!(dense_batch_pullback(&lb, &xb).1(
            SMatrix::<f64, 3, 4>::from(d)
        ));
    }
}
