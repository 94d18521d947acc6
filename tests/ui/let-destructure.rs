use autodiff::differentiate;

#[differentiate]
fn f(v: [f64; 2]) -> f64 {
    let [a, b] = v;
    a * b
}

fn main() {}
