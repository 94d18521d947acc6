//! `#[derive(Params)]`: makes a struct of tensors usable as parameters and as their gradient
//! (zero, accumulate, scale, visit named tensors), field by field.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, Index, Member};

pub fn derive(input: TokenStream) -> TokenStream {
    match derive_inner(input) {
        Ok(t) => t,
        Err(e) => e.into_compile_error(),
    }
}

fn derive_inner(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Params)] supports structs whose fields are tensors; enums and unions are not supported",
        ));
    };
    let mut members = Vec::new();
    let mut skipped = Vec::new();
    let mut types = Vec::new();
    let fields: Vec<_> = match &data.fields {
        Fields::Named(n) => n.named.iter().collect(),
        Fields::Unnamed(u) => u.unnamed.iter().collect(),
        Fields::Unit => Vec::new(),
    };
    for (i, field) in fields.iter().enumerate() {
        let member = match &field.ident {
            Some(id) => Member::Named(id.clone()),
            None => Member::Unnamed(Index::from(i)),
        };
        let mut skip = false;
        for attr in &field.attrs {
            if attr.path().is_ident("params") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("skip") {
                        skip = true;
                        Ok(())
                    } else {
                        Err(meta
                            .error("unknown `params` option; the only option is `#[params(skip)]`"))
                    }
                })?;
            }
        }
        if skip {
            skipped.push(member);
        } else {
            members.push(member);
            types.push(field.ty.clone());
        }
    }
    let Some(first) = types.first().cloned() else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Params)] needs at least one tensor field (fields marked `#[params(skip)]` do not count)",
        ));
    };
    let scalar = quote!(<#first as ::autodiff::Params>::Scalar);
    let mut generics = input.generics.clone();
    if !generics.params.is_empty() {
        let wc = generics.make_where_clause();
        wc.predicates
            .push(syn::parse_quote!(#first: ::autodiff::Params));
        for t in types.iter().skip(1) {
            wc.predicates
                .push(syn::parse_quote!(#t: ::autodiff::Params<Scalar = #scalar>));
        }
    }
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    let names: Vec<String> = members
        .iter()
        .map(|m| match m {
            Member::Named(id) => id.to_string().trim_start_matches("r#").to_string(),
            Member::Unnamed(i) => i.index.to_string(),
        })
        .collect();
    let f = format_ident!("__f");
    let zeros = members
        .iter()
        .map(|m| quote!(#m: ::autodiff::Params::zeros_like(&self.#m)));
    let kept = skipped
        .iter()
        .map(|m| quote!(#m: ::core::clone::Clone::clone(&self.#m)));
    Ok(quote! {
        #[automatically_derived]
        impl #impl_g ::autodiff::Params for #name #ty_g #where_c {
            type Scalar = #scalar;
            fn zeros_like(&self) -> Self {
                Self { #(#zeros,)* #(#kept,)* }
            }
            fn add_assign(&mut self, other: &Self) {
                #(::autodiff::Params::add_assign(&mut self.#members, &other.#members);)*
            }
            fn scale(&mut self, factor: Self::Scalar) {
                #(::autodiff::Params::scale(&mut self.#members, factor);)*
            }
            fn visit(&self, name: &mut ::std::string::String, #f: &mut dyn ::core::ops::FnMut(&str, &[Self::Scalar], &[usize])) {
                #(::autodiff::__private::with_segment(name, #names, |name| ::autodiff::Params::visit(&self.#members, name, #f));)*
            }
            fn visit_mut(&mut self, name: &mut ::std::string::String, #f: &mut dyn ::core::ops::FnMut(&str, &mut [Self::Scalar], &[usize])) {
                #(::autodiff::__private::with_segment(name, #names, |name| ::autodiff::Params::visit_mut(&mut self.#members, name, #f));)*
            }
            fn zip_mut(&mut self, other: &Self, #f: &mut dyn ::core::ops::FnMut(&mut [Self::Scalar], &[Self::Scalar])) {
                #(::autodiff::Params::zip_mut(&mut self.#members, &other.#members, #f);)*
            }
        }
    })
}
