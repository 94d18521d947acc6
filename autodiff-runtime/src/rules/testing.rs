//! Test helpers: check a rule `(operands.., y, d) -> contribution` against finite differences.

use crate::Params;
use crate::gradcheck::{Tolerance, check_vjp};

#[track_caller]
pub fn check_unary<X: Params + Clone, Y: Params>(
    x: &X,
    f: impl Fn(&X) -> Y,
    df: impl Fn(&X, &Y, &Y) -> X,
) {
    let r = check_vjp(&f, |x, d| df(x, &f(x), d), x, Tolerance::default());
    if let Err(e) = r {
        panic!("{e}");
    }
}

#[track_caller]
pub fn check_binary<A: Params + Clone, B: Params + Clone, Y: Params>(
    a: &A,
    b: &B,
    f: impl Fn(&A, &B) -> Y,
    d_lhs: impl Fn(&A, &B, &Y, &Y) -> A,
    d_rhs: impl Fn(&A, &B, &Y, &Y) -> B,
) {
    check_unary(a, |a| f(a, b), |a, y, d| d_lhs(a, b, y, d));
    check_unary(b, |b| f(a, b), |b, y, d| d_rhs(a, b, y, d));
}
