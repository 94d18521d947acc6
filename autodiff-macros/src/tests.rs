//! Unit tests of the whole pipeline on token streams.

use crate::expand::differentiate;
use quote::quote;

fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    differentiate(args, item).to_string()
}

#[test]
fn scalar_function_gets_pullback_and_grad() {
    let out = expand(
        quote!(),
        quote!(
            fn f(x: f64, y: f64) -> f64 {
                x * y + x.sin()
            }
        ),
    );
    assert!(out.contains("fn f_pullback"), "{out}");
    assert!(out.contains("fn f_grad"), "{out}");
    assert!(out.contains("mul_d_lhs"), "{out}");
    assert!(out.contains("sin_d_recv"), "{out}");
    assert!(!out.contains("compile_error"), "{out}");
}

#[test]
fn errors_are_collected_and_original_kept() {
    let out = expand(
        quote!(wrt(z)),
        quote!(
            fn g(x: f64) -> f64 {
                x.frobnicate()
            }
        ),
    );
    assert!(out.contains("fn g"), "{out}");
    assert!(out.contains("`wrt` names `z`"), "{out}");
    assert!(out.contains("frobnicate"), "{out}");
}

/// Expansion snapshots: `tests/expand/NAME.rs` holds a function with its attribute,
/// `NAME.expanded.rs` what the macro writes for it, formatted with prettyplease.
/// Run with `UPDATE_SNAPSHOTS=1` to rewrite them, then review the diff.
#[test]
fn expansion_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "rs")
                && !p.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 2);
    let mut failures = Vec::new();
    for input in inputs {
        let src = std::fs::read_to_string(&input).expect("readable input");
        let mut item: syn::ItemFn = syn::parse_str(&src).expect("input is a function");
        let attr = item.attrs.remove(0);
        let args = match attr.meta {
            syn::Meta::List(l) => l.tokens,
            _ => proc_macro2::TokenStream::new(),
        };
        let out = differentiate(args, quote!(#item));
        let file: syn::File = syn::parse2(out).expect("expansion parses as items");
        let pretty = prettyplease::unparse(&file);
        let snap = input.with_extension("expanded.rs");
        if update {
            std::fs::write(&snap, &pretty).expect("writable snapshot");
        } else if std::fs::read_to_string(&snap).ok().as_deref() != Some(pretty.as_str()) {
            failures.push(snap.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "expansion changed (UPDATE_SNAPSHOTS=1 to accept): {failures:?}"
    );
}

/// Runs signature analysis and lowering on `item`.
fn lowered(item: syn::ItemFn) -> (crate::signature::Signature, crate::ir::Body) {
    let mut cx = crate::ctxt::Ctxt::default();
    let sig = crate::signature::analyze(&item, &Default::default(), &mut cx).expect("signature");
    let mut names = crate::names::NameGen::new(sig.params.iter().map(|p| &p.ident));
    let body =
        crate::lower::lower(&sig, &item.sig.ident, &item.block, &mut cx, &mut names).expect("body");
    assert!(cx.finish().is_ok());
    (sig, body)
}

#[test]
fn lowering_gives_one_value_per_operation_and_tracks_activity() {
    let (sig, body) = lowered(syn::parse_quote!(
        fn f(x: f64, n: usize) -> f64 {
            let k = n as f64 * 2.0;
            let y = x * k + x.sin();
            y
        }
    ));
    assert!(sig.params[0].active && !sig.params[1].active);
    let active: Vec<String> = body
        .values
        .iter()
        .filter(|v| v.active)
        .map(|v| v.ident.to_string())
        .collect();
    // x, x * k, x.sin(), and their sum `y`; `k` is a constant.
    assert_eq!(active.len(), 4, "{active:?}");
    assert!(active.contains(&"y".to_string()));
    assert!(!active.contains(&"k".to_string()));
}

#[test]
fn reverse_sweep_skips_work_that_does_not_reach_the_output() {
    let (_, body) = lowered(syn::parse_quote!(
        fn f(x: f64) -> f64 {
            let unused = x.exp();
            let y = x * x;
            y
        }
    ));
    let seed = proc_macro2::Ident::new("d_value", proc_macro2::Span::call_site());
    let region = crate::reverse::sweep_function(&body, seed);
    let exp_value = body
        .values
        .iter()
        .position(|v| v.ident == "unused")
        .unwrap();
    assert!(
        !region.defined.contains(&exp_value),
        "no cotangent for a value that does not reach the output"
    );
    // The seed plus two contributions of `x * x` (one per operand).
    assert_eq!(region.stmts.len(), 3);
}

#[test]
fn branches_and_loops_lower_to_regions() {
    let (_, body) = lowered(syn::parse_quote!(
        fn f(x: f64, n: usize) -> f64 {
            let mut acc = 1.0;
            for _ in 0..n {
                acc = acc * x;
            }
            if acc > 2.0 { acc } else { -acc }
        }
    ));
    let kinds: Vec<&str> = body
        .block
        .stmts
        .iter()
        .map(|s| match s {
            crate::ir::Stmt::Let(_) => "let",
            crate::ir::Stmt::Effect(_) => "effect",
            crate::ir::Stmt::Branch(_) => "branch",
            crate::ir::Stmt::Loop(_) => "loop",
        })
        .collect();
    assert!(
        kinds.contains(&"loop") && kinds.contains(&"branch"),
        "{kinds:?}"
    );
}
