use autodiff::differentiate;

#[differentiate(with_respect_to(x))]
fn f(x: f64, y: f64) -> f64 {
    x * y
}

fn main() {}
