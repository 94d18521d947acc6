// Calls: helper with a `#[no_grad]` parameter called with an ACTIVE argument (`scaled(x, s) * s`, s differentiated in the caller).
// Bucket F: the expansion does not compile (rustc error in generated code).
// cause: the caller accumulates the callee's `()` cotangent of the `#[no_grad]` parameter into `d_s: f64` (E0308).
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod helper_no_grad_arg {
    use super::*;
    #[differentiate]
    pub fn scaled(x: f64, #[no_grad] s: f64) -> f64 {
        (x * s).sin()
    }
    #[differentiate]
    pub fn f(x: f64, s: f64) -> f64 {
        scaled(x, s) * s
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            helper_no_grad_arg,
            |x| (x[0], x[1]),
            &[&[0.5, 2.0], &[-1.3, 1.0], &[2.1, -0.5]]
        )],
    );
}
