//! Batched layers: a batch is an `SMatrix<T, N, B>` holding one sample per column.
//!
//! Products whose three dimensions all exceed 5 go through nalgebra's GEMM path, which calls
//! the `matrixmultiply` kernel (cache blocking, SIMD micro-kernels) on views of the fixed-size
//! storage; transposes are expressed as strides, never materialized. Smaller products use
//! nalgebra's fixed-size code, which is faster at those sizes.

use super::dense::AsDense;
use crate::Real;
use nalgebra::{Const, Dyn, MatrixView, MatrixViewMut, SMatrix, SVector};

/// An operand of [`gemm`]: column-major data of a matrix, read either as is or transposed.
#[derive(Clone, Copy)]
pub(crate) struct Operand<'a, T> {
    data: &'a [T],
    row_stride: usize,
    col_stride: usize,
}

impl<'a, T> Operand<'a, T> {
    /// The matrix with `rows` rows stored in `data`.
    #[inline(always)]
    pub(crate) fn plain(data: &'a [T], rows: usize) -> Self {
        Operand { data, row_stride: 1, col_stride: rows }
    }
    /// The transpose of the matrix with `rows` rows stored in `data`.
    #[inline(always)]
    pub(crate) fn transposed(data: &'a [T], rows: usize) -> Self {
        Operand { data, row_stride: rows, col_stride: 1 }
    }
}

/// `c = alpha a b + beta c` for `a: M × K`, `b: K × N`. `c` is never read when `beta == 0`.
#[inline]
pub(crate) fn gemm<T: Real, const M: usize, const K: usize, const N: usize>(
    c: &mut SMatrix<T, M, N>,
    alpha: T,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    beta: T,
) {
    if M == 0 || N == 0 {
        return;
    }
    if K == 0 {
        if beta == T::zero() {
            c.fill(T::zero());
        } else {
            *c *= beta;
        }
        return;
    }
    if M > 5 && K > 5 && N > 5 {
        // Dynamic views make nalgebra take its `matrixmultiply` path.
        let av = MatrixView::<T, Dyn, Dyn, Dyn, Dyn>::from_slice_with_strides(
            a.data,
            M,
            K,
            a.row_stride,
            a.col_stride,
        );
        let bv = MatrixView::<T, Dyn, Dyn, Dyn, Dyn>::from_slice_with_strides(
            b.data,
            K,
            N,
            b.row_stride,
            b.col_stride,
        );
        let mut cv = MatrixViewMut::<T, Dyn, Dyn, Dyn, Dyn>::from_slice_with_strides_mut(
            c.as_mut_slice(),
            M,
            N,
            1,
            M,
        );
        cv.gemm(alpha, &av, &bv, beta);
    } else {
        let av = MatrixView::from_slice_with_strides_generic(
            a.data,
            Const::<M>,
            Const::<K>,
            Dyn(a.row_stride),
            Dyn(a.col_stride),
        );
        let bv = MatrixView::from_slice_with_strides_generic(
            b.data,
            Const::<K>,
            Const::<N>,
            Dyn(b.row_stride),
            Dyn(b.col_stride),
        );
        c.gemm(alpha, &av, &bv, beta);
    }
}

/// `m` with `b` added to every column: `y[:, j] = m[:, j] + b`.
///
/// Derivatives: `∂/∂m = d`, `∂/∂b = Σ_j d[:, j]` (row sums). NumPy/PyTorch broadcasting
/// `m + b[:, None]`.
///
/// ```
/// use autodiff_runtime::nn::{add_bias, add_bias_pullback};
/// use nalgebra::{Matrix2, Vector2};
/// let m = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(add_bias(&m, &Vector2::new(10.0, 20.0)), Matrix2::new(11.0, 12.0, 23.0, 24.0));
/// let (_, pullback) = add_bias_pullback(&m, &Vector2::new(10.0, 20.0));
/// assert_eq!(pullback(Matrix2::new(1.0, 2.0, 3.0, 4.0)).1, Vector2::new(3.0, 7.0));
/// ```
#[inline]
pub fn add_bias<T: Real, const R: usize, const B: usize>(
    m: &SMatrix<T, R, B>,
    b: &SVector<T, R>,
) -> SMatrix<T, R, B> {
    let mut y = *m;
    for mut col in y.column_iter_mut() {
        col += b;
    }
    y
}

