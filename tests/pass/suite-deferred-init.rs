// Branches: `let r;` declared without a value and assigned in both branches.
// Bucket G: unsupported, not in the README's list.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod deferred_init {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, y: f64) -> f64 {
        let r;
        if x > 0.0 {
            r = x * y;
        } else {
            r = -x * y;
        }
        r.exp()
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            deferred_init,
            |x| (x[0], x[1]),
            &[&[0.5, 1.0], &[-2.0, 1.0], &[0.3, -1.5]]
        )],
    );
}
