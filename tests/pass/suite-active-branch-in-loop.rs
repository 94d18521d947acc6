// For loops: if/else statement on an active value inside a loop, each arm a compound assignment.
// Bucket A: an `if` used as a STATEMENT (or `if c { continue; }`) inside a `for` body is rejected, whatever the condition.
// cause: any `if` statement inside a `for` body (an `if` used as a value compiles).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod active_branch_in_loop {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut s = 0.0;
        for i in 0..4 {
            if x[i] > 0.0 {
                s += x[i] * x[i];
            } else {
                s -= 0.5 * x[i];
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            active_branch_in_loop,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.0],
                &[-2.0, 0.1, 0.7, -3.0]
            ]
        )],
    );
}
