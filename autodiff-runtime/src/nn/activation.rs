//! Elementwise activations: `relu`, `leaky_relu`, `sigmoid`, `tanh`, `gelu`.
//!
//! Each is generic over [`Elementwise`], so the same function serves a scalar (`f32`, `f64`),
//! a vector, a batch matrix (one sample per column) or an array. Each has a `_pullback`
//! sibling following the crate's pullback convention (see [`crate::rules`]); the closure it
//! returns owns what it needs (one value shaped like the input, never a borrow) and turns
//! it into the result in place; it only reads the incoming cotangent (see [`crate::nn`] on
//! why closures never write to their argument).
//!
//! Derivatives at kinks follow PyTorch: `relu'(0) = 0`, `leaky_relu'(0) = slope`.

use super::elementwise::{Elementwise, c, map, map2, one, zero, zip_apply};
use crate::Real;
use nalgebra::ComplexField;

#[inline(always)]
fn relu_s<T: Real>(x: T) -> T {
    // NaN propagates (like PyTorch); `x.max(0)` would turn it into 0.
    if x < T::zero() { T::zero() } else { x }
}

/// Rectified linear unit, entrywise: `relu(x) = max(x, 0)`.
///
/// Derivative: `1` for `x > 0`, `0` for `x <= 0` (so `0` at the kink, like PyTorch and JAX).
/// NaN stays NaN. PyTorch `torch.relu` / `nn.ReLU`, Keras `activations.relu`.
///
/// ```
/// use autodiff_runtime::nn::{relu, relu_pullback};
/// use nalgebra::Vector3;
/// let x = Vector3::new(-1.0, 0.0, 2.0);
/// assert_eq!(relu(&x), Vector3::new(0.0, 0.0, 2.0));
/// assert_eq!(relu(&-3.0_f32), 0.0);
/// let (y, pullback) = relu_pullback(&x);
/// let (dx,) = pullback(Vector3::new(5.0, 5.0, 5.0));
/// assert_eq!((y, dx), (relu(&x), Vector3::new(0.0, 0.0, 5.0)));
/// ```
#[inline]
pub fn relu<X: Elementwise>(x: &X) -> X {
    map(x, relu_s)
}

/// Pullback of [`relu`]: `dx = d` where `x > 0`, else `0`.
#[inline]
pub fn relu_pullback<X: Elementwise>(x: &X) -> (X, impl FnOnce(X) -> (X,) + use<X>) {
    let y = relu(x);
    // `y > 0` exactly where `x > 0`, so the output doubles as the mask.
    let mask = y.clone();
    (y, move |d: X| {
        let mut g = mask;
        zip_apply(&mut g, &d, |y, d| if y > zero() { d } else { zero() });
        (g,)
    })
}

/// Leaky ReLU, entrywise: `x` for `x > 0`, `slope * x` otherwise.
///
/// Derivatives: `∂/∂x = 1` for `x > 0`, `slope` for `x <= 0` (PyTorch's value at the kink);
/// `∂/∂slope = Σ min(x, 0)` over all entries (weighted by the cotangent). The slope is an
/// ordinary scalar argument and gets its cotangent like any other, so a learnable slope
/// (PReLU with one shared parameter) works; for a constant slope just ignore it.
/// PyTorch `nn.LeakyReLU(negative_slope)` (default slope `0.01`), Keras `layers.LeakyReLU`.
///
/// ```
/// use autodiff_runtime::nn::{leaky_relu, leaky_relu_pullback};
/// use nalgebra::Vector2;
/// let x = Vector2::new(-2.0, 3.0);
/// assert_eq!(leaky_relu(&x, 0.1), Vector2::new(-0.2, 3.0));
/// let (_, pullback) = leaky_relu_pullback(&x, 0.1);
/// let (dx, dslope) = pullback(Vector2::new(1.0, 1.0));
/// assert_eq!(dx, Vector2::new(0.1, 1.0));
/// assert_eq!(dslope, -2.0);
/// ```
#[inline]
pub fn leaky_relu<X: Elementwise>(x: &X, slope: X::Scalar) -> X {
    map(x, |x| {
        if x > zero::<X::Scalar>() {
            x
        } else {
            slope * x
        }
    })
}

