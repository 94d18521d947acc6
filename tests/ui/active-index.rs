use autodiff::differentiate;

#[differentiate]
fn f(v: [f64; 3], x: f64) -> f64 {
    v[x as usize] * x
}

fn main() {}
