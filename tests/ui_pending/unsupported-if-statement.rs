// Control flow: `if` is rejected today. When it is supported, move this file to
// tests/pass/ and check d/dx = 2x for x > 1, 1 otherwise.
use autodiff::differentiate;

#[differentiate]
fn branch(x: f64) -> f64 {
    let mut y = x;
    if x > 1.0 {
        y = x * x;
    }
    y
}

fn main() {}
