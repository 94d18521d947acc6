#[differentiate]
fn halve(mut x: f64, limit: f64) -> f64 {
    if x < 0.0 {
        return -x;
    }
    while x > limit {
        x = x * 0.5;
    }
    x * x
}
