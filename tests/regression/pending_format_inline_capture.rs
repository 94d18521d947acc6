//! PENDING (generated code does not compile: E0425 "cannot find value `y` in this scope";
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
