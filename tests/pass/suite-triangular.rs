// For loops: nested `for` whose inner bound is the outer index (`for j in 0..i`).
// Bucket B: a loop nested in a `for` body that writes a variable declared outside the outer `for` is rejected.
// cause: inner loop in a `for` writes `s`, declared outside the outer loop.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod triangular {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            for j in 0..i {
                s += x[i] * x[j];
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            triangular,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.0],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        )],
    );
}
