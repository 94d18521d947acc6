//! Code generation: renders the forward statements and the reverse sweep as Rust.
//!
//! This is the only module that names runtime paths (`::autodiff::__private::..`). Every
//! rule call is spanned at the user's expression, so a type error in generated code points at
//! the user's line.

use crate::ir::{Block, Body, Branch, Let, Loop, LoopHead, Op, Place, Selector, Stmt, ValueId};
use crate::names::NameGen;
use crate::reverse::{self, AdjStmt, Contribution, Region};
use crate::signature::{Signature, generated_lifetime, name_elided_lifetimes};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::{HashMap, HashSet};
use syn::{FnArg, ItemFn, Pat};

/// Names of the generated companions of a function `f`.
pub fn pullback_ident(f: &Ident) -> Ident {
    format_ident!("{}_pullback", f)
}

pub fn grad_ident(f: &Ident) -> Ident {
    format_ident!("{}_grad", f)
}

/// Renders `f_pullback` (and `f_grad` for a scalar output).
pub fn emit(f: &ItemFn, sig: &Signature, body: &Body, names: &mut NameGen) -> TokenStream {
    let mut g = Gen {
        body,
        names,
        adj: HashMap::new(),
        pb: HashMap::new(),
        grads: HashMap::new(),
        control: HashMap::new(),
        inputs: vec![HashSet::new()],
        live: HashSet::new(),
    };
    let pullback = g.pullback_fn(f, sig);
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
    /// Pullback of each branch / tape of each loop, by statement id.
    control: HashMap<usize, Ident>,
    /// Inputs of the regions being rendered, innermost last: their cotangents are `&mut`.
    inputs: Vec<HashSet<ValueId>>,
    /// Branches and loops whose pullbacks a backward pass runs (by statement id).
    live: HashSet<usize>,
}

