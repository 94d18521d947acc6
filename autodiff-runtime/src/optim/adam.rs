//! Adam and AdamW (PyTorch `torch.optim.Adam`, `torch.optim.AdamW`), with AMSGrad.

use super::freeze::{Tensors, impl_freeze};
use super::{Optimizer, check, check_lr};
use crate::{Params, Real};
use nalgebra::{ComplexField, RealField};
use std::marker::PhantomData;

/// Hyperparameters of [`Adam`], with PyTorch's defaults (`torch.optim.Adam`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate `γ` (default `1e-3`).
    pub lr: f64,
    /// Decay rates `(β₁, β₂)` of the first and second moment estimates (default
    /// `(0.9, 0.999)`), each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Term `ε` added to the denominator, outside the square root (default `1e-8`).
    pub eps: f64,
    /// Weight decay `λ` (default `0`): an L2 penalty added to the gradient as `λ θ`, or, with
    /// `decoupled_weight_decay`, a shrink `θ ← θ (1 − γ λ)` (AdamW).
    pub weight_decay: f64,
    /// Use the AMSGrad variant: divide by the running maximum of the second moment
    /// (default `false`; allocates a third buffer).
    pub amsgrad: bool,
    /// Decouple the weight decay from the gradient (AdamW) instead of adding it as an L2
    /// term (default `false`; PyTorch ≥ 2.5 has the same flag). [`AdamWConfig`] sets it.
    pub decoupled_weight_decay: bool,
}

impl Default for AdamConfig {
    /// `lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8, weight_decay = 0, amsgrad = false`.
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            decoupled_weight_decay: false,
        }
    }
}

/// Hyperparameters of [`AdamW`], with PyTorch's defaults (`torch.optim.AdamW`).
///
/// The same as [`AdamConfig`] with decoupled weight decay, whose default is `1e-2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWConfig {
    /// Learning rate `γ` (default `1e-3`).
    pub lr: f64,
    /// Decay rates `(β₁, β₂)` (default `(0.9, 0.999)`).
    pub betas: (f64, f64),
    /// Term `ε` added to the denominator, outside the square root (default `1e-8`).
    pub eps: f64,
    /// Decoupled weight decay `λ`: `θ ← θ (1 − γ λ)` before each update (default `1e-2`).
    pub weight_decay: f64,
    /// Use the AMSGrad variant (default `false`).
    pub amsgrad: bool,
}

impl Default for AdamWConfig {
    /// `lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8, weight_decay = 1e-2, amsgrad = false`.
    fn default() -> Self {
        AdamWConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
        }
    }
}

impl From<AdamWConfig> for AdamConfig {
    fn from(c: AdamWConfig) -> Self {
        AdamConfig {
            lr: c.lr,
            betas: c.betas,
            eps: c.eps,
            weight_decay: c.weight_decay,
            amsgrad: c.amsgrad,
            decoupled_weight_decay: true,
        }
    }
}

/// Adam (PyTorch `torch.optim.Adam`; AdamW with [`AdamWConfig`]).
///
/// For every trainable entry, at step `t` (counted per tensor, from 1):
///
/// ```text
/// θ ← θ (1 − γ λ)                           if decoupled (AdamW)
/// g ← g + λ θ                               if λ ≠ 0 and not decoupled (L2)
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// v̂ ← max(v̂, v) if amsgrad, else v
/// θ ← θ − γ / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
/// ```
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::{Adam, AdamConfig, Optimizer};
/// use nalgebra::SVector;
///
/// let mut w = SVector::<f64, 2>::new(1.0, -2.0);
/// let mut opt = Adam::new(&w, AdamConfig { lr: 0.1, ..Default::default() });
/// let grad = 2.0 * w; // gradient of |w|²
/// opt.step(&mut w, &grad);
/// // The first bias-corrected step is γ·g/(|g| + ε): lr against the sign of the gradient.
/// assert!((w[0] - 0.9).abs() < 1e-8);
/// assert!((w[1] + 1.9).abs() < 1e-8);
/// ```
#[derive(Debug, Clone)]
pub struct Adam<P: Params> {
    cfg: AdamConfig,
    tensors: Tensors,
    /// First moment `m` (PyTorch `exp_avg`).
    exp_avg: Vec<P::Scalar>,
    /// Second moment `v` (PyTorch `exp_avg_sq`).
    exp_avg_sq: Vec<P::Scalar>,
    /// Running maximum `v̂` of `v` (PyTorch `max_exp_avg_sq`; empty unless AMSGrad).
    max_exp_avg_sq: Vec<P::Scalar>,
    _params: PhantomData<fn(&P)>,
}

