//! [`Elementwise`]: one trait that lets a single generic function act on a scalar, a vector,
//! a batch matrix or an array, entry by entry.

use crate::{Params, Real};
use nalgebra::SMatrix;

/// A value whose entries can be read and written as one contiguous slice: `f32`, `f64`,
/// `[T; N]` and every nalgebra fixed-size matrix or vector (`SMatrix<T, R, C>`, in
/// column-major order).
///
/// The activations, [`crate::nn::dropout()`], [`crate::nn::mse`] and
/// [`crate::nn::binary_cross_entropy_with_logits`] are generic over it, so `relu(&x)` works
/// for `x: f64`, `x: SVector<f32, 10>` and `x: SMatrix<f32, 128, 32>` alike.
pub trait Elementwise: Params + Clone {
    /// All entries, in storage order.
    fn elems(&self) -> &[Self::Scalar];
    /// All entries, mutably, in storage order.
    fn elems_mut(&mut self) -> &mut [Self::Scalar];
}

macro_rules! impl_scalar {
    ($($t:ty),*) => {$(
        impl Elementwise for $t {
            #[inline(always)]
            fn elems(&self) -> &[$t] {
                core::slice::from_ref(self)
            }
            #[inline(always)]
            fn elems_mut(&mut self) -> &mut [$t] {
                core::slice::from_mut(self)
            }
        }
    )*};
}
impl_scalar!(f32, f64);

impl<T: Real, const R: usize, const C: usize> Elementwise for SMatrix<T, R, C> {
    #[inline(always)]
    fn elems(&self) -> &[T] {
        self.as_slice()
    }
    #[inline(always)]
    fn elems_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T: Real + Params<Scalar = T>, const N: usize> Elementwise for [T; N] {
    #[inline(always)]
    fn elems(&self) -> &[T] {
        self
    }
    #[inline(always)]
    fn elems_mut(&mut self) -> &mut [T] {
        self
    }
}

/// `f` applied to every entry.
#[inline(always)]
pub(crate) fn map<X: Elementwise>(x: &X, mut f: impl FnMut(X::Scalar) -> X::Scalar) -> X {
    let mut y = x.clone();
    for v in y.elems_mut() {
        *v = f(*v);
    }
    y
}

/// `f` applied to every entry, where `f` returns a value and a local derivative: the results
/// are split into two values shaped like `x`.
#[inline(always)]
pub(crate) fn map2<X: Elementwise>(
    x: &X,
    mut f: impl FnMut(X::Scalar) -> (X::Scalar, X::Scalar),
) -> (X, X) {
    let mut y = x.clone();
    let mut g = x.clone();
    for (a, b) in y.elems_mut().iter_mut().zip(g.elems_mut()) {
        (*a, *b) = f(*a);
    }
    (y, g)
}

/// `a[i] = f(a[i], b[i])` for every entry.
#[inline(always)]
pub(crate) fn zip_apply<X: Elementwise>(
    a: &mut X,
    b: &X,
    mut f: impl FnMut(X::Scalar, X::Scalar) -> X::Scalar,
) {
    for (a, &b) in a.elems_mut().iter_mut().zip(b.elems()) {
        *a = f(*a, b);
    }
}

/// `f64` constant converted to `T`.
#[inline(always)]
pub(crate) fn c<T: Real>(v: f64) -> T {
    T::of_f64(v)
}

/// `0` of any scalar type (usable where `T` is an associated type such as `X::Scalar`).
#[inline(always)]
pub(crate) fn zero<T: Real>() -> T {
    T::zero()
}

/// `1` of any scalar type.
#[inline(always)]
pub(crate) fn one<T: Real>() -> T {
    T::one()
}
