//! Test helpers for the pullbacks in this module.

use crate::Params;
use crate::gradcheck::{Tolerance, check_vjp, flatten, pseudo_random_like};
use core::fmt::Debug;

/// Checks one argument of a pullback. `pb(x, d)` must call the pullback at `x` and return
/// `(value, cotangent of x for output cotangent d)`. Asserts that the value equals `f(x)`
/// exactly and that the cotangent matches central finite differences of `<d, f(x)>`.
#[track_caller]
pub fn check<X, Y>(x: &X, f: impl Fn(&X) -> Y, pb: impl Fn(&X, Y) -> (Y, X))
where
    X: Params + Clone,
    Y: Params + Clone + PartialEq + Debug,
{
    let y = f(x);
    let (v, _) = pb(x, pseudo_random_like(&y, 7));
    assert_eq!(v, y, "pullback value differs from the plain function");
    if let Err(e) = check_vjp(&f, |x, d| pb(x, d.clone()).1, x, Tolerance::default()) {
        panic!("{e}");
    }
}

/// Asserts that every entry of `a` (f32) is within `tol` (relative to max(1, |b|)) of `b` (f64).
#[track_caller]
pub fn close_f32<A: Params, B: Params>(a: &A, b: &B, tol: f64) {
    let (a, b) = (flatten(a), flatten(b));
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= tol * y.abs().max(1.0),
            "entry {i}: f32 {x} vs f64 {y}"
        );
    }
}

/// Asserts that every entry is finite.
#[track_caller]
pub fn all_finite<P: Params>(p: &P) {
    let v = flatten(p);
    assert!(v.iter().all(|x| x.is_finite()), "non-finite entry in {v:?}");
}
