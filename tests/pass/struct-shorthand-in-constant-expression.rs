// Regression: this used to fail as described below; it must compile and give the right values.
// Struct field shorthand `Cfg { n }` with a local `n` in a constant expression. Today:
// error[E0425] cannot find value `n` in this scope (the shorthand is printed as the
// user's `n`, but the local was renamed to a hygienic ident).
use autodiff::differentiate;

struct Cfg {
    n: i32,
}

#[differentiate]
fn f(x: f64) -> f64 {
    let n = 3;
    let c = Cfg { n };
    x * c.n as f64
}

fn main() {
    assert_eq!(f_grad(5.0), (15.0, 3.0));
}
