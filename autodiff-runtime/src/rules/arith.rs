//! Arithmetic operators `+ - * /` and unary `-` on scalars and nalgebra fixed-size matrices.
//!
//! The macro cannot see types, so `a * b` becomes `mul(&a, &b)` and rustc picks the impl:
//! scalar·scalar, scalar·matrix, matrix·scalar or matrix·matrix (which covers matrix·vector).
//!
//! | op | `d_lhs` | `d_rhs` |
//! |----|---------|---------|
//! | `a + b` | `d` | `d` |
//! | `a - b` | `d` | `-d` |
//! | `a * b` (scalars) | `d b` | `d a` |
//! | `s * M` | `<d, M>` | `s d` |
//! | `A * B` (matrices) | `d Bᵀ` | `Aᵀ d` |
//! | `a / b` | `d / b` | `-d a / b²` |
//! | `-a` | `-d` | |

use crate::Real;
use nalgebra::SMatrix;

/// `a + b` and its derivative.
pub trait AddRule<Rhs = Self> {
    type Output;
    fn add_fwd(&self, rhs: &Rhs) -> Self::Output;
    fn add_d_lhs(&self, rhs: &Rhs, d: &Self::Output) -> Self;
    fn add_d_rhs(&self, rhs: &Rhs, d: &Self::Output) -> Rhs;
}

/// `a - b` and its derivative.
pub trait SubRule<Rhs = Self> {
    type Output;
    fn sub_fwd(&self, rhs: &Rhs) -> Self::Output;
    fn sub_d_lhs(&self, rhs: &Rhs, d: &Self::Output) -> Self;
    fn sub_d_rhs(&self, rhs: &Rhs, d: &Self::Output) -> Rhs;
}

/// `a * b` and its derivative.
pub trait MulRule<Rhs = Self> {
    type Output;
    fn mul_fwd(&self, rhs: &Rhs) -> Self::Output;
    fn mul_d_lhs(&self, rhs: &Rhs, d: &Self::Output) -> Self;
    fn mul_d_rhs(&self, rhs: &Rhs, d: &Self::Output) -> Rhs;
}

/// `a / b` and its derivative.
pub trait DivRule<Rhs = Self> {
    type Output;
    fn div_fwd(&self, rhs: &Rhs) -> Self::Output;
    fn div_d_lhs(&self, rhs: &Rhs, d: &Self::Output) -> Self;
    fn div_d_rhs(&self, rhs: &Rhs, d: &Self::Output) -> Rhs;
}

/// `-a` and its derivative.
pub trait NegRule {
    fn neg_fwd(&self) -> Self;
    fn neg_d(&self, d: &Self) -> Self;
}

// ---- free functions the generated code calls (uniform `(operands.., y, d)` shape) ----

macro_rules! binary_fns {
    ($tr:ident, $fwd:ident, $dl:ident, $dr:ident, $f:ident, $fl:ident, $fr:ident) => {
        #[inline(always)]
        pub fn $f<A: $tr<B>, B>(a: &A, b: &B) -> A::Output {
            a.$fwd(b)
        }
        #[inline(always)]
        pub fn $fl<A: $tr<B>, B>(a: &A, b: &B, _y: &A::Output, d: &A::Output) -> A {
            a.$dl(b, d)
        }
        #[inline(always)]
        pub fn $fr<A: $tr<B>, B>(a: &A, b: &B, _y: &A::Output, d: &A::Output) -> B {
            a.$dr(b, d)
        }
    };
}
binary_fns!(
    AddRule, add_fwd, add_d_lhs, add_d_rhs, add, add_d_lhs, add_d_rhs
);
binary_fns!(
    SubRule, sub_fwd, sub_d_lhs, sub_d_rhs, sub, sub_d_lhs, sub_d_rhs
);
binary_fns!(
    MulRule, mul_fwd, mul_d_lhs, mul_d_rhs, mul, mul_d_lhs, mul_d_rhs
);
binary_fns!(
    DivRule, div_fwd, div_d_lhs, div_d_rhs, div, div_d_lhs, div_d_rhs
);

