use autodiff::differentiate;

// `x` is both named in `wrt(..)` and marked `#[no_grad]`: contradictory, silently
// differentiated today.
#[differentiate(wrt(x))]
fn f(#[no_grad] x: f64, y: f64) -> f64 {
    x * y
}

fn main() {}
