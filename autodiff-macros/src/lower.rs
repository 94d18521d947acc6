//! Lowering: the user's function body (syn) to SSA form ([`crate::ir`]).
//!
//! Every subexpression a derivative flows through gets its own value; expressions no
//! derivative flows through (constants, integer arithmetic, comparisons) stay whole as
//! [`Op::Opaque`] with their locals renamed. Unsupported syntax is reported to the [`Ctxt`]
//! on the smallest span and lowering continues, so all errors of a function show at once.

use crate::ctxt::Ctxt;
use crate::ir::{Arg, BinOp, Body, Op, Origin, Place, Stmt, Value, ValueId};
use crate::names::NameGen;
use crate::rules;
use crate::signature::Signature;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Ident, Pat, Stmt as SynStmt, Type};

/// Macros allowed in a differentiated body: they run in the forward pass, with locals renamed.
const ALLOWED_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "println",
    "eprintln",
    "print",
    "eprint",
    "dbg",
];

pub struct Lowerer<'a> {
    cx: &'a mut Ctxt,
    names: &'a mut NameGen,
    values: Vec<Value>,
    stmts: Vec<Stmt>,
    items: Vec<TokenStream>,
    effects: Vec<(usize, TokenStream)>,
    /// Innermost scope last: user name -> current place.
    scopes: Vec<HashMap<String, Place>>,
    fn_name: String,
}

/// Lowers `block`, the body of a function with signature `sig`.
pub fn lower(
    sig: &Signature,
    fn_name: &Ident,
    block: &Block,
    cx: &mut Ctxt,
    names: &mut NameGen,
) -> Option<Body> {
    let mut l = Lowerer {
        cx,
        names,
        values: Vec::new(),
        stmts: Vec::new(),
        items: Vec::new(),
        effects: Vec::new(),
        scopes: vec![HashMap::new()],
        fn_name: fn_name.to_string(),
    };
    for (i, p) in sig.params.iter().enumerate() {
        let id = l.values.len();
        l.values.push(Value {
            ident: p.ident.clone(),
            depth: p.depth,
            active: p.active,
            origin: Origin::Param(i),
        });
        l.bind(&p.ident, Place::Value(id));
    }
    let output = l.lower_block_body(block, true);
    let output = match output {
        Some(o) => o,
        None => {
            if l.cx.is_empty() {
                l.cx.error(block.brace_token.span.close(), format!("`{}` must end with the value to differentiate, like `x * y` without a semicolon", l.fn_name));
            }
            return None;
        }
    };
    Some(Body {
        values: l.values,
        items: l.items,
        stmts: l.stmts,
        effects: l.effects,
        output,
    })
}

