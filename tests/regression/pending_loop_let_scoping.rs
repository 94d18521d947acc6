//! PENDING (wrong value and gradient, silently; or the pullback never returns).
//!
//! `desugar::loop_to_while` rewrites `loop { A; if c { break v; } B }` as
//! `{ A; while !(c) { B; A } v }`. A `let` in `A` is per iteration in the original, but in
//! the rewrite the condition `c`, the value `v` and `B` of every iteration see the `let`s of
//! the *first* `A` (the copy at the end of the `while` body goes out of scope at once).
//!
//! `f` below: in Rust `t` doubles every iteration and `f(1.0) = 8`; the macro's forward pass
//! keeps `t = 2 s` of the first iteration: observed `f_grad(1.0) = (2, 2)`, expected
//! `(8, 8)`. `g`: `f` terminates, but the macro's `while !(t > 10.0)` never sees a new `t`,
//! so `g_grad` loops forever (the test fails after a timeout instead of hanging).
//! Found by the program fuzzer (a false rejection: a `let` in `A` shadowed a loop variable
//! used by `B`), then minimized to these.

use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut s = x;
    let mut k = 0;
    let r = loop {
        let t = s * 2.0;
        k += 1;
        if k >= 3 {
            break t;
        }
        s = t;
    };
    r
}

#[differentiate]
fn g(x: f64) -> f64 {
    let mut s = x;
    let r = loop {
        let t = s * 2.0;
        if t > 10.0 {
            break t;
        }
        s = t;
    };
    r
}

#[test]
fn let_in_loop_head_is_per_iteration() {
    assert_eq!(f(1.0), 8.0);
    assert_eq!(f_grad(1.0), (8.0, 8.0));
}

#[test]
fn loop_with_let_in_head_terminates() {
    assert_eq!(g(1.0), 16.0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(g_grad(1.0)));
    let r = rx.recv_timeout(std::time::Duration::from_secs(5));
    assert_eq!(
        r.ok(),
        Some((16.0, 16.0)),
        "g_grad(1.0) did not return in 5 s"
    );
}
