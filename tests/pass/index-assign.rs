// Writes by index build a new version of the array; d/dx (x^2 + 0) = 2x.
use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut v = [0.0, 0.0];
    v[0] = x * x;
    v[0] + v[1]
}

fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
}
