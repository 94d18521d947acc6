//! Harness of the AD-suite tests (`tests/suite_*.rs`).
//!
//! Each case wraps a user function `f` and the `f_grad` that `#[differentiate]` wrote for it
//! behind flat `&[f64]` signatures, and is evaluated at a few points chosen in the function's
//! smooth domain. The generated gradient is compared with central finite differences of the
//! ORIGINAL function (eps 1e-6, atol 1e-5, rtol 1e-3); the value returned by `f_grad` must
//! equal `f`'s. A second difference with eps 1e-4 guards against points chosen too close to
//! a kink (the case is then reported as a bad point, a mistake of the suite, not of the macro).
//!
//! Cases with `known: Some(reason)` are known to produce a wrong gradient; the test requires
//! them to still disagree (strict xfail), so a fix shows up as a failure asking to move them.
//! `AUTODIFF_SUITE_VERBOSE=1` prints one line per case.

#![allow(dead_code)]

use nalgebra::{SMatrix, SVector};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub const EPS: f64 = 1e-6;
pub const ATOL: f64 = 1e-5;
pub const RTOL: f64 = 1e-3;

pub struct Case {
    pub name: &'static str,
    pub f: fn(&[f64]) -> f64,
    pub g: fn(&[f64]) -> (f64, Vec<f64>),
    pub points: &'static [&'static [f64]],
    /// `Some(reason)`: the generated gradient is known to be wrong.
    pub known: Option<&'static str>,
}

/// Flattens a gradient (scalar, array, nalgebra value or tuple of those) into a `Vec`.
pub trait Flat {
    fn flat_into(&self, out: &mut Vec<f64>);
    fn flat(&self) -> Vec<f64> {
        let mut v = Vec::new();
        self.flat_into(&mut v);
        v
    }
}

impl Flat for f64 {
    fn flat_into(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}

impl<T: Flat, const N: usize> Flat for [T; N] {
    fn flat_into(&self, out: &mut Vec<f64>) {
        for t in self {
            t.flat_into(out);
        }
    }
}

impl<const R: usize, const C: usize> Flat for SMatrix<f64, R, C> {
    fn flat_into(&self, out: &mut Vec<f64>) {
        // Column-major, as nalgebra stores it.
        out.extend(self.iter().copied());
    }
}

macro_rules! flat_tuple {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Flat),+> Flat for ($($t,)+) {
            fn flat_into(&self, out: &mut Vec<f64>) {
                $(self.$i.flat_into(out);)+
            }
        }
    };
}
flat_tuple!(A 0);
flat_tuple!(A 0, B 1);
flat_tuple!(A 0, B 1, C 2);
flat_tuple!(A 0, B 1, C 2, D 3);
flat_tuple!(A 0, B 1, C 2, D 3, E 4);
flat_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);

/// `[f64; N]` from a slice of the flat input.
pub fn arr<const N: usize>(x: &[f64]) -> [f64; N] {
    x.try_into().expect("slice length")
}

/// `SVector` from a slice of the flat input.
pub fn svec<const N: usize>(x: &[f64]) -> SVector<f64, N> {
    SVector::from_column_slice(x)
}

/// `SMatrix` from a column-major slice of the flat input.
pub fn smat<const R: usize, const C: usize>(x: &[f64]) -> SMatrix<f64, R, C> {
    SMatrix::from_column_slice(x)
}

/// A case whose generated gradient should agree with finite differences.
///
/// `case!(module, |x| (args..), points)` calls `module::f(args..)` and `module::f_grad(args..)`.
#[macro_export]
macro_rules! case {
    ($m:ident, |$x:ident| ($($arg:expr),* $(,)?), $pts:expr $(,)?) => {
        $crate::suite_common::Case {
            name: stringify!($m),
            f: |$x: &[f64]| $m::f($($arg),*),
            g: |$x: &[f64]| {
                let (v, g) = $m::f_grad($($arg),*);
                (v, $crate::suite_common::Flat::flat(&g))
            },
            points: $pts,
            known: None,
        }
    };
    ($m:ident, |$x:ident| ($($arg:expr),* $(,)?), $pts:expr, known = $why:expr $(,)?) => {
        $crate::suite_common::Case {
            known: Some($why),
            ..$crate::case!($m, |$x| ($($arg),*), $pts)
        }
    };
}

