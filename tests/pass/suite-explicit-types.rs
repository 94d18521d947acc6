// Scalar: associated-function call syntax `f64::sin(b)`, `f64::max(a, b)`.
// Bucket F: the expansion does not compile (rustc error in generated code).
// cause: `f64::sin(b)` is looked up as `f64::sin_pullback` (E0599).
#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod explicit_types {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let a: f64 = x * 2.0;
        let b: f64 = a * y + 1.0_f64;
        let c = f64::sin(b) + f64::max(a, b);
        c
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            explicit_types,
            |x| (x[0], x[1]),
            &[&[0.3, 0.7], &[1.1, -2.4], &[-3.0, -0.4]]
        )],
    );
}
