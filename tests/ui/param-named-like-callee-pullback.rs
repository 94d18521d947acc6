// A parameter whose name is that of a generated function the expansion calls. Today:
// error[E0618] expected function, found `f64`, because the generated call
// `square_pullback(x)` / `f_pullback(..)` resolves to the parameter.
use autodiff::differentiate;

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn g(x: f64, square_pullback: f64) -> f64 {
    square(x) * square_pullback
}

#[differentiate]
fn f(x: f64, f_pullback: f64) -> f64 {
    x * f_pullback
}

fn main() {
    // g = x^2 s: dg/dx = 2 x s, dg/ds = x^2
    let (value, (dx, ds)) = g_grad(3.0, 2.0);
    assert_eq!((value, dx, ds), (18.0, 12.0, 9.0));
    let (value, (dx, dp)) = f_grad(3.0, 2.0);
    assert_eq!((value, dx, dp), (6.0, 2.0, 3.0));
}
