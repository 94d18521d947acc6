//! [`Params`]: a value made of named tensors that gradients, optimizers and checkpoints
//! treat as one unit.
//!
//! The gradient of a parameter of type `T` has type `T`, so the same trait serves both the
//! parameters and their gradients. Implemented for `f32`/`f64`, nalgebra fixed-size matrices
//! and vectors, arrays and `Box` of them; `#[derive(Params)]` implements it for structs.

use crate::Real;
use nalgebra::SMatrix;

/// A collection of named `f32`/`f64` tensors with a fixed layout.
///
/// Tensors are visited in a fixed order (declaration order for structs). Names are dotted
/// field paths (`l1.weight`); array elements use their index (`layers.0.bias`). Tensor data is
/// handed out in nalgebra's storage order (column-major) together with its logical shape:
/// `[]` for a scalar, `[n]` for a column vector, `[rows, cols]` for a matrix.
pub trait Params {
    /// The scalar type of every tensor inside.
    type Scalar: Real;

    /// A value of the same shape with every entry zero.
    fn zeros_like(&self) -> Self
    where
        Self: Sized;

    /// [`Params::zeros_like`] on the heap: what `Box<Self>`'s `zeros_like` returns.
    ///
    /// The default builds the value and moves it into a new box; large types (matrices,
    /// [`crate::nn::Dense`]) override it to write the zeros straight into the allocation,
    /// so a 400 KB layer never passes through the stack.
    fn boxed_zeros_like(&self) -> Box<Self>
    where
        Self: Sized,
    {
        Box::new(self.zeros_like())
    }

    /// `self += other`, entrywise.
    fn add_assign(&mut self, other: &Self);

    /// `self *= factor`, entrywise.
    fn scale(&mut self, factor: Self::Scalar);

    /// Calls `f(name, data, shape)` for every tensor. `name` is a reusable buffer holding the
    /// prefix (empty at the top level); implementations append to it and restore it.
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[Self::Scalar], &[usize]));

    /// Like [`Params::visit`] with mutable data.
    fn visit_mut(
        &mut self,
        name: &mut String,
        f: &mut dyn FnMut(&str, &mut [Self::Scalar], &[usize]),
    );

    /// Calls `f(mine, theirs)` for every pair of corresponding tensors, without names.
    /// This is the allocation-free path optimizers use on every step.
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [Self::Scalar], &[Self::Scalar]));

    /// The total number of scalar entries.
    fn num_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut String::new(), &mut |_, data, _| n += data.len());
        n
    }

    /// The sum of squares of all entries (the squared global L2 norm).
    fn norm_squared(&self) -> Self::Scalar {
        let mut acc = <Self::Scalar as Real>::of_f64(0.0);
        self.visit(&mut String::new(), &mut |_, data, _| {
            for &x in data {
                acc += x * x;
            }
        });
        acc
    }

    /// Names and shapes of all tensors, in visiting order.
    fn tensor_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        self.visit(&mut String::new(), &mut |name, _, shape| {
            out.push((name.to_string(), shape.to_vec()))
        });
        out
    }
}

/// Appends `.segment` (or `segment` at the top level) to `name`, runs `f`, and restores `name`.
#[doc(hidden)]
pub fn with_segment<R>(name: &mut String, segment: &str, f: impl FnOnce(&mut String) -> R) -> R {
    let len = name.len();
    if len > 0 {
        name.push('.');
    }
    name.push_str(segment);
    let r = f(name);
    name.truncate(len);
    r
}

/// A zero `R x C` matrix written straight into a new heap allocation.
pub(crate) fn boxed_zero_matrix<T: Real, const R: usize, const C: usize>() -> Box<SMatrix<T, R, C>>
{
    let mut b = Box::<SMatrix<T, R, C>>::new_uninit();
    // SAFETY: `SMatrix<T, R, C>` is `#[repr(C)]` around its `ArrayStorage`, a
    // `#[repr(transparent)]` `[[T; R]; C]`: `R * C` contiguous, aligned `T`s at the start of
    // the allocation. All of them are written before `assume_init`.
    unsafe {
        let p = b.as_mut_ptr().cast::<T>();
        for k in 0..R * C {
            p.add(k).write(T::zero());
        }
        b.assume_init()
    }
}

