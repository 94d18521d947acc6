// Control flow: `while` is rejected today. When loops are supported, move this file to
// tests/pass/ and check d/dx x^4 = 4x^3.
use autodiff::differentiate;

#[differentiate]
fn fourth_power(x: f64) -> f64 {
    let mut acc = 1.0;
    let mut i = 0;
    while i < 4 {
        acc = acc * x;
        i += 1;
    }
    acc
}

fn main() {}
