//! PENDING (false rejection: "this branch must end with a value").
//!
//! `desugar::arm_with_rest` first rewrites the arm alone; the inner `if` then gets an empty
//! `else`, the arm looks like it ends with a value (`ends_with_value` sees an `if` with an
//! `else`), and the rest of the function is not appended to the inner `else`.
//! Found by the program fuzzer (strict mode).

use autodiff::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        if y > 0.0 {
            return x;
        }
    }
    x * y
}

#[test]
fn nested_early_return() {
    assert_eq!(f_grad(1.0, 1.0).1, (1.0, 0.0));
    assert_eq!(f_grad(1.0, -2.0).1, (-2.0, 1.0));
}
