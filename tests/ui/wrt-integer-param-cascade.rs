use autodiff::differentiate;

// One mistake (`n` in `wrt`), so one error: `n` must not then count as differentiated in
// the body, which today adds a second error at `x.powi(n)`.
#[differentiate(wrt(x, n))]
fn f(x: f64, n: i32) -> f64 {
    x.powi(n)
}

fn main() {}
