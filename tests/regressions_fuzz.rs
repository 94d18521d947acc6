//! Regressions found by fuzzing the macro and by random programs (see
//! `tests/random_programs.rs`): each was a wrong value, a panic, a false rejection or
//! generated code that did not compile, and is now checked against its expected values.

#![allow(clippy::all, unused_assignments, unused_mut, unused_variables)]

mod block_ending_in_loop {
    //! FIXED (false rejections of supported syntax).
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
            s = s.sin() * 0.5;
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
}

mod dead_branch_in_region {
    //! FIXED (generated code does not compile: E0282 "type annotations needed", pointing at
    //! the parameter).
    //!
    //! A value `if` inside a nested region (an `if` arm or a loop body) whose result is never
    //! used: its pullback closure is built in the forward pass, but nothing in the backward
    //! pass calls it, so rustc cannot infer the closure's parameter types (`d_x: &mut _`). At
    //! the top level of the function the same dead `let` compiles.
    //! Found by `examples/gen_random_programs.rs`.

    use autodiff::differentiate;

    #[differentiate]
    fn f(x: f64) -> f64 {
        if x > 0.0 {
            let _unused = if x < 1.0 { 0.25 } else { x };
        }
        x
    }

    #[test]
    fn dead_value_branch_in_an_arm() {
        assert_eq!(f_grad(0.5), (0.5, 1.0));
    }
}

mod early_return_shadowing {
    //! FIXED (wrong value and gradient, silently).
    //!
    //! The early-return rewrite (`desugar::returns`) turns
    //! `if c { return a; } else { ARM } REST` into `if c { a } else { ARM REST }`. When `ARM`
    //! declares a `let` that shadows a name `REST` uses, `REST` now sees the shadow instead of
    //! the outer binding: `x` after the `if` below is the parameter in Rust, but the macro reads
    //! the arm's `let x = 3.0 * x`.
    //!
    //! Observed: `f(2.0) = 2`, but `f_grad(2.0) = (6, 3)`. Expected: `(2, 1)`.
    //! Found by `examples/gen_random_programs.rs` (seed 777: p307, p620, p826).

    use autodiff::differentiate;

    #[differentiate]
    fn f(x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        } else {
            let x = 3.0 * x;
            assert!(x >= 0.0);
        }
        x
    }

    #[test]
    fn shadowing_in_an_arm_does_not_leak_past_the_if() {
        assert_eq!(f(2.0), 2.0);
        assert_eq!(f_grad(2.0), (2.0, 1.0));
    }
}

mod for_iter_over_differentiated {
    //! FIXED (false rejection: "#[differentiate] cannot iterate over this differentiated
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
}

mod for_over_block_iter {
    //! FIXED (the macro panics: "proc macro panicked ... unexpected token").
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
}

mod format_inline_capture {
    //! FIXED (generated code does not compile: E0425 "cannot find value `y` in this scope";
    //! or, when the name also exists outside, it silently prints another variable).
    //!
    //! Allowed macros (`println!`, `assert!`, ..) run in the forward pass with their arguments'
    //! locals renamed (`Lowerer::rename`), but identifiers captured inside the format string
    //! (`"{y}"`, Rust 2021 inline format arguments) are not renamed: the generated code names a
    //! local that does not exist there (`y` is bound as a hygienic generated local), or, after
    //! `let x = x * 2.0;`, the parameter `x` instead of the new `x`.
    //! Found while minimizing a finding of `examples/gen_random_programs.rs`.

    use autodiff::differentiate;

    #[differentiate]
    fn f(x: f64) -> f64 {
        let y = x * 2.0;
        println!("{y}");
        y
    }

    #[test]
    fn inline_format_arguments() {
        assert_eq!(f_grad(1.0), (2.0, 2.0));
    }
}

mod loop_body_without_semicolon {
    //! FIXED (the macro panics: "proc macro panicked ... unexpected token, expected `;`").
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
            t = t * 0.7;
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
}

mod loop_let_scoping {
    //! FIXED (wrong value and gradient, silently; or the pullback never returns).
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
}

mod nested_early_return {
    //! FIXED (false rejection: "this branch must end with a value").
    //!
    //! `desugar::arm_with_rest` first rewrites the arm alone; the inner `if` then gets an empty
    //! `else`, the arm looks like it ends with a value (`ends_with_value` sees an `if` with an
    //! `else`), and the rest of the function is not appended to the inner `else`.
    //! Found by the program fuzzer (strict mode).

    use autodiff::differentiate;

    #[differentiate]
    fn f(x: f64, y: f64) -> f64 {
        if x > 0.0 {
            if y > 0.0 {
                return x;
            }
        }
        x * y
    }

    #[test]
    fn nested_early_return() {
        assert_eq!(f_grad(1.0, 1.0).1, (1.0, 0.0));
        assert_eq!(f_grad(1.0, -2.0).1, (-2.0, 1.0));
    }
}

mod not_condition {
    //! FIXED (false rejection: "`!` has no derivative; it cannot be applied to a
    //! differentiated value").
    //!
    //! An `if` condition is lowered with `lower_expr`, which keeps comparisons, `&&` and `||`
    //! whole but rejects `!` applied to an expression that mentions a differentiated value,
    //! although `!(x > 0.5)` is a `bool`. (`while !(..)` works: `is_comparison` accepts it.)
    //! Found by the program fuzzer (strict mode).

    use autodiff::differentiate;

    #[differentiate]
    fn f(x: f64) -> f64 {
        if !(x > 0.5) { x } else { 2.0 * x }
    }

    #[test]
    fn negated_condition() {
        assert_eq!(f_grad(0.0).1, 1.0);
        assert_eq!(f_grad(1.0).1, 2.0);
    }
}

mod opaque_loop_assigns_immutable {
    //! FIXED (generated code does not compile: E0384 "cannot assign twice to immutable
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
}
