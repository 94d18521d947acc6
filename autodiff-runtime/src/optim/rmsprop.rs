//! RMSprop (PyTorch `torch.optim.RMSprop`), with momentum and the centered variant.

use super::freeze::{Tensors, impl_freeze};
use super::{Optimizer, check, check_lr};
use crate::{Params, Real};
use nalgebra::{ComplexField, RealField};
use std::marker::PhantomData;

/// Hyperparameters of [`RMSprop`], with PyTorch's defaults (`torch.optim.RMSprop`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RMSpropConfig {
    /// Learning rate `γ` (default `1e-2`; Keras uses `1e-3`).
    pub lr: f64,
    /// Smoothing constant `α` of the squared-gradient average (default `0.99`; Keras calls it
    /// `rho` and uses `0.9`).
    pub alpha: f64,
    /// Term `ε` added to the denominator, outside the square root (default `1e-8`).
    pub eps: f64,
    /// L2 penalty `λ`, added to the gradient as `λ θ` (default `0`).
    pub weight_decay: f64,
    /// Momentum factor `μ` (default `0`: no buffer is allocated).
    pub momentum: f64,
    /// Normalize by an estimate of the gradient's variance instead of its second moment
    /// (default `false`; allocates a buffer for the gradient average).
    pub centered: bool,
}

impl Default for RMSpropConfig {
    /// `lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false`.
    fn default() -> Self {
        RMSpropConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
        }
    }
}

/// RMSprop (PyTorch `torch.optim.RMSprop`, same update, same defaults).
///
/// For every trainable entry:
///
/// ```text
/// g ← g + λ θ                          if λ ≠ 0
/// v ← α v + (1 − α) g²
/// if centered:
///     ḡ ← α ḡ + (1 − α) g
///     d ← √max(v − ḡ², 0) + ε
/// else:
///     d ← √v + ε
/// if μ > 0:  b ← μ b + g / d;  θ ← θ − γ b
/// else:      θ ← θ − γ g / d
/// ```
///
/// `ε` is added after the square root, as in PyTorch (TensorFlow adds it inside). The
/// `max(·, 0)` only guards against rounding; PyTorch would give NaN there.
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::{Optimizer, RMSprop, RMSpropConfig};
/// use nalgebra::SVector;
///
/// let mut w = SVector::<f64, 2>::new(1.0, -2.0);
/// let mut opt = RMSprop::new(&w, RMSpropConfig { lr: 0.01, ..Default::default() });
/// let grad = 2.0 * w; // gradient of |w|²
/// opt.step(&mut w, &grad);
/// // First step: v = 0.01 g², so the step is γ·g/(0.1 |g|) = 10 γ against the gradient.
/// assert!((w[0] - 0.9).abs() < 1e-8);
/// assert!((w[1] + 1.9).abs() < 1e-8);
/// ```
#[derive(Debug, Clone)]
pub struct RMSprop<P: Params> {
    cfg: RMSpropConfig,
    tensors: Tensors,
    /// Running average `v` of the squared gradient (PyTorch `square_avg`).
    square_avg: Vec<P::Scalar>,
    /// Running average `ḡ` of the gradient (PyTorch `grad_avg`; empty unless centered).
    grad_avg: Vec<P::Scalar>,
    /// Momentum buffer `b` (empty when `momentum == 0`).
    momentum_buffer: Vec<P::Scalar>,
    _params: PhantomData<fn(&P)>,
}

impl<P: Params> RMSprop<P> {
    /// Builds the optimizer for `params` (used only for its layout), allocating the buffers
    /// its configuration needs.
    ///
    /// # Panics
    /// Like PyTorch: if `lr`, `eps`, `momentum`, `weight_decay` or `alpha` is negative.
    pub fn new(params: &P, cfg: RMSpropConfig) -> Self {
        check_lr(cfg.lr);
        check(cfg.eps >= 0.0, "epsilon value", cfg.eps);
        check(cfg.momentum >= 0.0, "momentum value", cfg.momentum);
        check(
            cfg.weight_decay >= 0.0,
            "weight_decay value",
            cfg.weight_decay,
        );
        check(cfg.alpha >= 0.0, "alpha value", cfg.alpha);
        let tensors = Tensors::new(params);
        let n = tensors.total();
        let zeros = |n| vec![P::Scalar::of_f64(0.0); n];
        RMSprop {
            cfg,
            square_avg: zeros(n),
            grad_avg: zeros(if cfg.centered { n } else { 0 }),
            momentum_buffer: zeros(if cfg.momentum > 0.0 { n } else { 0 }),
            tensors,
            _params: PhantomData,
        }
    }

    /// The hyperparameters, including the current learning rate.
    pub fn config(&self) -> &RMSpropConfig {
        &self.cfg
    }
}

impl_freeze!(RMSprop);

