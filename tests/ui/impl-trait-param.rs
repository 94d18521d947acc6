use autodiff::differentiate;

#[differentiate]
fn f(x: f64, label: impl std::fmt::Display) -> f64 {
    println!("{}", label);
    x * x
}

fn main() {}
