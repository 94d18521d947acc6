// Regression: this used to fail as described below; it must compile and give the right values.
// A name bound inside a constant expression (closure parameter, block `let`, match arm)
// that shadows an outer local. Today the expansion renames the inner uses to the outer
// local: `f_grad` silently returns a different value and gradient than `f`.
use autodiff::differentiate;

#[differentiate]
fn closure_param(x: f64) -> f64 {
    let m = 10;
    let k = (0..3).map(|m| m * 2).sum::<i32>();
    x * (k + m - m) as f64
}

#[differentiate]
fn block_local(x: f64) -> f64 {
    let m = 10;
    let k = {
        let m = 2;
        m * 3
    };
    x * (k + m - m) as f64
}

#[differentiate]
fn match_binding(x: f64, n: i32) -> f64 {
    let m = 10;
    let k = match n {
        m => m * 2,
    };
    x * (k + m - m) as f64
}

fn main() {
    // k = 0 + 2 + 4 = 6 today computed as 3 * (10 * 2) = 60
    assert_eq!(closure_param(5.0), 30.0);
    assert_eq!(closure_param_grad(5.0), (30.0, 6.0));
    // k = 2 * 3 = 6, today computed as 10 * 3 = 30
    assert_eq!(block_local_grad(5.0), (30.0, 6.0));
    // k = n * 2 = 2, today computed as 10 * 2 = 20
    assert_eq!(match_binding_grad(5.0, 1), (10.0, 2.0));
}
