// For loops: running max by `if x[i] > m { m = x[i]; }` (if without else) inside a loop.
// Bucket A: an `if` used as a STATEMENT (or `if c { continue; }`) inside a `for` body is rejected, whatever the condition.
// cause: any `if` statement inside a `for` body.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod log_sum_exp {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let mut m = x[0];
        for i in 1..4 {
            if x[i] > m {
                m = x[i];
            }
        }
        let mut s = 0.0;
        for i in 0..4 {
            s += (x[i] - m).exp();
        }
        m + s.ln()
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            log_sum_exp,
            |x| (arr(x)),
            &[
                &[0.5, -1.0, 2.0, 0.3],
                &[1.0, 1.5, 1.1, 1.2],
                &[-2.0, 0.1, 0.7, 3.0]
            ]
        )],
    );
}
