use autodiff::differentiate;

#[differentiate]
fn f(n: usize, #[no_grad] scale: f64) -> f64 {
    n as f64 * scale
}

fn main() {}
