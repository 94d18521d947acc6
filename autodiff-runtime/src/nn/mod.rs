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
//! inner arguments are locals of that function. The one exception is a layer: [`dense`] and
//! [`dense_batch`] borrow `layer` (a parameter, which outlives the closure) instead of
//! copying its weights.
//!
//! Closures only *read* the cotangent they receive and build their results in the state they
//! own. Writing into a by-value argument of a closure is exposed to a rustc miscompilation
//! (rust-lang/rust#155241, present in the 1.95 compiler this project builds with): when the
//! argument is passed by pointer, the caller's own copy can be overwritten.
//!
//! No function here allocates on the heap, except where a `Box` is the value's own type
//! (the cotangent of a `Box<Dense>` is a `Box<Dense>`).
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
