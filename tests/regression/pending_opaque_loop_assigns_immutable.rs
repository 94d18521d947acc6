//! PENDING (generated code does not compile: E0384 "cannot assign twice to immutable
//! variable").
//!
//! `let mut c = 0.5;` no derivative flows through is emitted as `let c = 0.5;` (the `mut` is
//! dropped: later assignments normally make new SSA values). But an expression that mentions
//! no differentiated value is kept whole (`Op::Opaque`, locals renamed), and when it
//! assigns a local — a `loop` in a `let` initializer here — the generated code assigns the
//! immutable `c`. The same happens when a function's output after an early return does not
//! depend on the parameters (`g`: the rewritten `if` holding `acc *= 2.0;` is opaque).
//! Found by `examples/gen_random_programs.rs`.

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut c = 0.5;
    let r = loop {
        c = c * 0.5;
        if c < 0.1 {
            break c;
        }
    };
    x * r
}

#[differentiate]
fn g(x: f64) -> f64 {
    let mut acc = 1.0;
    if acc > 2.0 {
        return 0.5;
    }
    acc *= 2.0;
    acc
}

#[test]
fn opaque_expressions_may_assign_locals() {
    assert_eq!(f_grad(1.0).1, 0.0625);
    assert_eq!(g_grad(3.0), (2.0, 0.0));
}
