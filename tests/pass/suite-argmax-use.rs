// Arrays: argmax by `if x[i] > x[k] { k = i; }` (if without else, integer update) inside a loop.
// Bucket A: an `if` used as a STATEMENT (or `if c { continue; }`) inside a `for` body is rejected, whatever the condition.
// cause: any `if` statement inside a `for` body.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod argmax_use {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut k = 0;
        for i in 1..4 {
            if x[i] > x[k] {
                k = i;
            }
        }
        x[k] * x[0]
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            argmax_use,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.5],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        )],
    );
}
