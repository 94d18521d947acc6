//! Random `#[differentiate]` programs checked against finite differences.
//!
//! The programs are generated (`cargo run --example gen_random_programs` writes
//! `tests/random_programs/programs.rs`, included below): functions in the supported language
//! — nested arithmetic, math methods within their domains, branches on differentiated values,
//! `for` loops with constant and runtime bounds, terminating `while` and `loop`/`break`,
//! early returns, arrays with index writes, nalgebra vectors and matrices, elementwise
//! closures, calls to other differentiated functions. Each has a *margin twin*, the same code
//! as plain Rust returning the distance to the nearest kink or branch boundary it met.
//!
//! At `POINTS` random points per program (entries uniform in `[-1.5, 1.5]`, the count `n` in
//! `0..4`), points with a margin below `1e-3` are skipped; at the others the value of
//! `NAME_grad` must equal `NAME(..)` and each gradient entry must match the central
//! difference of the *original* function (eps `1e-6`, atol `1e-5`, rtol `1e-3`).
//!
//! ```text
//! cargo test --test random_programs -- --nocapture   # per group: programs, points, disagreements
//! ```

#![allow(
    clippy::all,
    unused_mut,
    unused_variables,
    unused_parens,
    unused_braces,
    unused_assignments,
    dead_code
)]

use autodiff::differentiate;
use nalgebra::{SMatrix, SVector};
use std::cell::Cell;

/// A differentiated helper the programs call.
#[differentiate]
fn helper1(x: f64) -> f64 {
    x * x.sin() + 1.0
}

/// A differentiated helper of two arguments.
#[differentiate]
fn helper2(a: f64, b: f64) -> f64 {
    (a * b).tanh() + 0.5 * a
}

// Margin twins call these where the program has a kink or a comparison: each records the
// distance to the boundary in `m` and computes the same value. (A `Cell`, so that nested
// calls such as `__max(&m, __abs(&m, a), b)` borrow it only shared.)

fn __k(m: &Cell<f64>, d: f64) {
    m.set(m.get().min(d.abs()));
}
fn __gt(m: &Cell<f64>, a: f64, b: f64) -> bool {
    __k(m, a - b);
    a > b
}
fn __lt(m: &Cell<f64>, a: f64, b: f64) -> bool {
    __k(m, a - b);
    a < b
}
fn __ge(m: &Cell<f64>, a: f64, b: f64) -> bool {
    __k(m, a - b);
    a >= b
}
fn __le(m: &Cell<f64>, a: f64, b: f64) -> bool {
    __k(m, a - b);
    a <= b
}
fn __abs(m: &Cell<f64>, a: f64) -> f64 {
    __k(m, a);
    a.abs()
}
fn __max(m: &Cell<f64>, a: f64, b: f64) -> f64 {
    __k(m, a - b);
    a.max(b)
}
fn __min(m: &Cell<f64>, a: f64, b: f64) -> f64 {
    __k(m, a - b);
    a.min(b)
}
fn __clamp(m: &Cell<f64>, a: f64, lo: f64, hi: f64) -> f64 {
    __k(m, a - lo);
    __k(m, a - hi);
    a.clamp(lo, hi)
}
/// `atan2(s, o)` jumps by 2 pi across `s = 0` where `o < 0`, and is singular at the origin.
fn __atan2(m: &Cell<f64>, s: f64, o: f64) -> f64 {
    if o < 0.0 {
        __k(m, s);
    }
    __k(m, s.hypot(o));
    s.atan2(o)
}
fn __hypot(m: &Cell<f64>, a: f64, b: f64) -> f64 {
    __k(m, a.hypot(b));
    a.hypot(b)
}

/// One program: the function, its `_grad` and its margin twin, over a flat vector of the
/// differentiated entries (scalars, then arrays, vectors and matrices column-major), plus
/// the count `n` for programs that take one.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    dim: usize,
    f: fn(&[f64], usize) -> f64,
    grad: fn(&[f64], usize) -> (f64, Vec<f64>),
    margin: fn(&[f64], usize) -> f64,
}

const POINTS: usize = 6;
const EPS: f64 = 1e-6;
const ATOL: f64 = 1e-5;
const RTOL: f64 = 1e-3;
const MIN_MARGIN: f64 = 1e-3;

/// Programs with a known macro or rule bug, skipped here: each has a minimal failing case
/// in `tests/regression/pending_*.rs`.
const KNOWN_BAD: &[(&str, &str)] = &[];

/// Tallies of one group of programs.
#[derive(Default, Debug)]
struct Tally {
    programs: usize,
    points: usize,
    skipped: usize,
    entries: usize,
    failures: Vec<String>,
}

fn check(cases: &[Case], seed: u64) -> Tally {
    let mut t = Tally::default();
    let mut state = seed | 1;
    let mut unit = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for c in cases {
        t.programs += 1;
        for _ in 0..POINTS {
            let x: Vec<f64> = (0..c.dim).map(|_| 3.0 * unit() - 1.5).collect();
            let n = (unit() * 4.0) as usize;
            let margin = (c.margin)(&x, n);
            // The stencil must stay on one side of every kink, for every coordinate.
            if margin < MIN_MARGIN {
                t.skipped += 1;
                continue;
            }
            t.points += 1;
            let value = (c.f)(&x, n);
            let (gv, grad) = (c.grad)(&x, n);
            if (gv - value).abs() > 1e-12 * value.abs().max(1.0) {
                t.failures.push(format!(
                    "{}: value of _grad {gv:e} != f {value:e} at x = {x:?}, n = {n}",
                    c.name
                ));
            }
            if grad.len() != c.dim {
                t.failures.push(format!(
                    "{}: gradient has {} entries, expected {}",
                    c.name,
                    grad.len(),
                    c.dim
                ));
                continue;
            }
            for i in 0..c.dim {
                t.entries += 1;
                let mut p = x.clone();
                p[i] = x[i] + EPS;
                let up = (c.f)(&p, n);
                p[i] = x[i] - EPS;
                let down = (c.f)(&p, n);
                let numeric = (up - down) / (2.0 * EPS);
                let analytic = grad[i];
                let ok = (analytic - numeric).abs() <= ATOL + RTOL * numeric.abs();
                if !ok || analytic.is_nan() != numeric.is_nan() {
                    t.failures.push(format!(
                        "{}: d/dv[{i}] analytic {analytic:.9e} vs finite differences {numeric:.9e} at v = {x:?}, n = {n} (margin {margin:.2e})",
                        c.name
                    ));
                }
            }
        }
    }
    t
}

fn run_group(cases: &[Case], seed: u64) {
    let cases: Vec<Case> = cases
        .iter()
        .copied()
        .filter(|c| !KNOWN_BAD.iter().any(|(name, _)| *name == c.name))
        .collect();
    let t = check(&cases, seed);
    eprintln!(
        "random programs: {} programs, {} points checked ({} skipped near a kink), {} gradient entries, {} disagreements",
        t.programs,
        t.points,
        t.skipped,
        t.entries,
        t.failures.len()
    );
    assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
}

include!("random_programs/programs.rs");
