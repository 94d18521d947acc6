// Early returns: `return` inside `match` arms (`0 => return x.sin(),`) with a fall-through arm `_ => {}`.
// Bucket G: unsupported, not in the README's list.
// cause: `return` in `match` arms; reported as "value of this expression is unused".
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod match_return {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, mode: u8) -> f64 {
        match mode {
            0 => return x.sin(),
            1 => return x.cos(),
            _ => {}
        }
        x * x
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            match_return,
            |x| (x[0], 1),
            &[&[0.5], &[-1.3], &[2.1]]
        )],
    );
}
