//! Gradient clipping (PyTorch `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`).

use crate::{Params, Real};

/// Scales all gradients together so that their global L2 norm is at most `max_norm`, and
/// returns the norm before clipping (PyTorch `torch.nn.utils.clip_grad_norm_`, `norm_type=2`).
///
/// ```text
/// n = √(Σ over all tensors and entries of g²)
/// g ← g · min(1, max_norm / (n + 1e-6))
/// ```
///
/// The `1e-6` is PyTorch's, so a norm just above `max_norm` ends slightly below it. The sum
/// of squares is accumulated in `f64` for `f32` gradients too. If the norm is not finite the
/// gradients are left unchanged (PyTorch would turn them into NaN): check the returned norm
/// and skip the step. Frozen tensors' gradients count like any other; zero them first to
/// match PyTorch, where a frozen parameter has no gradient.
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::clip_grad_norm;
/// use nalgebra::SVector;
///
/// let mut g = SVector::<f64, 2>::new(3.0, 4.0);
/// let norm = clip_grad_norm(&mut g, 1.0);
/// assert_eq!(norm, 5.0);
/// assert!((g.norm() - 1.0).abs() < 1e-6);
/// ```
///
/// # Panics
/// If `max_norm` is negative or NaN.
pub fn clip_grad_norm<P: Params>(grads: &mut P, max_norm: f64) -> f64 {
    assert!(max_norm >= 0.0, "invalid max_norm: {max_norm}");
    let mut sum = 0.0;
    grads.visit(&mut String::new(), &mut |_, data, _| {
        sum += data.iter().map(|x| x.as_f64() * x.as_f64()).sum::<f64>();
    });
    let norm = sum.sqrt();
    let coef = max_norm / (norm + 1e-6);
    if norm.is_finite() && coef < 1.0 {
        grads.scale(<P::Scalar as Real>::of_f64(coef));
    }
    norm
}

/// Clamps every gradient entry into `[-clip_value, clip_value]` (PyTorch
/// `torch.nn.utils.clip_grad_value_`). NaN entries stay NaN.
///
/// ```
/// use autodiff_runtime::optim::clip_grad_value;
/// use nalgebra::SVector;
///
/// let mut g = SVector::<f64, 3>::new(-3.0, 0.5, 4.0);
/// clip_grad_value(&mut g, 1.0);
/// assert_eq!(g, SVector::<f64, 3>::new(-1.0, 0.5, 1.0));
/// ```
///
/// # Panics
/// If `clip_value` is negative or NaN.
pub fn clip_grad_value<P: Params>(grads: &mut P, clip_value: f64) {
    assert!(clip_value >= 0.0, "invalid clip_value: {clip_value}");
    let hi = <P::Scalar as Real>::of_f64(clip_value);
    let lo = -hi;
    grads.visit_mut(&mut String::new(), &mut |_, data, _| {
        for x in data {
            if *x > hi {
                *x = hi;
            } else if *x < lo {
                *x = lo;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::flatten;
    use crate::optim::testing::Net;
    use nalgebra::SVector;

    #[test]
    fn clips_the_global_norm_over_all_tensors() {
        let mut g = Net::initial();
        let before = flatten(&g);
        let norm: f64 = before.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!(norm > 1.0);
        let returned = clip_grad_norm(&mut g, 1.0);
        assert!((returned - norm).abs() <= 1e-12 * norm);
        let coef = 1.0 / (norm + 1e-6);
        for (a, b) in flatten(&g).iter().zip(&before) {
            assert!((a - b * coef).abs() <= 1e-15);
        }
    }

    #[test]
    fn leaves_small_gradients_alone() {
        let mut g = SVector::<f32, 3>::new(0.1, -0.2, 0.2);
        let norm = clip_grad_norm(&mut g, 1.0);
        assert!((norm - 0.3).abs() < 1e-7);
        assert_eq!(g, SVector::<f32, 3>::new(0.1, -0.2, 0.2));
        // At the limit PyTorch's 1e-6 still shrinks by max_norm / (norm + 1e-6).
        let mut g = SVector::<f64, 2>::new(3.0, 4.0);
        assert_eq!(clip_grad_norm(&mut g, 5.0), 5.0);
        assert_eq!(g, SVector::<f64, 2>::new(3.0, 4.0) * (5.0 / (5.0 + 1e-6)));
    }

    #[test]
    fn non_finite_norm_is_reported_and_gradients_kept() {
        let mut g = SVector::<f64, 2>::new(f64::INFINITY, 1.0);
        assert_eq!(clip_grad_norm(&mut g, 1.0), f64::INFINITY);
        assert_eq!(g[1], 1.0);
        let mut g = SVector::<f64, 2>::new(f64::NAN, 1.0);
        assert!(clip_grad_norm(&mut g, 1.0).is_nan());
    }

    #[test]
    fn clip_value_clamps_each_entry() {
        let mut g = Net::initial();
        clip_grad_value(&mut g, 0.5);
        let before = flatten(&Net::initial());
        for (a, b) in flatten(&g).iter().zip(&before) {
            assert_eq!(*a, b.clamp(-0.5, 0.5));
        }
    }
}
