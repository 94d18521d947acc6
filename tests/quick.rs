use autodiff::differentiate;
use nalgebra::{SMatrix, SVector};

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    x * y + x.sin()
}

#[differentiate]
fn g(w: &SMatrix<f64, 2, 3>, x: &SVector<f64, 3>) -> f64 {
    let z = w * x;
    let d_x = z.norm_squared();
    d_x * 0.5 + z[1]
}

#[test]
fn quick() {
    let (v, (dx, dy)) = f_grad(1.0, 2.0);
    assert!((v - (2.0 + 1f64.sin())).abs() < 1e-12);
    assert!((dx - (2.0 + 1f64.cos())).abs() < 1e-12);
    assert!((dy - 1.0).abs() < 1e-12);
    let w = SMatrix::<f64, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    let x = SVector::<f64, 3>::new(0.1, 0.2, 0.3);
    let (_v, (dw, dxx)) = g_grad(&w, &x);
    let _ = (dw, dxx);
}