impl Lowerer<'_> {
    fn bind(&mut self, name: &Ident, place: Place) {
        self.scopes
            .last_mut()
            .expect("scope stack is never empty")
            .insert(name.to_string(), place);
    }

    /// Rebinds an existing local in the scope that declared it (assignment).
    fn rebind(&mut self, name: &Ident, place: Place) -> bool {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(&name.to_string()) {
                *slot = place;
                return true;
            }
        }
        false
    }

    fn lookup(&self, name: &str) -> Option<&Place> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn new_value(&mut self, hint: &str, span: Span, active: bool) -> ValueId {
        let ident = self.names.fresh(hint, span);
        let id = self.values.len();
        self.values.push(Value {
            ident,
            depth: 0,
            active,
            origin: Origin::Stmt,
        });
        id
    }

    fn push(
        &mut self,
        hint: Option<&Ident>,
        ty: Option<Type>,
        span: Span,
        active: bool,
        op: Op,
    ) -> Place {
        let name = hint
            .map(|h| h.to_string())
            .unwrap_or_else(|| "t".to_string());
        let out = self.new_value(&name, span, active);
        self.stmts.push(Stmt { out, op, ty, span });
        Place::Value(out)
    }

    fn active(&self, p: &Place) -> bool {
        self.values[p.root()].active
    }

    fn body_view(&self) -> BodyView<'_> {
        BodyView {
            values: &self.values,
        }
    }

    /// Lowers the statements of a block; returns the place of its tail expression.
    fn lower_block_body(&mut self, block: &Block, is_fn_body: bool) -> Option<Place> {
        let n = block.stmts.len();
        let mut tail = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                SynStmt::Local(local) => self.lower_local(local),
                SynStmt::Item(item) => self.items.push(item.to_token_stream()),
                SynStmt::Macro(m) => self.lower_macro_stmt(&m.mac),
                SynStmt::Expr(e, semi) => {
                    if let Expr::Return(r) = e {
                        if last && is_fn_body {
                            match &r.expr {
                                Some(v) => tail = Some(self.lower_expr(v, None, None)),
                                None => self.cx.error_spanned(r, "a bare `return` returns nothing to differentiate; return a value"),
                            }
                        } else {
                            self.cx.error_spanned(r.return_token, "#[differentiate] does not support early `return` yet; compute the result in one expression at the end of the function");
                        }
                        continue;
                    }
                    if semi.is_none() && last {
                        tail = Some(self.lower_expr(e, None, None));
                    } else {
                        self.lower_expr_stmt(e);
                    }
                }
            }
        }
        tail
    }

    fn lower_local(&mut self, local: &syn::Local) {
        let (ident, ty) = match &local.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                (pi.ident.clone(), None)
            }
            Pat::Type(pt) => match &*pt.pat {
                Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    (pi.ident.clone(), Some((*pt.ty).clone()))
                }
                other => {
                    self.cx.error_spanned(other, "#[differentiate] supports `let name = ..` bindings only; destructuring patterns are not supported");
                    return;
                }
            },
            other => {
                self.cx.error_spanned(other, "#[differentiate] supports `let name = ..` bindings only; destructuring patterns are not supported");
                return;
            }
        };
        let Some(init) = &local.init else {
            self.cx.error_spanned(
                local,
                format!(
                    "`let {ident};` without a value is not supported; write `let {ident} = ..;`"
                ),
            );
            return;
        };
        if let Some((else_token, _)) = &init.diverge {
            self.cx.error_spanned(
                else_token,
                "`let .. else` is not supported in #[differentiate] functions",
            );
            return;
        }
        let place = self.lower_expr(&init.expr, Some(&ident), ty);
        self.bind(&ident, place);
    }

    fn lower_macro_stmt(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if !ALLOWED_MACROS.contains(&name.as_str()) || mac.path.segments.len() != 1 {
            self.cx.error_spanned(
                &mac.path,
                format!("#[differentiate] does not support the macro `{}!` here; only {} run in a differentiated body", mac.path.to_token_stream(), ALLOWED_MACROS.iter().map(|m| format!("`{m}!`")).collect::<Vec<_>>().join(", ")),
            );
            return;
        }
        let args = match mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        {
            Ok(a) => a,
            Err(e) => {
                self.cx.push(e);
                return;
            }
        };
        let renamed: Vec<Expr> = args.into_iter().map(|e| self.rename(&e)).collect();
        let path = &mac.path;
        self.effects
            .push((self.stmts.len(), quote!(#path!(#(#renamed),*);)));
    }

    /// An expression statement: assignment, compound assignment, or a side effect.
    fn lower_expr_stmt(&mut self, e: &Expr) {
        match e {
            Expr::Assign(a) => {
                let Some(name) = plain_local(&a.left) else {
                    self.unsupported_assign_target(&a.left);
                    return;
                };
                if self.lookup(&name.to_string()).is_none() {
                    self.cx.error_spanned(
                        &a.left,
                        format!(
                            "cannot assign to `{name}`: it is not a local variable of this function"
                        ),
                    );
                    return;
                }
                let place = self.lower_expr(&a.right, Some(&name), None);
                self.rebind(&name, place);
            }
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                let Some(name) = plain_local(&b.left) else {
                    self.unsupported_assign_target(&b.left);
                    return;
                };
                let Some(current) = self.lookup(&name.to_string()).cloned() else {
                    self.cx.error_spanned(
                        &b.left,
                        format!(
                            "cannot assign to `{name}`: it is not a local variable of this function"
                        ),
                    );
                    return;
                };
                let op = compound_op(&b.op).expect("checked by the match guard");
                let rhs = self.lower_expr(&b.right, None, None);
                let active = self.active(&current) || self.active(&rhs);
                let place = if active {
                    self.push(
                        Some(&name),
                        None,
                        b.span(),
                        true,
                        Op::Binary(op, current, rhs),
                    )
                } else {
                    let expr = self.rename(&Expr::Binary(syn::ExprBinary {
                        attrs: vec![],
                        left: b.left.clone(),
                        op: binop_token(op),
                        right: b.right.clone(),
                    }));
                    self.push(Some(&name), None, b.span(), false, Op::Opaque(expr))
                };
                self.rebind(&name, place);
            }
            Expr::Macro(m) => self.lower_macro_stmt(&m.mac),
            _ => {
                if self.mentions_active(e) {
                    self.cx.error_spanned(
                        e,
                        "the value of this expression is unused; bind it with `let` or remove it",
                    );
                } else {
                    let r = self.rename(e);
                    self.effects.push((self.stmts.len(), quote!(#r;)));
                }
            }
        }
    }

    fn unsupported_assign_target(&mut self, target: &Expr) {
        self.cx.error_spanned(
            target,
            "#[differentiate] supports assignment to local variables only (`x = ..`, `x += ..`); writing through an index or field is not supported yet, build a new value instead",
        );
    }

    /// Whether `e` reads an active local.
    fn mentions_active(&self, e: &Expr) -> bool {
        struct Finder<'a, 'b> {
            l: &'a Lowerer<'b>,
            found: bool,
        }
        impl<'ast> Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if let Some(id) = p.path.get_ident()
                    && p.qself.is_none()
                    && let Some(place) = self.l.lookup(&id.to_string())
                    && self.l.active(place)
                {
                    self.found = true;
                }
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                // Macro arguments are opaque tokens: look for active names among them.
                for tt in m.tokens.clone() {
                    if let proc_macro2::TokenTree::Ident(id) = tt
                        && let Some(place) = self.l.lookup(&id.to_string())
                        && self.l.active(place)
                    {
                        self.found = true;
                    }
                }
            }
        }
        let mut f = Finder {
            l: self,
            found: false,
        };
        f.visit_expr(e);
        f.found
    }

    /// `e` with every local replaced by the place it currently stands for.
    fn rename(&self, e: &Expr) -> Expr {
        struct Renamer<'a, 'b> {
            l: &'a Lowerer<'b>,
        }
        impl VisitMut for Renamer<'_, '_> {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                if let Expr::Path(p) = e
                    && p.qself.is_none()
                    && let Some(id) = p.path.get_ident()
                    && let Some(place) = self.l.lookup(&id.to_string())
                {
                    let tokens = self.l.body_view().place_tokens(place);
                    *e = syn::parse_quote!((#tokens));
                    return;
                }
                syn::visit_mut::visit_expr_mut(self, e);
            }
        }
        let mut e = e.clone();
        Renamer { l: self }.visit_expr_mut(&mut e);
        e
    }

    fn opaque(&mut self, e: &Expr, hint: Option<&Ident>, ty: Option<Type>) -> Place {
        let r = self.rename(e);
        self.push(hint, ty, e.span(), false, Op::Opaque(r))
    }

    /// Lowers an expression to a place. `hint` names the value a `let` binds.
    pub fn lower_expr(&mut self, e: &Expr, hint: Option<&Ident>, ty: Option<Type>) -> Place {
        // A plain local: no new value.
        if let Expr::Path(p) = e
            && let (None, Some(id)) = (&p.qself, p.path.get_ident())
            && let Some(place) = self.lookup(&id.to_string())
        {
            return place.clone();
        }
        if !self.mentions_active(e) {
            if let Some(err) = unsupported_anywhere(e, true) {
                self.cx.push(err);
            }
            return self.opaque(e, hint, ty);
        }
        let span = e.span();
        match e {
            Expr::Paren(p) => self.lower_expr(&p.expr, hint, ty),
            Expr::Group(g) => self.lower_expr(&g.expr, hint, ty),
            Expr::Reference(r) => Place::Ref(Box::new(self.lower_expr(&r.expr, None, None))),
            Expr::Unary(u) => match u.op {
                syn::UnOp::Deref(_) => Place::Deref(Box::new(self.lower_expr(&u.expr, None, None))),
                syn::UnOp::Neg(_) => {
                    let x = self.lower_expr(&u.expr, None, None);
                    self.push(hint, ty, span, true, Op::Neg(x))
                }
                _ => {
                    self.cx.error_spanned(u.op, format!("`{}` has no derivative; it cannot be applied to a differentiated value", u.op.to_token_stream()));
                    self.poison(hint, span)
                }
            },
            Expr::Binary(b) => {
                if let Some(op) = arith_op(&b.op) {
                    let lhs = self.lower_expr(&b.left, None, None);
                    let rhs = self.lower_expr(&b.right, None, None);
                    self.push(hint, ty, span, true, Op::Binary(op, lhs, rhs))
                } else if is_comparison_or_logic(&b.op) {
                    // No derivative flows through a comparison: keep it as written.
                    self.opaque(e, hint, ty)
                } else if compound_op(&b.op).is_some() {
                    self.cx.error_spanned(e, "compound assignment is a statement here; write it on its own line, like `x += y;`");
                    self.poison(hint, span)
                } else {
                    self.cx.error_spanned(b.op, format!("`{}` has no derivative rule; #[differentiate] differentiates `+ - * /` on floats and matrices", b.op.to_token_stream()));
                    self.poison(hint, span)
                }
            }
            Expr::MethodCall(m) => self.lower_method(m, hint, ty),
            Expr::Call(c) => self.lower_call(c, hint, ty),
            Expr::Field(f) => {
                let base = self.lower_expr(&f.base, None, None);
                Place::Field(Box::new(base), f.member.clone())
            }
            Expr::Index(ix) => {
                let base = self.lower_expr(&ix.expr, None, None);
                if self.mentions_active(&ix.index) {
                    self.cx.error_spanned(
                        &ix.index,
                        "an index cannot depend on a differentiated value",
                    );
                }
                let index = self.lower_expr(&ix.index, None, None);
                Place::Index(Box::new(base), Box::new(index))
            }
            Expr::Cast(c) => {
                if crate::signature::is_inactive_type(&c.ty) {
                    // `x as usize`: piecewise constant, no derivative.
                    self.opaque(e, hint, ty)
                } else {
                    let x = self.lower_expr(&c.expr, None, None);
                    self.push(hint, ty, span, true, Op::Cast(x, (*c.ty).clone()))
                }
            }
            Expr::Array(a) => {
                let args = a
                    .elems
                    .iter()
                    .map(|el| Arg {
                        place: self.lower_expr(el, None, None),
                    })
                    .collect();
                self.push(hint, ty, span, true, Op::Array(args))
            }
            Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(HashMap::new());
                let tail = self.lower_block_body(&b.block, false);
                self.scopes.pop();
                match tail {
                    Some(t) => t,
                    None => {
                        self.cx.error(
                            b.block.brace_token.span.close(),
                            "this block must end with a value (an expression without a semicolon)",
                        );
                        self.poison(hint, span)
                    }
                }
            }
            other => {
                let err = unsupported_anywhere(other, false).unwrap_or_else(|| {
                    syn::Error::new_spanned(other, "#[differentiate] does not support this expression; use `let` bindings, arithmetic, method calls and function calls")
                });
                self.cx.push(err);
                self.poison(hint, span)
            }
        }
    }

    /// A placeholder after an error, so lowering can continue and report more errors.
    fn poison(&mut self, hint: Option<&Ident>, span: Span) -> Place {
        let lit: Expr = syn::parse_quote!(0.0);
        self.push(hint, None, span, false, Op::Opaque(lit))
    }

    fn lower_method(
        &mut self,
        m: &syn::ExprMethodCall,
        hint: Option<&Ident>,
        ty: Option<Type>,
    ) -> Place {
        let name = m.method.to_string();
        let span = m.span();
        if rules::IDENTITY_METHODS.contains(&name.as_str()) && m.args.is_empty() {
            return self.lower_expr(&m.receiver, hint, ty);
        }
        if name == "map" || name == "zip_map" || name == "iter" || name == "into_iter" {
            self.cx.error_spanned(&m.method, format!("#[differentiate] does not support `.{name}(..)` with closures or iterators yet; write the elementwise computation with the runtime's functions (`relu(&v)`, `sigmoid(&v)`) or index the elements"));
            return self.poison(hint, span);
        }
        let Some(rule) = rules::method(&name, m.args.len()) else {
            if let Some(r) = rules::method_any_arity(&name) {
                self.cx.error_spanned(
                    &m.method,
                    format!(
                        "`.{name}()` takes {} argument{} in #[differentiate] code, found {}",
                        r.arity,
                        if r.arity == 1 { "" } else { "s" },
                        m.args.len()
                    ),
                );
            } else {
                self.cx.error_spanned(
                    &m.method,
                    format!("no derivative is known for the method `.{name}()`; supported methods are {}. For anything else, call a function `g` that has a `g_pullback` (see the crate docs on custom derivatives)", rules::method_names()),
                );
            }
            return self.poison(hint, span);
        };
        if rule.constant {
            return self.opaque(&Expr::MethodCall(m.clone()), hint, ty);
        }
        if m.turbofish.is_some() {
            self.cx.error_spanned(
                &m.turbofish,
                "turbofish on a differentiated method is not supported",
            );
        }
        let recv = self.lower_expr(&m.receiver, None, None);
        let mut args = Vec::new();
        for (k, a) in m.args.iter().enumerate() {
            if !rule.diff_args[k] && self.mentions_active(a) {
                self.cx.error_spanned(a, format!("argument {} of `.{name}()` cannot depend on a differentiated value; `.powf(..)` takes a differentiable exponent", k + 1));
            }
            args.push(Arg {
                place: self.lower_expr(a, None, None),
            });
        }
        self.push(
            hint,
            ty,
            span,
            true,
            Op::Method {
                name: m.method.clone(),
                recv,
                args,
                rule,
            },
        )
    }

    fn lower_call(&mut self, c: &syn::ExprCall, hint: Option<&Ident>, ty: Option<Type>) -> Place {
        let span = c.span();
        let Expr::Path(func) = &*c.func else {
            self.cx.error_spanned(&c.func, "#[differentiate] can only call functions by path (`g(x)`, `module::g(x)`), not closures or computed functions");
            return self.poison(hint, span);
        };
        let args: Vec<Arg> = c
            .args
            .iter()
            .map(|a| Arg {
                place: self.lower_expr(a, None, None),
            })
            .collect();
        let segs = &func.path.segments;
        let is_ctor = segs.len() >= 2
            && segs.last().is_some_and(|s| s.ident == "new")
            && rules::is_constructor_type(&segs[segs.len() - 2].ident.to_string());
        if is_ctor {
            self.push(
                hint,
                ty,
                span,
                true,
                Op::Construct {
                    func: func.clone(),
                    args,
                },
            )
        } else {
            if func.qself.is_some() {
                self.cx.error_spanned(func, "#[differentiate] cannot call a `<T as Trait>::f` path with differentiated arguments; call a free function with a `_pullback`");
            }
            self.push(
                hint,
                ty,
                span,
                true,
                Op::Call {
                    func: func.clone(),
                    args,
                },
            )
        }
    }
}

/// A read-only view used for rendering places during lowering.
struct BodyView<'a> {
    values: &'a [Value],
}

impl BodyView<'_> {
    fn place_tokens(&self, p: &Place) -> TokenStream {
        // Rendering only needs the idents; build a temporary body around them.
        let body = Body {
            values: self
                .values
                .iter()
                .map(|v| Value {
                    ident: v.ident.clone(),
                    depth: v.depth,
                    active: v.active,
                    origin: v.origin,
                })
                .collect(),
            items: Vec::new(),
            stmts: Vec::new(),
            effects: Vec::new(),
            output: Place::Value(0),
        };
        body.place_tokens(p)
    }
}

