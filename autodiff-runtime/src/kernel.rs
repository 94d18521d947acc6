//! An allocation-free `f32` GEMM for x86-64 with AVX2 and FMA (detected at run time, so the
//! default build uses it too), behind [`crate::Real::gemm`].
//!
//! `matrixmultiply` allocates its packing buffers on the heap on every call; this kernel
//! packs one `16 x KC` panel of `A` at a time into a buffer on the stack (16 KB) and reads
//! `B` and `C` in place, so a training step over fixed-size batches allocates nothing.
//!
//! Loop order (C is `m x n`, column-major): for each block of `KC` along `k`, for each panel
//! of 16 rows of `A` (packed, zero-padded), for each group of up to 6 columns of `B`, a
//! 16 x 6 register tile (12 AVX registers) accumulates `KC` rank-1 updates, then is added
//! into `C`. `A` and `B` may have any non-negative strides (plain or transposed), `C` must
//! have unit row stride. Anything else, and machines without AVX2/FMA, return `false` so
//! the caller falls back to `matrixmultiply`.

/// Rows of the register tile (two 8-lane vectors).
const MR: usize = 16;
/// Columns of the register tile.
const NR: usize = 6;
/// Depth of one block along `k`: the packed panel is `MR * KC` floats (16 KB), which stays in
/// L1 while it is reused for every column group.
const KC: usize = 256;

/// With the `parallel` feature: products with at least this many multiply-adds are split
/// by columns of `C` across rayon's threads.
#[cfg(feature = "parallel")]
const PARALLEL_THRESHOLD: usize = 1 << 20;

/// One operand: data, row stride, column stride.
pub(crate) type View<'a> = (&'a [f32], isize, isize);

