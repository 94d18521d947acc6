use autodiff::Params;
use nalgebra::SVector;

#[derive(Clone, Params)]
struct Layer {
    w: SVector<f64, 3>,
    #[params(frozen)]
    b: f64,
}

fn main() {}
