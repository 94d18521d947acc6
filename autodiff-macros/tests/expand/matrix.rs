#[differentiate]
fn g(w: &SMatrix<f64, 2, 3>, x: &SVector<f64, 3>) -> f64 {
    let z = w * x;
    let d_x = z.norm_squared();
    d_x * 0.5 + z[1]
}
