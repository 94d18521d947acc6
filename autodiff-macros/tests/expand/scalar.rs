#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let z = x * y + x.sin();
    z * z
}
