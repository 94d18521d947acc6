use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut v = [0.0, 0.0];
    v[0] = x * x;
    v[0] + v[1]
}

fn main() {}
