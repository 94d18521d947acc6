//! Batched layers: a batch is an `SMatrix<T, N, B>` holding one sample per column.
//!
//! Products of at least [`GEMM_THRESHOLD`] multiply-adds go through [`Real::gemm`], a blocked
//! GEMM kernel (cache blocking, SIMD micro-kernels), on the fixed-size storage directly;
//! transposes are expressed as strides, never materialized. Smaller products use plain loops.
//! In `f32` on x86-64 with AVX2 and FMA the kernel is this crate's own and allocates nothing;
//! elsewhere it is `matrixmultiply`, which allocates a packing buffer on every call.

use super::dense::AsDense;
use crate::Real;
use crate::rules::matrix::GEMM_THRESHOLD;
use nalgebra::{SMatrix, SVector};

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
        Operand {
            data,
            row_stride: 1,
            col_stride: rows,
        }
    }
    /// The transpose of the matrix with `rows` rows stored in `data`.
    #[inline(always)]
    pub(crate) fn transposed(data: &'a [T], rows: usize) -> Self {
        Operand {
            data,
            row_stride: rows,
            col_stride: 1,
        }
    }
}

/// `c = alpha a b + beta c` for `a: M × K`, `b: K × N`. `c` is never read when `beta == 0`.
///
/// Products of at least [`GEMM_THRESHOLD`] multiply-adds with more than one output column go
/// through [`Real::gemm`] (the blocked GEMM kernel, the same rule as
/// [`crate::rules::matrix::matmul`]); smaller ones through [`gemm_small`].
#[inline]
pub(crate) fn gemm<T: Real, const M: usize, const K: usize, const N: usize>(
    c: &mut SMatrix<T, M, N>,
    alpha: T,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    beta: T,
) {
    if N > 1 && M * K * N >= GEMM_THRESHOLD {
        let s = |x: usize| x as isize;
        T::gemm(
            M,
            K,
            N,
            alpha,
            (a.data, s(a.row_stride), s(a.col_stride)),
            (b.data, s(b.row_stride), s(b.col_stride)),
            beta,
            (c.as_mut_slice(), 1, s(M)),
        );
    } else {
        gemm_small(c.as_mut_slice(), M, K, alpha, a, b, beta);
    }
}

/// Plain loops for products with a small dimension. With `a` stored as is, each column of
/// `c` is a sum of axpys over contiguous columns of `a`; with `a` transposed, each entry is a
/// dot product over a contiguous row of `a`.
fn gemm_small<T: Real>(
    c: &mut [T],
    m: usize,
    k: usize,
    alpha: T,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    beta: T,
) {
    if m == 0 {
        return;
    }
    for (j, cj) in c.chunks_exact_mut(m).enumerate() {
        if a.row_stride == 1 {
            if beta == T::zero() {
                cj.fill(T::zero());
            } else if beta != T::one() {
                cj.iter_mut().for_each(|c| *c *= beta);
            }
            for p in 0..k {
                let bpj = alpha * b.data[p * b.row_stride + j * b.col_stride];
                let col = &a.data[p * a.col_stride..p * a.col_stride + m];
                for (c, &a) in cj.iter_mut().zip(col) {
                    *c += a * bpj;
                }
            }
        } else {
            for (i, c) in cj.iter_mut().enumerate() {
                let acc = if a.col_stride == 1 && b.row_stride == 1 {
                    let row = &a.data[i * a.row_stride..i * a.row_stride + k];
                    dot(row, &b.data[j * b.col_stride..j * b.col_stride + k])
                } else {
                    let mut acc = T::zero();
                    for p in 0..k {
                        acc += a.data[i * a.row_stride + p * a.col_stride]
                            * b.data[p * b.row_stride + j * b.col_stride];
                    }
                    acc
                };
                *c = if beta == T::zero() {
                    alpha * acc
                } else {
                    alpha * acc + beta * *c
                };
            }
        }
    }
}

