//! Learning-rate schedules: the learning rate as a function of the epoch (PyTorch
//! `torch.optim.lr_scheduler`, closed forms).
//!
//! A schedule does not hold an optimizer; the training loop applies it:
//!
//! ```
//! use autodiff_runtime::optim::{Optimizer, Schedule, Sgd, SgdConfig, StepLR};
//! use nalgebra::SVector;
//!
//! let mut w = SVector::<f64, 3>::zeros();
//! let mut opt = Sgd::new(&w, SgdConfig { lr: 0.1, ..Default::default() });
//! let schedule = StepLR::new(0.1, 30, 0.1);
//! for epoch in 0..90 {
//!     opt.set_learning_rate(schedule.lr(epoch));
//!     // ... one epoch of `opt.step(&mut w, &grads)` ...
//! }
//! assert!((opt.learning_rate() - 1e-3).abs() < 1e-15);
//! ```
//!
//! Epoch `0` gives the base learning rate, like a freshly built PyTorch scheduler; calling
//! `scheduler.step()` at the end of epoch `e` in PyTorch corresponds to `lr(e + 1)` here.
//! Any `Fn(usize) -> f64` is a schedule too (PyTorch `LambdaLR`, returning the learning rate
//! itself rather than a factor).

/// A learning rate for every epoch.
pub trait Schedule {
    /// The learning rate to use during `epoch` (counted from 0).
    fn lr(&self, epoch: usize) -> f64;
}

impl<F: Fn(usize) -> f64> Schedule for F {
    fn lr(&self, epoch: usize) -> f64 {
        self(epoch)
    }
}

/// Step decay: `lr(e) = base_lr · γ^⌊e / step_size⌋` (PyTorch `StepLR`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLR {
    base_lr: f64,
    step_size: usize,
    gamma: f64,
}

impl StepLR {
    /// Multiplies `base_lr` by `gamma` every `step_size` epochs (PyTorch's default `gamma` is
    /// `0.1`).
    ///
    /// # Panics
    /// If `step_size` is 0.
    pub fn new(base_lr: f64, step_size: usize, gamma: f64) -> Self {
        assert!(step_size > 0, "invalid step_size: 0, expected at least 1");
        StepLR {
            base_lr,
            step_size,
            gamma,
        }
    }
}

impl Schedule for StepLR {
    fn lr(&self, epoch: usize) -> f64 {
        self.base_lr * self.gamma.powf((epoch / self.step_size) as f64)
    }
}

/// Exponential decay: `lr(e) = base_lr · γ^e` (PyTorch `ExponentialLR`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialLR {
    base_lr: f64,
    gamma: f64,
}

impl ExponentialLR {
    /// Multiplies `base_lr` by `gamma` every epoch.
    pub fn new(base_lr: f64, gamma: f64) -> Self {
        ExponentialLR { base_lr, gamma }
    }
}

impl Schedule for ExponentialLR {
    fn lr(&self, epoch: usize) -> f64 {
        self.base_lr * self.gamma.powf(epoch as f64)
    }
}

/// Cosine annealing from `base_lr` down to `eta_min` over `t_max` epochs (PyTorch
/// `CosineAnnealingLR`, its closed form; SGDR without restarts):
///
/// ```text
/// lr(e) = η_min + (base_lr − η_min) · (1 + cos(π e / T_max)) / 2
/// ```
///
/// Past `t_max` the closed form keeps following the cosine (back up towards `base_lr` at
/// `2 t_max`), as PyTorch's does; stop training at `t_max` or clamp the epoch for a floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingLR {
    base_lr: f64,
    t_max: usize,
    eta_min: f64,
}

impl CosineAnnealingLR {
    /// Anneals from `base_lr` at epoch 0 to `eta_min` at epoch `t_max` (PyTorch's default
    /// `eta_min` is `0`).
    ///
    /// # Panics
    /// If `t_max` is 0.
    pub fn new(base_lr: f64, t_max: usize, eta_min: f64) -> Self {
        assert!(t_max > 0, "invalid t_max: 0, expected at least 1");
        CosineAnnealingLR {
            base_lr,
            t_max,
            eta_min,
        }
    }
}

impl Schedule for CosineAnnealingLR {
    fn lr(&self, epoch: usize) -> f64 {
        let phase = std::f64::consts::PI * epoch as f64 / self.t_max as f64;
        self.eta_min + (self.base_lr - self.eta_min) * (1.0 + phase.cos()) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn step_lr_decays_every_step_size_epochs() {
        let s = StepLR::new(0.1, 30, 0.1);
        for (epoch, want) in [
            (0, 0.1),
            (1, 0.1),
            (29, 0.1),
            (30, 0.01),
            (59, 0.01),
            (60, 0.001),
            (95, 1e-4),
        ] {
            assert!(
                close(s.lr(epoch), want),
                "epoch {epoch}: {} != {want}",
                s.lr(epoch)
            );
        }
    }

    #[test]
    fn exponential_lr_is_geometric() {
        let s = ExponentialLR::new(0.5, 0.9);
        assert_eq!(s.lr(0), 0.5);
        assert!(close(s.lr(1), 0.45));
        assert!(close(s.lr(5), 0.5 * 0.9 * 0.9 * 0.9 * 0.9 * 0.9));
        assert!(close(s.lr(100), 0.5 * 0.9f64.powi(100)));
    }

    #[test]
    fn cosine_annealing_matches_closed_form() {
        let s = CosineAnnealingLR::new(0.1, 10, 0.001);
        assert!(close(s.lr(0), 0.1));
        assert!(close(s.lr(5), 0.001 + 0.099 / 2.0));
        assert!(close(s.lr(10), 0.001));
        let at3 = 0.001 + 0.099 * (1.0 + (0.3 * PI).cos()) / 2.0;
        assert!(close(s.lr(3), at3));
        // Past t_max it follows the cosine back up, as PyTorch's closed form does.
        assert!(close(s.lr(17), s.lr(3)));
        assert!(close(s.lr(20), 0.1));
        // Decreasing on [0, t_max].
        assert!((0..10).all(|e| s.lr(e + 1) < s.lr(e)));
    }

    #[test]
    fn cosine_annealing_agrees_with_pytorch_recursive_form() {
        // PyTorch's chainable update for 0 < e <= t_max (no restarts):
        // lr_e = (1 + cos(π e/T)) / (1 + cos(π (e−1)/T)) · (lr_{e−1} − η_min) + η_min.
        let (base, t_max, eta_min) = (0.05, 7, 0.002);
        let s = CosineAnnealingLR::new(base, t_max, eta_min);
        let mut lr = base;
        for e in 1..=t_max {
            let (now, before) = (
                (PI * e as f64 / 7.0).cos(),
                (PI * (e - 1) as f64 / 7.0).cos(),
            );
            lr = (1.0 + now) / (1.0 + before) * (lr - eta_min) + eta_min;
            assert!((s.lr(e) - lr).abs() < 1e-15, "epoch {e}");
        }
    }

    #[test]
    fn closures_are_schedules() {
        let warmup = |e: usize| 0.1 * ((e + 1) as f64 / 5.0).min(1.0);
        assert!(close(warmup.lr(0), 0.02));
        assert!(close(warmup.lr(10), 0.1));
    }

    #[test]
    #[should_panic(expected = "invalid step_size")]
    fn step_lr_rejects_zero_step_size() {
        StepLR::new(0.1, 0, 0.1);
    }
}
