//! Helpers the generated backward code calls for bookkeeping: creating zero cotangents,
//! accumulating contributions and seeding the output cotangent.

use crate::{Params, Real};

/// `acc += contribution`: the chain rule's sum over the uses of a value.
#[inline(always)]
pub fn accum<P: Params>(acc: &mut P, contribution: P) {
    acc.add_assign(&contribution);
}

/// A zero cotangent shaped like `x`.
#[inline(always)]
pub fn zeros_like<P: Params>(x: &P) -> P {
    x.zeros_like()
}

/// The seed cotangent `1` for a scalar output.
#[inline(always)]
pub fn one_like<T: Real>(_y: &T) -> T {
    T::of_f64(1.0)
}

/// The cotangent of `x as Y` flows back converted to `x`'s type.
#[inline(always)]
pub fn cast_d_recv<X: Real, Y: Real>(_x: &X, _y: &Y, d: &Y) -> X {
    X::of_f64(d.as_f64())
}

/// Copy of a value: what the generated code uses to hand out the function's result while
/// keeping it for the backward pass.
#[inline(always)]
pub fn value_of<T: Clone>(x: &T) -> T {
    x.clone()
}

/// Cotangent of argument `k` of a fixed-size constructor `Matrix::new(a0, a1, ..)`, whose
/// arguments are given row by row.
#[inline(always)]
pub fn new_arg_d<T: Real, const R: usize, const C: usize>(
    d: &nalgebra::SMatrix<T, R, C>,
    k: usize,
) -> T {
    d[(k / C, k % C)]
}
