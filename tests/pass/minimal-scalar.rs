use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {
    let (value, dx) = f_grad(3.0);
    assert_eq!(value, 9.0);
    assert_eq!(dx, 6.0);
}
