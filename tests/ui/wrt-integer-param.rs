use autodiff::differentiate;

#[differentiate(wrt(x, n))]
fn f(x: f64, n: i32) -> f64 {
    x * n as f64
}

fn main() {}
