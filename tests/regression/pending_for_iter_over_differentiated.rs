//! PENDING (false rejection: "#[differentiate] cannot iterate over this differentiated
//! value").
//!
//! `for v in x.iter()` is rewritten to `for k in 0..x.len() { let v = &x[k]; .. }`, and that
//! loop is lowered again: its range `0..x.len()` mentions the differentiated `x`, so it is
//! sent to `desugar::index_loop` a second time, which does not accept a range. The README
//! lists both forms as supported.
//! Found by probing the fuzzers' findings around `desugar::index_loop`.

use autodiff::differentiate;

#[differentiate]
fn sum(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += *v * *v;
    }
    s
}

#[differentiate]
fn weighted(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        s += *v * (i as f64);
    }
    s
}

#[test]
fn iterate_over_a_differentiated_array() {
    assert_eq!(sum_grad([1.0, 2.0, 3.0]).1, [2.0, 4.0, 6.0]);
    assert_eq!(weighted_grad([1.0, 2.0, 3.0]).1, [0.0, 1.0, 2.0]);
}
