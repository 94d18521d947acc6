//! Derivative rules: the local derivative of every primitive `#[differentiate]` can emit.
//!
//! # The pullback convention
//!
//! Every differentiable function `f` comes with a sibling `f_pullback` taking the same
//! parameters and returning the value together with a closure that maps a cotangent of the
//! output (a value of the output's type) to the cotangents of **all** parameters, as a tuple
//! in declaration order:
//!
//! ```text
//! fn f(a: A, b: &B, label: usize) -> Y
//! fn f_pullback(a: A, b: &B, label: usize) -> (Y, impl FnOnce(Y) -> (A, B, ()))
//! ```
//!
//! The gradient of a parameter of type `T`, `&T` or `&mut T` has type `T`; a parameter
//! that is not differentiated (integers, `bool`, `char`, `#[no_grad]`) gets `()`.
//! `#[differentiate]` writes `f_pullback` for the user's function and calls
//! `g_pullback` for every function `g` it calls with a differentiated argument, so the
//! runtime's primitives (`autodiff_runtime::nn`), the user's differentiated functions and custom
//! derivatives written by hand all compose the same way.
//!
//! The rules in this module are the building blocks for operators and methods. They take
//! every operand by reference together with the output `y` and its cotangent `d`, and return
//! the contribution to one operand's cotangent:
//!
//! - binary operators: `mul_d_lhs(a, b, y, d)` / `mul_d_rhs(a, b, y, d)` (see [`arith`]),
//! - scalar methods: `sin_d_recv(x, y, d)`, `powf_d_arg0(x, p, y, d)` (see [`scalar`]),
//! - matrix methods: `dot_d_recv(a, b, y, d)`, `sum_d_recv(a, y, d)` (see [`matrix`]).
//!
//! Each rule is checked against central finite differences in this crate's tests.

pub mod arith;
pub mod matrix;
pub mod scalar;
pub mod support;
#[cfg(test)]
pub(crate) mod testing;
