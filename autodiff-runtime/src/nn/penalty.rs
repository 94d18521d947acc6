//! Weight penalties over whole parameter structs: `l2_penalty` (weight decay as a loss term)
//! and `l2sp_penalty` (fine-tuning towards pretrained weights).

use crate::{Params, Real};

/// Squared L2 norm of every tensor in `w`: `Σ w_i²` (no factor `½`, no `λ`: multiply by your
/// coefficient, e.g. `lambda * l2_penalty(&model)`).
///
/// Derivative: `2 w`. Works for any [`Params`]: a scalar, a matrix, a [`crate::nn::Dense`]
/// layer or a whole `#[derive(Params)]` network (biases included; penalize `&model.l1.weight`
/// instead to leave them out). PyTorch: `sum(p.pow(2).sum() for p in model.parameters())`;
/// Keras `regularizers.L2(l)` computes `l * Σ w²` per layer.
///
/// The plain function reads `w` once through [`Params::visit`] (for a struct, that builds
/// the tensor names in a `String`: one small allocation). The pullback reads it through
/// [`Params::zip_mut`], without names, and builds the gradient `2 d w` in a value of the same
/// type made by [`Params::zeros_like`] (for a `Box`ed layer that is one box per call).
///
/// ```
/// use autodiff_runtime::nn::{l2_penalty, l2_penalty_pullback};
/// use nalgebra::Vector2;
/// let w = Vector2::new(3.0, -4.0);
/// assert_eq!(l2_penalty(&w), 25.0);
/// let (_, pullback) = l2_penalty_pullback(&w);
/// assert_eq!(pullback(0.5), (Vector2::new(3.0, -4.0),));
/// ```
#[inline]
pub fn l2_penalty<P: Params>(w: &P) -> P::Scalar {
    w.norm_squared()
}

/// Pullback of [`l2_penalty`]: `(2 d w,)`.
#[inline]
pub fn l2_penalty_pullback<P: Params>(
    w: &P,
) -> (P::Scalar, impl FnOnce(P::Scalar) -> (P,) + use<P>) {
    let mut g = w.zeros_like();
    let mut sum = <P::Scalar as Real>::of_f64(0.0);
    g.zip_mut(w, &mut |g, w| {
        for (g, &w) in g.iter_mut().zip(w) {
            *g = w;
            sum += w * w;
        }
    });
    (sum, move |d: P::Scalar| {
        g.scale(d + d);
        (g,)
    })
}

/// `w - w0` as a value of the same type, and its squared norm.
#[inline(always)]
fn diff<P: Params>(w: &P, w0: &P) -> (P, P::Scalar) {
    let mut g = w.zeros_like();
    g.zip_mut(w, &mut |g, w| g.copy_from_slice(w));
    let mut sum = <P::Scalar as Real>::of_f64(0.0);
    g.zip_mut(w0, &mut |g, w0| {
        for (g, &w0) in g.iter_mut().zip(w0) {
            *g -= w0;
            sum += *g * *g;
        }
    });
    (g, sum)
}

/// L2-SP penalty: squared distance to a reference (pretrained) point, `‖w - w0‖² =
/// Σ (w_i - w0_i)²` (multiply by your `λ`).
///
/// Derivatives: `∂/∂w = 2 (w - w0)`, `∂/∂w0 = -2 (w - w0)`. The reference is differentiated
/// like any other argument, for uniformity; when it is a frozen copy, ignore its cotangent.
/// Computes `w - w0` into a temporary of the same type as `w` (no other allocation for
/// unboxed types). From Li et al., "Explicit inductive bias for transfer learning with
/// convolutional networks" (ICML 2018); PyTorch: `sum(((p - p0)**2).sum() for ...)`.
///
/// ```
/// use autodiff_runtime::nn::l2sp_penalty;
/// use nalgebra::Vector2;
/// assert_eq!(l2sp_penalty(&Vector2::new(1.0, 2.0), &Vector2::new(1.0, 0.0)), 4.0);
/// ```
#[inline]
pub fn l2sp_penalty<P: Params>(w: &P, w0: &P) -> P::Scalar {
    diff(w, w0).1
}

