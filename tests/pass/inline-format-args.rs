// Regression: this used to fail as described below; it must compile and give the right values.
// A local captured by an inline format argument in an allowed macro (`assert!`,
// `println!`, ..). Today: error[E0425] cannot find value `y` in this scope, because the
// macro renames locals to hygienic idents but not the `{y}` inside the format string.
use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let y = x * x;
    assert!(y >= 0.0, "y = {y}");
    y
}

fn main() {
    let (value, dx) = f_grad(3.0);
    assert_eq!(value, 9.0);
    assert_eq!(dx, 6.0);
}
