//! PENDING (the macro panics: "proc macro panicked ... unexpected token, expected `;`").
//!
//! `desugar::loop_to_while` re-parses `{ A; while !(c) { B A } v }` with `parse_quote!`; when
//! `B` ends with an expression statement without `;` (valid Rust: the loop body's tail of
//! type `()`), `B A` does not parse and `parse_quote!` panics.
//! Found by the token-mutation fuzzer (`autodiff-macros/src/fuzz_tests/tokens.rs`).
//!
//! Expected: `f(1.0)`'s gradient, like the same loop with `t = t * 0.5;`.

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut t = x;
    let u = loop {
        t = t.cos();
        if t < 0.1 {
            break t;
        }
        t = t * 0.5
    };
    u
}

#[test]
fn loop_body_may_end_without_semicolon() {
    let (v, _) = f_grad(1.0);
    assert_eq!(v, f(1.0));
}
