// Calls: recursive power function (README: recursion unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod recursive_pow {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: u32) -> f64 {
        if n == 0 { 1.0 } else { x * f(x, n - 1) }
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            recursive_pow,
            |x| (x[0], 4),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
