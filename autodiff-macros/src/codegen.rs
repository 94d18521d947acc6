//! Code generation: renders the forward statements and the reverse sweep as Rust.
//!
//! This is the only module that names runtime paths (`::autodiff::__private::..`). Every
//! rule call is spanned at the user's expression, so a type error in generated code points at
//! the user's line.

use crate::ir::{Body, Op, Place, Stmt, ValueId};
use crate::names::NameGen;
use crate::reverse::{AdjStmt, Contribution, Reverse};
use crate::signature::{Signature, generated_lifetime, name_elided_lifetimes};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::HashMap;
use syn::{FnArg, ItemFn, Pat};

/// Names of the generated companions of a function `f`.
pub fn pullback_ident(f: &Ident) -> Ident {
    format_ident!("{}_pullback", f)
}

pub fn grad_ident(f: &Ident) -> Ident {
    format_ident!("{}_grad", f)
}

/// Renders `f_pullback` (and `f_grad` for a scalar output).
pub fn emit(
    f: &ItemFn,
    sig: &Signature,
    body: &Body,
    rev: &Reverse,
    names: &mut NameGen,
) -> TokenStream {
    let mut g = Gen {
        body,
        names,
        adj: HashMap::new(),
        pb: HashMap::new(),
        grads: HashMap::new(),
    };
    let pullback = g.pullback_fn(f, sig, rev);
    let grad = if sig.scalar_output {
        grad_fn(f, sig)
    } else {
        TokenStream::new()
    };
    quote!(#pullback #grad)
}

struct Gen<'a> {
    body: &'a Body,
    names: &'a mut NameGen,
    /// Cotangent local of each value.
    adj: HashMap<ValueId, Ident>,
    /// Pullback closure of each call.
    pb: HashMap<ValueId, Ident>,
    /// Gradient tuple of each call.
    grads: HashMap<ValueId, Ident>,
}

