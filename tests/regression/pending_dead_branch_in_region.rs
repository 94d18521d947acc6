//! PENDING (generated code does not compile: E0282 "type annotations needed", pointing at
//! the parameter).
//!
//! A value `if` inside a nested region (an `if` arm or a loop body) whose result is never
//! used: its pullback closure is built in the forward pass, but nothing in the backward
//! pass calls it, so rustc cannot infer the closure's parameter types (`d_x: &mut _`). At
//! the top level of the function the same dead `let` compiles.
//! Found by `examples/gen_random_programs.rs`.

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    if x > 0.0 {
        let _unused = if x < 1.0 { 0.25 } else { x };
    }
    x
}

#[test]
fn dead_value_branch_in_an_arm() {
    assert_eq!(f_grad(0.5), (0.5, 1.0));
}
