//! Derivatives of the `f32`/`f64` methods `#[differentiate]` understands.
//!
//! Each rule is `NAME_d_recv(x, [args..], y, d)` (cotangent of the receiver) and, for methods
//! with float arguments, `NAME_d_arg0` / `NAME_d_arg1` (cotangent of each argument), where `y`
//! is the method's value and `d` the cotangent of `y`.
//!
//! Conventions where the derivative does not exist (documented, and the same as PyTorch):
//!
//! | where | value used |
//! |-------|-----------|
//! | `abs` at 0 | 0 (PyTorch; JAX uses +1) |
//! | `signum` | 0 everywhere |
//! | `max`/`min` at a tie | the cotangent is split in half between both operands (PyTorch and JAX) |
//! | `clamp` at a bound | passes to the receiver (bounds are inclusive, like PyTorch) |
//! | `sqrt` at 0 | +∞ (PyTorch and JAX) |
//! | `x.powf(p)` w.r.t. `p` at `x = 0`, `p >= 0` | 0 (PyTorch and JAX) |
//! | `norm`, `hypot`, `atan2` at the origin | 0 |

use crate::Real;

macro_rules! unary {
    ($($(#[$m:meta])* $name:ident($x:ident, $y:ident, $d:ident) = $e:expr;)*) => {$(
        $(#[$m])*
        #[inline(always)]
        pub fn $name<T: Real>($x: &T, $y: &T, $d: &T) -> T {
            let ($x, $y, $d) = (*$x, *$y, *$d);
            let _ = ($x, $y);
            $e
        }
    )*};
}

fn c<T: Real>(v: f64) -> T {
    T::of_f64(v)
}

unary! {
    /// `sin' = cos`
    sin_d_recv(x, y, d) = d * x.cos();
    /// `cos' = -sin`
    cos_d_recv(x, y, d) = -(d * x.sin());
    /// `tan' = 1 + tan²`
    tan_d_recv(x, y, d) = d * (c::<T>(1.0) + y * y);
    /// `asin' = 1 / √(1 - x²)`
    asin_d_recv(x, y, d) = d / (c::<T>(1.0) - x * x).sqrt();
    /// `acos' = -1 / √(1 - x²)`
    acos_d_recv(x, y, d) = -(d / (c::<T>(1.0) - x * x).sqrt());
    /// `atan' = 1 / (1 + x²)`
    atan_d_recv(x, y, d) = d / (c::<T>(1.0) + x * x);
    /// `sinh' = cosh`
    sinh_d_recv(x, y, d) = d * x.cosh();
    /// `cosh' = sinh`
    cosh_d_recv(x, y, d) = d * x.sinh();
    /// `tanh' = 1 - tanh²`
    tanh_d_recv(x, y, d) = d * (c::<T>(1.0) - y * y);
    /// `asinh' = 1 / √(x² + 1)`
    asinh_d_recv(x, y, d) = d / (x * x + c::<T>(1.0)).sqrt();
    /// `acosh' = 1 / √(x² - 1)`
    acosh_d_recv(x, y, d) = d / (x * x - c::<T>(1.0)).sqrt();
    /// `atanh' = 1 / (1 - x²)`
    atanh_d_recv(x, y, d) = d / (c::<T>(1.0) - x * x);
    /// `exp' = exp`
    exp_d_recv(x, y, d) = d * y;
    /// `exp2' = exp2 · ln 2`
    exp2_d_recv(x, y, d) = d * y * T::ln_2();
    /// `exp_m1' = exp`
    exp_m1_d_recv(x, y, d) = d * (y + c::<T>(1.0));
    /// `ln' = 1 / x`
    ln_d_recv(x, y, d) = d / x;
    /// `ln_1p' = 1 / (1 + x)`
    ln_1p_d_recv(x, y, d) = d / (c::<T>(1.0) + x);
    /// `log2' = 1 / (x ln 2)`
    log2_d_recv(x, y, d) = d / (x * T::ln_2());
    /// `log10' = 1 / (x ln 10)`
    log10_d_recv(x, y, d) = d / (x * T::ln_10());
    /// `sqrt' = 1 / (2 √x)`; +∞ at 0
    sqrt_d_recv(x, y, d) = d / (c::<T>(2.0) * y);
    /// `cbrt' = 1 / (3 ∛x²)`
    cbrt_d_recv(x, y, d) = d / (c::<T>(3.0) * y * y);
    /// `recip' = -1 / x²`
    recip_d_recv(x, y, d) = -(d * y * y);
    /// `to_degrees' = 180 / π`
    to_degrees_d_recv(x, y, d) = d * (c::<T>(180.0) / T::pi());
    /// `to_radians' = π / 180`
    to_radians_d_recv(x, y, d) = d * (T::pi() / c::<T>(180.0));
    /// `abs' = sign(x)`, 0 at 0
    abs_d_recv(x, y, d) = if x > c(0.0) { d } else if x < c(0.0) { -d } else { c(0.0) };
    /// `signum' = 0`
    signum_d_recv(x, y, d) = c::<T>(0.0) * d;
}

macro_rules! binary {
    ($($(#[$m:meta])* $name:ident($x:ident, $a:ident, $y:ident, $d:ident) = $e:expr;)*) => {$(
        $(#[$m])*
        #[inline(always)]
        pub fn $name<T: Real>($x: &T, $a: &T, $y: &T, $d: &T) -> T {
            let ($x, $a, $y, $d) = (*$x, *$a, *$y, *$d);
            let _ = ($x, $a, $y);
            $e
        }
    )*};
}

binary! {
    /// `∂/∂x x^p = p x^(p-1)`; 0 for `p = 0` (the function is constant)
    powf_d_recv(x, p, y, d) = if p == c(0.0) { c(0.0) } else { d * p * x.powf(p - c(1.0)) };
    /// `∂/∂p x^p = x^p ln x`; 0 at `x = 0, p >= 0`
    powf_d_arg0(x, p, y, d) = if x == c(0.0) && p >= c(0.0) { c(0.0) } else { d * y * x.ln() };
    /// `∂/∂x log_b x = 1 / (x ln b)`
    log_d_recv(x, b, y, d) = d / (x * b.ln());
    /// `∂/∂b log_b x = -log_b x / (b ln b)`
    log_d_arg0(x, b, y, d) = -(d * y / (b * b.ln()));
    /// `∂/∂s atan2(s, o) = o / (s² + o²)`; 0 at the origin
    atan2_d_recv(s, o, y, d) = { let r = s * s + o * o; if r == c(0.0) { c(0.0) } else { d * o / r } };
    /// `∂/∂o atan2(s, o) = -s / (s² + o²)`; 0 at the origin
    atan2_d_arg0(s, o, y, d) = { let r = s * s + o * o; if r == c(0.0) { c(0.0) } else { -(d * s / r) } };
    /// `∂/∂x hypot(x, o) = x / hypot`; 0 at the origin
    hypot_d_recv(x, o, y, d) = if y == c(0.0) { c(0.0) } else { d * x / y };
    /// `∂/∂o hypot(x, o) = o / hypot`; 0 at the origin
    hypot_d_arg0(x, o, y, d) = if y == c(0.0) { c(0.0) } else { d * o / y };
    /// `max`: to the larger operand, split in half at a tie
    max_d_recv(x, o, y, d) = if x > o { d } else if x < o { c(0.0) } else { d * c(0.5) };
    /// `max`: to the larger operand, split in half at a tie
    max_d_arg0(x, o, y, d) = if o > x { d } else if o < x { c(0.0) } else { d * c(0.5) };
    /// `min`: to the smaller operand, split in half at a tie
    min_d_recv(x, o, y, d) = if x < o { d } else if x > o { c(0.0) } else { d * c(0.5) };
    /// `min`: to the smaller operand, split in half at a tie
    min_d_arg0(x, o, y, d) = if o < x { d } else if o > x { c(0.0) } else { d * c(0.5) };
}

/// `∂/∂x x^n = n x^(n-1)` for an integer exponent.
#[inline(always)]
pub fn powi_d_recv<T: Real>(x: &T, n: &i32, _y: &T, d: &T) -> T {
    if *n == 0 {
        c(0.0)
    } else {
        *d * T::of_f64(*n as f64) * x.powi(*n - 1)
    }
}

/// `∂/∂x x.mul_add(a, b) = a`
#[inline(always)]
pub fn mul_add_d_recv<T: Real>(_x: &T, a: &T, _b: &T, _y: &T, d: &T) -> T {
    *d * *a
}
/// `∂/∂a x.mul_add(a, b) = x`
#[inline(always)]
pub fn mul_add_d_arg0<T: Real>(x: &T, _a: &T, _b: &T, _y: &T, d: &T) -> T {
    *d * *x
}
/// `∂/∂b x.mul_add(a, b) = 1`
#[inline(always)]
pub fn mul_add_d_arg1<T: Real>(_x: &T, _a: &T, _b: &T, _y: &T, d: &T) -> T {
    *d
}

/// `clamp`: passes to the receiver inside `[lo, hi]` (inclusive).
#[inline(always)]
pub fn clamp_d_recv<T: Real>(x: &T, lo: &T, hi: &T, _y: &T, d: &T) -> T {
    if *x >= *lo && *x <= *hi { *d } else { c(0.0) }
}
/// `clamp`: passes to `lo` below it.
#[inline(always)]
pub fn clamp_d_arg0<T: Real>(x: &T, lo: &T, _hi: &T, _y: &T, d: &T) -> T {
    if *x < *lo { *d } else { c(0.0) }
}
/// `clamp`: passes to `hi` above it.
#[inline(always)]
pub fn clamp_d_arg1<T: Real>(x: &T, _lo: &T, hi: &T, _y: &T, d: &T) -> T {
    if *x > *hi { *d } else { c(0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check_binary, check_unary};

    type U = fn(&f64, &f64, &f64) -> f64;

    #[test]
    fn unary_methods_match_finite_differences() {
        let cases: &[(&str, fn(f64) -> f64, U, &[f64])] = &[
            ("sin", f64::sin, sin_d_recv, &[-2.0, 0.3, 1.7]),
            ("cos", f64::cos, cos_d_recv, &[-2.0, 0.3, 1.7]),
            ("tan", f64::tan, tan_d_recv, &[-1.0, 0.3, 1.2]),
            ("asin", f64::asin, asin_d_recv, &[-0.8, 0.1, 0.6]),
            ("acos", f64::acos, acos_d_recv, &[-0.8, 0.1, 0.6]),
            ("atan", f64::atan, atan_d_recv, &[-3.0, 0.2, 2.5]),
            ("sinh", f64::sinh, sinh_d_recv, &[-1.5, 0.2, 2.0]),
            ("cosh", f64::cosh, cosh_d_recv, &[-1.5, 0.2, 2.0]),
            ("tanh", f64::tanh, tanh_d_recv, &[-1.5, 0.2, 2.0]),
            ("asinh", f64::asinh, asinh_d_recv, &[-1.5, 0.2, 2.0]),
            ("acosh", f64::acosh, acosh_d_recv, &[1.2, 2.0, 5.0]),
            ("atanh", f64::atanh, atanh_d_recv, &[-0.7, 0.2, 0.5]),
            ("exp", f64::exp, exp_d_recv, &[-1.5, 0.2, 2.0]),
            ("exp2", f64::exp2, exp2_d_recv, &[-1.5, 0.2, 2.0]),
            ("exp_m1", f64::exp_m1, exp_m1_d_recv, &[-1.5, 1e-3, 2.0]),
            ("ln", f64::ln, ln_d_recv, &[0.1, 1.0, 7.0]),
            ("ln_1p", f64::ln_1p, ln_1p_d_recv, &[-0.5, 1e-3, 7.0]),
            ("log2", f64::log2, log2_d_recv, &[0.1, 1.0, 7.0]),
            ("log10", f64::log10, log10_d_recv, &[0.1, 1.0, 7.0]),
            ("sqrt", f64::sqrt, sqrt_d_recv, &[0.1, 1.0, 7.0]),
            ("cbrt", f64::cbrt, cbrt_d_recv, &[-2.0, 0.1, 7.0]),
            ("recip", f64::recip, recip_d_recv, &[-2.0, 0.1, 7.0]),
            (
                "to_degrees",
                f64::to_degrees,
                to_degrees_d_recv,
                &[-2.0, 0.5],
            ),
            (
                "to_radians",
                f64::to_radians,
                to_radians_d_recv,
                &[-90.0, 30.0],
            ),
            ("abs", f64::abs, abs_d_recv, &[-2.0, 0.5]),
            ("signum", f64::signum, signum_d_recv, &[-2.0, 0.5]),
        ];
        for (name, f, df, points) in cases {
            for x in points.iter() {
                let r = crate::gradcheck::check_vjp(
                    |x: &f64| f(*x),
                    |x, d| df(x, &f(*x), d),
                    x,
                    Default::default(),
                );
                assert!(r.is_ok(), "{name} at {x}: {}", r.unwrap_err());
            }
        }
        check_unary(&0.7f64, |x| x.powi(3), |x, y, d| powi_d_recv(x, &3, y, d));
        check_unary(
            &-1.3f64,
            |x| x.powi(-2),
            |x, y, d| powi_d_recv(x, &-2, y, d),
        );
        check_unary(&-1.3f64, |x| x.powi(0), |x, y, d| powi_d_recv(x, &0, y, d));
    }

    #[test]
    fn binary_methods_match_finite_differences() {
        for &(a, b) in &[(0.7, 1.3), (2.5, -0.4), (1.1, 2.0)] {
            check_binary(
                &a,
                &f64::abs(b),
                |x: &f64, p: &f64| x.powf(*p),
                powf_d_recv,
                powf_d_arg0,
            );
            check_binary(
                &a,
                &(f64::abs(b) + 1.5),
                |x: &f64, p: &f64| x.log(*p),
                log_d_recv,
                log_d_arg0,
            );
            check_binary(
                &a,
                &b,
                |x: &f64, o: &f64| x.atan2(*o),
                atan2_d_recv,
                atan2_d_arg0,
            );
            check_binary(
                &-a,
                &b,
                |x: &f64, o: &f64| x.atan2(*o),
                atan2_d_recv,
                atan2_d_arg0,
            );
            check_binary(
                &a,
                &b,
                |x: &f64, o: &f64| x.hypot(*o),
                hypot_d_recv,
                hypot_d_arg0,
            );
            check_binary(&a, &b, |x: &f64, o: &f64| x.max(*o), max_d_recv, max_d_arg0);
            check_binary(&a, &b, |x: &f64, o: &f64| x.min(*o), min_d_recv, min_d_arg0);
        }
        let (x, a, b) = (0.7, -1.2, 0.4);
        check_unary(
            &x,
            |x: &f64| x.mul_add(a, b),
            |x, y, d| mul_add_d_recv(x, &a, &b, y, d),
        );
        check_unary(
            &a,
            |a: &f64| x.mul_add(*a, b),
            |a, y, d| mul_add_d_arg0(&x, a, &b, y, d),
        );
        check_unary(
            &b,
            |b: &f64| x.mul_add(a, *b),
            |b, y, d| mul_add_d_arg1(&x, &a, b, y, d),
        );
        for x in [-2.0, 0.3, 2.0] {
            check_unary(
                &x,
                |x: &f64| x.clamp(-1.0, 1.0),
                |x, y, d| clamp_d_recv(x, &-1.0, &1.0, y, d),
            );
            check_unary(
                &-1.0,
                |lo: &f64| x.clamp(*lo, 1.0),
                |lo, y, d| clamp_d_arg0(&x, lo, &1.0, y, d),
            );
            check_unary(
                &1.0,
                |hi: &f64| x.clamp(-1.0, *hi),
                |hi, y, d| clamp_d_arg1(&x, &-1.0, hi, y, d),
            );
        }
    }

    #[test]
    fn kink_conventions() {
        assert_eq!(abs_d_recv(&0.0, &0.0, &1.0), 0.0);
        assert_eq!(max_d_recv(&1.0, &1.0, &1.0, &1.0), 0.5);
        assert_eq!(max_d_arg0(&1.0, &1.0, &1.0, &1.0), 0.5);
        assert_eq!(min_d_recv(&1.0, &1.0, &1.0, &1.0), 0.5);
        assert_eq!(sqrt_d_recv(&0.0, &0.0, &1.0), f64::INFINITY);
        assert_eq!(powf_d_arg0(&0.0, &2.0, &0.0, &1.0), 0.0);
        assert_eq!(powf_d_recv(&0.0, &0.0, &1.0, &1.0), 0.0);
        assert_eq!(clamp_d_recv(&1.0, &-1.0, &1.0, &1.0, &1.0), 1.0);
        assert_eq!(hypot_d_recv(&0.0, &0.0, &0.0, &1.0), 0.0);
        assert_eq!(atan2_d_recv(&0.0f32, &0.0, &0.0, &1.0), 0.0);
    }
}