/// Pullback of [`add_bias`]: `(d, row sums of d)`.
#[inline]
#[allow(clippy::type_complexity)] // the signature is the pullback convention
pub fn add_bias_pullback<T: Real, const R: usize, const B: usize>(
    m: &SMatrix<T, R, B>,
    b: &SVector<T, R>,
) -> (
    SMatrix<T, R, B>,
    impl FnOnce(SMatrix<T, R, B>) -> (SMatrix<T, R, B>, SVector<T, R>) + use<T, R, B>,
) {
    (add_bias(m, b), move |d: SMatrix<T, R, B>| {
        let db = d.column_sum();
        (d, db)
    })
}

/// Affine layer on a batch (one sample per column): `Y = W X + b 1ᵀ`.
///
/// Derivatives: `∂/∂W = D Xᵀ`, `∂/∂b = D 1` (row sums), `∂/∂X = Wᵀ D`. `layer` may be a
/// [`crate::nn::Dense`] or a `Box` of it. PyTorch `nn.Linear` applied to a `[B, I]` batch
/// (which computes the transpose of this), Keras `Dense` on a batch.
///
/// ```
/// use autodiff_runtime::nn::{Dense, dense, dense_batch};
/// use nalgebra::{SMatrix, SVector};
/// let layer = Dense::<f64, 3, 2>::xavier_uniform(7);
/// let x = SMatrix::<f64, 3, 4>::from_fn(|i, j| (i + 2 * j) as f64 * 0.1);
/// let y = dense_batch(&layer, &x);
/// for j in 0..4 {
///     let yj = dense(&layer, &SVector::<f64, 3>::from(x.column(j)));
///     assert!((y.column(j) - yj).norm() < 1e-12);
/// }
/// ```
#[inline]
pub fn dense_batch<T: Real, L: AsDense<T, I, O>, const I: usize, const O: usize, const B: usize>(
    layer: &L,
    x: &SMatrix<T, I, B>,
) -> SMatrix<T, O, B> {
    let l = layer.as_dense();
    let mut y = SMatrix::<T, O, B>::zeros();
    for mut col in y.column_iter_mut() {
        col.copy_from(&l.bias);
    }
    gemm::<T, O, I, B>(
        &mut y,
        T::one(),
        Operand::plain(l.weight.as_slice(), O),
        Operand::plain(x.as_slice(), I),
        T::one(),
    );
    y
}

/// Pullback of [`dense_batch`]: `(L { weight: D Xᵀ, bias: D 1 }, Wᵀ D)`.
///
/// The closure borrows `layer` (a reference to a parameter, which outlives it) and keeps a
/// copy of `x`, so it never borrows an intermediate value of the caller. Both products go
/// through GEMM with strided (not materialized) transposes.
#[inline]
#[allow(clippy::type_complexity)] // the signature is the pullback convention
pub fn dense_batch_pullback<
    'a,
    T: Real,
    L: AsDense<T, I, O>,
    const I: usize,
    const O: usize,
    const B: usize,
>(
    layer: &'a L,
    x: &SMatrix<T, I, B>,
) -> (
    SMatrix<T, O, B>,
    impl FnOnce(SMatrix<T, O, B>) -> (L, SMatrix<T, I, B>) + use<'a, T, L, I, O, B>,
) {
    let x = *x;
    (dense_batch(layer, &x), move |d: SMatrix<T, O, B>| {
        let w = &layer.as_dense().weight;
        let mut dx = SMatrix::<T, I, B>::zeros();
        gemm::<T, I, O, B>(
            &mut dx,
            T::one(),
            Operand::transposed(w.as_slice(), O),
            Operand::plain(d.as_slice(), O),
            T::zero(),
        );
        let mut g = L::zeroed();
        let gd = g.as_dense_mut();
        gemm::<T, O, B, I>(
            &mut gd.weight,
            T::one(),
            Operand::plain(d.as_slice(), O),
            Operand::transposed(x.as_slice(), I),
            T::zero(),
        );
        gd.bias = d.column_sum();
        (g, dx)
    })
}