/// `-a`.
#[inline(always)]
pub fn neg<A: NegRule>(a: &A) -> A {
    a.neg_fwd()
}
/// Cotangent of `a` in `y = -a`.
#[inline(always)]
pub fn neg_d_recv<A: NegRule>(a: &A, _y: &A, d: &A) -> A {
    a.neg_d(d)
}

// ---- scalars ----

macro_rules! scalar_arith {
    ($($t:ty),*) => {$(
        impl AddRule for $t {
            type Output = $t;
            #[inline(always)] fn add_fwd(&self, r: &$t) -> $t { self + r }
            #[inline(always)] fn add_d_lhs(&self, _: &$t, d: &$t) -> $t { *d }
            #[inline(always)] fn add_d_rhs(&self, _: &$t, d: &$t) -> $t { *d }
        }
        impl SubRule for $t {
            type Output = $t;
            #[inline(always)] fn sub_fwd(&self, r: &$t) -> $t { self - r }
            #[inline(always)] fn sub_d_lhs(&self, _: &$t, d: &$t) -> $t { *d }
            #[inline(always)] fn sub_d_rhs(&self, _: &$t, d: &$t) -> $t { -*d }
        }
        impl MulRule for $t {
            type Output = $t;
            #[inline(always)] fn mul_fwd(&self, r: &$t) -> $t { self * r }
            #[inline(always)] fn mul_d_lhs(&self, r: &$t, d: &$t) -> $t { d * r }
            #[inline(always)] fn mul_d_rhs(&self, _: &$t, d: &$t) -> $t { d * self }
        }
        impl DivRule for $t {
            type Output = $t;
            #[inline(always)] fn div_fwd(&self, r: &$t) -> $t { self / r }
            #[inline(always)] fn div_d_lhs(&self, r: &$t, d: &$t) -> $t { d / r }
            #[inline(always)] fn div_d_rhs(&self, r: &$t, d: &$t) -> $t { -d * self / (r * r) }
        }
        impl NegRule for $t {
            #[inline(always)] fn neg_fwd(&self) -> $t { -self }
            #[inline(always)] fn neg_d(&self, d: &$t) -> $t { -d }
        }
        impl<const R: usize, const C: usize> MulRule<SMatrix<$t, R, C>> for $t {
            type Output = SMatrix<$t, R, C>;
            #[inline(always)] fn mul_fwd(&self, m: &SMatrix<$t, R, C>) -> SMatrix<$t, R, C> { m * *self }
            #[inline(always)] fn mul_d_lhs(&self, m: &SMatrix<$t, R, C>, d: &SMatrix<$t, R, C>) -> $t { d.dot(m) }
            #[inline(always)] fn mul_d_rhs(&self, _: &SMatrix<$t, R, C>, d: &SMatrix<$t, R, C>) -> SMatrix<$t, R, C> { d * *self }
        }
        impl<const R: usize, const C: usize> MulRule<$t> for SMatrix<$t, R, C> {
            type Output = SMatrix<$t, R, C>;
            #[inline(always)] fn mul_fwd(&self, s: &$t) -> SMatrix<$t, R, C> { self * *s }
            #[inline(always)] fn mul_d_lhs(&self, s: &$t, d: &SMatrix<$t, R, C>) -> SMatrix<$t, R, C> { d * *s }
            #[inline(always)] fn mul_d_rhs(&self, _: &$t, d: &SMatrix<$t, R, C>) -> $t { d.dot(self) }
        }
        impl<const R: usize, const C: usize> DivRule<$t> for SMatrix<$t, R, C> {
            type Output = SMatrix<$t, R, C>;
            #[inline(always)] fn div_fwd(&self, s: &$t) -> SMatrix<$t, R, C> { self / *s }
            #[inline(always)] fn div_d_lhs(&self, s: &$t, d: &SMatrix<$t, R, C>) -> SMatrix<$t, R, C> { d / *s }
            #[inline(always)] fn div_d_rhs(&self, s: &$t, d: &SMatrix<$t, R, C>) -> $t { -d.dot(self) / (s * s) }
        }
    )*};
}
scalar_arith!(f32, f64);

