//! Lowering: the user's function body (syn) to SSA form ([`crate::ir`]).
//!
//! Every subexpression a derivative flows through gets its own value; expressions no
//! derivative flows through (constants, integer arithmetic, comparisons) stay whole as
//! [`Op::Opaque`] with their locals renamed. Unsupported syntax is reported to the [`Ctxt`]
//! on the smallest span and lowering continues, so all errors of a function show at once.

use crate::ctxt::Ctxt;
use crate::desugar;
use crate::ir::{
    Arg, Arm, BinOp, Block as IrBlock, Body, Branch, Let, Loop, LoopHead, LoopState, Op, Origin,
    Place, Selector, Stmt, Value, ValueId,
};
use crate::names::NameGen;
use crate::rename::pattern_idents;
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
    /// Blocks being filled, innermost last.
    blocks: Vec<IrBlock>,
    items: Vec<TokenStream>,
    /// Innermost scope last: user name -> current place.
    scopes: Vec<HashMap<String, Place>>,
    fn_name: String,
    next_id: usize,
    missing_tail_reported: bool,
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
        blocks: vec![IrBlock::default()],
        items: Vec::new(),
        scopes: vec![HashMap::new()],
        fn_name: fn_name.to_string(),
        next_id: 0,
        missing_tail_reported: false,
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
    // A differentiated value-like parameter taken by reference (`x: &SVector<..>`) is copied
    // once, so the pullback owns what it needs and callers may pass references to their own
    // locals.
    for (i, p) in sig.params.iter().enumerate() {
        if p.copied_by_pullback() {
            let span = p.ident.span();
            let mut place = l.push(
                Some(&p.ident),
                None,
                span,
                p.active,
                Op::Copy(Place::Value(i)),
            );
            // Uses still see a reference, as the user wrote it.
            for _ in 0..p.depth {
                place = Place::Ref(Box::new(place));
            }
            l.bind(&p.ident, place);
        }
    }
    let block = crate::desugar::function_body(block);
    let output = l.lower_block_body(&block, Tail::FnBody);
    let output = match output {
        Some(o) => o,
        None => {
            if !l.missing_tail_reported {
                l.cx.error(block.brace_token.span.close(), format!("`{}` must end with the value to differentiate, like `x * y` without a semicolon", l.fn_name));
            }
            return None;
        }
    };
    let block = l.blocks.pop().expect("the function's block");
    Some(Body {
        values: l.values,
        items: l.items,
        block,
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
        self.emit(Stmt::Let(Let { out, op, ty, span }));
        Place::Value(out)
    }

    fn next_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn emit(&mut self, stmt: Stmt) {
        self.blocks
            .last_mut()
            .expect("a block is being filled")
            .stmts
            .push(stmt);
    }

    fn active(&self, p: &Place) -> bool {
        self.values[p.root()].active
    }

    /// Renders a place with the current values' names.
    fn place_tokens(&self, p: &Place) -> TokenStream {
        crate::ir::place_tokens(&self.values, p)
    }

    /// Lowers the statements of a block; returns the place of its tail expression.
    fn lower_block_body(&mut self, block: &Block, mode: Tail) -> Option<Place> {
        self.scopes.push(HashMap::new());
        let tail = self.lower_stmts(&block.stmts, mode);
        self.scopes.pop();
        tail
    }

    /// Lowers statements into the current block and scope; returns the tail's place.
    fn lower_stmts(&mut self, stmts: &[SynStmt], mode: Tail) -> Option<Place> {
        let is_fn_body = mode == Tail::FnBody;
        let n = stmts.len();
        let mut tail = None;
        for (i, stmt) in stmts.iter().enumerate() {
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
                            self.cx.error_spanned(r.return_token, "#[differentiate] supports `return` at the end of the function and in `if` branches there, not inside loops or nested expressions; store the result in a variable and `break`");
                        }
                        continue;
                    }
                    if semi.is_none() && last && mode != Tail::Statement {
                        tail = Some(self.lower_expr(e, None, None));
                    } else if let (true, true, Some(semi)) = (last, is_fn_body, semi) {
                        if is_value_expr(e) {
                            self.cx.error_spanned(
                                semi,
                                format!("`{}` must end with the value to differentiate; remove this `;` to return the last expression", self.fn_name),
                            );
                            self.missing_tail_reported = true;
                        } else {
                            self.lower_expr_stmt(e);
                        }
                    } else {
                        self.lower_expr_stmt(e);
                    }
                }
            }
        }
        tail
    }

    fn loop_error(&mut self, l: &syn::ExprLoop) {
        self.cx.error_spanned(
            l.loop_token,
            "#[differentiate] supports `loop` with exactly one `if cond { break; }` (or `break value`) at the top level of its body; write other loops as `while` or `for`",
        );
    }

    /// Local variables of enclosing scopes that `stmts` assign to (`x = ..`, `x += ..`,
    /// `x[i] = ..`), in order of first assignment.
    fn assigned_in<'e>(
        &self,
        exprs: impl IntoIterator<Item = &'e Expr>,
        stmts: &[&[SynStmt]],
    ) -> Vec<Ident> {
        struct Finder(Vec<Ident>);
        impl<'ast> Visit<'ast> for Finder {
            fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
                if let Some(id) = assigned_root(&a.left) {
                    self.0.push(id);
                }
                syn::visit::visit_expr_assign(self, a);
            }
            fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
                if (compound_op(&b.op).is_some() || plain_op_of_compound(&b.op).is_some())
                    && let Some(id) = assigned_root(&b.left)
                {
                    self.0.push(id);
                }
                syn::visit::visit_expr_binary(self, b);
            }
        }
        let mut f = Finder(Vec::new());
        for e in exprs {
            f.visit_expr(e);
        }
        for block in stmts {
            for st in *block {
                f.visit_stmt(st);
            }
        }
        let mut out: Vec<Ident> = Vec::new();
        for id in f.0 {
            if self.lookup(&id.to_string()).is_some() && !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// Lowers one arm of a branch in its own scope, where the assigned variables start at
    /// their current places; returns the arm with their final places (and the value).
    fn lower_arm(
        &mut self,
        assigned: &[Ident],
        bindings: Vec<(Ident, Place)>,
        want_value: bool,
        span: Span,
        lower: impl FnOnce(&mut Self) -> Option<Place>,
    ) -> Arm {
        let mut scope = HashMap::new();
        for v in assigned {
            if let Some(p) = self.lookup(&v.to_string()) {
                scope.insert(v.to_string(), p.clone());
            }
        }
        for (name, place) in bindings {
            scope.insert(name.to_string(), place);
        }
        self.scopes.push(scope);
        self.blocks.push(IrBlock::default());
        let tail = lower(self);
        let mut results: Vec<Place> = assigned
            .iter()
            .map(|v| {
                self.lookup(&v.to_string())
                    .cloned()
                    .expect("assigned variables are in scope")
            })
            .collect();
        if want_value {
            results.push(tail.unwrap_or_else(|| {
                self.cx.error(
                    span,
                    "this branch must end with a value (an expression without a semicolon)",
                );
                self.poison(None, span)
            }));
        }
        let block = self.blocks.pop().expect("the arm's block");
        self.scopes.pop();
        Arm { block, results }
    }

    /// Adds a branch statement; its outputs become the assigned variables' new places.
    fn finish_branch(
        &mut self,
        selector: Selector,
        arms: Vec<Arm>,
        assigned: &[Ident],
        hint: Option<&Ident>,
        want_value: bool,
        span: Span,
    ) -> Option<Place> {
        let n = assigned.len() + usize::from(want_value);
        let mut outs = Vec::new();
        for k in 0..n {
            let active = arms.iter().any(|a| self.active(&a.results[k]));
            let name = match assigned.get(k) {
                Some(v) => v.to_string(),
                None => hint.map(|h| h.to_string()).unwrap_or_else(|| "t".into()),
            };
            outs.push(self.new_value(&name, span, active));
        }
        let id = self.next_id();
        self.emit(Stmt::Branch(Branch {
            id,
            selector,
            arms,
            outs: outs.clone(),
            span,
        }));
        for (k, v) in assigned.iter().enumerate() {
            self.rebind(v, Place::Value(outs[k]));
        }
        if want_value {
            outs.last().map(|o| Place::Value(*o))
        } else {
            None
        }
    }

    fn lower_if(
        &mut self,
        e: &syn::ExprIf,
        hint: Option<&Ident>,
        want_value: bool,
    ) -> Option<Place> {
        let span = e.span();
        if let Expr::Let(l) = &*e.cond {
            self.cx.error_spanned(
                l.let_token,
                "#[differentiate] does not support `if let`; use `match`",
            );
            return None;
        }
        let cond = self.lower_expr(&e.cond, None, None);
        let else_expr = e.else_branch.as_ref().map(|(_, b)| &**b);
        let assigned = self.assigned_in(else_expr, &[&e.then_branch.stmts]);
        let mut arms = vec![self.lower_arm(&assigned, vec![], want_value, span, |l| {
            l.lower_block_body(&e.then_branch, Tail::value_if(want_value))
        })];
        let else_arm = match else_expr {
            Some(Expr::Block(b)) => self.lower_arm(&assigned, vec![], want_value, span, |l| {
                l.lower_block_body(&b.block, Tail::value_if(want_value))
            }),
            Some(Expr::If(i)) => self.lower_arm(&assigned, vec![], want_value, span, |l| {
                l.lower_if(i, None, want_value)
            }),
            Some(other) => {
                self.cx.error_spanned(other, "unexpected `else` branch");
                return None;
            }
            None => {
                if want_value {
                    self.cx.error_spanned(
                        e.if_token,
                        "an `if` without `else` has no value; add an `else` branch",
                    );
                    return None;
                }
                self.lower_arm(&assigned, vec![], false, span, |_| None)
            }
        };
        arms.push(else_arm);
        self.finish_branch(Selector::If(cond), arms, &assigned, hint, want_value, span)
    }

    fn lower_match(
        &mut self,
        m: &syn::ExprMatch,
        hint: Option<&Ident>,
        want_value: bool,
    ) -> Option<Place> {
        let span = m.span();
        if self.mentions_active(&m.expr) {
            self.cx.error_spanned(&m.expr, "a `match` scrutinee cannot depend on a differentiated value; compare with `if` instead, or, if this parameter is a setting (an enum, a mode), mark it `#[no_grad]`");
            return None;
        }
        let scrutinee = self.rename(&m.expr);
        let bodies: Vec<&Expr> = m.arms.iter().map(|a| &*a.body).collect();
        let assigned = self.assigned_in(bodies, &[]);
        let mut arms = Vec::new();
        let mut patterns = Vec::new();
        for arm in &m.arms {
            // Pattern bindings keep the user's names: they are bound by the pattern itself.
            let mut bindings = Vec::new();
            for id in pattern_idents(&arm.pat) {
                let vid = self.values.len();
                self.values.push(Value {
                    ident: id.clone(),
                    depth: 0,
                    active: false,
                    origin: Origin::Stmt,
                });
                bindings.push((id, Place::Value(vid)));
            }
            let pat = &arm.pat;
            let guard = arm.guard.as_ref().map(|(_, g)| {
                self.scopes.push(
                    bindings
                        .iter()
                        .map(|(i, p)| (i.to_string(), p.clone()))
                        .collect(),
                );
                if self.mentions_active(g) {
                    self.cx.error_spanned(
                        g,
                        "a `match` guard cannot depend on a differentiated value",
                    );
                }
                let g = self.rename(g);
                self.scopes.pop();
                quote!(if #g)
            });
            patterns.push(quote!(#pat #guard));
            let body = &*arm.body;
            arms.push(
                self.lower_arm(&assigned, bindings, want_value, span, |l| match body {
                    Expr::Block(b) if b.label.is_none() => {
                        l.lower_block_body(&b.block, Tail::value_if(want_value))
                    }
                    other => {
                        if want_value {
                            Some(l.lower_expr(other, None, None))
                        } else {
                            l.lower_expr_stmt(other);
                            None
                        }
                    }
                }),
            );
        }
        self.finish_branch(
            Selector::Match {
                scrutinee,
                patterns,
            },
            arms,
            &assigned,
            hint,
            want_value,
            span,
        )
    }

    fn lower_for(&mut self, f: &syn::ExprForLoop) {
        if let Some(l) = &f.label {
            self.cx
                .error_spanned(l, "#[differentiate] does not support loop labels");
            return;
        }
        // A range yields integers: no derivative flows through its bounds (`0..x.len()`).
        if self.mentions_active(&f.expr) && !matches!(&*f.expr, Expr::Range(_)) {
            match desugar::index_loop(f) {
                Some(e) => self.lower_expr_stmt(&e),
                None => self.cx.error_spanned(
                    &f.expr,
                    "#[differentiate] cannot iterate over this differentiated value; write `for i in 0..n` and index it, or iterate with `.iter()` / `.iter().enumerate()` over an array or vector",
                ),
            }
            return;
        }
        let iter = self.rename(&f.expr);
        let capacity = desugar::constant_trip_count(&f.expr);
        // The loop variable(s): values no derivative flows through.
        let mut bindings = Vec::new();
        let mut pat = (*f.pat).clone();
        struct Renamer<'a> {
            l: &'a mut Vec<(Ident, Ident)>,
            names: &'a mut NameGen,
        }
        impl VisitMut for Renamer<'_> {
            fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
                let fresh = self.names.fresh(&p.ident.to_string(), p.ident.span());
                self.l.push((p.ident.clone(), fresh.clone()));
                p.ident = fresh;
            }
        }
        let mut renames = Vec::new();
        Renamer {
            l: &mut renames,
            names: self.names,
        }
        .visit_pat_mut(&mut pat);
        for (user, fresh) in renames {
            let vid = self.values.len();
            self.values.push(Value {
                ident: fresh,
                depth: 0,
                active: false,
                origin: Origin::Stmt,
            });
            bindings.push((user, Place::Value(vid)));
        }
        let body = desugar::continues(&f.body.stmts);
        self.lower_loop(
            LoopSpec::For {
                pat: quote!(#pat),
                iter,
                capacity,
            },
            bindings,
            &body,
            f.span(),
        );
    }

    fn lower_while(&mut self, w: &syn::ExprWhile) {
        if let Some(l) = &w.label {
            self.cx
                .error_spanned(l, "#[differentiate] does not support loop labels");
            return;
        }
        if let Expr::Let(l) = &*w.cond {
            self.cx.error_spanned(
                l.let_token,
                "#[differentiate] does not support `while let`; use `while cond`",
            );
            return;
        }
        let body = desugar::continues(&w.body.stmts);
        self.lower_loop(LoopSpec::While((*w.cond).clone()), vec![], &body, w.span());
    }

    /// Lowers a loop. Variables the body assigns become loop states; a state whose value
    /// becomes differentiated inside the loop is differentiated from the start, found by
    /// lowering the body again until the activity is stable.
    fn lower_loop(
        &mut self,
        spec: LoopSpec,
        bindings: Vec<(Ident, Place)>,
        body: &[SynStmt],
        span: Span,
    ) {
        let cond_expr: Vec<&Expr> = match &spec {
            LoopSpec::While(c) => vec![c],
            LoopSpec::For { .. } => vec![],
        };
        let assigned = self.assigned_in(cond_expr, &[body]);
        let inits: Vec<Place> = assigned
            .iter()
            .map(|v| {
                self.lookup(&v.to_string())
                    .cloned()
                    .expect("assigned variables are in scope")
            })
            .collect();
        let mut active: Vec<bool> = inits.iter().map(|p| self.active(p)).collect();
        let (states, head, block, results) = loop {
            let (values_before, errors_before) = (self.values.len(), self.cx.len());
            let states: Vec<ValueId> = assigned
                .iter()
                .zip(&active)
                .map(|(v, &a)| {
                    let id = self.new_value(&v.to_string(), span, a);
                    self.values[id].origin = Origin::LoopState;
                    id
                })
                .collect();
            let mut scope: HashMap<String, Place> = assigned
                .iter()
                .zip(&states)
                .map(|(v, s)| (v.to_string(), Place::Value(*s)))
                .collect();
            for (user, place) in &bindings {
                scope.insert(user.to_string(), place.clone());
            }
            self.scopes.push(scope);
            let head = match &spec {
                LoopSpec::For {
                    pat,
                    iter,
                    capacity,
                } => LoopHead::For {
                    pat: pat.clone(),
                    iter: iter.clone(),
                    capacity: capacity.clone(),
                },
                LoopSpec::While(c) => {
                    if self.mentions_active(c) && !is_comparison(c) {
                        self.cx.error_spanned(c, "a `while` condition must be a comparison or another value no derivative flows through");
                    }
                    LoopHead::While {
                        cond: self.rename(c),
                    }
                }
            };
            self.blocks.push(IrBlock::default());
            self.scopes.push(HashMap::new());
            self.lower_stmts(body, Tail::Statement);
            self.scopes.pop();
            let results: Vec<Place> = assigned
                .iter()
                .map(|v| {
                    self.lookup(&v.to_string())
                        .cloned()
                        .expect("loop states are in scope")
                })
                .collect();
            let block = self.blocks.pop().expect("the loop body's block");
            self.scopes.pop();
            let now: Vec<bool> = results
                .iter()
                .zip(&active)
                .map(|(r, &a)| a || self.active(r))
                .collect();
            if now == active {
                break (states, head, block, results);
            }
            active = now;
            self.values.truncate(values_before);
            self.cx.truncate(errors_before);
        };
        let mut loop_states = Vec::new();
        for (k, v) in assigned.iter().enumerate() {
            let out = self.new_value(&v.to_string(), span, active[k]);
            loop_states.push(LoopState {
                state: states[k],
                init: inits[k].clone(),
                out,
            });
        }
        let outs: Vec<ValueId> = loop_states.iter().map(|s| s.out).collect();
        let id = self.next_id();
        self.emit(Stmt::Loop(Loop {
            id,
            head,
            states: loop_states,
            body: block,
            results,
            span,
        }));
        for (v, out) in assigned.iter().zip(outs) {
            self.rebind(v, Place::Value(out));
        }
    }

    /// `v[i] = value` or `v[i] op= value`: a new version of `v`.
    fn lower_index_assign(&mut self, target: &Expr, op: Option<BinOp>, value: &Expr, span: Span) {
        let Expr::Index(ix) = target else { return };
        let Some(name) = plain_local(&ix.expr) else {
            self.unsupported_assign_target(target);
            return;
        };
        let Some(base) = self.lookup(&name.to_string()).cloned() else {
            self.cx.error_spanned(
                &ix.expr,
                format!("cannot assign to `{name}`: it is not a local variable of this function"),
            );
            return;
        };
        if self.mentions_active(&ix.index) {
            self.cx.error_spanned(
                &ix.index,
                "an index cannot depend on a differentiated value",
            );
        }
        let index = self.lower_expr(&ix.index, None, None);
        let mut value = self.lower_expr(value, None, None);
        if let Some(op) = op {
            let current = Place::Index(Box::new(base.clone()), Box::new(index.clone()));
            let active = self.active(&current) || self.active(&value);
            value = self.push(None, None, span, active, Op::Binary(op, current, value));
        }
        let active = self.active(&base) || self.active(&value);
        let new = self.push(
            Some(&name),
            None,
            span,
            active,
            Op::SetIndex { base, index, value },
        );
        self.rebind(&name, new);
    }

    fn lower_local(&mut self, local: &syn::Local) {
        if let Pat::Wild(_) = &local.pat {
            // `let _ = e;` evaluates `e` for its effects; nothing is bound.
            if let Some(init) = &local.init {
                self.lower_expr(&init.expr, None, None);
            }
            return;
        }
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
            // `let r;` assigned later (in both arms of an `if`, say): the name exists, with no
            // value until an assignment gives it one (rustc checks that one does).
            let id = self.new_value(&ident.to_string(), ident.span(), false);
            self.bind(&ident, Place::Value(id));
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
        // Names captured inline by a format string (`"{y}"`) are bound to their current
        // values right before the macro.
        let mut captures = Vec::new();
        if let Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(fmt),
            ..
        })) = args.iter().find(|a| {
            matches!(
                a,
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(_),
                    ..
                })
            )
        }) {
            for name in inline_format_names(&fmt.value()) {
                if let Some(place) = self.lookup(&name) {
                    let id = Ident::new(&name, fmt.span());
                    let t = self.place_tokens(place);
                    captures.push(quote!(let #id = &#t;));
                }
            }
        }
        let renamed: Vec<Expr> = args.into_iter().map(|e| self.rename(&e)).collect();
        let path = &mac.path;
        self.emit(Stmt::Effect(
            quote!({ #(#captures)* #path!(#(#renamed),*); }),
        ));
    }

    /// An expression statement: assignment, compound assignment, or a side effect.
    fn lower_expr_stmt(&mut self, e: &Expr) {
        match e {
            Expr::If(i) => {
                self.lower_if(i, None, false);
            }
            Expr::Match(m) => {
                self.lower_match(m, None, false);
            }
            Expr::ForLoop(f) => self.lower_for(f),
            Expr::While(w) => self.lower_while(w),
            Expr::Loop(l) => match desugar::loop_to_while(l) {
                Some(e) => self.lower_expr_stmt(&e),
                None => self.loop_error(l),
            },
            Expr::Block(b) if b.label.is_none() => {
                self.lower_block_body(&b.block, Tail::Statement);
            }
            Expr::Assign(a) if matches!(&*a.left, Expr::Index(_)) => {
                self.lower_index_assign(&a.left, None, &a.right, e.span())
            }
            Expr::Binary(b)
                if compound_op(&b.op).is_some() && matches!(&*b.left, Expr::Index(_)) =>
            {
                self.lower_index_assign(&b.left, compound_op(&b.op), &b.right, e.span())
            }
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
            Expr::Binary(b) if plain_op_of_compound(&b.op).is_some() => {
                // `k >>= 1`, `k %= 3`, `flags |= m` on integers: a new version of the local.
                let Some(name) = plain_local(&b.left) else {
                    self.unsupported_assign_target(&b.left);
                    return;
                };
                if self.mentions_active(e) {
                    self.cx.error_spanned(b.op, format!("`{}` has no derivative; it cannot be applied to a differentiated value", b.op.to_token_stream()));
                    return;
                }
                let plain = Expr::Binary(syn::ExprBinary {
                    attrs: vec![],
                    left: b.left.clone(),
                    op: plain_op_of_compound(&b.op).expect("checked by the match guard"),
                    right: b.right.clone(),
                });
                let place = self.opaque(&plain, Some(&name), None);
                self.rebind(&name, place);
            }
            _ => {
                if self.mentions_active(e) {
                    self.cx.error_spanned(
                        e,
                        "the value of this expression is unused; bind it with `let` or remove it",
                    );
                } else {
                    let r = self.rename(e);
                    self.emit(Stmt::Effect(quote!(#r;)));
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
        crate::rename::free_names(e)
            .iter()
            .any(|n| self.lookup(n).is_some_and(|p| self.active(p)))
    }

    /// `e` with every free local replaced by the place it currently stands for.
    fn rename(&self, e: &Expr) -> Expr {
        crate::rename::rename(e, &|name| self.lookup(name).map(|p| self.place_tokens(p)))
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
        // Constants stay whole, unless they are control flow that assigns locals (such as
        // an integer loop in a `let`): those are lowered structurally, as new versions.
        let assigns_locals = matches!(
            e,
            Expr::If(_) | Expr::Match(_) | Expr::Loop(_) | Expr::Block(_)
        ) && !self.assigned_in([e], &[]).is_empty();
        if !self.mentions_active(e) && !assigns_locals {
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
                // `!cond`: a `bool` (or integer bits); no derivative flows through it.
                syn::UnOp::Not(_) => self.opaque(e, hint, ty),
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
            Expr::Macro(m) => {
                let path = m.mac.path.to_token_stream();
                self.cx.error_spanned(
                    &m.mac.path,
                    format!("#[differentiate] does not support the macro `{path}!` on differentiated values; build an array `[a, b]` or an nalgebra vector `Vector2::new(a, b)` instead"),
                );
                self.poison(hint, span)
            }
            Expr::If(i) => match self.lower_if(i, hint, true) {
                Some(p) => p,
                None => self.poison(hint, span),
            },
            Expr::Match(m) => match self.lower_match(m, hint, true) {
                Some(p) => p,
                None => self.poison(hint, span),
            },
            Expr::Loop(l) => match desugar::loop_to_while(l) {
                Some(e) => self.lower_expr(&e, hint, ty),
                None => {
                    self.loop_error(l);
                    self.poison(hint, span)
                }
            },
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
                let tail = self.lower_block_body(&b.block, Tail::Value);
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
        // Active, so later uses of the broken value are still checked and reported.
        let lit: Expr = syn::parse_quote!(0.0);
        self.push(hint, None, span, true, Op::Opaque(lit))
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
        if (name == "map" && m.args.len() == 1) || (name == "zip_map" && m.args.len() == 2) {
            return self.lower_map(m, hint, ty);
        }
        if name == "iter" || name == "into_iter" {
            self.cx.error_spanned(&m.method, format!("#[differentiate] does not support iterator chains on differentiated values (`.{name}()`); use a `for` loop over the elements, `.map(|e| ..)` on an nalgebra value, or `.sum()`"));
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
                    format!("no derivative is known for the method `.{name}()`; supported methods are {}; for anything else, call a function `g` that has a `g_pullback` (see the crate docs on custom derivatives)", rules::method_names()),
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

    /// `v.map(|e| body)` / `a.zip_map(&b, |x, y| body)`: the closure body is lowered as a
    /// function of its parameters and differentiated per element.
    fn lower_map(
        &mut self,
        m: &syn::ExprMethodCall,
        hint: Option<&Ident>,
        ty: Option<Type>,
    ) -> Place {
        let span = m.span();
        let Some(Expr::Closure(closure)) = m.args.last() else {
            self.cx.error_spanned(
                &m.args,
                format!(
                    "`.{}(..)` needs a closure written in place, like `|e| e.tanh()`",
                    m.method
                ),
            );
            return self.poison(hint, span);
        };
        let want = m.args.len();
        let mut params = Vec::new();
        for input in &closure.inputs {
            match input {
                Pat::Ident(p) => params.push(p.ident.clone()),
                Pat::Type(t) => match &*t.pat {
                    Pat::Ident(p) => params.push(p.ident.clone()),
                    other => self
                        .cx
                        .error_spanned(other, "closure parameters must be plain names"),
                },
                other => self
                    .cx
                    .error_spanned(other, "closure parameters must be plain names"),
            }
        }
        if params.len() != want {
            self.cx.error_spanned(
                &closure.inputs,
                format!(
                    "the closure of `.{}(..)` takes {want} parameter{}",
                    m.method,
                    if want == 1 { "" } else { "s" }
                ),
            );
            return self.poison(hint, span);
        }
        // Outer locals inside the closure are renamed; the closure's own parameters are not.
        let mut scope = HashMap::new();
        for p in &params {
            let id = self.values.len();
            self.values.push(Value {
                ident: p.clone(),
                depth: 0,
                active: false,
                origin: Origin::Stmt,
            });
            scope.insert(p.to_string(), Place::Value(id));
        }
        self.scopes.push(scope);
        if self.mentions_active(&closure.body) {
            self.cx.error_spanned(
                &closure.body,
                "the closure reads a differentiated value from outside; only its parameters are differentiated per element. Pass the value in with `zip_map`, or compute outside the closure",
            );
        }
        let body_expr = self.rename(&closure.body);
        self.scopes.pop();
        let mut forward = closure.clone();
        *forward.body = body_expr.clone();
        let sub_sig = Signature {
            params: params
                .iter()
                .map(|p| crate::signature::Param {
                    ident: p.clone(),
                    depth: 0,
                    active: true,
                    grad_ty: syn::parse_quote!(()),
                })
                .collect(),
            output: syn::parse_quote!(()),
            scalar_output: false,
        };
        let block: Block = syn::parse_quote!({ #body_expr });
        let fn_name = Ident::new(&format!("{}_closure", self.fn_name), span);
        let Some(body) = lower(&sub_sig, &fn_name, &block, self.cx, self.names) else {
            return self.poison(hint, span);
        };
        let recv = self.lower_expr(&m.receiver, None, None);
        let other = (want == 2).then(|| Arg {
            place: self.lower_expr(&m.args[0], None, None),
        });
        let elem = Box::new(crate::ir::Elementwise {
            forward: quote!(#forward),
            params,
            body,
        });
        self.push(hint, ty, span, true, Op::Map { recv, other, elem })
    }

    fn lower_call(&mut self, c: &syn::ExprCall, hint: Option<&Ident>, ty: Option<Type>) -> Place {
        let span = c.span();
        // `f64::sin(x)`, `f32::max(a, b)`: the method call `x.sin()`, `a.max(b)`.
        if let Expr::Path(p) = &*c.func
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && matches!(p.path.segments[0].ident.to_string().as_str(), "f32" | "f64")
            && !c.args.is_empty()
        {
            let method = p.path.segments[1].ident.clone();
            let mut args = c.args.iter().cloned();
            let receiver = args.next().expect("checked non-empty");
            let m = syn::ExprMethodCall {
                attrs: vec![],
                receiver: Box::new(receiver),
                dot_token: Default::default(),
                method,
                turbofish: None,
                paren_token: Default::default(),
                args: args.collect(),
            };
            return self.lower_method(&m, hint, ty);
        }
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
        if func.path.get_ident().is_some_and(|i| *i == self.fn_name) {
            self.cx.error_spanned(
                func,
                format!("#[differentiate] does not support recursion (`{}` calls itself); write the recursion as a `for` or `while` loop", self.fn_name),
            );
            return self.poison(hint, span);
        }
        if let Some(last) = func.path.segments.last() {
            let pb = format!("{}_pullback", last.ident);
            if func.path.segments.len() == 1
                && self
                    .values
                    .iter()
                    .any(|v| matches!(v.origin, Origin::Param(_)) && v.ident == pb)
            {
                self.cx.error_spanned(
                    func,
                    format!("the parameter `{pb}` hides the derivative of `{}` that this call needs; rename the parameter", last.ident),
                );
                return self.poison(hint, span);
            }
        }
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

/// How a loop iterates, before its states are known.
// Built once per expansion; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
enum LoopSpec {
    For {
        pat: TokenStream,
        iter: Expr,
        capacity: Option<Expr>,
    },
    While(Expr),
}

/// The local at the root of an assignment target: `x`, `x[i]`, `x.f`.
fn assigned_root(e: &Expr) -> Option<Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        Expr::Index(i) => assigned_root(&i.expr),
        Expr::Field(f) => assigned_root(&f.base),
        Expr::Paren(p) => assigned_root(&p.expr),
        _ => None,
    }
}

fn is_comparison(e: &Expr) -> bool {
    match e {
        Expr::Binary(b) => is_comparison_or_logic(&b.op),
        Expr::Paren(p) => is_comparison(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Not(_)) && is_comparison(&u.expr),
        Expr::MethodCall(m) => {
            rules::method(&m.method.to_string(), m.args.len()).is_some_and(|r| r.constant)
        }
        _ => false,
    }
}

/// Whether an expression statement is a value whose `;` hides the function's result
/// (rather than an assignment or a statement-like construct).
fn is_value_expr(e: &Expr) -> bool {
    !matches!(
        e,
        Expr::Assign(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::ForLoop(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::Block(_)
            | Expr::Macro(_)
            | Expr::Return(_)
            | Expr::Break(_)
            | Expr::Continue(_)
    ) && !matches!(e, Expr::Binary(b) if compound_op(&b.op).is_some())
}

/// Identifiers captured by a format string: `{name}`, `{name:>8}`, not `{{` or `{0}`.
fn inline_format_names(fmt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_alphanumeric() || n == '_' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

/// What the last expression of a block is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// The function's result (`return` allowed there).
    FnBody,
    /// The block's value.
    Value,
    /// A statement: the block has no value (a loop body, an `if` used as a statement).
    Statement,
}

impl Tail {
    fn value_if(want_value: bool) -> Tail {
        if want_value {
            Tail::Value
        } else {
            Tail::Statement
        }
    }
}

/// `%=`, `<<=`, `>>=`, `&=`, `|=`, `^=` as their plain operators (integer updates).
fn plain_op_of_compound(op: &syn::BinOp) -> Option<syn::BinOp> {
    Some(match op {
        syn::BinOp::RemAssign(_) => syn::BinOp::Rem(Default::default()),
        syn::BinOp::ShlAssign(_) => syn::BinOp::Shl(Default::default()),
        syn::BinOp::ShrAssign(_) => syn::BinOp::Shr(Default::default()),
        syn::BinOp::BitAndAssign(_) => syn::BinOp::BitAnd(Default::default()),
        syn::BinOp::BitOrAssign(_) => syn::BinOp::BitOr(Default::default()),
        syn::BinOp::BitXorAssign(_) => syn::BinOp::BitXor(Default::default()),
        _ => return None,
    })
}
