//! Procedural macros of the `autodiff` crate: `#[differentiate]` and `#[derive(Params)]`.
//!
//! Use them through the `autodiff` facade, which documents them. This crate is only the thin
//! entry point: everything below works on `proc_macro2`/`syn` values and is unit-tested
//! without a compiler run. Pipeline: [`args`] -> [`signature`] -> [`lower`] (SSA [`ir`]) ->
//! [`reverse`] (the chain rule, with [`rules`]) -> [`codegen`].

mod args;
mod codegen;
mod ctxt;
mod derive_params;
mod desugar;
mod expand;
mod ir;
mod lower;
mod names;
mod rename;
mod reverse;
mod rules;
mod signature;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Writes the gradient of a function at compile time. See the `autodiff` crate docs.
#[proc_macro_attribute]
pub fn differentiate(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, item): (proc_macro2::TokenStream, proc_macro2::TokenStream) =
        (args.into(), item.into());
    // Defense in depth: a bug in the macro must show as a compile error on the user's
    // function, never as a crashed build, and the function itself must stay usable.
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        expand::differentiate(args.clone(), item.clone())
    }));
    match attempt {
        Ok(tokens) => tokens.into(),
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                "internal error in #[differentiate] on this function (please report it with the function); the function itself is kept unchanged",
            )
            .into_compile_error();
            quote::quote!(#err #item).into()
        }
    }
}

/// Implements `autodiff::Params` for a struct of tensors. See the `autodiff` crate docs.
#[proc_macro_derive(Params, attributes(params))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    derive_params::derive(input.into()).into()
}
