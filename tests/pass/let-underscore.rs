// Regression: this used to fail as described below; it must compile and give the right values.
//! `let _ = expr;` is rejected with "#[differentiate] supports `let name = ..` bindings only;
//! destructuring patterns are not supported", although `_` destructures nothing. It is the
//! usual way to silence an unused value.
use autodiff::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let _ = y;
    let _ = x * y;
    x * x
}

fn main() {
    assert_eq!(f_grad(3.0, 1.0), (9.0, (6.0, 0.0)));
}
