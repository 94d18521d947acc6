#[differentiate]
fn power(x: f64) -> f64 {
    let mut acc = 1.0;
    for _ in 0..4 {
        acc = acc * x;
    }
    acc
}
