//! PENDING (the macro panics: "proc macro panicked ... unexpected token").
//!
//! `desugar::index_loop` builds `for k in 0..#data.len() { .. }` with `parse_quote!`; with
//! `data` a block expression (`{ x }`) the tokens `0..{ x }.len()` do not parse in a `for`
//! head and `parse_quote!` panics. Any error message would do; a panic never should.
//! Found by the token-mutation fuzzer.

use autodiff::differentiate;

#[differentiate]
fn f(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for v in { x }.iter() {
        s += *v;
    }
    s
}

#[test]
fn compiles() {
    assert_eq!(f_grad([1.0, 2.0, 3.0]).1, [1.0, 1.0, 1.0]);
}
