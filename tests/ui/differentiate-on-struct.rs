use autodiff::differentiate;

#[differentiate]
struct Model {
    w: f64,
}

fn main() {}
