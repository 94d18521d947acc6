// Arrays: `x.iter().sum()` over an array parameter (README: iterator chains unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod iter_sum {
    use super::*;
    #[differentiate]
    pub fn f(x: [f64; 4]) -> f64 {
        let s: f64 = x.iter().sum();
        s * s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            iter_sum,
            |x| (arr(x)),
            &[
                &[0.5, 2.0, -1.0, 0.3],
                &[-1.3, 1.0, 0.1, 1.5],
                &[2.1, -0.5, 0.1, 0.2]
            ]
        )],
    );
}
