// Regression: this used to fail as described below; it must compile and give the right values.
//! Passing a reference to a *local* of the caller to a `#[differentiate]` function with
//! reference parameters does not compile (E0716 "temporary value dropped while borrowed":
//! the local does not live long enough). The callee's `g_pullback` returns a closure that
//! borrows its reference arguments (`+ use<'__autodiff>`), and the caller's pullback
//! closure keeps that closure, so the local would have to outlive the caller. Passing
//! parameters (or their fields) works; any layer applied to a hidden activation
//! (`dense(&layer, &h)`) hits this.
//! Workaround today: take the parameter by value (`fn h(x: SVector<f64, 3>)`).
use autodiff::differentiate;
use nalgebra::{SVector, vector};

#[differentiate]
fn g(x: &f64) -> f64 {
    x * x
}

#[differentiate]
fn scalar_caller(x: f64) -> f64 {
    let t = x * 2.0;
    g(&t)
}

#[differentiate]
fn h(x: &SVector<f64, 3>) -> SVector<f64, 3> {
    x.component_mul(x)
}

#[differentiate]
fn vector_caller(x: &SVector<f64, 3>) -> f64 {
    let v = x * 3.0;
    h(&v).sum()
}

fn main() {
    // d/dx (2x)^2 = 8x
    assert_eq!(scalar_caller_grad(1.5), (9.0, 12.0));
    // d/dx sum((3x)^2) = 18x
    let x = vector![1.0, -2.0, 0.5];
    assert_eq!(vector_caller_grad(&x).1, x * 18.0);
}
