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
    expand::differentiate(args.into(), item.into()).into()
}

/// Implements `autodiff::Params` for a struct of tensors. See the `autodiff` crate docs.
#[proc_macro_derive(Params, attributes(params))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    derive_params::derive(input.into()).into()
}
