//! Inverted dropout: [`dropout`] multiplies by a mask that [`Dropout`] draws.
//!
//! Splitting the random draw (not differentiable, stateful) from the multiplication
//! (differentiable, pure) keeps the differentiated code deterministic: the forward pass
//! and its pullback see the same mask, and tests can fix it.

use super::elementwise::{Elementwise, c, one, zero, zip_apply};
use rand::SeedableRng;
use rand::distr::{Bernoulli, BernoulliError, Distribution};
use rand_chacha::ChaCha8Rng;

/// Applies a dropout mask: `y = x ∘ mask`, entrywise.
///
/// The mask holds `0` (dropped) or `1 / (1 - p)` (kept, rescaled so the expected value is
/// unchanged), as drawn by [`Dropout::mask_like`]; in evaluation mode it is all ones.
/// Derivatives: `∂/∂x = d ∘ mask`; `∂/∂mask = d ∘ x`. The mask is differentiated like any
/// float argument for uniformity (the cost is one multiply per entry); ignore its cotangent.
/// PyTorch `nn.Dropout(p)` / Keras `layers.Dropout(rate)` with the mask made explicit.
///
/// ```
/// use autodiff_runtime::nn::{dropout, Dropout};
/// use nalgebra::SVector;
/// let x = SVector::<f32, 8>::repeat(1.0);
/// let mut drop = Dropout::new(0.5, 42);
/// let mask = drop.mask_like(&x);
/// let y = dropout(&x, &mask);
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// drop.eval();
/// assert_eq!(dropout(&x, &drop.mask_like(&x)), x);
/// ```
#[inline]
pub fn dropout<X: Elementwise>(x: &X, mask: &X) -> X {
    let mut y = x.clone();
    zip_apply(&mut y, mask, |x, m| x * m);
    y
}

/// Pullback of [`dropout`]: `(d ∘ mask, d ∘ x)`. The closure owns copies of `x` and `mask`
/// and turns them into the two cotangents in place.
#[inline]
pub fn dropout_pullback<X: Elementwise>(x: &X, mask: &X) -> (X, impl FnOnce(X) -> (X, X) + use<X>) {
    let (mut dx, mut dm) = (mask.clone(), x.clone());
    (dropout(x, mask), move |d: X| {
        zip_apply(&mut dx, &d, |m, d| d * m);
        zip_apply(&mut dm, &d, |x, d| d * x);
        (dx, dm)
    })
}

/// Draws dropout masks: each entry is dropped (`0`) with probability `p` and otherwise kept
/// and scaled by `1 / (1 - p)`. In evaluation mode (`training == false`) masks are all ones
/// and the random stream does not advance.
///
/// Seeded with [`ChaCha8Rng`]: the same seed gives the same sequence of masks, independent
/// of the scalar type (an `f32` and an `f64` mask drawn from the same state drop the same
/// entries).
#[derive(Clone, Debug)]
pub struct Dropout {
    /// Whether masks are random (`true`) or all ones (`false`).
    pub training: bool,
    p: f64,
    keep: Bernoulli,
    rng: ChaCha8Rng,
}

impl Dropout {
    /// Dropout with drop probability `p` in training mode, seeded with `seed`.
    ///
    /// # Panics
    ///
    /// If `p` is not in `[0, 1]`; see [`Dropout::try_new`].
    pub fn new(p: f64, seed: u64) -> Self {
        match Self::try_new(p, seed) {
            Ok(d) => d,
            Err(_) => panic!("dropout probability must be in [0, 1], got {p}"),
        }
    }

    /// Like [`Dropout::new`], returning an error if `p` is not in `[0, 1]`.
    pub fn try_new(p: f64, seed: u64) -> Result<Self, BernoulliError> {
        if !(0.0..=1.0).contains(&p) {
            return Err(BernoulliError::InvalidProbability);
        }
        Ok(Dropout {
            training: true,
            p,
            keep: Bernoulli::new(1.0 - p)?,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Switches to training mode (random masks).
    pub fn train(&mut self) {
        self.training = true;
    }

    /// Switches to evaluation mode (all-ones masks).
    pub fn eval(&mut self) {
        self.training = false;
    }

    /// A fresh mask shaped like `x` (only `x`'s shape is used).
    pub fn mask_like<X: Elementwise>(&mut self, x: &X) -> X {
        let mut mask = x.clone();
        self.fill_mask(&mut mask);
        mask
    }

    /// Overwrites `mask` with a fresh mask, without allocating.
    pub fn fill_mask<X: Elementwise>(&mut self, mask: &mut X) {
        let one = one::<X::Scalar>();
        if !self.training || self.p == 0.0 {
            mask.elems_mut().fill(one);
            return;
        }
        let kept = if self.p < 1.0 { c::<X::Scalar>(1.0 / (1.0 - self.p)) } else { one };
        for m in mask.elems_mut() {
            *m = if self.keep.sample(&mut self.rng) { kept } else { zero::<X::Scalar>() };
        }
    }
}
