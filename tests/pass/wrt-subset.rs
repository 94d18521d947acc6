use autodiff::differentiate;

// Only `y` and `z` are differentiated although `x` is a float too.
#[differentiate(wrt(y, z))]
fn f(x: f64, y: f64, z: f64) -> f64 {
    x * y * z + y.sin()
}

fn main() {
    let (x, y, z) = (2.0, 0.5, 3.0);
    let (value, (dy, dz)) = f_grad(x, y, z);
    assert!((value - (x * y * z + y.sin())).abs() < 1e-12);
    assert!((dy - (x * z + y.cos())).abs() < 1e-12);
    assert!((dz - x * y).abs() < 1e-12);
    let (_, pullback) = f_pullback(x, y, z);
    let ((), dy2, dz2) = pullback(2.0);
    assert!((dy2 - 2.0 * dy).abs() < 1e-12);
    assert!((dz2 - 2.0 * dz).abs() < 1e-12);
}
