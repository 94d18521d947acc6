// While loops: exponentiation by squaring; `let mut e = e;` shadows an integer parameter.
// Bucket F: the expansion does not compile (rustc error in generated code).
// cause: `e >>= 1` on an integer local (`%=`, `|=` too): the expansion assigns to the parameter `e` (E0384); shadowing is not the cause.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod pow_by_squaring {
    use super::*;
    #[differentiate]
    pub fn f(x: f64, e: u32) -> f64 {
        let mut base = x;
        let mut e = e;
        let mut r = 1.0;
        while e > 0 {
            if e & 1 == 1 {
                r *= base;
            }
            base *= base;
            e >>= 1;
        }
        r
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            pow_by_squaring,
            |x| (x[0], 11),
            &[&[0.5], &[-1.3], &[1.1]]
        )],
    );
}
