// While loops: integer-driven (Collatz) loop whose body is an if/else statement updating an integer and an active value.
// Bucket E: other `if` statements in `while` bodies: branches mixing integer and active updates; `continue` after the increment.
// cause: an if/else statement in a `while` whose arms update both an integer and an active variable.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod collatz_driven {
    use super::*;
    // Integer control flow (Collatz steps) drives an active accumulation.
    #[differentiate]
    pub fn f(x: f64, start: u64) -> f64 {
        let mut n = start;
        let mut y = x;
        while n != 1 {
            if n % 2 == 0 {
                n /= 2;
                y = y * 0.9;
            } else {
                n = 3 * n + 1;
                y = y + 0.1 * x * x;
            }
        }
        y
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            collatz_driven,
            |x| (x[0], 7),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