/// Pullback of [`l2sp_penalty`]: `(2 d (w - w0), -2 d (w - w0))`.
#[inline]
pub fn l2sp_penalty_pullback<P: Params>(
    w: &P,
    w0: &P,
) -> (P::Scalar, impl FnOnce(P::Scalar) -> (P, P) + use<P>) {
    let (mut g, sum) = diff(w, w0);
    (sum, move |d: P::Scalar| {
        g.scale(d + d);
        let mut g0 = g.zeros_like();
        g0.zip_mut(&g, &mut |g0, g| {
            for (g0, &g) in g0.iter_mut().zip(g) {
                *g0 = -g;
            }
        });
        (g, g0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Dense;
    use crate::nn::testing::{check, close_f32};
    use nalgebra::{Matrix2x3, SVector, Vector2};

    fn layer() -> Dense<f64, 3, 2> {
        Dense::new(
            Matrix2x3::new(0.5, -1.0, 0.25, 2.0, 0.0, -0.3),
            Vector2::new(0.1, -0.7),
        )
    }

    #[test]
    fn l2_penalty_matches_finite_differences() {
        let l = layer();
        check(&l, l2_penalty, |w, d| {
            let (v, p) = l2_penalty_pullback(w);
            (v, p(d).0)
        });
        let arr = [Vector2::new(1.5, -0.5), Vector2::new(0.0, 2.0)];
        check(&arr, l2_penalty, |w, d| {
            let (v, p) = l2_penalty_pullback(w);
            (v, p(d).0)
        });
        let expected = 0.25 + 1.0 + 0.0625 + 4.0 + 0.0 + 0.09 + 0.01 + 0.49;
        assert!((l2_penalty(&l) - expected).abs() < 1e-12);
        let boxed = Box::new(l.clone());
        assert_eq!(l2_penalty(&boxed), l2_penalty(&l));
        let (_, p) = l2_penalty_pullback(&boxed);
        let g: Box<Dense<f64, 3, 2>> = p(1.0).0;
        assert_eq!(g.weight, l.weight * 2.0);
    }

    #[test]
    fn l2sp_penalty_matches_finite_differences() {
        let (w, mut w0) = (layer(), layer());
        w0.weight[(1, 2)] += 0.5;
        w0.bias[0] -= 1.0;
        check(
            &w,
            |w| l2sp_penalty(w, &w0),
            |w, d| {
                let (v, p) = l2sp_penalty_pullback(w, &w0);
                (v, p(d).0)
            },
        );
        check(
            &w0,
            |w0| l2sp_penalty(&w, w0),
            |w0, d| {
                let (v, p) = l2sp_penalty_pullback(&w, w0);
                (v, p(d).1)
            },
        );
        assert!((l2sp_penalty(&w, &w0) - 1.25).abs() < 1e-12);
        assert_eq!(l2sp_penalty(&w, &w), 0.0);
    }

    #[test]
    fn f32_agrees_with_f64() {
        let v64 = SVector::<f64, 5>::new(0.1, -2.0, 3.5, 0.0, 1.25);
        let v32: SVector<f32, 5> = v64.cast();
        close_f32(&l2_penalty(&v32), &l2_penalty(&v64), 1e-6);
        close_f32(
            &l2_penalty_pullback(&v32).1(0.5).0,
            &l2_penalty_pullback(&v64).1(0.5).0,
            1e-6,
        );
        let z32 = SVector::<f32, 5>::repeat(0.5);
        let z64 = SVector::<f64, 5>::repeat(0.5);
        close_f32(
            &l2sp_penalty_pullback(&v32, &z32).1(1.0).1,
            &l2sp_penalty_pullback(&v64, &z64).1(1.0).1,
            1e-6,
        );
    }
}
