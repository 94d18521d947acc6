// Control flow: `loop` is rejected today. When loops are supported, move this file to
// tests/pass/ and check d/dx x^3 = 3x^2 (the statement form is in tests/ui_pending/).
use autodiff::differentiate;

#[differentiate]
fn cube(x: f64) -> f64 {
    let mut i = 0;
    let mut acc = 1.0;
    let y = loop {
        acc = acc * x;
        i += 1;
        if i == 3 {
            break acc;
        }
    };
    y
}

fn main() {}
