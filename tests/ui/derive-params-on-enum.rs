use autodiff::Params;
use nalgebra::SVector;

#[derive(Clone, Params)]
enum Layer {
    Linear(SVector<f64, 3>),
    Bias(f64),
}

fn main() {}
