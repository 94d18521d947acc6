// A callee that does not differentiate a parameter would drop part of the gradient if the
// caller passed a differentiated value there: a compile error, not a silent zero.
use autodiff::differentiate;

#[differentiate]
fn scaled(x: f64, #[no_grad] s: f64) -> f64 {
    x * s
}

#[differentiate]
fn f(x: f64, s: f64) -> f64 {
    scaled(x, s) * s
}

fn main() {}
