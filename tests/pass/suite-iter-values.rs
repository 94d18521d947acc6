// For loops: `for v in x.iter()` over an array parameter `[f64; 4]`.
// Bucket D: iterating over an array/vector parameter (`.iter()`, `.iter().enumerate()`, by value, `&x`) and `x.len()` are rejected.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod iter_values {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for v in x.iter() {
            s += v.exp();
        }
        s.ln()
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            iter_values,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.0],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        )],
    );
}
