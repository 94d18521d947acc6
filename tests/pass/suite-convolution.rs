// Arrays: 1-D convolution, nested `for` loops writing `out[i] += signal[i + k] * kernel[k]`.
// Bucket B: a loop nested in a `for` body that writes a variable declared outside the outer `for` is rejected.
// cause: inner loop in a `for` writes `out`, declared outside the outer loop.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
#[allow(unused_imports)]
use suite_common::arr;

mod convolution {
    use super::*;
    #[differentiate]
    pub fn f(signal: [f64; 5], kernel: [f64; 3]) -> f64 {
        let mut out = [0.0; 3];
        for i in 0..3 {
            for k in 0..3 {
                out[i] += signal[i + k] * kernel[k];
            }
        }
        out[0] * out[0] + out[1] * out[1] + out[2] * out[2]
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            convolution,
            |x| (arr(&x[..5]), arr(&x[5..])),
            &[
                &[0.5, 2.0, -1.0, 0.3, 1.0, 2.0, 0.1, -0.3],
                &[-1.3, 1.0, 0.1, 1.0, 0.0, 0.5, 0.5, 0.5],
                &[2.1, -0.5, 0.1, 0.2, 0.3, 0.4, 1.0, -1.0]
            ]
        )],
    );
}
