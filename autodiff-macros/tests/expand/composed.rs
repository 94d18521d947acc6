#[differentiate]
fn outer(x: &SVector<f64, 3>, scale: f64) -> f64 {
    let y = inner(x, scale);
    let z = inner(&y, 2.0);
    z.dot(&y)
}