impl<P: Params> Optimizer<P> for RMSprop<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let c = self.cfg;
        let of = <P::Scalar as Real>::of_f64;
        let (lr, wd, eps, mu) = (of(c.lr), of(c.weight_decay), of(c.eps), of(c.momentum));
        let (alpha, one_minus_alpha, zero) = (of(c.alpha), of(1.0 - c.alpha), of(0.0));
        let (sq, ga, buf) = (
            &mut self.square_avg,
            &mut self.grad_avg,
            &mut self.momentum_buffer,
        );
        self.tensors.for_each(params, grads, |p, g, offset, _| {
            let range = offset..offset + p.len();
            let mut ga = if c.centered {
                Some(ga[range.clone()].iter_mut())
            } else {
                None
            };
            let mut buf = if c.momentum > 0.0 {
                Some(buf[range.clone()].iter_mut())
            } else {
                None
            };
            for ((p, &g), sq) in p.iter_mut().zip(g).zip(&mut sq[range]) {
                let g = if c.weight_decay != 0.0 {
                    g + wd * *p
                } else {
                    g
                };
                *sq = alpha * *sq + one_minus_alpha * g * g;
                let avg = match ga.as_mut().and_then(Iterator::next) {
                    Some(ga) => {
                        *ga = alpha * *ga + one_minus_alpha * g;
                        (*sq - *ga * *ga).max(zero).sqrt() + eps
                    }
                    None => sq.sqrt() + eps,
                };
                match buf.as_mut().and_then(Iterator::next) {
                    Some(b) => {
                        *b = mu * *b + g / avg;
                        *p -= lr * *b;
                    }
                    None => *p -= lr * (g / avg),
                }
            }
        });
    }

    fn learning_rate(&self) -> f64 {
        self.cfg.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        check_lr(lr);
        self.cfg.lr = lr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::{Net, assert_trajectories_close, check_freezing, reference, run};

    /// The algorithm in the `torch.optim.RMSprop` docs, per scalar.
    fn rmsprop_reference(cfg: RMSpropConfig, steps: usize) -> Vec<Vec<f64>> {
        let RMSpropConfig {
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
        } = cfg;
        let (mut v, mut g_ave, mut b) = (Vec::new(), Vec::new(), Vec::new());
        reference(steps, |x, g, _| {
            v.resize(x.len(), 0.0);
            g_ave.resize(x.len(), 0.0);
            b.resize(x.len(), 0.0);
            for i in 0..x.len() {
                let mut gi = g[i];
                if weight_decay != 0.0 {
                    gi += weight_decay * x[i];
                }
                v[i] = alpha * v[i] + (1.0 - alpha) * gi * gi;
                let mut v_tilde = v[i];
                if centered {
                    g_ave[i] = g_ave[i] * alpha + (1.0 - alpha) * gi;
                    v_tilde -= g_ave[i] * g_ave[i];
                }
                if momentum > 0.0 {
                    b[i] = momentum * b[i] + gi / (v_tilde.sqrt() + eps);
                    x[i] -= lr * b[i];
                } else {
                    x[i] -= lr * gi / (v_tilde.sqrt() + eps);
                }
            }
        })
    }

    #[track_caller]
    fn check_against_reference(cfg: RMSpropConfig) {
        let actual = run(
            &mut RMSprop::new(&Net::initial(), cfg),
            &mut Net::initial(),
            10,
        );
        assert_trajectories_close(&actual, &rmsprop_reference(cfg, 10), 1e-6);
    }

    fn rms(momentum: f64, centered: bool, weight_decay: f64) -> RMSpropConfig {
        RMSpropConfig {
            momentum,
            centered,
            weight_decay,
            ..Default::default()
        }
    }

    #[test]
    fn rmsprop_matches_pytorch() {
        check_against_reference(RMSpropConfig::default());
        check_against_reference(RMSpropConfig {
            lr: 0.05,
            alpha: 0.9,
            ..Default::default()
        });
    }

    #[test]
    fn momentum_matches_pytorch() {
        check_against_reference(rms(0.9, false, 0.0));
    }

    #[test]
    fn centered_matches_pytorch() {
        check_against_reference(rms(0.0, true, 0.0));
        check_against_reference(RMSpropConfig {
            alpha: 0.8,
            ..rms(0.5, true, 0.0)
        });
    }

    #[test]
    fn weight_decay_matches_pytorch() {
        check_against_reference(rms(0.0, false, 0.1));
        check_against_reference(rms(0.9, true, 0.1));
    }

    #[test]
    fn frozen_tensors_do_not_move_and_keep_their_state() {
        check_freezing(
            || RMSprop::new(&Net::initial(), rms(0.9, true, 0.01)),
            |opt, prefixes| opt.set_frozen(prefixes),
        );
    }

    #[test]
    fn defaults_are_pytorchs() {
        let d = RMSpropConfig::default();
        assert_eq!(
            (d.lr, d.alpha, d.eps, d.weight_decay, d.momentum, d.centered),
            (1e-2, 0.99, 1e-8, 0.0, 0.0, false)
        );
    }
}
