#[differentiate]
fn cumulative(x: [f64; 3]) -> f64 {
    let mut y = x;
    for i in 1..3 {
        y[i] += y[i - 1] * x[i];
    }
    y[2]
}
