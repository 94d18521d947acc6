// While loops: bisection with a fixed count; if/else statement assigning `hi = mid` / `lo = mid` inside `while`.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod bisection_fixed {
    use super::*;
    // Bisection for sqrt(a) on [0, a + 1], 40 halvings: the endpoints are moved by
    // comparisons on active values (Tapenade-style: data-independent trip count).
    #[differentiate]
    pub fn f(a: f64) -> f64 {
        let mut lo = 0.0;
        let mut hi = a + 1.0;
        let mut k = 0;
        while k < 40 {
            let mid = 0.5 * (lo + hi);
            if mid * mid > a {
                hi = mid;
            } else {
                lo = mid;
            }
            k += 1;
        }
        0.5 * (lo + hi)
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(bisection_fixed, |x| (x[0]), &[&[0.5], &[2.0], &[10.0]])],
    );
}
