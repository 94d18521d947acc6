// Early returns: `return` inside a `while` loop (README: unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod return_in_while {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        let mut y = x;
        let mut k = 0;
        while k < 100 {
            y = y * 1.5;
            if y > 10.0 {
                return y - 10.0 + x;
            }
            k += 1;
        }
        y
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            return_in_while,
            |x| (x[0]),
            &[&[0.5], &[1.3], &[2.1]]
        )],
    );
}
