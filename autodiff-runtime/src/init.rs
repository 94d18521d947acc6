//! Weight initializers: Xavier/Glorot and He/Kaiming (uniform and normal) and zeros.
//!
//! A weight matrix is stored `out × in` (PyTorch's `nn.Linear` layout), so for an
//! `SMatrix<T, R, C>` the fan-in is `C` (columns) and the fan-out is `R` (rows).
//!
//! | initializer | distribution | variance | PyTorch | Keras |
//! |---|---|---|---|---|
//! | [`xavier_uniform`] | `U(-a, a)`, `a = √(6 / (fan_in + fan_out))` | `2 / (fan_in + fan_out)` | `xavier_uniform_` | `GlorotUniform` |
//! | [`xavier_normal`] | `N(0, σ²)`, `σ = √(2 / (fan_in + fan_out))` | `2 / (fan_in + fan_out)` | `xavier_normal_` | `GlorotNormal`¹ |
//! | [`he_uniform`] | `U(-a, a)`, `a = √(6 / fan_in)` | `2 / fan_in` | `kaiming_uniform_(nonlinearity='relu')` | `HeUniform` |
//! | [`he_normal`] | `N(0, σ²)`, `σ = √(2 / fan_in)` | `2 / fan_in` | `kaiming_normal_(nonlinearity='relu')` | `HeNormal`¹ |
//! | [`zeros`] | `0` | `0` | `zeros_` | `Zeros` |
//!
//! ¹ Keras draws from a normal truncated at 2σ (rescaled to keep the variance); we follow
//! PyTorch and draw from the plain normal.
//!
//! Samples are drawn in `f64` and rounded to `T`, in storage (column-major) order, so the same
//! RNG state gives the same weights for `f32` and `f64` (up to rounding). Seeded helpers
//! ([`crate::nn::Dense::he_normal`] …) use [`rand_chacha::ChaCha8Rng`], which is reproducible
//! across platforms and releases.

use crate::Real;
use nalgebra::SMatrix;
use rand::Rng;
use rand::distr::{Distribution, Uniform};
use rand_distr::Normal;

/// Which initializer to use, for code that takes it as a setting
/// (`Dense::init(Init::HeNormal, &mut rng)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Init {
    /// All zeros.
    Zeros,
    /// Xavier/Glorot uniform.
    XavierUniform,
    /// Xavier/Glorot normal.
    XavierNormal,
    /// He/Kaiming uniform (for ReLU networks).
    HeUniform,
    /// He/Kaiming normal (for ReLU networks).
    HeNormal,
}

impl Init {
    /// The standard deviation of the entries this initializer draws for the given fans.
    ///
    /// ```
    /// use autodiff_runtime::init::Init;
    /// assert!((Init::HeNormal.std_dev(50, 7) - 0.2).abs() < 1e-15);
    /// assert!((Init::XavierUniform.std_dev(30, 20) - 0.2).abs() < 1e-15);
    /// ```
    pub fn std_dev(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Zeros => 0.0,
            Init::XavierUniform | Init::XavierNormal => (2.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::HeUniform | Init::HeNormal => (2.0 / fan_in as f64).sqrt(),
        }
    }

    /// Overwrites `data` with fresh samples for a tensor with the given fans.
    pub fn fill<T: Real, G: Rng + ?Sized>(
        self,
        data: &mut [T],
        fan_in: usize,
        fan_out: usize,
        rng: &mut G,
    ) {
        if data.is_empty() {
            return;
        }
        let std = self.std_dev(fan_in, fan_out);
        match self {
            Init::Zeros => data.fill(T::zero()),
            Init::XavierUniform | Init::HeUniform => {
                // Uniform on [-a, a) has variance a² / 3.
                let a = std * 3f64.sqrt();
                let dist = Uniform::new(-a, a).expect("initializer bound is finite and positive");
                for x in data {
                    *x = T::of_f64(dist.sample(rng));
                }
            }
            Init::XavierNormal | Init::HeNormal => {
                let dist = Normal::new(0.0, std).expect("initializer std is finite");
                for x in data {
                    *x = T::of_f64(dist.sample(rng));
                }
            }
        }
    }

    /// Overwrites `m` with fresh samples (`fan_in = C`, `fan_out = R`).
    pub fn fill_matrix<T: Real, G: Rng + ?Sized, const R: usize, const C: usize>(
        self,
        m: &mut SMatrix<T, R, C>,
        rng: &mut G,
    ) {
        self.fill(m.as_mut_slice(), C, R, rng);
    }

    /// A fresh `R × C` matrix (`fan_in = C`, `fan_out = R`).
    pub fn matrix<T: Real, G: Rng + ?Sized, const R: usize, const C: usize>(
        self,
        rng: &mut G,
    ) -> SMatrix<T, R, C> {
        let mut m = SMatrix::zeros();
        self.fill_matrix(&mut m, rng);
        m
    }
}

