//! Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
//! decay (PyTorch `torch.optim.SGD`).

use super::freeze::{Tensors, impl_freeze};
use super::{Optimizer, check, check_lr};
use crate::{Params, Real};
use std::marker::PhantomData;

/// Hyperparameters of [`Sgd`], with PyTorch's defaults (`torch.optim.SGD`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate `γ` (default `1e-3`, as in PyTorch ≥ 2.2; Keras uses `0.01`).
    pub lr: f64,
    /// Momentum factor `μ` (default `0`: plain SGD, no buffer is allocated).
    pub momentum: f64,
    /// Dampening `τ` of the gradient in the momentum buffer (default `0`).
    pub dampening: f64,
    /// L2 penalty `λ`, added to the gradient as `λ θ` (default `0`).
    pub weight_decay: f64,
    /// Nesterov momentum (default `false`; needs `momentum > 0` and `dampening == 0`).
    pub nesterov: bool,
}

impl Default for SgdConfig {
    /// `lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false`.
    fn default() -> Self {
        SgdConfig {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
        }
    }
}

/// Stochastic gradient descent (PyTorch `torch.optim.SGD`, same update, same defaults).
///
/// For every trainable entry, at step `t` (counted per tensor):
///
/// ```text
/// g ← g + λ θ                              if λ ≠ 0    (weight_decay)
/// if μ ≠ 0:                                            (momentum)
///     b ← g                                if t = 1
///     b ← μ b + (1 − τ) g                  otherwise   (dampening τ)
///     g ← g + μ b                          if nesterov
///     g ← b                                otherwise
/// θ ← θ − γ g                                          (lr γ)
/// ```
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::{Optimizer, Sgd, SgdConfig};
/// use nalgebra::SVector;
///
/// let mut w = SVector::<f64, 2>::new(1.0, -2.0);
/// let mut opt = Sgd::new(&w, SgdConfig { lr: 0.1, momentum: 0.9, ..Default::default() });
/// for _ in 0..2 {
///     let grad = 2.0 * w; // gradient of |w|²
///     opt.step(&mut w, &grad);
/// }
/// // Step 1: b = g = 2, w = 1 − 0.1·2 = 0.8. Step 2: b = 0.9·2 + 1.6 = 3.4, w = 0.8 − 0.34.
/// assert!((w[0] - 0.46).abs() < 1e-12);
/// assert!((w[1] + 0.92).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Sgd<P: Params> {
    cfg: SgdConfig,
    tensors: Tensors,
    /// Momentum buffers `b` (empty when `momentum == 0`).
    momentum_buffer: Vec<P::Scalar>,
    _params: PhantomData<fn(&P)>,
}

impl<P: Params> Sgd<P> {
    /// Builds the optimizer for `params` (used only for its layout), allocating the momentum
    /// buffer if `cfg.momentum != 0`.
    ///
    /// # Panics
    /// Like PyTorch: if `lr`, `momentum` or `weight_decay` is negative, or `nesterov` is set
    /// without `momentum > 0` and `dampening == 0`.
    pub fn new(params: &P, cfg: SgdConfig) -> Self {
        check_lr(cfg.lr);
        check(cfg.momentum >= 0.0, "momentum value", cfg.momentum);
        check(
            cfg.weight_decay >= 0.0,
            "weight_decay value",
            cfg.weight_decay,
        );
        assert!(
            !cfg.nesterov || (cfg.momentum > 0.0 && cfg.dampening == 0.0),
            "nesterov momentum requires a momentum and zero dampening"
        );
        let tensors = Tensors::new(params);
        let state_len = if cfg.momentum != 0.0 {
            tensors.total()
        } else {
            0
        };
        Sgd {
            cfg,
            momentum_buffer: vec![P::Scalar::of_f64(0.0); state_len],
            tensors,
            _params: PhantomData,
        }
    }

    /// The hyperparameters, including the current learning rate.
    pub fn config(&self) -> &SgdConfig {
        &self.cfg
    }
}

impl_freeze!(Sgd);

