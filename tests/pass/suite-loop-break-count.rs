// Loop/break: `loop { y = ..; i += 1; if i >= n { break; } }` with an integer counter.
// Bucket C: `loop { ..; if c { break; } }` used as a statement is rejected; only `let v = loop { .. break v; };` compiles.
// cause: `loop` used as a statement; `let v = loop { .. break v; };` compiles.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod loop_break_count {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut y = x;
        let mut i = 0;
        loop {
            y = y.cos() + 0.5 * x;
            i += 1;
            if i >= n {
                break;
            }
        }
        y
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            loop_break_count,
            |x| (x[0], 4),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
