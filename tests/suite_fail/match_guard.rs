// Branches: `match` on an active f64 with guards (`v if v > 1.0 => ..`).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod match_guard {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        match x {
            v if v > 1.0 => v.ln(),
            v => v - 1.0,
        }
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(match_guard, |x| (x[0]), &[&[0.5], &[2.0], &[3.0]])],
    );
}
