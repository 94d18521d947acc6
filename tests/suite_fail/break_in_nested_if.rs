// Loop/break: a `break` nested in an inner `if` and a second `break` (README: unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod break_in_nested_if {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let mut s = x;
        let mut i = 0;
        loop {
            s = s * 1.1 + y;
            i += 1;
            if i > 3 {
                if s > 2.0 {
                    break;
                }
            }
            if i > 20 {
                break;
            }
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            break_in_nested_if,
            |x| (x[0], x[1]),
            &[&[0.5, 0.2], &[1.3, -0.1], &[2.1, 0.3]]
        )],
    );
}
