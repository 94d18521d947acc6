// Loop/break: statements after the `if y > 5.0 { break; }` in the body.
// Bucket C: `loop { ..; if c { break; } }` used as a statement is rejected; only `let v = loop { .. break v; };` compiles.
// cause: `loop` used as a statement.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod loop_break_middle {
    use super::*;
    #[differentiate]
    pub fn f(x: f64) -> f64 {
        let mut y = x;
        let mut z = 0.0;
        loop {
            y = y * 1.3;
            if y > 5.0 {
                break;
            }
            z += y.sin();
        }
        y + z
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            loop_break_middle,
            |x| (x[0]),
            &[&[0.5], &[1.3], &[2.1]]
        )],
    );
}
