// Control flow: `match` is rejected today. When it is supported, move this file to
// tests/pass/ and check d/dx = 2x for k = 0, cos x otherwise.
use autodiff::differentiate;

#[differentiate]
fn pick(x: f64, k: usize) -> f64 {
    let y = match k {
        0 => x * x,
        _ => x.sin(),
    };
    y
}

fn main() {}
