// For loops: `for v in x` over an array parameter by value.
// Bucket D: iterating over an array/vector parameter (`.iter()`, `.iter().enumerate()`, by value, `&x`) and `x.len()` are rejected.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod iter_by_value {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 3]) -> f64 {
        let mut s = 0.0;
        for v in x {
            s += v.sin() * v;
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            iter_by_value,
            |x| (arr(x)),
            &[&[0.5, -1.0, 2.0], &[1.0, 1.5, 1.1], &[-2.0, 0.1, 0.7]]
        )],
    );
}
