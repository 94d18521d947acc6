// For loops: `if i % 2 == 0 { continue; }` at the top of a runtime-bound loop body.
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
