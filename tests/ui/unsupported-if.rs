// Control flow: `if` is rejected today. When it is supported, move this file to
// tests/pass/ and check d/dx = 2x for x > 0, 1 otherwise.
use autodiff::differentiate;

#[differentiate]
fn branch(x: f64) -> f64 {
    let y = if x > 0.0 { x * x } else { x };
    y
}

fn main() {}
