//! PENDING (wrong value and gradient, silently).
//!
//! The early-return rewrite (`desugar::returns`) turns
//! `if c { return a; } else { ARM } REST` into `if c { a } else { ARM REST }`. When `ARM`
//! declares a `let` that shadows a name `REST` uses, `REST` now sees the shadow instead of
//! the outer binding: `x` after the `if` below is the parameter in Rust, but the macro reads
//! the arm's `let x = 3.0 * x`.
//!
//! Observed: `f(2.0) = 2`, but `f_grad(2.0) = (6, 3)`. Expected: `(2, 1)`.
//! Found by `examples/gen_random_programs.rs` (seed 777: p307, p620, p826).

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    } else {
        let x = 3.0 * x;
        assert!(x >= 0.0);
    }
    x
}

#[test]
fn shadowing_in_an_arm_does_not_leak_past_the_if() {
    assert_eq!(f(2.0), 2.0);
    assert_eq!(f_grad(2.0), (2.0, 1.0));
}