// ---- matrices ----

impl<T: Real, const R: usize, const C: usize> AddRule for SMatrix<T, R, C> {
    type Output = Self;
    #[inline(always)]
    fn add_fwd(&self, r: &Self) -> Self {
        self + r
    }
    #[inline(always)]
    fn add_d_lhs(&self, _: &Self, d: &Self) -> Self {
        *d
    }
    #[inline(always)]
    fn add_d_rhs(&self, _: &Self, d: &Self) -> Self {
        *d
    }
}

impl<T: Real, const R: usize, const C: usize> SubRule for SMatrix<T, R, C> {
    type Output = Self;
    #[inline(always)]
    fn sub_fwd(&self, r: &Self) -> Self {
        self - r
    }
    #[inline(always)]
    fn sub_d_lhs(&self, _: &Self, d: &Self) -> Self {
        *d
    }
    #[inline(always)]
    fn sub_d_rhs(&self, _: &Self, d: &Self) -> Self {
        -d
    }
}

impl<T: Real, const R: usize, const C: usize> NegRule for SMatrix<T, R, C> {
    #[inline(always)]
    fn neg_fwd(&self) -> Self {
        -self
    }
    #[inline(always)]
    fn neg_d(&self, d: &Self) -> Self {
        -d
    }
}

impl<T: Real, const R: usize, const K: usize, const C: usize> MulRule<SMatrix<T, K, C>>
    for SMatrix<T, R, K>
{
    type Output = SMatrix<T, R, C>;
    #[inline(always)]
    fn mul_fwd(&self, rhs: &SMatrix<T, K, C>) -> SMatrix<T, R, C> {
        crate::rules::matrix::matmul(self, rhs)
    }
    #[inline(always)]
    fn mul_d_lhs(&self, rhs: &SMatrix<T, K, C>, d: &SMatrix<T, R, C>) -> Self {
        crate::rules::matrix::matmul_nt(d, rhs)
    }
    #[inline(always)]
    fn mul_d_rhs(&self, _: &SMatrix<T, K, C>, d: &SMatrix<T, R, C>) -> SMatrix<T, K, C> {
        crate::rules::matrix::matmul_tn(self, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check_binary;
    use nalgebra::{Matrix2x3, Matrix3x2, SVector, Vector3};

    #[test]
    fn scalar_rules_match_finite_differences() {
        for &(a, b) in &[(1.3, -0.7), (-2.1, 0.4), (0.5, 3.0)] {
            check_binary(&a, &b, add, add_d_lhs, add_d_rhs);
            check_binary(&a, &b, sub, sub_d_lhs, sub_d_rhs);
            check_binary(&a, &b, mul, mul_d_lhs, mul_d_rhs);
            check_binary(&a, &b, div, div_d_lhs, div_d_rhs);
        }
    }

    #[test]
    fn matrix_rules_match_finite_differences() {
        let a = Matrix2x3::new(0.1, -0.4, 0.9, 1.2, 0.3, -0.8);
        let b = Matrix2x3::new(-1.0, 0.5, 0.25, 0.7, -0.6, 2.0);
        let c = Matrix3x2::new(0.3, 0.2, -1.1, 0.45, 0.6, -0.9);
        let v = Vector3::new(0.2, -0.3, 1.5);
        check_binary(&a, &b, add, add_d_lhs, add_d_rhs);
        check_binary(&a, &b, sub, sub_d_lhs, sub_d_rhs);
        check_binary(&a, &c, mul, mul_d_lhs, mul_d_rhs);
        check_binary(&a, &v, mul, mul_d_lhs, mul_d_rhs);
        check_binary(&1.7, &a, mul, mul_d_lhs, mul_d_rhs);
        check_binary(&a, &-0.6, mul, mul_d_lhs, mul_d_rhs);
        check_binary(&a, &1.9, div, div_d_lhs, div_d_rhs);
        let w = SVector::<f64, 3>::new(0.5, 0.1, -0.2);
        crate::rules::testing::check_unary(&w, neg, neg_d_recv);
    }
}