/// Pullback of [`leaky_relu`]: cotangents of `x` and of `slope`.
#[inline]
pub fn leaky_relu_pullback<X: Elementwise>(
    x: &X,
    slope: X::Scalar,
) -> (X, impl FnOnce(X) -> (X, X::Scalar) + use<X>) {
    let mut g = x.clone();
    (leaky_relu(x, slope), move |d: X| {
        let zero = zero::<X::Scalar>();
        let mut d_slope = zero;
        zip_apply(&mut g, &d, |x, d| {
            if x > zero {
                d
            } else {
                d_slope += d * x;
                d * slope
            }
        });
        (g, d_slope)
    })
}

#[inline(always)]
pub(crate) fn sigmoid_s<T: Real>(x: T) -> T {
    // Never evaluates `exp` of a large positive number: stable for any finite `x`.
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// Logistic sigmoid, entrywise: `σ(x) = 1 / (1 + e^(-x))`.
///
/// Derivative: `σ'(x) = σ(x) (1 - σ(x))`. Evaluated without overflow for any finite `x`
/// (`e^x / (1 + e^x)` for negative `x`), so `σ(±1000)` is exactly `1` / `0` with derivative 0.
/// PyTorch `torch.sigmoid` / `nn.Sigmoid`, Keras `activations.sigmoid`.
///
/// ```
/// use autodiff_runtime::nn::{sigmoid, sigmoid_pullback};
/// assert_eq!(sigmoid(&0.0_f64), 0.5);
/// assert_eq!(sigmoid(&-1000.0_f64), 0.0);
/// let (_, pullback) = sigmoid_pullback(&0.0_f64);
/// assert_eq!(pullback(1.0), (0.25,));
/// ```
#[inline]
pub fn sigmoid<X: Elementwise>(x: &X) -> X {
    map(x, sigmoid_s)
}

/// Pullback of [`sigmoid`]: `dx = d σ (1 - σ)`.
#[inline]
pub fn sigmoid_pullback<X: Elementwise>(x: &X) -> (X, impl FnOnce(X) -> (X,) + use<X>) {
    let (y, mut g) = map2(x, |x| {
        let s = sigmoid_s(x);
        (s, s * (one::<X::Scalar>() - s))
    });
    (y, move |d: X| {
        zip_apply(&mut g, &d, |g, d| d * g);
        (g,)
    })
}

/// Hyperbolic tangent, entrywise.
///
/// Derivative: `tanh'(x) = 1 - tanh²(x)`. PyTorch `torch.tanh` / `nn.Tanh`,
/// Keras `activations.tanh`.
///
/// ```
/// use autodiff_runtime::nn::{tanh, tanh_pullback};
/// use nalgebra::Vector2;
/// let x = Vector2::new(0.0, 1000.0);
/// assert_eq!(tanh(&x), Vector2::new(0.0, 1.0));
/// let (_, pullback) = tanh_pullback(&x);
/// assert_eq!(pullback(Vector2::new(2.0, 2.0)), (Vector2::new(2.0, 0.0),));
/// ```
#[inline]
pub fn tanh<X: Elementwise>(x: &X) -> X {
    map(x, |x| x.tanh())
}

/// Pullback of [`tanh`]: `dx = d (1 - tanh²(x))`.
#[inline]
pub fn tanh_pullback<X: Elementwise>(x: &X) -> (X, impl FnOnce(X) -> (X,) + use<X>) {
    let (y, mut g) = map2(x, |x| {
        let t = x.tanh();
        (t, one::<X::Scalar>() - t * t)
    });
    (y, move |d: X| {
        zip_apply(&mut g, &d, |g, d| d * g);
        (g,)
    })
}

/// `√(2/π)`
const GELU_K: f64 = 0.797_884_560_802_865_4;
const GELU_A: f64 = 0.044_715;

#[inline(always)]
fn gelu_s<T: Real>(x: T) -> (T, T) {
    let (k, a, half) = (c::<T>(GELU_K), c::<T>(GELU_A), c::<T>(0.5));
    let x2 = x * x;
    let t = (k * (x + a * x2 * x)).tanh();
    let y = half * x * (T::one() + t);
    let sech2 = T::one() - t * t;
    // Where tanh has saturated, `x³` may have overflowed to ±inf: skip `0 * inf`.
    let dy = if sech2 == T::zero() {
        half * (T::one() + t)
    } else {
        half * (T::one() + t) + half * x * sech2 * k * (T::one() + c::<T>(3.0) * a * x2)
    };
    (y, dy)
}

/// Gaussian error linear unit, **tanh approximation**, entrywise:
/// `gelu(x) = ½ x (1 + tanh(u))` with `u = √(2/π) (x + 0.044715 x³)`.
///
/// Derivative: `½ (1 + tanh u) + ½ x (1 - tanh² u) √(2/π) (1 + 3·0.044715 x²)`.
/// PyTorch `nn.GELU(approximate='tanh')`, Keras `activations.gelu(x, approximate=True)`,
/// JAX `jax.nn.gelu` (its default). The exact erf form (PyTorch's default) differs from it
/// by less than `5e-4` everywhere. Finite with a finite derivative for any finite `x`.
///
/// ```
/// use autodiff_runtime::nn::gelu;
/// assert_eq!(gelu(&0.0_f64), 0.0);
/// assert!((gelu(&1.0_f64) - 0.841192).abs() < 1e-6);
/// assert_eq!(gelu(&-1000.0_f64), 0.0);
/// ```
#[inline]
pub fn gelu<X: Elementwise>(x: &X) -> X {
    map(x, |x| gelu_s(x).0)
}

/// Pullback of [`gelu`].
#[inline]
pub fn gelu_pullback<X: Elementwise>(x: &X) -> (X, impl FnOnce(X) -> (X,) + use<X>) {
    let (y, mut g) = map2(x, gelu_s);
    (y, move |d: X| {
        zip_apply(&mut g, &d, |g, d| d * g);
        (g,)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::{all_finite, check, close_f32};
    use nalgebra::{SMatrix, SVector, Vector4};

    /// Points away from the kinks at 0.
    const POINTS: [f64; 6] = [-2.7, -1.1, -0.3, 0.2, 0.9, 3.4];

    fn vector() -> Vector4<f64> {
        Vector4::new(-1.3, -0.2, 0.4, 2.2)
    }

    fn batch() -> SMatrix<f64, 3, 4> {
        SMatrix::from_fn(|i, j| (i as f64 - 1.2) * 0.9 + (j as f64) * 0.45 - 0.6)
    }

    macro_rules! check_unary_activation {
        ($f:ident, $pb:ident) => {{
            for &x in &POINTS {
                check(
                    &x,
                    |x| $f(x),
                    |x, d| {
                        let (y, p) = $pb(x);
                        (y, p(d).0)
                    },
                );
            }
            check(
                &vector(),
                |x| $f(x),
                |x, d| {
                    let (y, p) = $pb(x);
                    (y, p(d).0)
                },
            );
            check(
                &batch(),
                |x| $f(x),
                |x, d| {
                    let (y, p) = $pb(x);
                    (y, p(d).0)
                },
            );
            check(
                &[0.3, -1.7, 2.5],
                |x| $f(x),
                |x, d| {
                    let (y, p) = $pb(x);
                    (y, p(d).0)
                },
            );
        }};
    }

    #[test]
    fn relu_matches_finite_differences() {
        check_unary_activation!(relu, relu_pullback);
    }

    #[test]
    fn sigmoid_matches_finite_differences() {
        check_unary_activation!(sigmoid, sigmoid_pullback);
    }

    #[test]
    fn tanh_matches_finite_differences() {
        check_unary_activation!(tanh, tanh_pullback);
    }

    #[test]
    fn gelu_matches_finite_differences() {
        check_unary_activation!(gelu, gelu_pullback);
    }

    #[test]
    fn leaky_relu_matches_finite_differences_in_x_and_slope() {
        for slope in [0.01, 0.2, -0.5] {
            for &x in &POINTS {
                check(
                    &x,
                    |x| leaky_relu(x, slope),
                    |x, d| {
                        let (y, p) = leaky_relu_pullback(x, slope);
                        (y, p(d).0)
                    },
                );
                check(
                    &slope,
                    |s| leaky_relu(&x, *s),
                    |s, d| {
                        let (y, p) = leaky_relu_pullback(&x, *s);
                        (y, p(d).1)
                    },
                );
            }
            let (v, b) = (vector(), batch());
            check(
                &v,
                |x| leaky_relu(x, slope),
                |x, d| {
                    let (y, p) = leaky_relu_pullback(x, slope);
                    (y, p(d).0)
                },
            );
            check(
                &slope,
                |s| leaky_relu(&v, *s),
                |s, d| {
                    let (y, p) = leaky_relu_pullback(&v, *s);
                    (y, p(d).1)
                },
            );
            check(
                &slope,
                |s| leaky_relu(&b, *s),
                |s, d| {
                    let (y, p) = leaky_relu_pullback(&b, *s);
                    (y, p(d).1)
                },
            );
        }
    }

    #[test]
    fn kink_conventions_follow_pytorch() {
        assert_eq!(relu_pullback(&0.0).1(1.0), (0.0,));
        assert_eq!(leaky_relu_pullback(&0.0, 0.1).1(1.0), (0.1, 0.0));
        assert!(relu(&f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_and_tanh_values() {
        // σ(ln 3) = 3/4, σ(-ln 3) = 1/4, tanh(ln 2) = 3/5.
        let s = sigmoid(&SVector::<f64, 2>::new(3f64.ln(), -(3f64.ln())));
        assert!((s - SVector::<f64, 2>::new(0.75, 0.25)).norm() < 1e-15);
        assert!((tanh(&2f64.ln()) - 0.6).abs() < 1e-15);
    }

    #[test]
    fn gelu_is_the_tanh_approximation() {
        // Reference values computed independently (Python `math.tanh` / `math.erf`).
        let cases = [
            (-2.5, -0.015084266089998577, -0.015524163314440398),
            (-0.5, -0.15428599017485606, -0.15426876936299344),
            (0.3, 0.18537092354275922, 0.18537342665668577),
            (1.0, 0.8411919906082768, 0.8413447460685429),
            (3.0, 2.996362607918227, 2.99595030590511),
        ];
        for (x, tanh_form, erf_form) in cases {
            let y = gelu(&x);
            assert!((y - tanh_form).abs() < 1e-14, "gelu({x}) = {y}");
            assert!((y - erf_form).abs() < 5e-4);
        }
    }

    #[test]
    fn stable_at_large_inputs() {
        let x = SVector::<f64, 4>::new(-1000.0, 1000.0, -1e300, 1e300);
        for (y, g) in [
            (sigmoid(&x), sigmoid_pullback(&x).1(SVector::repeat(1.0)).0),
            (tanh(&x), tanh_pullback(&x).1(SVector::repeat(1.0)).0),
            (gelu(&x), gelu_pullback(&x).1(SVector::repeat(1.0)).0),
        ] {
            all_finite(&y);
            all_finite(&g);
        }
        assert_eq!(sigmoid(&x), SVector::<f64, 4>::new(0.0, 1.0, 0.0, 1.0));
        assert_eq!(
            gelu_pullback(&x).1(SVector::repeat(1.0)).0,
            SVector::<f64, 4>::new(0.0, 1.0, 0.0, 1.0)
        );
        // f32: e^100 and 1e20³ overflow; the results must not.
        let x = SVector::<f32, 4>::new(-100.0, 100.0, -1e20, 1e20);
        let s = sigmoid(&x);
        assert!(
            s[0] > 0.0 && s[0] < 1e-43,
            "σ(-100) = e^-100 is a subnormal f32, got {}",
            s[0]
        );
        assert_eq!((s[1], s[2], s[3]), (1.0, 0.0, 1.0));
        all_finite(&sigmoid_pullback(&x).1(SVector::repeat(1.0)).0);
        all_finite(&gelu(&x));
        all_finite(&gelu_pullback(&x).1(SVector::repeat(1.0)).0);
    }

    #[test]
    fn f32_agrees_with_f64() {
        let x64 = batch();
        let x32: SMatrix<f32, 3, 4> = x64.cast();
        let d64 = SMatrix::<f64, 3, 4>::from_fn(|i, j| 0.5 - (i * 4 + j) as f64 * 0.1);
        let d32: SMatrix<f32, 3, 4> = d64.cast();
        macro_rules! both {
            ($f:ident, $pb:ident) => {
                close_f32(&$f(&x32), &$f(&x64), 1e-5);
                close_f32(&$pb(&x32).1(d32).0, &$pb(&x64).1(d64).0, 1e-5);
            };
        }
        both!(relu, relu_pullback);
        both!(sigmoid, sigmoid_pullback);
        both!(tanh, tanh_pullback);
        both!(gelu, gelu_pullback);
        close_f32(&leaky_relu(&x32, 0.1), &leaky_relu(&x64, 0.1), 1e-5);
        let (g32, s32) = leaky_relu_pullback(&x32, 0.1).1(d32);
        let (g64, s64) = leaky_relu_pullback(&x64, 0.1).1(d64);
        close_f32(&g32, &g64, 1e-5);
        close_f32(&s32, &s64, 1e-5);
        assert_eq!(relu(&-1.5f32), 0.0);
    }
}
