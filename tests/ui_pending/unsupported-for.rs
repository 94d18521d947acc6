// Control flow: `for` is rejected today. When loops are supported, move this file to
// tests/pass/ and check d/dx (1 + x + x^2) = 1 + 2x.
use autodiff::differentiate;

#[differentiate]
fn horner(x: f64) -> f64 {
    let mut acc = 0.0;
    for _ in 0..3 {
        acc = acc * x + 1.0;
    }
    acc
}

fn main() {}