/// `c = alpha a b + beta c` when this kernel can run here; returns `false` (touching
/// nothing) when it cannot. Shapes and extents must already be checked by the caller.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: View<'_>,
    b: View<'_>,
    beta: f32,
    c: (&mut [f32], isize, isize),
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if c.1 != 1 || (n > 1 && (c.2 as usize) < m) || m == 0 || n == 0 || !avx2::available() {
            return false;
        }
        let ldc = (c.2 as usize).max(m);
        #[cfg(feature = "parallel")]
        {
            // Size first: asking rayon for its thread count starts (allocates) its pool.
            let large = m * k * n >= PARALLEL_THRESHOLD && n >= 2 * NR;
            let threads = if large {
                rayon::current_num_threads()
            } else {
                1
            };
            if threads > 1 {
                // Split the columns of C into one contiguous run per thread (a multiple of
                // NR columns each), so no two threads write the same column.
                let per = n.div_ceil(threads).div_ceil(NR) * NR;
                let (b_data, rsb, csb) = b;
                rayon::scope(|s| {
                    let mut rest = &mut c.0[..];
                    let mut j0 = 0;
                    while j0 < n {
                        let cols = per.min(n - j0);
                        let take = if j0 + cols == n {
                            rest.len()
                        } else {
                            cols * ldc
                        };
                        let (chunk, tail) = rest.split_at_mut(take);
                        rest = tail;
                        let b_off = j0 as isize * csb;
                        s.spawn(move |_| {
                            // SAFETY: AVX2 and FMA were detected; the caller checked every
                            // extent for the whole product, and this is a column range of it.
                            unsafe {
                                avx2::gemm(
                                    m,
                                    k,
                                    cols,
                                    alpha,
                                    a,
                                    (&b_data[b_off as usize..], rsb, csb),
                                    beta,
                                    chunk,
                                    ldc,
                                )
                            }
                        });
                        j0 += cols;
                    }
                });
                return true;
            }
        }
        // SAFETY: AVX2 and FMA were detected above; the caller checked every extent.
        unsafe { avx2::gemm(m, k, n, alpha, a, b, beta, c.0, ldc) };
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (m, k, n, alpha, a, b, beta, c);
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{KC, MR, NR, View};
    use core::arch::x86_64::*;

    /// Whether the CPU has AVX2 and FMA (cached by `std` after the first call).
    #[inline(always)]
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }

    #[repr(align(32))]
    struct Panel([f32; MR * KC]);

    /// See [`super::sgemm`].
    ///
    /// # Safety
    /// AVX2 and FMA must be available; every index `i * rs + p * cs` of `a` (`i < m`,
    /// `p < k`), of `b` (`p < k`, `j < n`) and `i + j * ldc` of `c` (`i < m`, `j < n`) must be
    /// in bounds, with non-negative strides.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: f32,
        (a, rsa, csa): View<'_>,
        (b, rsb, csb): View<'_>,
        beta: f32,
        c: &mut [f32],
        ldc: usize,
    ) {
        let mut panel = Panel([0.0; MR * KC]);
        if k == 0 {
            scale_c(m, n, beta, c, ldc);
            return;
        }
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            // Later blocks add to what the first one wrote.
            let beta = if p0 == 0 { beta } else { 1.0 };
            let mut i0 = 0;
            while i0 < m {
                let mr = MR.min(m - i0);
                // Pack A[i0.., p0..] as kc rows of MR floats, zero-padded below row m.
                unsafe { pack(&mut panel.0, a, rsa, csa, i0, p0, mr, kc) };
                let mut j0 = 0;
                while j0 < n {
                    let nr = NR.min(n - j0);
                    let bp = unsafe { b.offset(p0 as isize * rsb + j0 as isize * csb) };
                    let cp = unsafe { c.add(i0 + j0 * ldc) };
                    unsafe {
                        match nr {
                            6 => tile::<6>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                            5 => tile::<5>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                            4 => tile::<4>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                            3 => tile::<3>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                            2 => tile::<2>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                            _ => tile::<1>(kc, &panel.0, bp, rsb, csb, alpha, beta, cp, ldc, mr),
                        }
                    }
                    j0 += nr;
                }
                i0 += mr;
            }
            p0 += kc;
        }
    }

    /// Copies the `mr x kc` block of `A` at `(i0, p0)` into `panel` as `kc` rows of `MR`
    /// floats (row `p` holds `A[i0.., p0 + p]`), zero-padded when `mr < MR`.
    ///
    /// # Safety
    /// Every `A[i0 + i, p0 + p]` (`i < mr`, `p < kc`) must be in bounds.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pack(
        panel: &mut [f32; MR * KC],
        a: *const f32,
        rsa: isize,
        csa: isize,
        i0: usize,
        p0: usize,
        mr: usize,
        kc: usize,
    ) {
        let origin = unsafe { a.offset(i0 as isize * rsa + p0 as isize * csa) };
        if rsa == 1 && mr == MR {
            // Columns of A are contiguous: 16 floats per row of the panel.
            for p in 0..kc {
                unsafe {
                    let src = origin.offset(p as isize * csa);
                    let dst = panel.as_mut_ptr().add(p * MR);
                    _mm256_store_ps(dst, _mm256_loadu_ps(src));
                    _mm256_store_ps(dst.add(8), _mm256_loadu_ps(src.add(8)));
                }
            }
            return;
        }
        if mr < MR {
            panel[..kc * MR].fill(0.0);
        }
        // Rows of A are contiguous when A is stored transposed: read along them.
        for i in 0..mr {
            let row = unsafe { origin.offset(i as isize * rsa) };
            for p in 0..kc {
                panel[p * MR + i] = unsafe { *row.offset(p as isize * csa) };
            }
        }
    }

    /// `C = beta C` (`k == 0`); `C` is not read when `beta == 0`.
    fn scale_c(m: usize, n: usize, beta: f32, c: &mut [f32], ldc: usize) {
        for j in 0..n {
            for x in &mut c[j * ldc..j * ldc + m] {
                *x = if beta == 0.0 { 0.0 } else { beta * *x };
            }
        }
    }

    /// One `mr x N` tile of C (`mr <= 16`): `C = alpha (packed A)(B block) + beta C`.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    #[inline]
    unsafe fn tile<const N: usize>(
        kc: usize,
        panel: &[f32; MR * KC],
        b: *const f32,
        rsb: isize,
        csb: isize,
        alpha: f32,
        beta: f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
    ) {
        let mut acc = [[_mm256_setzero_ps(); 2]; N];
        let ap = panel.as_ptr();
        for p in 0..kc {
            // SAFETY: p < kc <= KC, the panel is 32-byte aligned and MR = 16 floats wide.
            let (a0, a1) = unsafe {
                (
                    _mm256_load_ps(ap.add(p * MR)),
                    _mm256_load_ps(ap.add(p * MR + 8)),
                )
            };
            let brow = unsafe { b.offset(p as isize * rsb) };
            for (j, acc) in acc.iter_mut().enumerate() {
                let bj = unsafe { _mm256_broadcast_ss(&*brow.offset(j as isize * csb)) };
                acc[0] = _mm256_fmadd_ps(a0, bj, acc[0]);
                acc[1] = _mm256_fmadd_ps(a1, bj, acc[1]);
            }
        }
        let va = _mm256_set1_ps(alpha);
        let vb = _mm256_set1_ps(beta);
        for (j, acc) in acc.iter().enumerate() {
            let col = unsafe { c.add(j * ldc) };
            if mr == MR {
                for (h, acc) in acc.iter().enumerate() {
                    let dst = unsafe { col.add(8 * h) };
                    let v = if beta == 0.0 {
                        _mm256_mul_ps(va, *acc)
                    } else {
                        let old = unsafe { _mm256_loadu_ps(dst) };
                        _mm256_fmadd_ps(va, *acc, _mm256_mul_ps(vb, old))
                    };
                    unsafe { _mm256_storeu_ps(dst, v) };
                }
            } else {
                let mut lanes = [0.0f32; MR];
                unsafe {
                    _mm256_storeu_ps(lanes.as_mut_ptr(), acc[0]);
                    _mm256_storeu_ps(lanes.as_mut_ptr().add(8), acc[1]);
                }
                for (i, &v) in lanes.iter().take(mr).enumerate() {
                    let dst = unsafe { &mut *col.add(i) };
                    *dst = if beta == 0.0 {
                        alpha * v
                    } else {
                        alpha * v + beta * *dst
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn naive(
        m: usize,
        k: usize,
        n: usize,
        a: View<'_>,
        b: View<'_>,
        c: &[f32],
        alpha: f32,
        beta: f32,
    ) -> Vec<f32> {
        let mut out = c.to_vec();
        for j in 0..n {
            for i in 0..m {
                let mut s = 0.0f64;
                for p in 0..k {
                    s += a.0[(i as isize * a.1 + p as isize * a.2) as usize] as f64
                        * b.0[(p as isize * b.1 + j as isize * b.2) as usize] as f64;
                }
                let old = if beta == 0.0 {
                    0.0
                } else {
                    beta * c[i + j * m]
                };
                out[i + j * m] = alpha * s as f32 + old;
            }
        }
        out
    }

    #[test]
    fn matches_naive_for_every_layout_and_edge() {
        for &(m, k, n) in &[
            (16, 8, 6),
            (17, 300, 7),
            (10, 64, 32),
            (33, 5, 13),
            (1, 1, 1),
            (40, 0, 3),
        ] {
            let av: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1)
                .collect();
            let bv: Vec<f32> = (0..k * n)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.1)
                .collect();
            let c0: Vec<f32> = (0..m * n).map(|i| (i % 3) as f32).collect();
            let (mi, ki, ni) = (m as isize, k as isize, n as isize);
            for (a, b) in [
                ((&av[..], 1, mi), (&bv[..], 1, ki)),
                ((&av[..], ki, 1), (&bv[..], ni, 1)),
                ((&av[..], 1, mi), (&bv[..], ni, 1)),
                ((&av[..], ki, 1), (&bv[..], 1, ki)),
            ] {
                for (alpha, beta) in [(1.0, 0.0), (0.5, 2.0), (1.0, 1.0)] {
                    let mut c = if beta == 0.0 {
                        vec![f32::NAN; m * n]
                    } else {
                        c0.clone()
                    };
                    if !sgemm(m, k, n, alpha, a, b, beta, (&mut c, 1, mi)) {
                        return; // no AVX2 here: the fallback is tested through `Real::gemm`
                    }
                    let want = naive(m, k, n, a, b, &c0, alpha, beta);
                    for (x, y) in c.iter().zip(&want) {
                        assert!(
                            (x - y).abs() < 1e-4 * (1.0 + y.abs()),
                            "{m}x{k}x{n}: {x} vs {y}"
                        );
                    }
                }
            }
        }
    }
}