#[derive(Debug)]
pub enum Outcome {
    Agree,
    /// The generated gradient or value disagrees with the original function.
    Wrong(String),
    /// `f_grad` panicked.
    Panic(String),
    /// Finite differences with two step sizes disagree: the point is too close to a kink.
    BadPoint(String),
}

fn fd(f: fn(&[f64]) -> f64, x: &[f64], i: usize, eps: f64) -> f64 {
    let mut xp = x.to_vec();
    let mut xm = x.to_vec();
    xp[i] += eps;
    xm[i] -= eps;
    (f(&xp) - f(&xm)) / (2.0 * eps)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ATOL + RTOL * b.abs()
}

pub fn check_point(case: &Case, x: &[f64]) -> Outcome {
    let value = (case.f)(x);
    let numeric: Vec<f64> = (0..x.len()).map(|i| fd(case.f, x, i, EPS)).collect();
    let coarse: Vec<f64> = (0..x.len()).map(|i| fd(case.f, x, i, 1e-4)).collect();
    for i in 0..x.len() {
        if !numeric[i].is_finite()
            || (numeric[i] - coarse[i]).abs() > 1e-3 * (1.0 + numeric[i].abs())
        {
            return Outcome::BadPoint(format!(
                "at {x:?}: fd(1e-6)[{i}] = {} vs fd(1e-4)[{i}] = {}",
                numeric[i], coarse[i]
            ));
        }
    }
    let g = case.g;
    let got = match catch_unwind(AssertUnwindSafe(|| g(x))) {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Panic(format!("at {x:?}: {msg}"));
        }
    };
    let (v, grad) = got;
    if !(v == value || (v - value).abs() <= 1e-12 * value.abs().max(1.0)) {
        return Outcome::Wrong(format!("at {x:?}: value {v} but f = {value}"));
    }
    if grad.len() != numeric.len() {
        return Outcome::Wrong(format!(
            "at {x:?}: gradient has {} entries, input {}",
            grad.len(),
            numeric.len()
        ));
    }
    if grad.iter().zip(&numeric).all(|(&a, &n)| close(a, n)) {
        Outcome::Agree
    } else {
        Outcome::Wrong(format!(
            "at {x:?}: got {grad:?}, finite differences {numeric:?}"
        ))
    }
}

/// Runs every case at every point; panics on a bad point, on a case expected to agree that
/// does not, and on a known-wrong case that now agrees.
pub fn run(suite: &str, cases: &[Case]) {
    let verbose = std::env::var_os("AUTODIFF_SUITE_VERBOSE").is_some();
    let mut problems = Vec::new();
    let (mut agree, mut wrong) = (0, 0);
    for case in cases {
        assert!(case.points.len() >= 3, "{}: fewer than 3 points", case.name);
        let outcomes: Vec<Outcome> = case.points.iter().map(|x| check_point(case, x)).collect();
        let bad: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| !matches!(o, Outcome::Agree))
            .collect();
        if let Some(o @ Outcome::BadPoint(_)) =
            bad.iter().find(|o| matches!(o, Outcome::BadPoint(_)))
        {
            problems.push(format!("{suite}/{}: bad point: {o:?}", case.name));
            continue;
        }
        let status = if bad.is_empty() { "agree" } else { "WRONG" };
        if bad.is_empty() {
            agree += 1;
        } else {
            wrong += 1;
        }
        if verbose {
            let detail = bad.first().map(|o| format!("{o:?}")).unwrap_or_default();
            println!(
                "SUITE\t{suite}\t{}\t{status}\t{}/{}\t{detail}",
                case.name,
                outcomes.len() - bad.len(),
                outcomes.len()
            );
        }
        match (case.known, bad.is_empty()) {
            (None, false) => {
                problems.push(format!("{suite}/{}: {:?}", case.name, bad[0]));
            }
            (Some(why), true) => {
                problems.push(format!(
                    "{suite}/{}: listed as known-wrong ({why}) but now agrees at every point",
                    case.name
                ));
            }
            _ => {}
        }
    }
    println!(
        "{suite}: {} cases, {agree} agree, {wrong} wrong",
        cases.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
