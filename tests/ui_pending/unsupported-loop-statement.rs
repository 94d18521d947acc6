// Control flow: `loop` is rejected today. When loops are supported, move this file to
// tests/pass/ and check d/dx x^3 = 3x^2.
use autodiff::differentiate;

#[differentiate]
fn cube(x: f64) -> f64 {
    let mut acc = 1.0;
    let mut i = 0;
    loop {
        if i == 3 {
            break;
        }
        acc = acc * x;
        i += 1;
    }
    acc
}

fn main() {}
