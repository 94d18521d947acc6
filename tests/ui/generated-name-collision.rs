use autodiff::differentiate;

#[differentiate]
fn loss(x: f64) -> f64 {
    x * x
}

// The user already has a function named like the generated one.
fn loss_grad(x: f64) -> f64 {
    2.0 * x
}

fn main() {
    let _ = loss_grad(1.0);
}
