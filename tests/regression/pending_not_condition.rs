//! PENDING (false rejection: "`!` has no derivative; it cannot be applied to a
//! differentiated value").
//!
//! An `if` condition is lowered with `lower_expr`, which keeps comparisons, `&&` and `||`
//! whole but rejects `!` applied to an expression that mentions a differentiated value,
//! although `!(x > 0.5)` is a `bool`. (`while !(..)` works: `is_comparison` accepts it.)
//! Found by the program fuzzer (strict mode).

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    if !(x > 0.5) { x } else { 2.0 * x }
}

#[test]
fn negated_condition() {
    assert_eq!(f_grad(0.0).1, 1.0);
    assert_eq!(f_grad(1.0).1, 2.0);
}