fn plain_local(e: &Expr) -> Option<Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        Expr::Paren(p) => plain_local(&p.expr),
        _ => None,
    }
}

fn arith_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::Add(_) => BinOp::Add,
        syn::BinOp::Sub(_) => BinOp::Sub,
        syn::BinOp::Mul(_) => BinOp::Mul,
        syn::BinOp::Div(_) => BinOp::Div,
        _ => return None,
    })
}

fn compound_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::AddAssign(_) => BinOp::Add,
        syn::BinOp::SubAssign(_) => BinOp::Sub,
        syn::BinOp::MulAssign(_) => BinOp::Mul,
        syn::BinOp::DivAssign(_) => BinOp::Div,
        _ => return None,
    })
}

fn binop_token(op: BinOp) -> syn::BinOp {
    match op {
        BinOp::Add => syn::BinOp::Add(Default::default()),
        BinOp::Sub => syn::BinOp::Sub(Default::default()),
        BinOp::Mul => syn::BinOp::Mul(Default::default()),
        BinOp::Div => syn::BinOp::Div(Default::default()),
    }
}

fn is_comparison_or_logic(op: &syn::BinOp) -> bool {
    matches!(
        op,
        syn::BinOp::Eq(_)
            | syn::BinOp::Ne(_)
            | syn::BinOp::Lt(_)
            | syn::BinOp::Le(_)
            | syn::BinOp::Gt(_)
            | syn::BinOp::Ge(_)
            | syn::BinOp::And(_)
            | syn::BinOp::Or(_)
    )
}

