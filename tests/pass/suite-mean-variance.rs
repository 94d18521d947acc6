// For loops: `x.len()` of an array parameter as loop bound and as a count.
// Bucket D: iterating over an array/vector parameter (`.iter()`, `.iter().enumerate()`, by value, `&x`) and `x.len()` are rejected.
// cause: `x.len()` of an active array (no rule for `.len()`; as a loop bound: "cannot iterate").
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod mean_variance {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 5]) -> f64 {
        let n = x.len() as f64;
        let mut mean = 0.0;
        for i in 0..x.len() {
            mean += x[i];
        }
        mean /= n;
        let mut var = 0.0;
        for i in 0..x.len() {
            var += (x[i] - mean) * (x[i] - mean);
        }
        var / (n - 1.0)
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            mean_variance,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3, 1.2],
                &[1.0, 1.5, 1.1, 1.0, 0.9],
                &[-2.0, 0.1, 0.7, 3.0, -0.5]
            ]
        )],
    );
}