/// Adam with decoupled weight decay (PyTorch `torch.optim.AdamW`).
///
/// The same type as [`Adam`], built from an [`AdamWConfig`] (weight decay `1e-2` by
/// default): each step first shrinks the trainable entries, `θ ← θ (1 − γ λ)`, then applies
/// the Adam update to the plain gradient.
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::{AdamW, AdamWConfig, Optimizer};
/// use nalgebra::SVector;
///
/// let mut w = SVector::<f64, 2>::new(1.0, -2.0);
/// let mut opt = AdamW::new(&w, AdamWConfig { lr: 0.1, weight_decay: 0.5, ..Default::default() });
/// let grad = 2.0 * w;
/// opt.step(&mut w, &grad);
/// // Shrink by 1 − 0.1·0.5 = 0.95, then the first Adam step of size lr.
/// assert!((w[0] - (0.95 - 0.1)).abs() < 1e-8);
/// assert!((w[1] - (-1.9 + 0.1)).abs() < 1e-8);
/// ```
pub type AdamW<P> = Adam<P>;

impl<P: Params> Adam<P> {
    /// Builds the optimizer for `params` (used only for its layout), allocating its moment
    /// buffers. `cfg` is an [`AdamConfig`] or an [`AdamWConfig`].
    ///
    /// # Panics
    /// Like PyTorch: if `lr`, `eps` or `weight_decay` is negative, or a beta is outside
    /// `[0, 1)`.
    pub fn new(params: &P, cfg: impl Into<AdamConfig>) -> Self {
        let cfg = cfg.into();
        check_lr(cfg.lr);
        check(cfg.eps >= 0.0, "epsilon value", cfg.eps);
        check(
            (0.0..1.0).contains(&cfg.betas.0),
            "beta parameter at index 0",
            cfg.betas.0,
        );
        check(
            (0.0..1.0).contains(&cfg.betas.1),
            "beta parameter at index 1",
            cfg.betas.1,
        );
        check(
            cfg.weight_decay >= 0.0,
            "weight_decay value",
            cfg.weight_decay,
        );
        let tensors = Tensors::new(params);
        let zeros = |n| vec![P::Scalar::of_f64(0.0); n];
        Adam {
            cfg,
            exp_avg: zeros(tensors.total()),
            exp_avg_sq: zeros(tensors.total()),
            max_exp_avg_sq: zeros(if cfg.amsgrad { tensors.total() } else { 0 }),
            tensors,
            _params: PhantomData,
        }
    }

    /// The hyperparameters, including the current learning rate.
    pub fn config(&self) -> &AdamConfig {
        &self.cfg
    }
}

impl_freeze!(Adam);

/// The per-entry Adam update without weight decay or AMSGrad, as one tight loop.
struct AdamKernel<T> {
    beta1: T,
    one_minus_b1: T,
    beta2: T,
    one_minus_b2: T,
    inv_bias_correction2_sqrt: T,
    eps: T,
    step_size: T,
    flush: T,
}

impl<T: Real> AdamKernel<T> {
    #[inline(always)]
    fn body(&self, p: &mut [T], g: &[T], m: &mut [T], v: &mut [T]) {
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
            *m = flush_subnormal(self.beta1 * *m + self.one_minus_b1 * g, self.flush);
            *v = flush_subnormal(self.beta2 * *v + self.one_minus_b2 * g * g, self.flush);
            let denom = v.sqrt() * self.inv_bias_correction2_sqrt + self.eps;
            *p -= self.step_size * (*m / denom);
        }
    }

    /// # Safety
    /// The CPU must support AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn body_avx(&self, p: &mut [T], g: &[T], m: &mut [T], v: &mut [T]) {
        self.body(p, g, m, v)
    }

    fn run(&self, p: &mut [T], g: &[T], m: &mut [T], v: &mut [T]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: AVX was just detected.
            return unsafe { self.body_avx(p, g, m, v) };
        }
        self.body(p, g, m, v)
    }
}

