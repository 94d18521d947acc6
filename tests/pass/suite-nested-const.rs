// For loops: nested `for` with constant bounds (double sum over i, j).
// Bucket B: a loop nested in a `for` body that writes a variable declared outside the outer `for` is rejected.
// cause: inner loop in a `for` writes `s`, declared outside the outer loop.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod nested_const {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 3]) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                s += x[i] * x[j] * (i + j + 1) as f64;
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            nested_const,
            |x| (arr(x)),
            &[&[0.5, -1.0, 2.0], &[1.0, 1.5, 1.1], &[-2.0, 0.1, 0.7]]
        )],
    );
}
