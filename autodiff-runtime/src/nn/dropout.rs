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
        let kept = if self.p < 1.0 {
            c::<X::Scalar>(1.0 / (1.0 - self.p))
        } else {
            one
        };
        for m in mask.elems_mut() {
            *m = if self.keep.sample(&mut self.rng) {
                kept
            } else {
                zero::<X::Scalar>()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::check;
    use nalgebra::{SMatrix, SVector};

    #[test]
    fn dropout_matches_finite_differences() {
        let x = SMatrix::<f64, 3, 4>::from_fn(|i, j| (i as f64 - 1.0) * 0.7 + j as f64 * 0.3);
        let mask = Dropout::new(0.4, 11).mask_like(&x);
        check(
            &x,
            |x| dropout(x, &mask),
            |x, d| {
                let (y, p) = dropout_pullback(x, &mask);
                (y, p(d).0)
            },
        );
        check(
            &mask,
            |m| dropout(&x, m),
            |m, d| {
                let (y, p) = dropout_pullback(&x, m);
                (y, p(d).1)
            },
        );
    }

    #[test]
    fn masks_are_zero_or_rescaled_and_drop_about_p() {
        for p in [0.1, 0.5, 0.8] {
            let mut drop = Dropout::new(p, 3);
            let mask: SMatrix<f64, 100, 100> = drop.mask_like(&SMatrix::zeros());
            let kept = 1.0 / (1.0 - p);
            assert!(mask.iter().all(|&m| m == 0.0 || m == kept));
            let dropped = mask.iter().filter(|&&m| m == 0.0).count() as f64 / 1e4;
            // binomial standard deviation ≤ 0.005 at n = 10⁴
            assert!((dropped - p).abs() < 0.025, "p = {p}, dropped {dropped}");
            // inverted dropout keeps the mean
            assert!((mask.mean() - 1.0).abs() < 0.1 * kept);
        }
    }

    #[test]
    fn same_seed_same_masks() {
        let x = SVector::<f32, 64>::zeros();
        let (mut a, mut b, mut c) = (
            Dropout::new(0.5, 7),
            Dropout::new(0.5, 7),
            Dropout::new(0.5, 8),
        );
        let (a1, a2) = (a.mask_like(&x), a.mask_like(&x));
        assert_eq!((a1, a2), (b.mask_like(&x), b.mask_like(&x)));
        assert_ne!(a1, a2, "successive masks differ");
        assert_ne!(a1, c.mask_like(&x));
        // f64 masks drop the same entries as f32 masks drawn from the same state
        let m64 = Dropout::new(0.5, 7).mask_like(&SVector::<f64, 64>::zeros());
        assert_eq!(m64.map(|m| m as f32), a1);
    }

    #[test]
    fn eval_mode_and_edge_probabilities() {
        type V = SVector<f64, 16>;
        let x = V::repeat(3.0);
        let mut d = Dropout::new(0.5, 1);
        d.eval();
        assert_eq!(d.mask_like(&x), V::repeat(1.0));
        d.train();
        assert_ne!(d.mask_like(&x), V::repeat(1.0));
        assert_eq!(Dropout::new(0.0, 1).mask_like(&x), V::repeat(1.0));
        assert_eq!(Dropout::new(1.0, 1).mask_like(&x), V::zeros());
        let mut scalar = 5.0;
        Dropout::new(0.0, 1).fill_mask(&mut scalar);
        assert_eq!(scalar, 1.0);
        for bad in [-0.1, 1.5, f64::NAN] {
            assert!(Dropout::try_new(bad, 0).is_err());
        }
        assert_eq!(Dropout::new(0.25, 0).p(), 0.25);
    }

    #[test]
    #[should_panic(expected = "dropout probability")]
    fn invalid_probability_panics() {
        Dropout::new(2.0, 0);
    }
}
