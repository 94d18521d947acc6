// While loops: `continue` after the counter increment (`i += 1; if i % 3 == 0 { continue; }`).
// Bucket E: other `if` statements in `while` bodies: branches mixing integer and active updates; `continue` after the increment.
// cause: `continue` not at the top of the body (documented), reported with a misleading message.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod while_continue {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, n: usize) -> f64 {
        let mut i = 0;
        let mut s = 0.0;
        while i < n {
            i += 1;
            if i % 3 == 0 {
                continue;
            }
            s += x / i as f64;
        }
        s * x
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            while_continue,
            |x| (x[0], 7),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
