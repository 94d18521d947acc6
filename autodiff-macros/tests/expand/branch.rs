#[differentiate]
fn branchy(x: f64, y: f64) -> f64 {
    let mut r = x * y;
    if x > 0.0 {
        r = r * x;
    } else {
        r = r + y.sin();
    }
    r * 2.0
}
