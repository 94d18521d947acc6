use autodiff::differentiate;
use nalgebra::SVector;

#[differentiate]
fn double(x: &SVector<f64, 2>) -> SVector<f64, 2> {
    x * 2.0
}

fn main() {
    let x = SVector::<f64, 2>::new(1.0, 2.0);
    // A vector-valued function has no gradient, only `double_pullback`.
    let _ = double_grad(&x);
}
