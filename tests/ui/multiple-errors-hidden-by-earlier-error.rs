use autodiff::differentiate;

// Two mistakes: `.frobnicate()` and `vec![..]`. The second is hidden today because the
// value of the first error is treated as a constant, so `vec![a, 2.0 * a]` looks constant.
#[differentiate]
fn f(x: f64) -> f64 {
    let a = x.frobnicate();
    let v = vec![a, 2.0 * a];
    v[0]
}

fn main() {}
