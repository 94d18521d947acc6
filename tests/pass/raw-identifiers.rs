// Regression: this used to fail as described below; it must compile and give the right values.
// Raw identifiers. Today: a parameter `r#type` makes the macro panic ("custom attribute
// panicked: `"d_r#type"` is not a valid identifier"), and a local `r#loop` is emitted as
// `let loop = ..`, a syntax error.
use autodiff::differentiate;

#[differentiate]
fn raw_param(r#type: f64) -> f64 {
    r#type * 2.0
}

#[differentiate]
fn raw_local(x: f64) -> f64 {
    let r#loop = x * 3.0;
    r#loop * x
}

fn main() {
    assert_eq!(raw_param_grad(1.5), (3.0, 2.0));
    // 3 x^2: 6x
    assert_eq!(raw_local_grad(2.0), (12.0, 12.0));
}
