// While loops: nested `while` with `break 'outer` (README: labelled loops unsupported).
// Bucket H: unsupported and documented as such (README / crate docs).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod labelled_break {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut s = 0.0;
        let mut i = 0;
        'outer: while i < n {
            let mut j = 0;
            while j < n {
                s += x * (i * j) as f64;
                if i + j > 4 {
                    break 'outer;
                }
                j += 1;
            }
            i += 1;
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            labelled_break,
            |x| (x[0], 4),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
