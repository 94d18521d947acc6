// Early returns: `return` inside a `for` loop (linear search; README: unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod linear_search {
    use super::*;
    // Return the first element above a threshold, scaled.
    #[differentiate]
    pub fn f(x: [f64; 5], t: f64) -> f64 {
        for i in 0..5 {
            if x[i] > t {
                return x[i] * t;
            }
        }
        0.0
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            linear_search,
            |x| (arr(&x[..5]), x[5]),
            &[
                &[0.1, 0.2, 1.5, 0.3, 2.0, 1.0],
                &[3.0, 0.2, 0.1, 0.3, 2.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4, 2.0, 1.0]
            ]
        )],
    );
}
