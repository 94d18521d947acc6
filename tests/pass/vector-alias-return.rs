// Regression: this used to fail as described below; it must compile and give the right values.
//! A function returning a type alias of a vector (`-> V3`) does not compile: the macro takes
//! any plain path without generic arguments for a scalar and emits `h_grad`, which seeds the
//! output with `one_like(&value)` (`T: Real`).
use autodiff::differentiate;
use nalgebra::{SVector, vector};

type V3 = SVector<f64, 3>;

#[differentiate]
fn h(x: &V3) -> V3 {
    x * 2.0
}

fn main() {
    let x = vector![1.0, 2.0, 3.0];
    let (y, pb) = h_pullback(&x);
    assert_eq!(y, x * 2.0);
    let (dx,) = pb(vector![1.0, 0.0, -1.0]);
    assert_eq!(dx, vector![2.0, 0.0, -2.0]);
    assert_eq!(h(&x), y);
}
