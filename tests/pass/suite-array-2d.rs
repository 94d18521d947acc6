// Arrays: `[[f64; 3]; 2]` summed by nested `for i .. for j ..` loops.
// Bucket B: a loop nested in a `for` body that writes a variable declared outside the outer `for` is rejected.
// cause: inner loop in a `for` writes `s`, declared outside the outer loop.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod array_2d {
    use super::*;
    #[differentiate]
    pub fn f(m: [[f64; 3]; 2]) -> f64 {
        let mut s = 0.0;
        for i in 0..2 {
            for j in 0..3 {
                s += m[i][j] * m[i][j] * (i + 1) as f64;
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            array_2d,
            |x| ([arr(&x[..3]), arr(&x[3..])]),
            &[
                &[0.5, 2.0, -1.0, 0.3, 1.0, 2.0],
                &[-1.3, 1.0, 0.1, 1.0, 0.0, 0.5],
                &[2.1, -0.5, 0.1, 0.2, 0.3, 0.4]
            ]
        )],
    );
}
