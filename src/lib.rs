//! # autodiff — gradients written at compile time
//!
//! Put `#[differentiate]` on a function written in ordinary Rust over `f32`/`f64`, nalgebra
//! fixed-size matrices and parameter structs. The macro keeps the function and writes its
//! backward pass next to it, applying the chain rule statement by statement in reverse. The
//! result is plain Rust: no tape, no graph, no heap allocation for straight-line code,
//! shapes checked by rustc, readable in a debugger — on stable Rust.
//!
//! ```
//! use autodiff::differentiate;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     x * y + x.sin()
//! }
//!
//! // `f` is kept unchanged; beside it:  fn f_grad(x: f64, y: f64) -> (f64, (f64, f64))
//! let (value, (dx, dy)) = f_grad(1.0, 2.0);
//! assert_eq!(value, f(1.0, 2.0));
//! assert!((dx - (2.0 + 1f64.cos())).abs() < 1e-12);
//! assert!((dy - 1.0).abs() < 1e-12);
//! ```
//!
//! ## What the macro writes
//!
//! For `fn NAME(params) -> T` it emits, next to the unchanged function:
//!
//! - **`NAME_grad(params) -> (T, gradient)`** when `T` is a scalar (`f32`, `f64`, or a plain
//!   type name such as a generic `T`): the gradient of one active parameter alone, of several
//!   as a tuple in declaration order. The gradient of a parameter of type `P`, `&P` or
//!   `&mut P` has type `P`.
//! - **`NAME_pullback(params) -> (T, impl FnOnce(T) -> (G1, G2, ..))`** for every function,
//!   scalar- or vector-valued: the value and a closure mapping a cotangent of the result to
//!   the cotangents of **all** parameters (`()` for those not differentiated). This is the
//!   vector-Jacobian product, and the form in which differentiated functions compose.
//!
//! The pullback of `f` above reads (abridged from `autodiff-macros/tests/expand/`, where
//! snapshots of every kind of expansion are checked in):
//!
//! ```text
//! fn f_pullback(x: f64, y: f64) -> (f64, impl FnOnce(f64) -> (f64, f64)) {
//!     let t = mul(&x, &y);
//!     let t_1 = x.sin();
//!     let t_2 = add(&t, &t_1);
//!     (t_2, move |d_value: f64| {
//!         let d_t_2 = d_value;
//!         let d_t = add_d_lhs(&t, &t_1, &t_2, &d_t_2);
//!         let d_t_1 = add_d_rhs(&t, &t_1, &t_2, &d_t_2);
//!         let d_x = sin_d_recv(&x, &t_1, &d_t_1);
//!         accum(&mut d_x, mul_d_lhs(&x, &y, &t, &d_t));
//!         let d_y = mul_d_rhs(&x, &y, &t, &d_t);
//!         (d_x, d_y)
//!     })
//! }
//! ```
//!
//! Operations whose derivative depends on types (`a * b` may be scalar·scalar,
//! matrix·vector, scalar·matrix …) call rules in [`rules`] through traits, so rustc picks
//! the right one; every rule is checked against finite differences.
//!
//! ## Which parameters are differentiated
//!
//! All of them except integer, `bool`, `char` and string parameters (and references or
//! arrays of those) and parameters marked `#[no_grad]`. `#[differentiate(wrt(a, b))]` names
//! them explicitly.
//!
//! ```
//! use autodiff::differentiate;
//!
//! #[differentiate]
//! fn scaled(x: f64, #[no_grad] scale: f64, times: usize) -> f64 {
//!     x * x * scale * times as f64
//! }
//! let (_, dx) = scaled_grad(3.0, 0.5, 2);
//! assert_eq!(dx, 2.0 * 3.0 * 0.5 * 2.0);
//! ```
//!
//! ## Networks: nalgebra values and parameter structs
//!
//! `#[derive(Params)]` makes a struct of tensors usable as a parameter whose gradient is the
//! same struct, and gives optimizers and checkpoints what they need ([`Params`]).
//!
//! ```
//! use autodiff::{differentiate, Params};
//! use autodiff::nalgebra::{SMatrix, SVector};
//!
//! #[derive(Params, Clone, Debug)]
//! struct Linear {
//!     w: SMatrix<f64, 2, 3>,
//!     b: SVector<f64, 2>,
//! }
//!
//! #[differentiate]
//! fn loss(net: &Linear, x: &SVector<f64, 3>, target: &SVector<f64, 2>) -> f64 {
//!     let y = net.w * x + net.b;
//!     let err = y - target;
//!     err.norm_squared()
//! }
//!
//! let net = Linear { w: SMatrix::repeat(0.1), b: SVector::zeros() };
//! let x = SVector::<f64, 3>::new(1.0, 2.0, 3.0);
//! let t = SVector::<f64, 2>::new(1.0, 0.0);
//! let (l, (g_net, g_x, g_t)) = loss_grad(&net, &x, &t);
//! // dL/db = 2 (W x + b - t)
//! let r = net.w * x + net.b - t;
//! assert!((g_net.b - 2.0 * r).norm() < 1e-12);
//! # let _ = (l, g_x, g_t);
//! ```
//!
//! ## Control flow
//!
//! `if`/`else` (as statements and values), `match` on values no derivative flows through,
//! `for` over ranges and over arrays/vectors (`.iter()`, `.iter().enumerate()`), `while`,
//! `loop` with one `if cond { break; }`, `if cond { continue; }`, `return` in branches at the
//! end of the function, and writes by index (`v[i] = ..`, `v[i] += ..`). The branch taken is
//! recorded and only its derivative is computed; each loop iteration records its pullback
//! (on the stack for small constant trip counts, in a `Vec` otherwise) and the backward pass
//! replays them in reverse.
//!
//! ```
//! use autodiff::differentiate;
//!
//! #[differentiate]
//! fn halve_until_small(mut x: f64) -> f64 {
//!     if x < 0.0 {
//!         return -x;
//!     }
//!     while x > 1.0 {
//!         x = x * 0.5;
//!     }
//!     x * x
//! }
//! let (v, d) = halve_until_small_grad(5.0); // 5 -> 0.625, v = (x / 8)^2
//! assert_eq!(v, 0.390625);
//! assert!((d - 2.0 * 5.0 / 64.0).abs() < 1e-12);
//! ```
//!
//! ## Composition and custom derivatives
//!
//! A `#[differentiate]` function calling another one is differentiated through it (for a
//! call `g(a, b)` the macro calls `g_pullback(a, b)`, so `g_pullback` must be in scope where
//! `g` is: import the runtime's primitives with a glob, `use autodiff::nn::*;` or
//! `use autodiff::prelude::*;`). The same convention lets you supply
//! the derivative of anything the macro cannot see into — a call into another crate, an
//! iterative solver, or a numerically better formula — by writing `NAME_pullback` by hand:
//!
//! ```
//! use autodiff::differentiate;
//!
//! /// softplus(x) = ln(1 + e^x), computed stably.
//! fn softplus(x: f64) -> f64 {
//!     x.max(0.0) + (-x.abs()).exp().ln_1p()
//! }
//!
//! /// Its derivative is the logistic function, which never overflows in this form.
//! fn softplus_pullback(x: f64) -> (f64, impl FnOnce(f64) -> (f64,)) {
//!     let sigmoid = if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) };
//!     (softplus(x), move |d| (d * sigmoid,))
//! }
//!
//! #[differentiate]
//! fn loss(w: f64) -> f64 {
//!     softplus(w * 1000.0) + softplus(-w)
//! }
//! let (_, dw) = loss_grad(0.5);
//! assert!(dw.is_finite());
//! ```
//!
//! A custom rule can also change the backward pass on purpose. A gradient-clipping identity
//! is `x` going forward and clamps the cotangent coming back:
//!
//! ```
//! use autodiff::differentiate;
//!
//! fn clip_gradient(x: f64) -> f64 {
//!     x
//! }
//!
//! fn clip_gradient_pullback(x: f64) -> (f64, impl FnOnce(f64) -> (f64,)) {
//!     (x, |d: f64| (d.clamp(-1.0, 1.0),))
//! }
//!
//! #[differentiate]
//! fn steep(x: f64) -> f64 {
//!     clip_gradient(x) * 100.0
//! }
//! let (value, dx) = steep_grad(0.5);
//! assert_eq!(value, 50.0);
//! assert_eq!(dx, 1.0); // the cotangent 100 reaching the identity is clamped to 1
//! ```
//!
//! A call to a function with no pullback is a compile error at the call (``cannot find
//! function `g_pullback` ``): write `#[differentiate]` on `g`, or its pullback by hand.
//!
//! ## Conventions at kinks
//!
//! Where a derivative does not exist the rules return what PyTorch returns: `abs` and `relu`
//! at 0 give 0, `max`/`min` at a tie split the cotangent in half, `clamp` passes it at the
//! bounds, `sqrt` at 0 gives +∞, the derivative of `x.powf(p)` in `p` at `x = 0` is 0. See
//! [`rules::scalar`].
//!
//! ## Training
//!
//! [`train::fit`] is a Keras-like training loop over any parameter struct and any optimizer:
//! mini-batches with the mean gradient, shuffling, validation, early stopping, callbacks,
//! learning-rate schedules, a NaN guard that keeps the last good parameters, progress
//! output and a [`train::History`] to save as CSV or plot. The per-sample gradient it takes
//! is the `loss_grad` the macro writes, as it is:
//!
//! ```
//! use autodiff::data::{datasets, Standardizer};
//! use autodiff::nn::*; // each primitive and its `_pullback`
//! use autodiff::optim::{Adam, AdamConfig};
//! use autodiff::train::{fit, FitConfig, Verbosity};
//! use autodiff::{differentiate, Params};
//! use nalgebra::SVector;
//!
//! #[derive(Params, Clone)]
//! struct Net {
//!     l1: Dense<f64, 4, 16>,
//!     l2: Dense<f64, 16, 3>,
//! }
//!
//! fn scores(net: &Net, x: &SVector<f64, 4>) -> SVector<f64, 3> {
//!     dense(&net.l2, &relu(&dense(&net.l1, x)))
//! }
//!
//! #[differentiate(wrt(net))]
//! fn loss(net: &Net, x: &SVector<f64, 4>, label: usize) -> f64 {
//!     let h = relu(&dense(&net.l1, x));
//!     softmax_cross_entropy(&dense(&net.l2, &h), label)
//! }
//!
//! let (mut train, mut val) = datasets::iris::<f64>()?.split(0.3, 0);
//! let scaler = Standardizer::fit(&train);
//! scaler.apply(&mut train);
//! scaler.apply(&mut val);
//! let mut net = Net { l1: Dense::he_normal(1), l2: Dense::he_normal(2) };
//! let mut opt = Adam::new(&net, AdamConfig { lr: 1e-2, ..Default::default() });
//! let history = fit(&mut net, &mut opt, &train, loss_grad, scores, FitConfig {
//!     epochs: 30,
//!     batch_size: 16,
//!     validation: Some(&val),
//!     verbosity: Verbosity::Silent,
//!     ..Default::default()
//! })?;
//! assert!(history.last().unwrap().val_accuracy.unwrap() > 0.85);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Fine-tuning needs no special mode: freeze layers with the optimizer
//! (`Adam::new(&net, cfg).freeze(&["l1"])?`) and add `lambda * nn::l2sp_penalty(net,
//! pretrained)` to the differentiated loss. `examples/train_mlp.rs` does both; the
//! [`train`] module documentation has the details.
//!
//! ## Reading the generated code
//!
//! `cargo expand` (from the `cargo-expand` crate) prints the expansion of any module; the
//! repository's `autodiff-macros/tests/expand/*.expanded.rs` files show the expansion of a
//! scalar function, matrix code, a branch, a counted loop, a `while` loop with an early
//! return and a write by index.

#[doc(inline)]
pub use autodiff_macros::{Params, differentiate};
pub use autodiff_runtime::*;

/// Everything a training program needs, in one glob import. Glob imports matter for the
/// runtime's primitives: `#[differentiate]` calls `relu_pullback` for `relu(..)`, so the
/// pullback must be in scope wherever the function is (`use autodiff::nn::*` brings both).
pub mod prelude {
    pub use crate::{Params, Real, differentiate};
    pub use autodiff_runtime::nn::*;
    pub use autodiff_runtime::optim::*;
    pub use autodiff_runtime::train::{EarlyStopping, FitConfig, Verbosity, evaluate, fit};
    pub use nalgebra::{SMatrix, SVector};
}

/// nalgebra, re-exported so user code and the runtime agree on one version.
pub use nalgebra;

#[doc(hidden)]
pub use autodiff_runtime::__private;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
