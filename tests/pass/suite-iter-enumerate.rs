// For loops: `for (i, v) in x.iter().enumerate()` over an array parameter `[f64; 4]`.
// Bucket D: iterating over an array/vector parameter (`.iter()`, `.iter().enumerate()`, by value, `&x`) and `x.len()` are rejected.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod iter_enumerate {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for (i, v) in x.iter().enumerate() {
            s += (i + 1) as f64 * v * v;
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            iter_enumerate,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.0],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        )],
    );
}
