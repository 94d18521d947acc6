use autodiff::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    x.powi(y as i32)
}

fn main() {}