/// `Σ x_i y_i` with eight independent partial sums, so the loop vectorizes.
#[inline(always)]
fn dot<T: Real>(x: &[T], y: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let mut tail = T::zero();
    for (&a, &b) in xc.remainder().iter().zip(yc.remainder()) {
        tail += a * b;
    }
    for (a, b) in xc.zip(yc) {
        for l in 0..8 {
            acc[l] += a[l] * b[l];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::{check, close_f32};
    use crate::nn::{Dense, dense, dense_pullback};

    fn batch<const R: usize, const C: usize>(seed: f64) -> SMatrix<f64, R, C> {
        SMatrix::from_fn(|i, j| ((i * 13 + j * 7) as f64 * 0.37 + seed).sin())
    }

    /// Checks `dense_batch` against finite differences and against `dense` column by column.
    fn check_dense_batch<const I: usize, const O: usize, const B: usize>() {
        let layer = Dense::<f64, I, O>::new(batch(0.3), batch::<O, 1>(1.1));
        let x = batch::<I, B>(2.0);
        check(
            &layer,
            |l| dense_batch(l, &x),
            |l, d| {
                let (y, p) = dense_batch_pullback(l, &x);
                (y, p(d).0)
            },
        );
        check(
            &x,
            |x| dense_batch(&layer, x),
            |x, d| {
                let (y, p) = dense_batch_pullback(&layer, x);
                (y, p(d).1)
            },
        );
        // Same values and gradients as the single-sample layer summed over the batch.
        let d = batch::<O, B>(5.0);
        let (y, p) = dense_batch_pullback(&layer, &x);
        let (g, dx) = p(d);
        let mut g_sum = Dense::<f64, I, O>::zeros();
        for j in 0..B {
            let (yj, pj) = dense_pullback(&layer, &SVector::<f64, I>::from(x.column(j)));
            assert!((y.column(j) - yj).norm() < 1e-12);
            let (gj, dxj) = pj(SVector::<f64, O>::from(d.column(j)));
            assert!((dx.column(j) - dxj).norm() < 1e-12);
            crate::Params::add_assign(&mut g_sum, &gj);
        }
        assert!((g.weight - g_sum.weight).norm() < 1e-12);
        assert!((g.bias - g_sum.bias).norm() < 1e-12);
    }

    #[test]
    fn dense_batch_small_sizes_use_loops() {
        check_dense_batch::<3, 2, 4>();
        check_dense_batch::<1, 5, 1>();
    }

    #[test]
    fn dense_batch_large_sizes_use_gemm() {
        // 32 · 24 · 24 ≥ GEMM_THRESHOLD: the forward and both backward products take the
        // GEMM path
        const { assert!(32 * 24 * 24 >= GEMM_THRESHOLD) };
        check_dense_batch::<32, 24, 24>();
    }

    #[test]
    fn gemm_handles_transposes_and_beta() {
        const { assert!(30 * 25 * 24 >= GEMM_THRESHOLD) };
        let a = batch::<30, 25>(0.1);
        let b = batch::<25, 24>(0.2);
        let c0 = batch::<30, 24>(0.3);
        let at: SMatrix<f64, 25, 30> = a.transpose();
        let bt: SMatrix<f64, 24, 25> = b.transpose();
        // large path
        let mut c = c0;
        gemm::<f64, 30, 25, 24>(
            &mut c,
            2.0,
            Operand::transposed(at.as_slice(), 25),
            Operand::transposed(bt.as_slice(), 24),
            0.5,
        );
        assert!((c - (a * b * 2.0 + c0 * 0.5)).norm() < 1e-10);
        // small path
        let a = batch::<3, 2>(0.4);
        let b = batch::<2, 4>(0.5);
        let at: SMatrix<f64, 2, 3> = a.transpose();
        let mut c = SMatrix::<f64, 3, 4>::repeat(f64::NAN);
        gemm::<f64, 3, 2, 4>(
            &mut c,
            1.0,
            Operand::transposed(at.as_slice(), 2),
            Operand::plain(b.as_slice(), 2),
            0.0,
        );
        assert!((c - a * b).norm() < 1e-12, "beta = 0 must not read c");
        // small path with a long inner dimension: every operand layout, beta ≠ 0
        let a = batch::<3, 19>(0.8);
        let b = batch::<19, 4>(0.9);
        let c0 = batch::<3, 4>(1.0);
        let (at, bt): (SMatrix<f64, 19, 3>, SMatrix<f64, 4, 19>) = (a.transpose(), b.transpose());
        let expected = a * b * 0.5 - c0 * 2.0;
        for (ao, bo) in [
            (
                Operand::plain(a.as_slice(), 3),
                Operand::plain(b.as_slice(), 19),
            ),
            (
                Operand::plain(a.as_slice(), 3),
                Operand::transposed(bt.as_slice(), 4),
            ),
            (
                Operand::transposed(at.as_slice(), 19),
                Operand::plain(b.as_slice(), 19),
            ),
            (
                Operand::transposed(at.as_slice(), 19),
                Operand::transposed(bt.as_slice(), 4),
            ),
        ] {
            let mut c = c0;
            gemm::<f64, 3, 19, 4>(&mut c, 0.5, ao, bo, -2.0);
            assert!((c - expected).norm() < 1e-12);
        }
        let (a, b) = (batch::<30, 25>(0.1), batch::<25, 24>(0.2));
        let mut c = SMatrix::<f64, 30, 24>::repeat(f64::NAN);
        gemm::<f64, 30, 25, 24>(
            &mut c,
            1.0,
            Operand::plain(a.as_slice(), 30),
            Operand::plain(b.as_slice(), 25),
            0.0,
        );
        assert!((c - a * b).norm() < 1e-10, "beta = 0 must not read c");
    }

    #[test]
    fn add_bias_matches_finite_differences() {
        let m = batch::<3, 4>(0.0);
        let b = SVector::<f64, 3>::new(0.5, -1.0, 2.0);
        check(
            &m,
            |m| add_bias(m, &b),
            |m, d| {
                let (y, p) = add_bias_pullback(m, &b);
                (y, p(d).0)
            },
        );
        check(
            &b,
            |b| add_bias(&m, b),
            |b, d| {
                let (y, p) = add_bias_pullback(&m, b);
                (y, p(d).1)
            },
        );
    }

    #[test]
    fn boxed_and_f32_layers() {
        let layer = Dense::<f64, 10, 7>::he_uniform(5);
        let x = batch::<10, 6>(0.9);
        let d = batch::<7, 6>(1.3);
        let boxed = Dense::<f64, 10, 7>::boxed_he_uniform(5);
        let (y, p) = dense_batch_pullback(&boxed, &x);
        let (g, dx): (Box<Dense<f64, 10, 7>>, _) = p(d);
        let (y0, p0) = dense_batch_pullback(&layer, &x);
        let (g0, dx0) = p0(d);
        assert_eq!((y, *g, dx), (y0, g0.clone(), dx0));
        let l32 = Dense::<f32, 10, 7>::he_uniform(5);
        let (x32, d32): (SMatrix<f32, 10, 6>, SMatrix<f32, 7, 6>) = (x.cast(), d.cast());
        let (y32, p32) = dense_batch_pullback(&l32, &x32);
        let (g32, dx32) = p32(d32);
        close_f32(&y32, &y0, 1e-5);
        close_f32(&g32, &g0, 1e-5);
        close_f32(&dx32, &dx0, 1e-5);
        assert!(
            (dense(&layer, &SVector::<f64, 10>::from(x.column(2))) - y0.column(2)).norm() < 1e-12
        );
    }

    /// An MNIST-sized batch step on a 2 MiB stack, unoptimized: 784×128 weights boxed, a
    /// 784×32 `f32` input (100 KB) on the stack.
    #[test]
    fn large_batch_fits_a_2_mib_stack() {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let layer = Dense::<f32, 784, 128>::boxed_xavier_uniform(2);
                let x = SMatrix::<f32, 784, 32>::from_fn(|i, j| ((i + j) % 5) as f32 * 0.2);
                let (y, p) = dense_batch_pullback(&layer, &x);
                let (g, dx) = p(SMatrix::<f32, 128, 32>::repeat(1.0));
                assert_eq!(g.bias, SVector::<f32, 128>::repeat(32.0));
                assert!(
                    y.iter()
                        .chain(dx.iter())
                        .chain(g.weight.iter())
                        .all(|v| v.is_finite())
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
