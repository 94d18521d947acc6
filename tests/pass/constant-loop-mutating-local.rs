// Regression: this used to fail as described below; it must compile and give the right values.
// A loop or `if` that only touches constants (integers) and mutates a local. The macro
// accepts constant control flow, but emits every local as an immutable SSA binding, so
// today rustc reports error[E0384] "cannot assign twice to immutable variable" on the
// attribute, with the suggestion `let mut s = mut 0;`. Either support it (below) or reject
// it with a #[differentiate] error on the `for` / `if`.
use autodiff::differentiate;

#[differentiate]
fn counted(x: f64, n: usize) -> f64 {
    let mut s = 0;
    for i in 0..n {
        s += i;
    }
    x * s as f64
}

#[differentiate]
fn flagged(x: f64, n: usize) -> f64 {
    let mut s = 1.0;
    if n > 2 {
        s = 2.0;
    }
    x * s
}

fn main() {
    // s = 0 + 1 + 2 + 3 = 6
    assert_eq!(counted_grad(5.0, 4), (30.0, 6.0));
    assert_eq!(flagged_grad(5.0, 4), (10.0, 2.0));
}
