//! Helpers the generated backward code calls for bookkeeping: creating zero cotangents,
//! accumulating contributions and seeding the output cotangent.

use crate::{Params, Real};

/// `acc += contribution`: the chain rule's sum over the uses of a value.
#[inline(always)]
pub fn accum<A: Accumulate>(acc: &mut A, contribution: A) {
    acc.accumulate(contribution);
}

/// What generated code can accumulate cotangents into: every [`Params`] value, and the
/// integer and `bool` fields of a parameter struct (which carry no derivative, so adding to
/// them does nothing).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a gradient",
    label = "a differentiated value of type `{Self}`",
    note = "gradients live in `f32`, `f64`, arrays, nalgebra matrices and structs deriving `Params`"
)]
pub trait Accumulate {
    fn accumulate(&mut self, contribution: Self);
}

impl<P: Params> Accumulate for P {
    #[inline(always)]
    fn accumulate(&mut self, contribution: Self) {
        self.add_assign(&contribution);
    }
}

macro_rules! no_derivative {
    ($($t:ty),*) => {$(
        impl Accumulate for $t {
            #[inline(always)]
            fn accumulate(&mut self, _: Self) {}
        }
        impl CastCotangent for $t {
            #[inline(always)]
            fn cast_cotangent<Y: Real>(_d: Y) -> Self {
                Self::default()
            }
        }
    )*};
}

/// The cotangent of the source of a cast `x as f32`: converted for floats, nothing for
/// integers (a cast from an integer has no derivative).
pub trait CastCotangent: Sized {
    fn cast_cotangent<Y: Real>(d: Y) -> Self;
}

impl CastCotangent for f32 {
    #[inline(always)]
    fn cast_cotangent<Y: Real>(d: Y) -> Self {
        d.as_f64() as f32
    }
}

impl CastCotangent for f64 {
    #[inline(always)]
    fn cast_cotangent<Y: Real>(d: Y) -> Self {
        d.as_f64()
    }
}

no_derivative!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, bool
);

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
pub fn cast_d_recv<X: CastCotangent, Y: Real>(_x: &X, _y: &Y, d: &Y) -> X {
    X::cast_cotangent(*d)
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

/// Ties a cotangent's type to its value's type (`like(d, &v)` is `d`), so generated
/// closures can use fields and indices of cotangents they receive.
#[inline(always)]
pub fn like<T>(d: T, _value: &T) -> T {
    d
}

/// [`like`] for a cotangent received by `&mut`.
#[inline(always)]
pub fn like_mut<'a, T>(d: &'a mut T, _value: &T) -> &'a mut T {
    d
}

/// Cotangent of the base of `v[i] = x`: the output's cotangent with entry `i` zeroed (the
/// old entry was overwritten).
#[inline(always)]
pub fn set_index_d_base<V, I: Copy>(d: &V, i: I) -> V
where
    V: Clone + core::ops::IndexMut<I>,
    V::Output: Params + Sized,
{
    let mut out = d.clone();
    out[i] = out[i].zeros_like();
    out
}

/// Cotangent of the value written by `v[i] = x`.
#[inline(always)]
pub fn set_index_d_value<V, I>(d: &V, i: I) -> V::Output
where
    V: core::ops::Index<I>,
    V::Output: Clone + Sized,
{
    d[i].clone()
}

/// Which arm of a branch the forward pass took, holding that arm's pullback.
pub enum Either<L, R> {
    Left(L),
    Right(R),
}

/// The per-iteration pullbacks of a loop whose trip count is only known at run time.
pub type Tape<F> = Vec<F>;

/// The per-iteration pullbacks of a loop with a small constant trip count: no heap.
pub struct StackTape<F, const N: usize> {
    items: [Option<F>; N],
    len: usize,
}

impl<F, const N: usize> StackTape<F, N> {
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        StackTape {
            items: core::array::from_fn(|_| None),
            len: 0,
        }
    }

    /// Records an iteration's pullback. The macro sizes the tape to the trip count.
    #[inline(always)]
    pub fn push(&mut self, f: F) {
        self.items[self.len] = Some(f);
        self.len += 1;
    }

    /// The most recent pullback not yet run.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<F> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.items[self.len].take()
    }
}

/// A cotangent returned by a callee's pullback for one argument: it must have the
/// argument's type. A callee that does not differentiate a parameter (`#[no_grad]`, outside
/// `wrt(..)`) returns `()` for it, which does not fit: passing a differentiated value there
/// would silently drop part of the gradient, so it is a compile error instead.
#[diagnostic::on_unimplemented(
    message = "this argument depends on a differentiated value, but the called function does not differentiate that parameter",
    label = "the callee returns `{Self}` for this argument instead of a cotangent of type `{A}`",
    note = "remove `#[no_grad]` from the callee's parameter (or add it to the callee's `wrt(..)`), or pass a value that does not depend on the differentiated inputs"
)]
pub trait CallCotangent<A> {
    /// `acc += self`.
    fn add_into(self, acc: &mut A);
    /// `self` as the first cotangent of an argument like `like`.
    fn first(self, like: &A) -> A;
}

impl<A: Accumulate> CallCotangent<A> for A {
    #[inline(always)]
    fn add_into(self, acc: &mut A) {
        acc.accumulate(self);
    }
    #[inline(always)]
    fn first(self, _like: &A) -> A {
        self
    }
}

/// Adds a callee's cotangent for an argument to that argument's cotangent.
#[inline(always)]
pub fn accum_call<A, C: CallCotangent<A>>(acc: &mut A, contribution: C) {
    contribution.add_into(acc);
}

/// The first cotangent of an argument, from a callee's pullback.
#[inline(always)]
pub fn call_cotangent<A, C: CallCotangent<A>>(contribution: C, like: &A) -> A {
    contribution.first(like)
}