impl Gen<'_> {
    fn value(&self, v: ValueId) -> &Ident {
        &self.body.values[v].ident
    }

    fn adj_ident(&mut self, v: ValueId) -> Ident {
        if let Some(id) = self.adj.get(&v) {
            return id.clone();
        }
        let base = format!("d_{}", self.body.values[v].ident);
        let id = self.names.fresh(&base, self.body.values[v].ident.span());
        self.adj.insert(v, id.clone());
        id
    }

    fn pb_ident(&mut self, v: ValueId) -> Ident {
        if let Some(id) = self.pb.get(&v) {
            return id.clone();
        }
        let id = self.names.fresh(
            &format!("{}_pullback", self.body.values[v].ident),
            self.body.values[v].ident.span(),
        );
        self.pb.insert(v, id.clone());
        id
    }

    fn grads_ident(&mut self, v: ValueId) -> Ident {
        if let Some(id) = self.grads.get(&v) {
            return id.clone();
        }
        let id = self.names.fresh(
            &format!("{}_grads", self.body.values[v].ident),
            self.body.values[v].ident.span(),
        );
        self.grads.insert(v, id.clone());
        id
    }

    fn pullback_fn(&mut self, f: &ItemFn, sig: &Signature, rev: &Reverse) -> TokenStream {
        let name = pullback_ident(&f.sig.ident);
        let vis = &f.vis;
        let out_ty = &sig.output;
        let lifetime = generated_lifetime();

        // Parameters with elided lifetimes named, so the closure's captures can be named.
        let mut named_any = false;
        let mut inputs = Vec::new();
        for input in &f.sig.inputs {
            if let FnArg::Typed(pt) = input {
                let mut pt = pt.clone();
                pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
                named_any |= name_elided_lifetimes(&mut pt.ty, &lifetime);
                inputs.push(pt);
            }
        }
        let mut generics = f.sig.generics.clone();
        if named_any {
            generics.params.insert(
                0,
                syn::GenericParam::Lifetime(syn::LifetimeParam::new(lifetime.clone())),
            );
        }
        let captures: Vec<TokenStream> = generics
            .params
            .iter()
            .map(|p| match p {
                syn::GenericParam::Lifetime(l) => {
                    let l = &l.lifetime;
                    quote!(#l)
                }
                syn::GenericParam::Type(t) => {
                    let i = &t.ident;
                    quote!(#i)
                }
                syn::GenericParam::Const(c) => {
                    let i = &c.ident;
                    quote!(#i)
                }
            })
            .collect();
        let (impl_generics, _, where_clause) = generics.split_for_impl();
        let grad_tys = sig.params.iter().map(|p| {
            if p.active {
                let t = &p.grad_ty;
                quote!(#t)
            } else {
                quote!(())
            }
        });

        // Forward pass.
        let items = &self.body.items;
        let mut forward = Vec::new();
        let mut effects = self.body.effects.iter().peekable();
        for (i, s) in self.body.stmts.iter().enumerate() {
            while let Some((_, tokens)) = effects.next_if(|(at, _)| *at == i) {
                forward.push(tokens.clone());
            }
            forward.push(self.forward_stmt(s));
        }
        for (_, tokens) in effects {
            forward.push(tokens.clone());
        }

        let value = self.names.fresh("value", Span::call_site());
        let d_value = self.names.fresh("d_value", Span::call_site());
        let output_ref = self.body.ref_tokens(&self.body.output);

        // Backward pass.
        let mut backward = Vec::new();
        for s in &rev.stmts {
            backward.push(self.adjoint_stmt(s, &d_value));
        }
        let grads = sig.params.iter().enumerate().map(|(i, p)| {
            if p.active {
                let v = self
                    .body
                    .values
                    .iter()
                    .position(|v| v.origin == crate::ir::Origin::Param(i))
                    .expect("every parameter has a value");
                if rev.defined.contains(&v) {
                    let d = self.adj_ident(v);
                    quote!(#d)
                } else {
                    let r = self.body.ref_tokens(&Place::Value(v));
                    quote!(::autodiff::__private::zeros_like(#r))
                }
            } else {
                quote!(())
            }
        });
        let grads: Vec<TokenStream> = grads.collect();

        let doc = format!(
            " Value of [`{0}`] and its pullback: a closure mapping a cotangent of the result to the cotangents of all parameters (`()` for those not differentiated). Generated by `#[differentiate]`.",
            f.sig.ident
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_variables, unused_mut, unused_parens, unused_braces, non_snake_case, clippy::all, clippy::pedantic)]
            #vis fn #name #impl_generics (#(#inputs),*) -> (#out_ty, impl ::core::ops::FnOnce(#out_ty) -> (#(#grad_tys,)*) + use<#(#captures),*>) #where_clause {
                #(#items)*
                #(#forward)*
                let #value = ::autodiff::__private::value_of(#output_ref);
                (#value, move |#d_value: #out_ty| {
                    #(#backward)*
                    (#(#grads,)*)
                })
            }
        }
    }

    fn forward_stmt(&mut self, s: &Stmt) -> TokenStream {
        let id = self.value(s.out).clone();
        let span = s.span;
        let ty = s.ty.as_ref().map(|t| quote!(: #t));
        let b = self.body;
        match &s.op {
            Op::Opaque(e) => quote_spanned!(span=> let #id #ty = #e;),
            Op::Binary(op, a, c) => {
                let f = format_ident!("{}", op.name(), span = span);
                let (ra, rc) = (b.ref_tokens(a), b.ref_tokens(c));
                quote_spanned!(span=> let #id #ty = ::autodiff::__private::#f(#ra, #rc);)
            }
            Op::Neg(a) => {
                let ra = b.ref_tokens(a);
                quote_spanned!(span=> let #id #ty = ::autodiff::__private::neg(#ra);)
            }
            Op::Cast(a, to) => {
                let va = b.value_tokens(a);
                quote_spanned!(span=> let #id #ty = #va as #to;)
            }
            Op::Method {
                name, recv, args, ..
            } => {
                let r = b.place_tokens(recv);
                let r = if matches!(recv, Place::Value(_) | Place::Field(..)) {
                    r
                } else {
                    quote!((#r))
                };
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                quote_spanned!(span=> let #id #ty = #r.#name(#(#args),*);)
            }
            Op::Call { func, args } => {
                let pb = self.pb_ident(s.out);
                let mut path = func.clone();
                if let Some(last) = path.path.segments.last_mut() {
                    last.ident = pullback_ident(&last.ident);
                }
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                let ty = s.ty.as_ref().map(|t| quote!(: (#t, _)));
                quote_spanned!(span=> let (#id, #pb) #ty = #path(#(#args),*);)
            }
            Op::Construct { func, args } => {
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                quote_spanned!(span=> let #id #ty = #func(#(#args),*);)
            }
            Op::Array(args) => {
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                quote_spanned!(span=> let #id #ty = [#(#args),*];)
            }
        }
    }

    /// The cotangent place of a primal place: `d_net.l1.weight`, `d_v[i]`.
    fn adj_place(&mut self, p: &Place) -> TokenStream {
        match p {
            Place::Value(v) => {
                let d = self.adj_ident(*v);
                quote!(#d)
            }
            Place::Ref(inner) | Place::Deref(inner) => self.adj_place(inner),
            Place::Field(inner, m) => {
                let t = self.adj_place(inner);
                quote!(#t.#m)
            }
            Place::Index(inner, i) => {
                let t = self.adj_place(inner);
                let i = self.body.value_tokens(i);
                quote!(#t[#i])
            }
        }
    }

    fn stmt_span(&self, v: ValueId) -> Span {
        self.body
            .stmts
            .iter()
            .find(|s| s.out == v)
            .map(|s| s.span)
            .unwrap_or_else(Span::call_site)
    }

    fn contribution(&mut self, c: &Contribution, d_value: &Ident) -> TokenStream {
        match c {
            Contribution::Seed => quote!(#d_value),
            Contribution::Rule {
                rule,
                operands,
                out,
            } => {
                let span = self.stmt_span(*out);
                let f = Ident::new(rule, span);
                let ops = operands.iter().map(|p| self.body.ref_tokens(p));
                let y = self.value(*out).clone();
                let d = self.adj_ident(*out);
                quote_spanned!(span=> ::autodiff::__private::#f(#(#ops,)* &#y, &#d))
            }
            Contribution::CallGrad { out, index } => {
                let g = self.grads_ident(*out);
                let i = syn::Index::from(*index);
                quote!(#g.#i)
            }
            Contribution::Element { out, index } => {
                let d = self.adj_ident(*out);
                quote!(#d[#index])
            }
            Contribution::ConstructorArg { out, index } => {
                let span = self.stmt_span(*out);
                let d = self.adj_ident(*out);
                quote_spanned!(span=> ::autodiff::__private::new_arg_d(&#d, #index))
            }
        }
    }

    fn adjoint_stmt(&mut self, s: &AdjStmt, d_value: &Ident) -> TokenStream {
        match s {
            AdjStmt::ZeroInit(v) => {
                let d = self.adj_ident(*v);
                let r = self.body.ref_tokens(&Place::Value(*v));
                quote!(let mut #d = ::autodiff::__private::zeros_like(#r);)
            }
            AdjStmt::CallPullback(v) => {
                let g = self.grads_ident(*v);
                let pb = self.pb_ident(*v);
                let d = self.adj_ident(*v);
                quote!(let #g = #pb(#d);)
            }
            AdjStmt::Accumulate {
                target,
                contribution,
                declare,
            } => {
                let c = self.contribution(contribution, d_value);
                if *declare {
                    let d = self.adj_ident(target.root());
                    quote!(let mut #d = #c;)
                } else {
                    let t = self.adj_place(target);
                    quote!(::autodiff::__private::accum(&mut #t, #c);)
                }
            }
        }
    }
}

/// `f_grad`: the value and the gradient of the active parameters.
fn grad_fn(f: &ItemFn, sig: &Signature) -> TokenStream {
    let name = grad_ident(&f.sig.ident);
    let pullback = pullback_ident(&f.sig.ident);
    let vis = &f.vis;
    let out_ty = &sig.output;
    let (impl_generics, _, where_clause) = f.sig.generics.split_for_impl();
    let mut inputs = Vec::new();
    let mut idents = Vec::new();
    for input in &f.sig.inputs {
        if let FnArg::Typed(pt) = input {
            let mut pt = pt.clone();
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
            if let Pat::Ident(pi) = &mut *pt.pat {
                pi.mutability = None;
                idents.push(pi.ident.clone());
            }
            inputs.push(pt);
        }
    }
    let active: Vec<usize> = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.active)
        .map(|(i, _)| i)
        .collect();
    let value = Ident::new("value", Span::mixed_site());
    let pb = Ident::new("pullback", Span::mixed_site());
    let grads = Ident::new("grads", Span::mixed_site());
    let picked: Vec<TokenStream> = active
        .iter()
        .map(|&i| {
            let i = syn::Index::from(i);
            quote!(#grads.#i)
        })
        .collect();
    let grad_tys: Vec<&syn::Type> = active.iter().map(|&i| &sig.params[i].grad_ty).collect();
    let (grad_ty, grad_val) = if picked.len() == 1 {
        let (t, v) = (grad_tys[0], &picked[0]);
        (quote!(#t), quote!(#v))
    } else {
        (quote!((#(#grad_tys),*)), quote!((#(#picked),*)))
    };
    let doc = format!(
        " Value of [`{0}`] and its gradient with respect to its differentiated parameters (one gradient alone, several as a tuple in declaration order). Generated by `#[differentiate]`.",
        f.sig.ident
    );
    quote! {
        #[doc = #doc]
        #[allow(clippy::all)]
        #vis fn #name #impl_generics (#(#inputs),*) -> (#out_ty, #grad_ty) #where_clause {
            let (#value, #pb) = #pullback(#(#idents),*);
            let #grads = #pb(::autodiff::__private::one_like(&#value));
            (#value, #grad_val)
        }
    }
}