impl Gen<'_> {
    fn value(&self, v: ValueId) -> &Ident {
        &self.body.values[v].ident
    }

    fn fresh(&mut self, base: &str, span: Span) -> Ident {
        self.names.fresh(base, span)
    }

    fn adj_ident(&mut self, v: ValueId) -> Ident {
        if let Some(id) = self.adj.get(&v) {
            return id.clone();
        }
        let base = format!("d_{}", self.body.values[v].ident);
        let id = self.fresh(&base, self.body.values[v].ident.span());
        self.adj.insert(v, id.clone());
        id
    }

    fn pb_ident(&mut self, v: ValueId) -> Ident {
        if let Some(id) = self.pb.get(&v) {
            return id.clone();
        }
        let id = self.fresh(
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
        let id = self.fresh(
            &format!("{}_grads", self.body.values[v].ident),
            self.body.values[v].ident.span(),
        );
        self.grads.insert(v, id.clone());
        id
    }

    fn control_ident(&mut self, id: usize, base: &str, span: Span) -> Ident {
        if let Some(i) = self.control.get(&id) {
            return i.clone();
        }
        let i = self.fresh(base, span);
        self.control.insert(id, i.clone());
        i
    }

    /// Records the branches and loops whose pullbacks `region`'s backward pass runs.
    fn note_live(&mut self, region: &Region) {
        for s in &region.stmts {
            match s {
                AdjStmt::Branch { branch, .. } => {
                    self.live.insert(branch.id);
                }
                AdjStmt::Loop { lp, .. } => {
                    self.live.insert(lp.id);
                }
                _ => {}
            }
        }
    }

    fn is_input(&self, v: ValueId) -> bool {
        self.inputs.last().is_some_and(|s| s.contains(&v))
    }

    /// `&mut d_v`, or a reborrow when `d_v` is already a `&mut` input of this region.
    fn input_arg(&mut self, v: ValueId) -> TokenStream {
        let d = self.adj_ident(v);
        if self.is_input(v) {
            quote!(&mut *#d)
        } else {
            quote!(&mut #d)
        }
    }
    fn pullback_fn(&mut self, f: &ItemFn, sig: &Signature) -> TokenStream {
        let name = pullback_ident(&f.sig.ident);
        let vis = &f.vis;
        let out_ty = &sig.output;
        let lifetime = generated_lifetime();

        // Parameters with elided lifetimes named, so the closure's captures can be named.
        // Elided lifetimes get names so the closure's captures can be listed. A parameter the
        // pullback copies (`x: &SVector<..>`) gets a lifetime of its own that the closure
        // does not capture, so callers may pass references to their locals.
        let mut named_any = false;
        let mut copied_lifetimes = Vec::new();
        let mut inputs = Vec::new();
        for (i, input) in f.sig.inputs.iter().enumerate() {
            if let FnArg::Typed(pt) = input {
                let mut pt = pt.clone();
                pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
                let copied = sig.params.get(i).is_some_and(|p| p.copied_by_pullback());
                if copied {
                    let own = syn::Lifetime::new(&format!("'__autodiff_{i}"), Span::call_site());
                    if name_elided_lifetimes(&mut pt.ty, &own) {
                        copied_lifetimes.push(own);
                    }
                } else {
                    named_any |= name_elided_lifetimes(&mut pt.ty, &lifetime);
                }
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
        for l in copied_lifetimes {
            generics
                .params
                .insert(0, syn::GenericParam::Lifetime(syn::LifetimeParam::new(l)));
        }
        let (impl_generics, _, where_clause) = generics.split_for_impl();
        let grad_tys = sig.params.iter().map(|p| {
            if p.active {
                let t = &p.grad_ty;
                quote!(#t)
            } else {
                quote!(())
            }
        });

        let active: Vec<bool> = sig.params.iter().map(|p| p.active).collect();
        let pullback = self.body_pullback(&active, Some(out_ty));

        let doc = format!(
            " Value of [`{0}`] and its pullback: a closure mapping a cotangent of the result to the cotangents of all parameters (`()` for those not differentiated). Generated by `#[differentiate]`.",
            f.sig.ident
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_variables, unused_mut, unused_parens, unused_braces, non_snake_case, clippy::all, clippy::pedantic)]
            #vis fn #name #impl_generics (#(#inputs),*) -> (#out_ty, impl ::core::ops::FnOnce(#out_ty) -> (#(#grad_tys,)*) + use<#(#captures),*>) #where_clause {
                #pullback
            }
        }
    }

    /// The body's forward pass followed by `(value, move |d_value| { backward; grads })`.
    /// `active[i]`: whether parameter `i` gets a gradient (else `()`).
    fn body_pullback(&mut self, active: &[bool], out_ty: Option<&syn::Type>) -> TokenStream {
        let items = &self.body.items;
        let value = self.fresh("value", Span::call_site());
        let d_value = self.fresh("d_value", Span::call_site());
        let output_ref = self.body.ref_tokens(&self.body.output);
        // The backward pass first: it decides which branches and loops need pullbacks.
        let region = reverse::sweep_function(self.body, d_value.clone());
        self.note_live(&region);
        let backward = self.region_stmts(&region);
        let forward = self.forward_block(&self.body.block);
        let mut grads = Vec::new();
        for (i, &is_active) in active.iter().enumerate() {
            if !is_active {
                grads.push(quote!(()));
                continue;
            }
            let v = self
                .body
                .values
                .iter()
                .position(|v| v.origin == crate::ir::Origin::Param(i))
                .expect("every parameter has a value");
            grads.push(self.cotangent_or_zero(v, &region.defined));
        }
        let d_ty = out_ty.map(|t| quote!(: #t));
        quote! {
            #(#items)*
            #(#forward)*
            let #value = ::autodiff::__private::value_of(#output_ref);
            (#value, move |#d_value #d_ty| {
                #(#backward)*
                (#(#grads,)*)
            })
        }
    }

    /// The derivative of an elementwise closure (`v.map(|e| ..)`) at one element: a closure
    /// `|params.., d| -> cotangent of param `which``.
    fn elementwise_pullback(&mut self, elem: &crate::ir::Elementwise, which: usize) -> TokenStream {
        let mut inner = Gen {
            body: &elem.body,
            names: self.names,
            adj: HashMap::new(),
            pb: HashMap::new(),
            grads: HashMap::new(),
            control: HashMap::new(),
            inputs: vec![HashSet::new()],
            live: HashSet::new(),
        };
        let active = vec![true; elem.params.len()];
        let pullback = inner.body_pullback(&active, None);
        let params = &elem.params;
        let d = Ident::new("d_element", Span::mixed_site());
        let i = syn::Index::from(which);
        quote!(|#(#params,)* #d| {
            let (_, pullback) = { #pullback };
            pullback(#d).#i
        })
    }

    fn forward_block(&mut self, block: &Block) -> Vec<TokenStream> {
        block
            .stmts
            .iter()
            .map(|s| match s {
                Stmt::Let(l) => self.forward_let(l),
                Stmt::Effect(t) => t.clone(),
                Stmt::Branch(b) => self.forward_branch(b),
                Stmt::Loop(l) => self.forward_loop(l),
            })
            .collect()
    }

    fn forward_let(&mut self, s: &Let) -> TokenStream {
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
                quote_spanned!(span=> let (#id, mut #pb) #ty = #path(#(#args),*);)
            }
            Op::Construct { func, args } => {
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                quote_spanned!(span=> let #id #ty = #func(#(#args),*);)
            }
            Op::Array(args) => {
                let args = args.iter().map(|a| b.place_tokens(&a.place));
                quote_spanned!(span=> let #id #ty = [#(#args),*];)
            }
            Op::Copy(a) => {
                let ra = b.ref_tokens(a);
                quote_spanned!(span=> let #id #ty = ::autodiff::__private::value_of(#ra);)
            }
            Op::Map { recv, other, elem } => {
                let r = b.place_tokens(recv);
                let r = if matches!(recv, Place::Value(_) | Place::Field(..)) {
                    r
                } else {
                    quote!((#r))
                };
                let closure = &elem.forward;
                match other {
                    None => quote_spanned!(span=> let #id #ty = #r.map(#closure);),
                    Some(o) => {
                        let o = b.place_tokens(&o.place);
                        quote_spanned!(span=> let #id #ty = #r.zip_map(#o, #closure);)
                    }
                }
            }
            Op::SetIndex { base, index, value } => {
                let (rb, i, rv) = (
                    b.ref_tokens(base),
                    b.value_tokens(index),
                    b.ref_tokens(value),
                );
                quote_spanned!(span=>
                    let mut #id #ty = ::autodiff::__private::value_of(#rb);
                    #id[#i] = ::autodiff::__private::value_of(#rv);
                )
            }
        }
    }

    /// The closure running a nested region's backward pass: it takes the cotangents of the
    /// region's `results` by value and adds to its `inputs`' cotangents through `&mut`.
    fn region_closure(
        &mut self,
        block: &Block,
        results: &[Place],
        inputs: &[ValueId],
        span: Span,
    ) -> TokenStream {
        let seeds: Vec<Ident> = results
            .iter()
            .map(|_| self.fresh("d_result", span))
            .collect();
        let region = reverse::sweep_region(
            self.body,
            block,
            results
                .iter()
                .zip(&seeds)
                .map(|(p, d)| (p.clone(), Contribution::Named(d.clone())))
                .collect(),
        );
        self.note_live(&region);
        self.inputs.push(inputs.iter().copied().collect());
        let stmts = self.region_stmts(&region);
        self.inputs.pop();
        // Tie the closure's parameter types to the values, so fields and indices of the
        // cotangents can be used before the closure is called.
        let links = results.iter().zip(&seeds).map(|(p, d)| {
            let r = self.body.ref_tokens(p);
            quote!(let #d = ::autodiff::__private::like(#d, #r);)
        });
        let links: Vec<TokenStream> = links.collect();
        let mut params = Vec::new();
        let mut input_links = Vec::new();
        for &v in inputs {
            let d = self.adj_ident(v);
            params.push(quote!(#d: &mut _));
            if receives_parts(&region, v) {
                let r = self.body.ref_tokens(&Place::Value(v));
                input_links.push(quote!(let #d = ::autodiff::__private::like_mut(#d, #r);));
            }
        }
        quote!(move |#(#seeds,)* #(#params),*| {
            #(#links)*
            #(#input_links)*
            #(#stmts)*
        })
    }

    fn forward_branch(&mut self, b: &Branch) -> TokenStream {
        let body = self.body;
        let active: Vec<usize> = (0..b.outs.len())
            .filter(|&k| body.values[b.outs[k]].active)
            .collect();
        let has_pb = !active.is_empty() && self.live.contains(&b.id);
        let inputs = if has_pb {
            reverse::branch_inputs(body, b)
        } else {
            Vec::new()
        };
        let pb = self.control_ident(b.id, "branch_pullback", b.span);
        let n = b.arms.len();
        let mut arms = Vec::new();
        for (k, arm) in b.arms.iter().enumerate() {
            // The arm's backward pass first: it decides which of its branches need pullbacks.
            let closure = if has_pb {
                let results: Vec<Place> = active.iter().map(|&i| arm.results[i].clone()).collect();
                let c = self.region_closure(&arm.block, &results, &inputs, b.span);
                Some(either(k, n, c))
            } else {
                None
            };
            let fwd = self.forward_block(&arm.block);
            let vals: Vec<TokenStream> = arm
                .results
                .iter()
                .map(|r| {
                    let r = body.ref_tokens(r);
                    quote!(::autodiff::__private::value_of(#r))
                })
                .collect();
            arms.push(quote!({ #(#fwd)* (#(#vals,)* #closure) }));
        }
        let outs: Vec<&Ident> = b.outs.iter().map(|o| self.value(*o)).collect();
        let pb_pat = has_pb.then(|| quote!(#pb));
        let selection = match &b.selector {
            Selector::If(c) => {
                let c = body.value_tokens(c);
                let (a0, a1) = (&arms[0], &arms[1]);
                quote!(if #c #a0 else #a1)
            }
            Selector::Match {
                scrutinee,
                patterns,
            } => {
                quote!(match #scrutinee { #(#patterns => #arms)* })
            }
        };
        quote!(let (#(#outs,)* #pb_pat) = #selection;)
    }

    fn forward_loop(&mut self, l: &Loop) -> TokenStream {
        let body = self.body;
        let active: Vec<usize> = (0..l.states.len())
            .filter(|&k| body.values[l.states[k].state].active)
            .collect();
        let tape = (!active.is_empty() && self.live.contains(&l.id))
            .then(|| self.control_ident(l.id, "tape", l.span));
        let mut init = Vec::new();
        for st in &l.states {
            let s = self.value(st.state).clone();
            let r = body.ref_tokens(&st.init);
            init.push(quote!(let mut #s = ::autodiff::__private::value_of(#r);));
        }
        let tape_init = tape.as_ref().map(|t| match &l.head {
            LoopHead::For {
                capacity: Some(n), ..
            } if is_small_literal(n) => {
                quote!(let mut #t = ::autodiff::__private::StackTape::<_, #n>::new();)
            }
            _ => quote!(let mut #t = ::autodiff::__private::Tape::new();),
        });
        let push = tape.as_ref().map(|t| {
            let results: Vec<Place> = active.iter().map(|&k| l.results[k].clone()).collect();
            let inputs = reverse::loop_inputs(body, l);
            let c = self.region_closure(&l.body, &results, &inputs, l.span);
            quote!(#t.push(#c);)
        });
        let fwd = self.forward_block(&l.body);
        let next: Vec<Ident> = l
            .states
            .iter()
            .map(|st| {
                let base = format!("{}_next", self.body.values[st.state].ident);
                self.fresh(&base, l.span)
            })
            .collect();
        let next_vals = l.results.iter().map(|r| {
            let r = body.ref_tokens(r);
            quote!(::autodiff::__private::value_of(#r))
        });
        let states: Vec<&Ident> = l.states.iter().map(|st| self.value(st.state)).collect();
        let outs: Vec<&Ident> = l.states.iter().map(|st| self.value(st.out)).collect();
        let inner = quote!({
            #(#fwd)*
            let (#(#next,)*) = (#(#next_vals,)*);
            #push
            #(#states = #next;)*
        });
        let head = match &l.head {
            LoopHead::For { pat, iter, .. } => quote!(for #pat in #iter #inner),
            LoopHead::While { cond } => quote!(while #cond #inner),
        };
        quote! {
            #(#init)*
            #tape_init
            #head
            #(let #outs = #states;)*
        }
    }

    /// The cotangent place of a primal place: `d_net.l1.weight`, `d_v[i]`, `(*d_x)` for an
    /// input of the current region.
    fn adj_place(&mut self, p: &Place) -> TokenStream {
        match p {
            Place::Value(v) => {
                let d = self.adj_ident(*v);
                if self.is_input(*v) {
                    quote!((*#d))
                } else {
                    quote!(#d)
                }
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
        fn find(block: &Block, v: ValueId) -> Option<Span> {
            block.stmts.iter().find_map(|s| match s {
                Stmt::Let(l) if l.out == v => Some(l.span),
                Stmt::Branch(b) => b.arms.iter().find_map(|a| find(&a.block, v)),
                Stmt::Loop(l) => find(&l.body, v),
                _ => None,
            })
        }
        find(&self.body.block, v).unwrap_or_else(Span::call_site)
    }

    fn contribution(&mut self, c: &Contribution) -> TokenStream {
        match c {
            Contribution::Named(d) => quote!(#d),
            Contribution::Whole { out } => {
                let d = self.adj_ident(*out);
                quote!(#d)
            }
            Contribution::LoopState(s) => {
                let d = self.adj_ident(*s);
                quote!(#d)
            }
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
            Contribution::Elementwise { out, which } => {
                let span = self.stmt_span(*out);
                let d = self.adj_ident(*out);
                let Some(Op::Map { recv, other, elem }) = find_op(&self.body.block, *out) else {
                    unreachable!("an elementwise contribution comes from a map")
                };
                let f = self.elementwise_pullback(elem, *which);
                let r = self.body.ref_tokens(recv);
                match other {
                    None => quote_spanned!(span=> ::autodiff::__private::map_d(#r, &#d, #f)),
                    Some(o) => {
                        let o = self.body.ref_tokens(&o.place);
                        quote_spanned!(span=> ::autodiff::__private::zip_map_d(#r, #o, &#d, #f))
                    }
                }
            }
            Contribution::SetIndexBase { out, index } => {
                let d = self.adj_ident(*out);
                let i = self.body.value_tokens(index);
                quote!(::autodiff::__private::set_index_d_base(&#d, #i))
            }
            Contribution::SetIndexValue { out, index } => {
                let d = self.adj_ident(*out);
                let i = self.body.value_tokens(index);
                quote!(::autodiff::__private::set_index_d_value(&#d, #i))
            }
        }
    }

    fn region_stmts(&mut self, region: &Region) -> Vec<TokenStream> {
        region
            .stmts
            .iter()
            .map(|s| self.adjoint_stmt(s, &region.defined))
            .collect()
    }

    /// The cotangent of `v` to hand on: its local, or zero if nothing reached it.
    fn cotangent_or_zero(&mut self, v: ValueId, defined: &HashSet<ValueId>) -> TokenStream {
        if defined.contains(&v) {
            let d = self.adj_ident(v);
            quote!(#d)
        } else {
            // A copied parameter is shaped from its copy, so the closure does not capture
            // the caller's reference.
            let shape = self.body.block.stmts.iter().find_map(|s| match s {
                Stmt::Let(l) if matches!(&l.op, Op::Copy(Place::Value(p)) if *p == v) => {
                    Some(l.out)
                }
                _ => None,
            });
            let r = self.body.ref_tokens(&Place::Value(shape.unwrap_or(v)));
            quote!(::autodiff::__private::zeros_like(#r))
        }
    }

    fn adjoint_stmt(&mut self, s: &AdjStmt, defined: &HashSet<ValueId>) -> TokenStream {
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
                if let Contribution::CallGrad { out, .. } = contribution {
                    // Checked to be a cotangent of the argument's type: a callee that does
                    // not differentiate this parameter returns `()`, a compile error here.
                    let span = self.stmt_span(*out);
                    let c = self.contribution(contribution);
                    return if *declare {
                        let d = self.adj_ident(target.root());
                        let like = self.body.ref_tokens(&Place::Value(target.root()));
                        quote_spanned!(span=> let mut #d = ::autodiff::__private::call_cotangent(#c, #like);)
                    } else {
                        let t = self.adj_place(target);
                        quote_spanned!(span=> ::autodiff::__private::accum_call(&mut #t, #c);)
                    };
                }
                let c = self.contribution(contribution);
                if *declare {
                    let d = self.adj_ident(target.root());
                    quote!(let mut #d = #c;)
                } else {
                    let t = self.adj_place(target);
                    quote!(::autodiff::__private::accum(&mut #t, #c);)
                }
            }
            AdjStmt::Branch { branch, inputs } => {
                let pb = self.control_ident(branch.id, "branch_pullback", branch.span);
                let outs: Vec<ValueId> = branch
                    .outs
                    .iter()
                    .copied()
                    .filter(|o| self.body.values[*o].active)
                    .collect();
                let ds: Vec<TokenStream> = outs
                    .iter()
                    .map(|o| self.cotangent_or_zero(*o, defined))
                    .collect();
                let args: Vec<TokenStream> = inputs.iter().map(|v| self.input_arg(*v)).collect();
                let n = branch.arms.len();
                let f = Ident::new("pullback", Span::mixed_site());
                let arms = (0..n).map(|k| {
                    let pat = either_pattern(k, n, &quote!(mut #f));
                    quote!(#pat => #f(#(#ds,)* #(#args),*),)
                });
                quote!(match #pb { #(#arms)* })
            }
            AdjStmt::Loop { lp, inputs } => {
                let tape = self.control_ident(lp.id, "tape", lp.span);
                let mut setup = Vec::new();
                let mut seeds = Vec::new();
                let mut seed_names = Vec::new();
                for st in &lp.states {
                    if !self.body.values[st.state].active {
                        continue;
                    }
                    let d = self.adj_ident(st.state);
                    let start = self.cotangent_or_zero(st.out, defined);
                    setup.push(quote!(let mut #d = #start;));
                    let r = self.fresh("d_result", lp.span);
                    let out = self.body.ref_tokens(&Place::Value(st.out));
                    seeds.push(quote!(let #r = ::core::mem::replace(&mut #d, ::autodiff::__private::zeros_like(#out));));
                    seed_names.push(r);
                }
                let args: Vec<TokenStream> = inputs.iter().map(|v| self.input_arg(*v)).collect();
                let f = Ident::new("pullback", Span::mixed_site());
                quote! {
                    #(#setup)*
                    while let ::core::option::Option::Some(mut #f) = #tape.pop() {
                        #(#seeds)*
                        #f(#(#seed_names,)* #(#args),*);
                    }
                }
            }
        }
    }
}

/// The operation defining `v`, wherever it is nested.
fn find_op(block: &Block, v: ValueId) -> Option<&Op> {
    block.stmts.iter().find_map(|s| match s {
        Stmt::Let(l) if l.out == v => Some(&l.op),
        Stmt::Branch(b) => b.arms.iter().find_map(|a| find_op(&a.block, v)),
        Stmt::Loop(l) => find_op(&l.body, v),
        _ => None,
    })
}

/// Whether `v` receives a field or element contribution directly in `region`.
fn receives_parts(region: &Region, v: ValueId) -> bool {
    region.stmts.iter().any(|s| matches!(s, AdjStmt::Accumulate { target, .. } if target.root() == v && target.is_partial()))
}

fn is_small_literal(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<u64>().is_ok_and(|n| n <= 256),
        _ => false,
    }
}

/// Arm `k` of `n`: `Left(c)`, `Right(Left(c))`, .., the last one `Right(Right(..c))`.
fn either(k: usize, n: usize, c: TokenStream) -> TokenStream {
    if n == 1 {
        return c;
    }
    let mut t = if k + 1 == n {
        c
    } else {
        quote!(::autodiff::__private::Either::Left(#c))
    };
    for _ in 0..k {
        t = quote!(::autodiff::__private::Either::Right(#t));
    }
    t
}

fn either_pattern(k: usize, n: usize, f: &TokenStream) -> TokenStream {
    either(k, n, f.clone())
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
