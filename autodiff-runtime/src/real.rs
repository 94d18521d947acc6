//! The scalar types gradients are computed in: `f32` and `f64`.

use nalgebra::RealField;

/// A floating-point scalar usable in differentiated code (`f32` or `f64`). A function
/// generic over `T: Real` can be differentiated: `Real` implies the derivative rules of
/// arithmetic.
///
/// Everything nalgebra's [`RealField`] offers is available, plus lossless-enough
/// conversion to and from `f64` for constants, metrics and checkpoints.
pub trait Real:
    RealField
    + Copy
    + Default
    + Send
    + Sync
    + 'static
    + crate::Params<Scalar = Self>
    + crate::rules::arith::AddRule<Output = Self>
    + crate::rules::arith::SubRule<Output = Self>
    + crate::rules::arith::MulRule<Output = Self>
    + crate::rules::arith::DivRule<Output = Self>
    + crate::rules::arith::NegRule
    + crate::rules::support::CastCotangent
{
    /// Converts from `f64` (rounding for `f32`).
    fn of_f64(x: f64) -> Self;
    /// Converts to `f64` (exact for both `f32` and `f64`).
    fn as_f64(self) -> f64;
    /// The dtype name used in checkpoints (`"F32"` or `"F64"`).
    const DTYPE: &'static str;

    /// `C = alpha A B + beta C` with a blocked GEMM kernel, for `A` of shape `m x k` and `B`
    /// of shape `k x n`, each given by a slice and its row and column strides. Panics if a
    /// slice is too short for its shape and strides. `C` is not read when `beta == 0`.
    ///
    /// `f32` on x86-64 with AVX2 and FMA (detected at run time) uses this crate's own
    /// kernel, which allocates nothing (and with the `parallel` feature splits large
    /// products across threads); everything else uses `matrixmultiply`, which allocates a
    /// packing buffer per call.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: (&[Self], isize, isize),
        b: (&[Self], isize, isize),
        beta: Self,
        c: (&mut [Self], isize, isize),
    );
}

/// The largest index a strided `rows x cols` view touches, plus one.
fn extent(rows: usize, cols: usize, rs: isize, cs: isize) -> usize {
    if rows == 0 || cols == 0 {
        return 0;
    }
    (rows - 1) * rs.unsigned_abs() + (cols - 1) * cs.unsigned_abs() + 1
}

macro_rules! gemm_impl {
    ($f:path, $fast:expr) => {
        fn gemm(
            m: usize,
            k: usize,
            n: usize,
            alpha: Self,
            a: (&[Self], isize, isize),
            b: (&[Self], isize, isize),
            beta: Self,
            c: (&mut [Self], isize, isize),
        ) {
            assert!(a.0.len() >= extent(m, k, a.1, a.2), "gemm: A is too short");
            assert!(b.0.len() >= extent(k, n, b.1, b.2), "gemm: B is too short");
            assert!(c.0.len() >= extent(m, n, c.1, c.2), "gemm: C is too short");
            assert!(a.1 >= 0 && a.2 >= 0 && b.1 >= 0 && b.2 >= 0 && c.1 >= 0 && c.2 >= 0);
            let fast: fn(
                usize,
                usize,
                usize,
                Self,
                (&[Self], isize, isize),
                (&[Self], isize, isize),
                Self,
                (&mut [Self], isize, isize),
            ) -> bool = $fast;
            if fast(m, k, n, alpha, a, b, beta, (&mut *c.0, c.1, c.2)) {
                return;
            }
            // SAFETY: the asserts above keep every access of the kernel inside the slices
            // (non-negative strides, extents checked), and `c` is borrowed mutably, so it
            // does not alias `a` or `b`.
            unsafe {
                $f(
                    m,
                    k,
                    n,
                    alpha,
                    a.0.as_ptr(),
                    a.1,
                    a.2,
                    b.0.as_ptr(),
                    b.1,
                    b.2,
                    beta,
                    c.0.as_mut_ptr(),
                    c.1,
                    c.2,
                )
            }
        }
    };
}

impl Real for f32 {
    fn of_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    const DTYPE: &'static str = "F32";
    gemm_impl!(matrixmultiply::sgemm, crate::kernel::sgemm);
}

impl Real for f64 {
    fn of_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    const DTYPE: &'static str = "F64";
    gemm_impl!(matrixmultiply::dgemm, |_, _, _, _, _, _, _, _| false);
}
