//! PENDING (false rejections of supported syntax).
//!
//! In a block in statement position (a loop body, an `if`/`match` arm used as a statement,
//! a plain block), a last statement without `;` is lowered as the block's *value* by
//! `Lowerer::lower_stmts`. For `if`, `match`, `for`, `while` and `loop` statements that is
//! wrong: they are statements of type `()`. Errors seen: "this branch must end with a value",
//! "an `if` without `else` has no value", "#[differentiate] does not support this
//! expression". The desugarings produce such blocks themselves, so this also breaks
//! `loop { ..; if c { break; } }` (the README's own example) and `if c { continue; }`
//! (both in the README's supported-syntax table).
//! Workaround users can apply: a `;` after the statement (`for .. { .. };`).
//! Found by the program fuzzer (`autodiff-macros/src/fuzz_tests/program.rs`, strict mode).

use autodiff::differentiate;

/// `for` as the last statement of an `if` arm.
#[differentiate]
fn for_at_end_of_arm(x: f64) -> f64 {
    let mut s = x;
    if x > 0.0 {
        for _ in 0..3 {
            s += x;
        }
    }
    s
}

/// `if` as the last statement of a loop body.
#[differentiate]
fn if_at_end_of_loop_body(x: f64) -> f64 {
    let mut s = x;
    for _ in 0..3 {
        if s > 1.0 {
            s = s * 0.5;
        }
    }
    s
}

/// The README's `loop` example: desugars to a block ending in `while`.
#[differentiate]
fn loop_with_break(x: f64) -> f64 {
    let mut s = x;
    loop {
        s = s.cos();
        if s < 0.1 {
            break;
        }
    }
    s
}

/// `continue` desugars to a loop body ending in `if !(c) { .. }`.
#[differentiate]
fn with_continue(x: f64) -> f64 {
    let mut s = x;
    for i in 0..3 {
        if i == 1 {
            continue;
        }
        s += x;
    }
    s
}

#[test]
fn statement_blocks_may_end_in_block_statements() {
    assert_eq!(for_at_end_of_arm_grad(1.0).1, 4.0);
    assert_eq!(if_at_end_of_loop_body_grad(0.5).1, 1.0);
    assert_eq!(with_continue_grad(1.0).1, 3.0);
    let (v, _) = loop_with_break_grad(1.0);
    assert_eq!(v, loop_with_break(1.0));
}
