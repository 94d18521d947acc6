// For loops: nested `for` with runtime bounds n, m.
// Bucket B: a loop nested in a `for` body that writes a variable declared outside the outer `for` is rejected.
// cause: inner loop in a `for` writes `s`, declared outside the outer loop.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod nested_runtime {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64, n: usize, m: usize) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..m {
                s += (x * i as f64 + y * j as f64).sin();
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            nested_runtime,
            |x| (x[0], x[1], 3, 4),
            &[&[0.5, -1.0], &[1.0, 1.5], &[-2.0, 0.1]]
        )],
    );
}
