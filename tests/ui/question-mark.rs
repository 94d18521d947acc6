use autodiff::differentiate;

fn checked(x: f64) -> Option<f64> {
    Some(x)
}

#[differentiate]
fn f(x: f64) -> f64 {
    let y = checked(x)?;
    y
}

fn main() {}
