// A signature in the style common before edition 2024: explicit and elided lifetimes mixed,
// `&'_`, a `&mut` parameter, and a reference to an array.
use autodiff::differentiate;
use nalgebra::SVector;

#[differentiate]
fn f<'a>(a: &'a f64, b: &f64, c: &'_ SVector<f64, 2>, d: &mut f64, e: &[f64; 2]) -> f64 {
    let s = *a * *b;
    let t = c.dot(c);
    s * t + *d * e[0] + e[1]
}

fn main() {
    let (a, b) = (2.0, 3.0);
    let c = SVector::<f64, 2>::new(1.0, -2.0);
    let mut d = 0.5;
    let e = [4.0, 5.0];
    let (value, (da, db, dc, dd, de)) = f_grad(&a, &b, &c, &mut d, &e);
    let cc = c.dot(&c); // 5
    assert!((value - (a * b * cc + d * e[0] + e[1])).abs() < 1e-12);
    assert!((da - b * cc).abs() < 1e-12);
    assert!((db - a * cc).abs() < 1e-12);
    assert!((dc - c * (2.0 * a * b)).norm() < 1e-12);
    assert!((dd - e[0]).abs() < 1e-12);
    assert!((de[0] - d).abs() < 1e-12);
    assert!((de[1] - 1.0).abs() < 1e-12);
}
