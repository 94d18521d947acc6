//! The pipeline: parse -> analyze the signature -> lower to SSA -> reverse sweep -> emit.
//!
//! On any error the user's function is still emitted unchanged next to the errors, so the
//! user sees the macro's messages rather than a cascade of "cannot find `f`" errors.

use crate::ctxt::Ctxt;
use crate::names::NameGen;
use crate::{args, codegen, lower, signature};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, ItemFn};

/// Expands `#[differentiate(args)] item`.
pub fn differentiate(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut f: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let span = match syn::parse2::<syn::Item>(item.clone()) {
                Ok(syn::Item::Struct(s)) => s.struct_token.span,
                Ok(syn::Item::Enum(e)) => e.enum_token.span,
                Ok(syn::Item::Impl(i)) => i.impl_token.span,
                Ok(syn::Item::Trait(t)) => t.trait_token.span,
                Ok(syn::Item::Mod(m)) => m.mod_token.span,
                Ok(syn::Item::Const(c)) => c.const_token.span,
                Ok(syn::Item::Static(s)) => s.static_token.span,
                _ => proc_macro2::Span::call_site(),
            };
            let err = syn::Error::new(
                span,
                "#[differentiate] applies to a free function, like `#[differentiate] fn f(x: f64) -> f64 { .. }`",
            )
            .into_compile_error();
            return quote!(#err #item);
        }
    };
    let original = strip_no_grad(&f);
    let mut cx = Ctxt::default();
    let args = match args::parse(args) {
        Ok(a) => a,
        Err(e) => {
            cx.push(e);
            Default::default()
        }
    };
    let generated = expand_fn(&mut f, &args, &mut cx);
    match cx.finish() {
        Ok(()) => quote!(#original #generated),
        Err(e) => {
            let e = e.into_compile_error();
            quote!(#original #e)
        }
    }
}

fn expand_fn(f: &mut ItemFn, args: &args::Args, cx: &mut Ctxt) -> TokenStream {
    let Some(sig) = signature::analyze(f, args, cx) else {
        return TokenStream::new();
    };
    let mut names = NameGen::new(sig.params.iter().map(|p| &p.ident));
    let Some(body) = lower::lower(&sig, &f.sig.ident, &f.block, cx, &mut names) else {
        return TokenStream::new();
    };
    if !cx.is_empty() {
        return TokenStream::new();
    }
    codegen::emit(f, &sig, &body, &mut names)
}

/// The user's function with `#[no_grad]` parameter markers removed. It is allowed to be
/// unused: calling only `f_grad` is normal (an unused `f_grad` still warns).
fn strip_no_grad(f: &ItemFn) -> ItemFn {
    let mut f = f.clone();
    f.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
    for input in f.sig.inputs.iter_mut() {
        if let FnArg::Typed(pt) = input {
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
        }
    }
    f
}