macro_rules! impl_scalar_params {
    ($($t:ty),*) => {$(
        impl Params for $t {
            type Scalar = $t;
            fn zeros_like(&self) -> Self { 0.0 }
            fn add_assign(&mut self, other: &Self) { *self += *other; }
            fn scale(&mut self, factor: $t) { *self *= factor; }
            fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[$t], &[usize])) {
                f(name, core::slice::from_ref(self), &[]);
            }
            fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [$t], &[usize])) {
                f(name, core::slice::from_mut(self), &[]);
            }
            fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [$t], &[$t])) {
                f(core::slice::from_mut(self), core::slice::from_ref(other));
            }
        }
    )*};
}
impl_scalar_params!(f32, f64);

fn matrix_shape(rows: usize, cols: usize) -> [usize; 2] {
    [rows, cols]
}

impl<T: Real, const R: usize, const C: usize> Params for SMatrix<T, R, C> {
    type Scalar = T;
    fn zeros_like(&self) -> Self {
        Self::zeros()
    }
    fn boxed_zeros_like(&self) -> Box<Self> {
        boxed_zero_matrix()
    }
    fn add_assign(&mut self, other: &Self) {
        *self += other;
    }
    fn scale(&mut self, factor: T) {
        *self *= factor;
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[T], &[usize])) {
        let shape = matrix_shape(R, C);
        f(
            name,
            self.as_slice(),
            if C == 1 { &shape[..1] } else { &shape },
        );
    }
    fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [T], &[usize])) {
        let shape = matrix_shape(R, C);
        f(
            name,
            self.as_mut_slice(),
            if C == 1 { &shape[..1] } else { &shape },
        );
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [T], &[T])) {
        f(self.as_mut_slice(), other.as_slice());
    }
}

impl<P: Params, const N: usize> Params for [P; N] {
    type Scalar = P::Scalar;
    fn zeros_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zeros_like())
    }
    fn add_assign(&mut self, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.add_assign(b);
        }
    }
    fn scale(&mut self, factor: Self::Scalar) {
        for a in self.iter_mut() {
            a.scale(factor);
        }
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[Self::Scalar], &[usize])) {
        for (i, p) in self.iter().enumerate() {
            with_segment(name, &i.to_string(), |name| p.visit(name, f));
        }
    }
    fn visit_mut(
        &mut self,
        name: &mut String,
        f: &mut dyn FnMut(&str, &mut [Self::Scalar], &[usize]),
    ) {
        for (i, p) in self.iter_mut().enumerate() {
            with_segment(name, &i.to_string(), |name| p.visit_mut(name, f));
        }
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [Self::Scalar], &[Self::Scalar])) {
        for (a, b) in self.iter_mut().zip(other) {
            a.zip_mut(b, f);
        }
    }
}

impl<P: Params> Params for Box<P> {
    type Scalar = P::Scalar;
    fn zeros_like(&self) -> Self {
        (**self).boxed_zeros_like()
    }
    fn add_assign(&mut self, other: &Self) {
        (**self).add_assign(other)
    }
    fn scale(&mut self, factor: Self::Scalar) {
        (**self).scale(factor)
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[Self::Scalar], &[usize])) {
        (**self).visit(name, f)
    }
    fn visit_mut(
        &mut self,
        name: &mut String,
        f: &mut dyn FnMut(&str, &mut [Self::Scalar], &[usize]),
    ) {
        (**self).visit_mut(name, f)
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [Self::Scalar], &[Self::Scalar])) {
        (**self).zip_mut(other, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{SMatrix, SVector};

    #[test]
    fn matrix_names_shapes_and_arithmetic() {
        let mut a = [
            SMatrix::<f64, 2, 3>::repeat(1.0),
            SMatrix::<f64, 2, 3>::repeat(2.0),
        ];
        let b = a;
        a.add_assign(&b);
        a.scale(0.5);
        assert_eq!(a, b);
        assert_eq!(a.num_params(), 12);
        assert_eq!(
            a.tensor_shapes(),
            vec![("0".to_string(), vec![2, 3]), ("1".to_string(), vec![2, 3])]
        );
        let v = SVector::<f32, 4>::repeat(3.0);
        assert_eq!(v.tensor_shapes(), vec![(String::new(), vec![4])]);
        assert_eq!(v.norm_squared(), 36.0);
        assert_eq!(v.zeros_like(), SVector::<f32, 4>::zeros());
    }

    #[test]
    fn boxed_zeros_are_built_on_the_heap() {
        let b = Box::new(SMatrix::<f32, 3, 2>::repeat(1.0));
        assert_eq!(*b.zeros_like(), SMatrix::<f32, 3, 2>::zeros());
        let bb = Box::new([SVector::<f64, 2>::repeat(2.0); 3]);
        assert_eq!(*bb.zeros_like(), [SVector::<f64, 2>::zeros(); 3]);
    }
}