impl<P: Params> Optimizer<P> for Sgd<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let c = self.cfg;
        let of = <P::Scalar as Real>::of_f64;
        let (lr, wd, mu, damp) = (
            of(c.lr),
            of(c.weight_decay),
            of(c.momentum),
            of(1.0 - c.dampening),
        );
        let buffers = &mut self.momentum_buffer;
        self.tensors.for_each(params, grads, |p, g, offset, t| {
            if c.momentum == 0.0 {
                for (p, &g) in p.iter_mut().zip(g) {
                    let d = if c.weight_decay != 0.0 {
                        g + wd * *p
                    } else {
                        g
                    };
                    *p -= lr * d;
                }
                return;
            }
            let b = &mut buffers[offset..offset + p.len()];
            for ((p, &g), b) in p.iter_mut().zip(g).zip(b) {
                let d = if c.weight_decay != 0.0 {
                    g + wd * *p
                } else {
                    g
                };
                *b = if t == 1 { d } else { mu * *b + damp * d };
                let d = if c.nesterov { d + mu * *b } else { *b };
                *p -= lr * d;
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

    /// `torch.optim.SGD`'s documented algorithm, written out per scalar.
    fn sgd_reference(cfg: SgdConfig, steps: usize) -> Vec<Vec<f64>> {
        let SgdConfig {
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
        } = cfg;
        let mut b = Vec::new();
        reference(steps, |x, g, t| {
            b.resize(x.len(), 0.0);
            for i in 0..x.len() {
                let mut gi = g[i];
                if weight_decay != 0.0 {
                    gi += weight_decay * x[i];
                }
                if momentum != 0.0 {
                    if t > 1 {
                        b[i] = momentum * b[i] + (1.0 - dampening) * gi;
                    } else {
                        b[i] = gi;
                    }
                    if nesterov {
                        gi += momentum * b[i];
                    } else {
                        gi = b[i];
                    }
                }
                x[i] -= lr * gi;
            }
        })
    }

    #[track_caller]
    fn check_against_reference(cfg: SgdConfig) {
        let mut opt = Sgd::new(&Net::initial(), cfg);
        let actual = run(&mut opt, &mut Net::initial(), 8);
        assert_trajectories_close(&actual, &sgd_reference(cfg, 8), 1e-6);
    }

    fn cfg(lr: f64, momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool) -> SgdConfig {
        SgdConfig {
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
        }
    }

    #[test]
    fn plain_sgd_matches_pytorch() {
        check_against_reference(cfg(0.1, 0.0, 0.0, 0.0, false));
    }

    #[test]
    fn momentum_matches_pytorch() {
        check_against_reference(cfg(0.05, 0.9, 0.0, 0.0, false));
    }

    #[test]
    fn dampening_matches_pytorch() {
        // The first step copies the gradient into the buffer without dampening.
        check_against_reference(cfg(0.05, 0.9, 0.3, 0.0, false));
    }

    #[test]
    fn nesterov_matches_pytorch() {
        check_against_reference(cfg(0.05, 0.8, 0.0, 0.0, true));
    }

    #[test]
    fn weight_decay_matches_pytorch() {
        check_against_reference(cfg(0.1, 0.0, 0.0, 0.05, false));
        check_against_reference(cfg(0.05, 0.9, 0.1, 0.05, false));
        check_against_reference(cfg(0.05, 0.9, 0.0, 0.05, true));
    }

    #[test]
    fn frozen_tensors_do_not_move_and_keep_their_state() {
        check_freezing(
            || Sgd::new(&Net::initial(), cfg(0.05, 0.9, 0.2, 0.01, false)),
            |opt, prefixes| opt.set_frozen(prefixes),
        );
        let opt = Sgd::new(&Net::initial(), SgdConfig::default())
            .freeze(&["l2.bias"])
            .unwrap();
        assert_eq!(opt.frozen().collect::<Vec<_>>(), ["l2.bias"]);
        let err = Sgd::new(&Net::initial(), SgdConfig::default())
            .freeze(&["l1.w"])
            .unwrap_err();
        assert_eq!(err.prefix, "l1.w");
    }

    #[test]
    fn defaults_and_learning_rate() {
        let d = SgdConfig::default();
        assert_eq!(
            (d.lr, d.momentum, d.dampening, d.weight_decay, d.nesterov),
            (1e-3, 0.0, 0.0, 0.0, false)
        );
        let mut opt: Box<dyn Optimizer<Net>> = Box::new(Sgd::new(&Net::initial(), d));
        opt.set_learning_rate(0.25);
        assert_eq!(opt.learning_rate(), 0.25);
        let actual = run(&mut opt, &mut Net::initial(), 3);
        assert_trajectories_close(
            &actual,
            &sgd_reference(SgdConfig { lr: 0.25, ..d }, 3),
            1e-6,
        );
    }

    #[test]
    #[should_panic(expected = "nesterov momentum requires a momentum and zero dampening")]
    fn nesterov_needs_momentum() {
        Sgd::new(
            &Net::initial(),
            SgdConfig {
                nesterov: true,
                ..Default::default()
            },
        );
    }

    #[test]
    #[should_panic(expected = "invalid learning rate: -1")]
    fn negative_learning_rate_is_rejected() {
        Sgd::new(&Net::initial(), SgdConfig::default()).set_learning_rate(-1.0);
    }
}