/// Xavier/Glorot uniform: `U(-a, a)` with `a = √(6 / (fan_in + fan_out))`.
///
/// ```
/// use autodiff_runtime::init::xavier_uniform;
/// use nalgebra::SMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let w: SMatrix<f32, 3, 5> = xavier_uniform(&mut rng);
/// assert!(w.iter().all(|x| x.abs() <= (6.0f32 / 8.0).sqrt()));
/// ```
pub fn xavier_uniform<T: Real, const R: usize, const C: usize>(
    rng: &mut (impl Rng + ?Sized),
) -> SMatrix<T, R, C> {
    Init::XavierUniform.matrix(rng)
}

/// Xavier/Glorot normal: `N(0, 2 / (fan_in + fan_out))`.
pub fn xavier_normal<T: Real, const R: usize, const C: usize>(
    rng: &mut (impl Rng + ?Sized),
) -> SMatrix<T, R, C> {
    Init::XavierNormal.matrix(rng)
}

/// He/Kaiming uniform: `U(-a, a)` with `a = √(6 / fan_in)`.
pub fn he_uniform<T: Real, const R: usize, const C: usize>(
    rng: &mut (impl Rng + ?Sized),
) -> SMatrix<T, R, C> {
    Init::HeUniform.matrix(rng)
}

/// He/Kaiming normal: `N(0, 2 / fan_in)`.
pub fn he_normal<T: Real, const R: usize, const C: usize>(
    rng: &mut (impl Rng + ?Sized),
) -> SMatrix<T, R, C> {
    Init::HeNormal.matrix(rng)
}

/// All zeros (the RNG is not used; the parameter keeps the signature uniform).
pub fn zeros<T: Real, const R: usize, const C: usize>(
    _rng: &mut (impl Rng + ?Sized),
) -> SMatrix<T, R, C> {
    SMatrix::zeros()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(m: &[f64]) -> (f64, f64) {
        let n = m.len() as f64;
        let mean = m.iter().sum::<f64>() / n;
        let var = m.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn variances_match_the_formulas() {
        // 200 × 300: fan_out = 200, fan_in = 300, 60 000 samples: the relative standard error
        // of a sample variance is about √(2/n) ≈ 0.6 % (normal), less for uniform.
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        type Draw = fn(&mut ChaCha8Rng) -> SMatrix<f64, 200, 300>;
        let cases: [(Draw, f64, bool); 4] = [
            (xavier_uniform, 2.0 / 500.0, true),
            (xavier_normal, 2.0 / 500.0, false),
            (he_uniform, 2.0 / 300.0, true),
            (he_normal, 2.0 / 300.0, false),
        ];
        for (init, expected, uniform) in cases {
            let m = init(&mut rng);
            let (mean, var) = moments(m.as_slice());
            assert!(
                (var / expected - 1.0).abs() < 0.03,
                "variance {var}, expected {expected}"
            );
            assert!(mean.abs() < 4.0 * (expected / 6e4).sqrt(), "mean {mean}");
            let bound = (3.0 * expected).sqrt();
            let max = m.amax();
            if uniform {
                assert!(
                    max <= bound && max > 0.99 * bound,
                    "max {max}, bound {bound}"
                );
            } else {
                assert!(max > bound, "a normal sample of 60 000 exceeds √3 σ");
            }
        }
        assert_eq!(zeros::<f64, 3, 2>(&mut rng), SMatrix::<f64, 3, 2>::zeros());
    }

    #[test]
    fn same_seed_same_weights() {
        for init in [
            Init::XavierUniform,
            Init::XavierNormal,
            Init::HeUniform,
            Init::HeNormal,
        ] {
            let a: SMatrix<f32, 8, 5> = init.matrix(&mut ChaCha8Rng::seed_from_u64(42));
            let b: SMatrix<f32, 8, 5> = init.matrix(&mut ChaCha8Rng::seed_from_u64(42));
            let c: SMatrix<f32, 8, 5> = init.matrix(&mut ChaCha8Rng::seed_from_u64(43));
            assert_eq!(a, b);
            assert_ne!(a, c);
            let d: SMatrix<f64, 8, 5> = init.matrix(&mut ChaCha8Rng::seed_from_u64(42));
            assert_eq!(
                d.map(|v| v as f32),
                a,
                "f32 weights are the f64 draws rounded"
            );
        }
    }

    #[test]
    fn dense_uses_fan_in_columns() {
        // weight is O × I = 40 × 400: He variance 2 / 400, not 2 / 40
        let layer = crate::nn::Dense::<f64, 400, 40>::he_normal(5);
        let (_, var) = moments(layer.weight.as_slice());
        assert!((var / (2.0 / 400.0) - 1.0).abs() < 0.05, "variance {var}");
        let layer = crate::nn::Dense::<f64, 400, 40>::xavier_uniform(5);
        assert!(layer.weight.amax() <= (6.0f64 / 440.0).sqrt());
        assert_eq!(layer.bias, nalgebra::SVector::<f64, 40>::zeros());
    }
}