/// The smallest positive normal number of `T` (`f32::MIN_POSITIVE`, `f64::MIN_POSITIVE`).
#[inline(always)]
fn flush_threshold<T: Real>() -> T {
    T::of_f64(if T::DTYPE == "F32" {
        f32::MIN_POSITIVE as f64
    } else {
        f64::MIN_POSITIVE
    })
}

/// `x`, or `0` where `|x|` is subnormal.
///
/// Moment estimates of gradients that are (nearly) always zero decay geometrically into the
/// subnormal range, where each multiplication costs a microcode assist (~100 cycles on x86);
/// one such tensor made Adam the slowest part of an MNIST-sized training step. Flushing
/// changes the update by at most `lr · MIN_POSITIVE / eps` (about `1e-33` in `f32`): below
/// anything the parameters can represent next to a value of order one.
#[inline(always)]
fn flush_subnormal<T: Real>(x: T, min_positive: T) -> T {
    if x.abs() < min_positive { T::zero() } else { x }
}

impl<P: Params> Optimizer<P> for Adam<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let c = self.cfg;
        let of = <P::Scalar as Real>::of_f64;
        let (b1, b2) = c.betas;
        let l2 = c.weight_decay != 0.0 && !c.decoupled_weight_decay;
        let shrink = (c.weight_decay != 0.0 && c.decoupled_weight_decay)
            .then(|| of(1.0 - c.lr * c.weight_decay));
        let (wd, eps) = (of(c.weight_decay), of(c.eps));
        let (beta1, one_minus_b1, beta2, one_minus_b2) =
            (of(b1), of(1.0 - b1), of(b2), of(1.0 - b2));
        let (m, v, vmax) = (
            &mut self.exp_avg,
            &mut self.exp_avg_sq,
            &mut self.max_exp_avg_sq,
        );
        let flush = flush_threshold::<P::Scalar>();
        self.tensors.for_each(params, grads, |p, g, offset, t| {
            // Bias corrections in f64, once per tensor (its own step count).
            let t = i32::try_from(t).unwrap_or(i32::MAX);
            let step_size = of(c.lr / (1.0 - b1.powi(t)));
            let bias_correction2_sqrt = of((1.0 - b2.powi(t)).sqrt());
            let inv_bias_correction2_sqrt = of(1.0 / (1.0 - b2.powi(t)).sqrt());
            let range = offset..offset + p.len();
            let (m, v) = (&mut m[range.clone()], &mut v[range.clone()]);
            if !c.amsgrad && shrink.is_none() && !l2 {
                // The common case as a branch-free loop the compiler vectorizes (8 lanes
                // with AVX where the CPU has it).
                let k = AdamKernel {
                    beta1,
                    one_minus_b1,
                    beta2,
                    one_minus_b2,
                    inv_bias_correction2_sqrt,
                    eps,
                    step_size,
                    flush,
                };
                k.run(p, g, m, v);
                return;
            }
            let mut vmax = if c.amsgrad {
                Some(vmax[range].iter_mut())
            } else {
                None
            };
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                if let Some(s) = shrink {
                    *p *= s;
                }
                let g = if l2 { g + wd * *p } else { g };
                *m = flush_subnormal(beta1 * *m + one_minus_b1 * g, flush);
                *v = flush_subnormal(beta2 * *v + one_minus_b2 * g * g, flush);
                let v_hat = match vmax.as_mut().and_then(Iterator::next) {
                    Some(vmax) => {
                        *vmax = vmax.max(*v);
                        *vmax
                    }
                    None => *v,
                };
                let denom = v_hat.sqrt() / bias_correction2_sqrt + eps;
                *p -= step_size * (*m / denom);
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
    use crate::optim::{CosineAnnealingLR, Schedule};
    use nalgebra::{SMatrix, SVector};

    /// The algorithm in the `torch.optim.Adam` / `torch.optim.AdamW` docs, per scalar, in
    /// its textbook form (`m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`, `θ −= γ m̂ / (√v̂ + ε)`).
    fn adam_reference(cfg: AdamConfig, steps: usize) -> Vec<Vec<f64>> {
        let AdamConfig {
            lr,
            betas: (b1, b2),
            eps,
            weight_decay: wd,
            amsgrad,
            ..
        } = cfg;
        let decoupled = cfg.decoupled_weight_decay;
        let (mut m, mut v, mut v_max) = (Vec::new(), Vec::new(), Vec::new());
        reference(steps, |x, g, t| {
            m.resize(x.len(), 0.0);
            v.resize(x.len(), 0.0);
            v_max.resize(x.len(), 0.0);
            for i in 0..x.len() {
                let mut gi = g[i];
                if decoupled {
                    x[i] *= 1.0 - lr * wd;
                } else if wd != 0.0 {
                    gi += wd * x[i];
                }
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                let m_hat = m[i] / (1.0 - b1.powi(t as i32));
                let v_hat = if amsgrad {
                    v_max[i] = f64::max(v_max[i], v[i]);
                    v_max[i] / (1.0 - b2.powi(t as i32))
                } else {
                    v[i] / (1.0 - b2.powi(t as i32))
                };
                x[i] -= lr * m_hat / (v_hat.sqrt() + eps);
            }
        })
    }

    #[track_caller]
    fn check_against_reference(cfg: AdamConfig) -> Vec<Vec<f64>> {
        let actual = run(
            &mut Adam::new(&Net::initial(), cfg),
            &mut Net::initial(),
            10,
        );
        assert_trajectories_close(&actual, &adam_reference(cfg, 10), 1e-6);
        actual
    }

    fn adam(lr: f64, betas: (f64, f64), weight_decay: f64, amsgrad: bool) -> AdamConfig {
        AdamConfig {
            lr,
            betas,
            weight_decay,
            amsgrad,
            ..Default::default()
        }
    }

    #[test]
    fn adam_matches_pytorch() {
        check_against_reference(AdamConfig::default());
        check_against_reference(adam(0.1, (0.9, 0.999), 0.0, false));
        check_against_reference(adam(0.05, (0.5, 0.7), 0.0, false));
    }

    #[test]
    fn adam_l2_weight_decay_matches_pytorch() {
        check_against_reference(adam(0.1, (0.9, 0.999), 0.1, false));
    }

    #[test]
    fn amsgrad_matches_pytorch() {
        // A short second-moment memory makes v shrink as the gradients do, so the running
        // maximum really differs from v.
        let with = check_against_reference(adam(0.1, (0.9, 0.5), 0.0, true));
        let without = check_against_reference(adam(0.1, (0.9, 0.5), 0.0, false));
        assert_ne!(with.last(), without.last());
        check_against_reference(adam(0.1, (0.8, 0.5), 0.2, true));
    }

    #[test]
    fn adamw_matches_pytorch() {
        let cfg = AdamWConfig {
            lr: 0.1,
            weight_decay: 0.3,
            ..Default::default()
        };
        let actual = run(
            &mut AdamW::new(&Net::initial(), cfg),
            &mut Net::initial(),
            10,
        );
        assert_trajectories_close(&actual, &adam_reference(cfg.into(), 10), 1e-6);
        let l2 = run(
            &mut Adam::new(&Net::initial(), adam(0.1, (0.9, 0.999), 0.3, false)),
            &mut Net::initial(),
            10,
        );
        assert_ne!(
            actual.last(),
            l2.last(),
            "decoupled decay must differ from L2"
        );
        check_against_reference(
            AdamWConfig {
                lr: 0.1,
                betas: (0.9, 0.5),
                amsgrad: true,
                ..Default::default()
            }
            .into(),
        );
        check_against_reference(AdamWConfig::default().into());
    }

    #[test]
    fn defaults_are_pytorchs() {
        let a = AdamConfig::default();
        assert_eq!(
            (a.lr, a.betas, a.eps, a.weight_decay, a.amsgrad),
            (1e-3, (0.9, 0.999), 1e-8, 0.0, false)
        );
        assert!(!a.decoupled_weight_decay);
        let w = AdamConfig::from(AdamWConfig::default());
        assert_eq!(
            w,
            AdamConfig {
                weight_decay: 1e-2,
                decoupled_weight_decay: true,
                ..a
            }
        );
    }

    #[test]
    fn frozen_tensors_do_not_move_and_keep_their_state() {
        // Per-tensor step counts: l1's bias correction starts at t = 1 when it is unfrozen.
        check_freezing(
            || Adam::new(&Net::initial(), adam(0.1, (0.9, 0.99), 0.0, false)),
            |opt, prefixes| opt.set_frozen(prefixes),
        );
        check_freezing(
            || {
                AdamW::new(
                    &Net::initial(),
                    AdamWConfig {
                        lr: 0.1,
                        amsgrad: true,
                        ..Default::default()
                    },
                )
            },
            |opt, prefixes| opt.set_frozen(prefixes),
        );
    }

    #[test]
    fn f32_parameters_follow_the_f64_reference() {
        let grads = [
            [0.5f32, -1.0, 2.0, 0.0],
            [0.4, -0.2, 1.5, 1e-3],
            [-0.3, 0.1, 1.0, -2.0],
        ];
        let mut w = SVector::<f32, 4>::new(1.0, -1.0, 0.5, 2.0);
        let mut x: Vec<f64> = w.iter().map(|&v| v as f64).collect();
        let mut opt = Adam::new(
            &w,
            AdamConfig {
                lr: 0.01,
                ..Default::default()
            },
        );
        let (mut m, mut v) = ([0.0f64; 4], [0.0f64; 4]);
        for (t, g) in grads.iter().enumerate() {
            let t = t as i32 + 1;
            opt.step(&mut w, &SVector::from(*g));
            for i in 0..4 {
                let gi = g[i] as f64;
                m[i] = 0.9 * m[i] + 0.1 * gi;
                v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                let (m_hat, v_hat) = (
                    m[i] / (1.0 - 0.9f64.powi(t)),
                    v[i] / (1.0 - 0.999f64.powi(t)),
                );
                x[i] -= 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
                assert!(
                    (w[i] as f64 - x[i]).abs() <= 1e-6 * x[i].abs(),
                    "step {t}, entry {i}"
                );
            }
        }
    }

    #[test]
    fn adam_minimizes_a_convex_quadratic() {
        // f(x) = ½ xᵀ A x − bᵀ x with A symmetric positive definite and not diagonal.
        let a = SMatrix::<f64, 3, 3>::new(4.0, 1.0, 0.5, 1.0, 3.0, -0.5, 0.5, -0.5, 2.0);
        let b = SVector::<f64, 3>::new(1.0, -2.0, 0.5);
        let x_star = a.try_inverse().unwrap() * b;
        let f = |x: &SVector<f64, 3>| 0.5 * x.dot(&(a * x)) - b.dot(x);
        let mut x = SVector::<f64, 3>::new(3.0, 3.0, -3.0);
        let mut opt = Adam::new(
            &x,
            AdamConfig {
                lr: 0.1,
                ..Default::default()
            },
        );
        let schedule = CosineAnnealingLR::new(0.1, 500, 0.0);
        let mut gap = f(&x) - f(&x_star);
        assert!(gap > 10.0);
        for epoch in 0..500 {
            opt.set_learning_rate(schedule.lr(epoch));
            let grad = a * x - b;
            opt.step(&mut x, &grad);
            if epoch % 50 == 49 {
                let now = f(&x) - f(&x_star);
                assert!(
                    now < gap.max(1e-12),
                    "epoch {epoch}: gap {now:e} after {gap:e}"
                );
                gap = now;
            }
        }
        assert!((x - x_star).norm() < 1e-6, "x = {x}, x* = {x_star}");
    }

    #[test]
    #[should_panic(expected = "invalid beta parameter at index 1: 1")]
    fn beta_of_one_is_rejected() {
        Adam::new(
            &Net::initial(),
            AdamConfig {
                betas: (0.9, 1.0),
                ..Default::default()
            },
        );
    }
}
