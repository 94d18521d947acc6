use autodiff::differentiate;
use nalgebra::SVector;

#[differentiate]
fn f<const N: usize>(x: &SVector<f64, N>) -> f64 {
    x.norm_squared() * 0.5 + x.sum()
}

fn main() {
    let x = SVector::<f64, 3>::new(1.0, -2.0, 0.5);
    let (value, dx) = f_grad(&x);
    assert!((value - (0.5 * 5.25 - 0.5)).abs() < 1e-12);
    // d/dx (|x|^2 / 2 + sum x) = x + 1
    let expected = x.add_scalar(1.0);
    assert!((dx - expected).norm() < 1e-12);

    let y = SVector::<f64, 5>::repeat(2.0);
    let (_, dy) = f_grad(&y);
    assert!((dy - SVector::<f64, 5>::repeat(3.0)).norm() < 1e-12);
}
