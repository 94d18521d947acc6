// Regression: this used to fail as described below; it must compile and give the right values.
//! A block statement that only assigns (`{ a = a * y; }`) is rejected with "the value of
//! this expression is unused; bind it with `let` or remove it", which is misleading: the
//! block's value is `()`, and the same assignment inside `let b = { a = a * y; a };` is
//! accepted and differentiated correctly.
use autodiff::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let mut a = x;
    {
        a = a * y;
    }
    a * x
}

fn main() {
    // f = x^2 y
    assert_eq!(f_grad(3.0, 2.0), (18.0, (12.0, 9.0)));
}
