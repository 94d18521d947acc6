// Regression: this used to fail as described below; it must compile and give the right values.
// A vector-valued function whose return type is a type alias. The macro decides from the
// syntax alone that `Vec3` is a scalar and emits `scale_grad`, which fails with
// error[E0277] `Matrix<f64, Const<3>, ..>: Real` is not satisfied, on the attribute; the
// user has no way to turn `_grad` off.
use autodiff::differentiate;
use nalgebra::SVector;

type Vec3 = SVector<f64, 3>;

#[differentiate]
fn scale(x: &Vec3) -> Vec3 {
    x * 2.0
}

fn main() {
    let x = Vec3::new(1.0, 2.0, 3.0);
    let (value, pullback) = scale_pullback(&x);
    assert_eq!(value, x * 2.0);
    let (dx,) = pullback(Vec3::new(1.0, 0.0, -1.0));
    assert_eq!(dx, Vec3::new(2.0, 0.0, -2.0));
}
