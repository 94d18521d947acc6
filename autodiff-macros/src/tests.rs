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
