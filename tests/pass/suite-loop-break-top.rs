// Loop/break: `loop { if i >= n { break; } ..; i += 1; }` (break test at the top).
// Bucket C: `loop { ..; if c { break; } }` used as a statement is rejected; only `let v = loop { .. break v; };` compiles.
// cause: `loop` used as a statement.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod loop_break_top {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut i = 0;
        let mut s = 0.0;
        loop {
            if i >= n {
                break;
            }
            s = s * x + 1.0;
            i += 1;
        }
        s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            loop_break_top,
            |x| (x[0], 5),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
