//! Finite-difference gradient checking, as used by this crate's own tests and offered to users.
//!
//! Central differences `(f(x + eps) - f(x - eps)) / (2 eps)` in `f64`, compared entrywise with
//! `|analytic - numeric| <= atol + rtol * |numeric|` (PyTorch `gradcheck`'s defaults:
//! `eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`). Check away from kinks (`relu` at 0, `abs` at 0).
//!
//! ```
//! use autodiff_runtime::gradcheck::{check_gradient, Tolerance};
//! let f = |x: &[f64; 2]| x[0] * x[0] * x[1];
//! let x = [1.5, -2.0];
//! let analytic = [2.0 * x[0] * x[1], x[0] * x[0]];
//! check_gradient(f, &x, &analytic, Tolerance::default()).unwrap();
//! ```

use crate::{Params, Real};
use std::fmt;

/// Step and tolerances of a finite-difference check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Half-width of the central difference.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (relative to the numeric value).
    pub rtol: f64,
}

impl Default for Tolerance {
    /// PyTorch `gradcheck`'s defaults: `eps = 1e-6, atol = 1e-5, rtol = 1e-3`.
    fn default() -> Self {
        Tolerance {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// The first entry where an analytic gradient disagrees with finite differences.
#[derive(Debug, Clone, PartialEq)]
pub struct GradMismatch {
    /// Tensor name (dotted field path; empty for a bare value).
    pub tensor: String,
    /// Flat index inside the tensor (storage order).
    pub index: usize,
    /// The gradient under test.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
}

impl fmt::Display for GradMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.tensor.is_empty() {
            "<value>"
        } else {
            &self.tensor
        };
        write!(
            f,
            "gradient mismatch at {name}[{}]: analytic {:.9e}, finite differences {:.9e}",
            self.index, self.analytic, self.numeric
        )
    }
}

impl std::error::Error for GradMismatch {}

/// Flattens every entry of `p` into `f64`s, in visiting order.
pub fn flatten<P: Params>(p: &P) -> Vec<f64> {
    let mut out = Vec::new();
    p.visit(&mut String::new(), &mut |_, data, _| {
        out.extend(data.iter().map(|x| x.as_f64()))
    });
    out
}

/// Overwrites every entry of `p` from `values` (visiting order). Panics if lengths differ.
pub fn unflatten<P: Params>(p: &mut P, values: &[f64]) {
    let mut k = 0;
    p.visit_mut(&mut String::new(), &mut |_, data, _| {
        for x in data.iter_mut() {
            *x = <P::Scalar as Real>::of_f64(values[k]);
            k += 1;
        }
    });
    assert_eq!(k, values.len(), "unflatten: length mismatch");
}

/// `sum_i a_i b_i` over all entries.
pub fn dot<P: Params>(a: &P, b: &P) -> f64 {
    flatten(a).iter().zip(flatten(b)).map(|(x, y)| x * y).sum()
}

/// Central-difference gradient of a scalar function at `x`.
pub fn numeric_gradient<P: Params + Clone>(f: impl Fn(&P) -> f64, x: &P, eps: f64) -> P {
    let base = flatten(x);
    let mut grad = base.clone();
    let mut probe = x.clone();
    let mut values = base.clone();
    for i in 0..base.len() {
        values[i] = base[i] + eps;
        unflatten(&mut probe, &values);
        let up = f(&probe);
        values[i] = base[i] - eps;
        unflatten(&mut probe, &values);
        let down = f(&probe);
        values[i] = base[i];
        grad[i] = (up - down) / (2.0 * eps);
    }
    let mut out = x.zeros_like();
    unflatten(&mut out, &grad);
    out
}

/// Compares two gradients entrywise.
pub fn compare<P: Params>(analytic: &P, numeric: &P, tol: Tolerance) -> Result<(), GradMismatch> {
    let mut names = Vec::new();
    analytic.visit(&mut String::new(), &mut |name, data, _| {
        names.push((name.to_string(), data.len()))
    });
    let (a, n) = (flatten(analytic), flatten(numeric));
    let mut offset = 0;
    for (name, len) in names {
        for i in 0..len {
            let (x, y) = (a[offset + i], n[offset + i]);
            let ok = (x - y).abs() <= tol.atol + tol.rtol * y.abs();
            if !ok || x.is_nan() != y.is_nan() {
                return Err(GradMismatch {
                    tensor: name,
                    index: i,
                    analytic: x,
                    numeric: y,
                });
            }
        }
        offset += len;
    }
    Ok(())
}

/// Checks `analytic` against the central-difference gradient of `f` at `x`.
pub fn check_gradient<P: Params + Clone>(
    f: impl Fn(&P) -> f64,
    x: &P,
    analytic: &P,
    tol: Tolerance,
) -> Result<(), GradMismatch> {
    compare(analytic, &numeric_gradient(f, x, tol.eps), tol)
}

/// A deterministic pseudo-random value shaped like `p` with entries in `[-1, 1]`, used as
/// the cotangent when checking vector-valued functions.
pub fn pseudo_random_like<P: Params>(p: &P, seed: u64) -> P {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = p.zeros_like();
    out.visit_mut(&mut String::new(), &mut |_, data, _| {
        for x in data.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            *x = <P::Scalar as Real>::of_f64(2.0 * u - 1.0);
        }
    });
    out
}

/// Checks a vector-Jacobian product: for a random cotangent `d` of the output,
/// `vjp(x, d)` must equal the gradient of `x -> <d, f(x)>`.
pub fn check_vjp<X, Y>(
    f: impl Fn(&X) -> Y,
    vjp: impl Fn(&X, &Y) -> X,
    x: &X,
    tol: Tolerance,
) -> Result<(), GradMismatch>
where
    X: Params + Clone,
    Y: Params,
{
    let y = f(x);
    let d = pseudo_random_like(&y, 7);
    let analytic = vjp(x, &d);
    check_gradient(|x| dot(&d, &f(x)), x, &analytic, tol)
}
