use autodiff::differentiate;

// `scale` is a float but marked `#[no_grad]`, `n` is an integer: only `x` is active, so
// `f_grad` returns the gradient of `x` alone.
#[differentiate]
fn f(x: f64, #[no_grad] scale: f64, n: i32) -> f64 {
    scale * x.powi(n)
}

fn main() {
    let (value, dx) = f_grad(2.0, 3.0, 3);
    assert_eq!(value, 24.0);
    // d/dx (s x^n) = s n x^(n-1)
    assert_eq!(dx, 3.0 * 3.0 * 4.0);
    // The pullback gives `()` for the parameters that are not differentiated.
    let (_, pullback) = f_pullback(2.0, 3.0, 3);
    let (dx, (), ()) = pullback(1.0);
    assert_eq!(dx, 36.0);
}
