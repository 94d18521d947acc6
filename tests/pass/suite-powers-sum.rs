// For loops: `for i in 0..c.len()` over an array parameter.
// Bucket D: iterating over an array/vector parameter (`.iter()`, `.iter().enumerate()`, by value, `&x`) and `x.len()` are rejected.
// cause: `0..c.len()` with `c` active is taken for iteration over a differentiated value.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod powers_sum {
    use super::*;
    #[differentiate]
    pub fn f(c: [f64; 4], x: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..c.len() {
            s += c[i] * x.powi(i as i32);
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            powers_sum,
            |x| (arr(&x[..4]), x[4]),
            &[
                &[1.0, -2.0, 0.5, 3.0, 0.7],
                &[0.1, 0.2, 0.3, 0.4, -1.2],
                &[2.0, 0.0, -1.0, 1.0, 1.5]
            ]
        )],
    );
}
