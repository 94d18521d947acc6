//! Test support: a small two-layer parameter struct, a separable quadratic loss, and
//! helpers comparing optimizer trajectories with scalar reference implementations.

use super::{FreezeError, Optimizer};
use crate::Params;
use crate::gradcheck::{flatten, unflatten};
use crate::params::with_segment;
use nalgebra::{SMatrix, SVector};

/// A dense layer's parameters, `y = W x + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer<const I: usize, const O: usize> {
    pub weight: SMatrix<f64, O, I>,
    pub bias: SVector<f64, O>,
}

impl<const I: usize, const O: usize> Params for Layer<I, O> {
    type Scalar = f64;
    fn zeros_like(&self) -> Self {
        Layer {
            weight: self.weight.zeros_like(),
            bias: self.bias.zeros_like(),
        }
    }
    fn add_assign(&mut self, other: &Self) {
        self.weight += other.weight;
        self.bias += other.bias;
    }
    fn scale(&mut self, factor: f64) {
        self.weight *= factor;
        self.bias *= factor;
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[f64], &[usize])) {
        with_segment(name, "weight", |n| self.weight.visit(n, f));
        with_segment(name, "bias", |n| self.bias.visit(n, f));
    }
    fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [f64], &[usize])) {
        with_segment(name, "weight", |n| self.weight.visit_mut(n, f));
        with_segment(name, "bias", |n| self.bias.visit_mut(n, f));
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f64], &[f64])) {
        self.weight.zip_mut(&other.weight, f);
        self.bias.zip_mut(&other.bias, f);
    }
}

/// Tensors `l1.weight` (2x3), `l1.bias` (2), `l2.weight` (1x2), `l2.bias` (1): 11 entries,
/// of which the first [`L1_LEN`] belong to `l1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Net {
    pub l1: Layer<3, 2>,
    pub l2: Layer<2, 1>,
}

pub const L1_LEN: usize = 8;

impl Params for Net {
    type Scalar = f64;
    fn zeros_like(&self) -> Self {
        Net {
            l1: self.l1.zeros_like(),
            l2: self.l2.zeros_like(),
        }
    }
    fn add_assign(&mut self, other: &Self) {
        self.l1.add_assign(&other.l1);
        self.l2.add_assign(&other.l2);
    }
    fn scale(&mut self, factor: f64) {
        self.l1.scale(factor);
        self.l2.scale(factor);
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[f64], &[usize])) {
        with_segment(name, "l1", |n| self.l1.visit(n, f));
        with_segment(name, "l2", |n| self.l2.visit(n, f));
    }
    fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [f64], &[usize])) {
        with_segment(name, "l1", |n| self.l1.visit_mut(n, f));
        with_segment(name, "l2", |n| self.l2.visit_mut(n, f));
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f64], &[f64])) {
        self.l1.zip_mut(&other.l1, f);
        self.l2.zip_mut(&other.l2, f);
    }
}

impl Net {
    /// Entries `2 cos(1.3 i) + 0.1` in visiting order.
    pub fn initial() -> Net {
        let mut net = Net {
            l1: Layer {
                weight: SMatrix::zeros(),
                bias: SVector::zeros(),
            },
            l2: Layer {
                weight: SMatrix::zeros(),
                bias: SVector::zeros(),
            },
        };
        let n = net.num_params();
        unflatten(&mut net, &initial_flat(n));
        net
    }
}

pub fn initial_flat(n: usize) -> Vec<f64> {
    (0..n).map(|i| 2.0 * (1.3 * i as f64).cos() + 0.1).collect()
}

/// Gradient of the separable quadratic `½ Σ aᵢ (xᵢ − cᵢ)²` with `aᵢ = 0.5 + 0.75 (i mod 4)`,
/// `cᵢ = sin(0.7 i)`: `aᵢ (xᵢ − cᵢ)`.
pub fn quadratic_grad(x: &[f64]) -> Vec<f64> {
    x.iter()
        .enumerate()
        .map(|(i, x)| (0.5 + 0.75 * (i % 4) as f64) * (x - (0.7 * i as f64).sin()))
        .collect()
}

/// Runs `steps` steps of `opt` on [`Net`] under the quadratic loss, starting from `net`;
/// returns the flattened parameters after each step.
pub fn run<O: Optimizer<Net> + ?Sized>(opt: &mut O, net: &mut Net, steps: usize) -> Vec<Vec<f64>> {
    let mut grads = net.zeros_like();
    (0..steps)
        .map(|_| {
            unflatten(&mut grads, &quadratic_grad(&flatten(net)));
            opt.step(net, &grads);
            flatten(net)
        })
        .collect()
}

/// The reference trajectory: `update(x, g, t)` is a plain scalar implementation of the
/// published update rule, applied to the flattened parameters for `t = 1..=steps`.
pub fn reference(steps: usize, mut update: impl FnMut(&mut [f64], &[f64], usize)) -> Vec<Vec<f64>> {
    let mut x = initial_flat(Net::initial().num_params());
    (1..=steps)
        .map(|t| {
            let g = quadratic_grad(&x);
            update(&mut x, &g, t);
            x.clone()
        })
        .collect()
}

/// Asserts `|actual − expected| <= rtol |expected| + 1e-12` entrywise, step by step.
#[track_caller]
pub fn assert_trajectories_close(actual: &[Vec<f64>], expected: &[Vec<f64>], rtol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (step, (a, e)) in actual.iter().zip(expected).enumerate() {
        for (i, (a, e)) in a.iter().zip(e).enumerate() {
            assert!(
                (a - e).abs() <= rtol * e.abs() + 1e-12,
                "step {}, entry {i}: {a} vs reference {e}",
                step + 1
            );
        }
    }
    // The trajectory must actually move, or the comparison proves little.
    assert_ne!(expected.first(), expected.last());
}

/// Checks freezing on an optimizer built by `make`: with `l1` frozen for 3 steps, `l1` stays
/// put and `l2` follows the unfrozen trajectory; after unfreezing, `l1` starts from its own
/// first step (its state did not advance) while `l2` carries on.
#[track_caller]
pub fn check_freezing<O: Optimizer<Net>>(
    make: impl Fn() -> O,
    set_frozen: impl Fn(&mut O, &[&str]) -> Result<(), FreezeError>,
) {
    let full = run(&mut make(), &mut Net::initial(), 6);
    let start = flatten(&Net::initial());
    let mut opt = make();
    set_frozen(&mut opt, &["l1"]).unwrap();
    let mut net = Net::initial();
    let frozen = run(&mut opt, &mut net, 3);
    set_frozen(&mut opt, &[]).unwrap();
    let thawed = run(&mut opt, &mut net, 3);
    for k in 0..3 {
        assert_eq!(
            frozen[k][..L1_LEN],
            start[..L1_LEN],
            "frozen l1 moved at step {}",
            k + 1
        );
        assert_eq!(frozen[k][L1_LEN..], full[k][L1_LEN..]);
        assert_eq!(
            thawed[k][..L1_LEN],
            full[k][..L1_LEN],
            "l1's state advanced while frozen"
        );
        assert_eq!(thawed[k][L1_LEN..], full[k + 3][L1_LEN..]);
    }
    let err = set_frozen(&mut opt, &["l3"]).unwrap_err();
    assert_eq!(err.prefix, "l3");
}
