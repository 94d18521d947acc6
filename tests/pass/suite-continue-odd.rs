// For loops: `if i % 2 == 0 { continue; }` at the top of a runtime-bound loop body.
// Bucket A: an `if` used as a STATEMENT (or `if c { continue; }`) inside a `for` body is rejected, whatever the condition.
// cause: `if c { continue; }` inside a `for` body, even at the top (README claims support).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod continue_odd {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            if i % 2 == 0 {
                continue;
            }
            s += x * i as f64 + x * x;
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            continue_odd,
            |x| (x[0], 7),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