/// Constructs that are rejected wherever they appear, with what to write instead.
///
/// In an `opaque` expression (one no derivative flows through) control flow, tuples and
/// closures are fine and only what cannot run there is rejected.
fn unsupported_anywhere(e: &Expr, opaque: bool) -> Option<syn::Error> {
    struct Finder(Option<syn::Error>, bool);
    impl Finder {
        fn set(&mut self, tokens: impl ToTokens, msg: &str) {
            self.set_if(true, tokens, msg);
        }
        fn set_structural(&mut self, tokens: impl ToTokens, msg: &str) {
            self.set_if(!self.1, tokens, msg);
        }
        fn set_if(&mut self, cond: bool, tokens: impl ToTokens, msg: &str) {
            if cond && self.0.is_none() {
                self.0 = Some(syn::Error::new_spanned(tokens, msg));
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_unsafe(&mut self, e: &'ast syn::ExprUnsafe) {
            self.set(e.unsafe_token, "#[differentiate] does not support `unsafe` blocks; move the unsafe code into a function with a hand-written `_pullback`");
        }
        fn visit_expr_async(&mut self, e: &'ast syn::ExprAsync) {
            self.set(
                e.async_token,
                "#[differentiate] does not support `async` blocks",
            );
        }
        fn visit_expr_await(&mut self, e: &'ast syn::ExprAwait) {
            self.set(e.await_token, "#[differentiate] does not support `.await`");
        }
        fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
            self.set_structural(e.if_token, "#[differentiate] does not support `if` yet; for a smooth choice use `a.max(b)`, `x.clamp(lo, hi)` or `x.abs()`");
        }
        fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
            self.set_structural(
                e.match_token,
                "#[differentiate] does not support `match` yet",
            );
        }
        fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
            self.set_structural(e.for_token, "#[differentiate] does not support `for` loops yet; unroll the loop or use vector operations such as `a.dot(&b)` and `v.sum()`");
        }
        fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
            self.set_structural(
                e.while_token,
                "#[differentiate] does not support `while` loops yet",
            );
        }
        fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
            self.set_structural(e.loop_token, "#[differentiate] does not support `loop` yet");
        }
        fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
            self.set_structural(e.or1_token, "#[differentiate] does not support closures yet; write a separate `#[differentiate]` function and call it");
        }
        fn visit_expr_try(&mut self, e: &'ast syn::ExprTry) {
            self.set(
                e.question_token,
                "#[differentiate] does not support the `?` operator",
            );
        }
        fn visit_expr_break(&mut self, e: &'ast syn::ExprBreak) {
            self.set_structural(
                e.break_token,
                "#[differentiate] does not support `break` yet",
            );
        }
        fn visit_expr_continue(&mut self, e: &'ast syn::ExprContinue) {
            self.set_structural(
                e.continue_token,
                "#[differentiate] does not support `continue` yet",
            );
        }
        fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
            self.set(e.return_token, "#[differentiate] does not support early `return` yet; compute the result in one expression at the end of the function");
        }
        fn visit_expr_tuple(&mut self, e: &'ast syn::ExprTuple) {
            if !e.elems.is_empty() {
                self.set_structural(e, "#[differentiate] does not support tuples of differentiated values; use an array or an nalgebra vector");
            }
        }
        fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
            self.set_structural(&e.path, "#[differentiate] cannot build structs from differentiated values yet; pass the struct in as a parameter");
        }
    }
    let mut f = Finder(None, opaque);
    f.visit_expr(e);
    f.0
}
