//! Source-level rewrites that reduce control flow to the forms the lowering handles:
//! structured `if`/`else`, `match`, `for` and `while` without jumps.
//!
//! - early `return` in a branch: `if c { ..; return a; } rest` becomes
//!   `if c { ..; a } else { rest }` (the classic guard rewrite);
//! - `loop { A; if c { break v; } B }` becomes `{ A; while !(c) { B; A } v }`;
//! - `if c { continue; }` at the top of a loop body guards the rest of the body;
//! - `for v in x.iter()` / `.iter().enumerate()` over differentiated data becomes an index
//!   loop `for k in 0..x.len() { let v = &x[k]; .. }`, so each element's cotangent lands in
//!   the right entry.
//!
//! Whatever these rewrites leave behind (a `return` inside a loop, a `break` nested in a
//! branch) is reported by the lowering with a message saying how to restructure it.

use syn::{Block, Expr, Stmt, parse_quote};

/// Rewrites a function body so early returns in branches become `if`/`else` values.
pub fn function_body(block: &Block) -> Block {
    let mut block = block.clone();
    block.stmts = returns(&block.stmts);
    block
}

/// `stmts` with every top-level `return` turned into a tail value.
fn returns(stmts: &[Stmt]) -> Vec<Stmt> {
    let mut out = Vec::new();
    for (k, s) in stmts.iter().enumerate() {
        let rest = &stmts[k + 1..];
        match s {
            Stmt::Expr(Expr::Return(r), _) => {
                if let Some(e) = &r.expr {
                    out.push(Stmt::Expr((**e).clone(), None));
                    return out;
                }
                out.push(s.clone());
                return out;
            }
            Stmt::Expr(Expr::If(e), _) if if_returns(e) => {
                out.push(Stmt::Expr(Expr::If(if_with_rest(e, rest)), None));
                return out;
            }
            Stmt::Expr(Expr::Match(m), _) if m.arms.iter().any(|a| expr_returns(&a.body)) => {
                let mut m = m.clone();
                for arm in &mut m.arms {
                    let stmts: Vec<Stmt> = match &*arm.body {
                        Expr::Block(b) => b.block.stmts.clone(),
                        Expr::Return(_) => {
                            vec![Stmt::Expr((*arm.body).clone(), Some(Default::default()))]
                        }
                        other => vec![Stmt::Expr(other.clone(), Some(Default::default()))],
                    };
                    let stmts = arm_with_rest(&stmts, rest);
                    *arm.body = parse_quote!({ #(#stmts)* });
                    arm.comma = Some(Default::default());
                }
                out.push(Stmt::Expr(Expr::Match(m), None));
                return out;
            }
            _ => out.push(s.clone()),
        }
    }
    out
}

/// Whether an arm of this `if` chain ends in `return`.
fn if_returns(e: &syn::ExprIf) -> bool {
    block_returns(&e.then_branch)
        || match e.else_branch.as_ref().map(|(_, b)| &**b) {
            Some(Expr::Block(b)) => block_returns(&b.block),
            Some(Expr::If(i)) => if_returns(i),
            _ => false,
        }
}

fn expr_returns(e: &Expr) -> bool {
    match e {
        Expr::Return(_) => true,
        Expr::Block(b) => block_returns(&b.block),
        Expr::If(i) => if_returns(i),
        _ => false,
    }
}

fn block_returns(b: &Block) -> bool {
    b.stmts.iter().any(|s| match s {
        Stmt::Expr(Expr::Return(_), _) => true,
        Stmt::Expr(Expr::If(i), _) => if_returns(i),
        Stmt::Expr(Expr::Match(m), _) => m.arms.iter().any(|a| expr_returns(&a.body)),
        _ => false,
    })
}

/// The `if` chain with `rest` appended to every arm that falls through, and returns
/// turned into tail values.
fn if_with_rest(e: &syn::ExprIf, rest: &[Stmt]) -> syn::ExprIf {
    let mut e = e.clone();
    e.then_branch.stmts = arm_with_rest(&e.then_branch.stmts, rest);
    let else_expr: Expr = match e.else_branch.take().map(|(_, b)| *b) {
        Some(Expr::Block(mut b)) => {
            b.block.stmts = arm_with_rest(&b.block.stmts, rest);
            Expr::Block(b)
        }
        Some(Expr::If(i)) => Expr::If(if_with_rest(&i, rest)),
        Some(other) => other,
        None => {
            let stmts = returns(rest);
            parse_quote!({ #(#stmts)* })
        }
    };
    e.else_branch = Some((Default::default(), Box::new(else_expr)));
    e
}

/// An arm followed by the rest of the block. An arm that returns somewhere takes the rest
/// into its own statements (so a nested `if c { return a; }` gets the rest as its `else`);
/// an arm that falls through keeps its statements in a block of their own, so its `let`s do
/// not shadow names the rest reads.
fn arm_with_rest(arm: &[Stmt], rest: &[Stmt]) -> Vec<Stmt> {
    if block_returns_stmts(arm) {
        let mut all = with_semicolons(arm);
        all.extend(rest.iter().cloned());
        returns(&all)
    } else {
        let arm = with_semicolons(arm);
        let mut all: Vec<Stmt> = vec![parse_quote!({ #(#arm)* };)];
        all.extend(returns(rest));
        all
    }
}

fn block_returns_stmts(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Expr(Expr::Return(_), _) => true,
        Stmt::Expr(Expr::If(i), _) => if_returns(i),
        Stmt::Expr(Expr::Match(m), _) => m.arms.iter().any(|a| expr_returns(&a.body)),
        _ => false,
    })
}

/// `let x = e;` (or `let x: T = e;`) as `x = e;`; other statements unchanged. `None` for a
/// `let` this cannot express (a pattern, no initializer).
fn let_to_assignment(s: &Stmt) -> Option<Stmt> {
    let Stmt::Local(l) = s else {
        return Some(s.clone());
    };
    let ident = match &l.pat {
        syn::Pat::Ident(p) if p.subpat.is_none() => &p.ident,
        syn::Pat::Type(t) => match &*t.pat {
            syn::Pat::Ident(p) if p.subpat.is_none() => &p.ident,
            _ => return None,
        },
        _ => return None,
    };
    let init = l.init.as_ref()?;
    if init.diverge.is_some() {
        return None;
    }
    let e = &init.expr;
    Some(parse_quote!(#ident = #e;))
}

/// Statements with a `;` after every expression statement but a final value, so they can
/// be followed by more statements (`t = t * 0.5` at the end of a loop body is valid Rust).
fn with_semicolons(stmts: &[Stmt]) -> Vec<Stmt> {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::Expr(e, None) => Stmt::Expr(e.clone(), Some(Default::default())),
            other => other.clone(),
        })
        .collect()
}

/// `loop { A; if c { break v; } B }` as `{ A; while !(c) { B; A } v }`, if the body has
/// exactly one top-level `if c { break ..; }` and no other `break`.
pub fn loop_to_while(l: &syn::ExprLoop) -> Option<Expr> {
    let stmts = &l.body.stmts;
    let mut found = None;
    for (k, s) in stmts.iter().enumerate() {
        if let Stmt::Expr(Expr::If(i), _) = s
            && i.else_branch.is_none()
            && i.then_branch.stmts.len() == 1
            && let Stmt::Expr(Expr::Break(b), _) = &i.then_branch.stmts[0]
            && b.label.is_none()
        {
            if found.is_some() {
                return None;
            }
            found = Some((k, (*i.cond).clone(), b.expr.clone()));
        }
    }
    let (k, cond, value) = found?;
    let (a, b) = (&stmts[..k], &stmts[k + 1..]);
    if contains_break(a) || contains_break(b) {
        return None;
    }
    let value = value.map(|v| *v);
    // Inside the `while`, `A`'s `let`s assign the names its first copy declared, so the
    // value after the loop (and the condition) see the last iteration's values.
    let a_again: Vec<Stmt> = a.iter().map(let_to_assignment).collect::<Option<_>>()?;
    let (a, b, a_again) = (
        with_semicolons(a),
        with_semicolons(b),
        with_semicolons(&a_again),
    );
    syn::parse2(quote::quote!({
        #(#a)*
        while !(#cond) {
            #(#b)*
            #(#a_again)*
        }
        #value
    }))
    .ok()
}

fn contains_break(stmts: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_expr_break(&mut self, _: &'a syn::ExprBreak) {
            self.0 = true;
        }
        // A nested loop's own breaks are its business.
        fn visit_expr_loop(&mut self, _: &'a syn::ExprLoop) {}
        fn visit_expr_while(&mut self, _: &'a syn::ExprWhile) {}
        fn visit_expr_for_loop(&mut self, _: &'a syn::ExprForLoop) {}
    }
    let mut f = Finder(false);
    for s in stmts {
        syn::visit::visit_stmt(&mut f, s);
    }
    f.0
}

/// A loop body with top-level `if c { continue; }` statements turned into guards around
/// the rest of the body.
pub fn continues(stmts: &[Stmt]) -> Vec<Stmt> {
    let mut out = Vec::new();
    for (k, s) in stmts.iter().enumerate() {
        if let Stmt::Expr(Expr::If(i), _) = s {
            let is_continue = i.else_branch.is_none()
                && i.then_branch.stmts.len() == 1
                && matches!(&i.then_branch.stmts[0], Stmt::Expr(Expr::Continue(c), _) if c.label.is_none());
            if is_continue {
                let cond = &i.cond;
                let rest = continues(&stmts[k + 1..]);
                out.push(parse_quote!(if !(#cond) { #(#rest)* }));
                return out;
            }
        }
        out.push(s.clone());
    }
    out
}

/// `for pat in x.iter()`, `x.iter().enumerate()`, `&x` or `x` as an index loop over `x`.
pub fn index_loop(f: &syn::ExprForLoop) -> Option<Expr> {
    let (data, enumerate, by_ref) = iteration_source(&f.expr)?;
    let body = &f.body.stmts;
    let k: syn::Ident = parse_quote!(__autodiff_index);
    let bind: Stmt = if enumerate {
        let syn::Pat::Tuple(t) = &*f.pat else {
            return None;
        };
        if t.elems.len() != 2 {
            return None;
        }
        let (i, v) = (&t.elems[0], &t.elems[1]);
        if by_ref {
            parse_quote!(let (#i, #v) = (#k, &(#data)[#k]);)
        } else {
            parse_quote!(let (#i, #v) = (#k, (#data)[#k]);)
        }
    } else {
        let v = &f.pat;
        if by_ref {
            parse_quote!(let #v = &(#data)[#k];)
        } else {
            parse_quote!(let #v = (#data)[#k];)
        }
    };
    let bind = split_tuple_let(bind);
    Some(parse_quote!(for #k in 0..(#data).len() { #(#bind)* #(#body)* }))
}

/// `let (a, b) = (x, y);` as two `let`s (the lowering binds plain names only).
fn split_tuple_let(s: Stmt) -> Vec<Stmt> {
    if let Stmt::Local(l) = &s
        && let (syn::Pat::Tuple(p), Some(init)) = (&l.pat, &l.init)
        && let Expr::Tuple(t) = &*init.expr
        && p.elems.len() == t.elems.len()
    {
        return p
            .elems
            .iter()
            .zip(&t.elems)
            .map(|(p, e)| parse_quote!(let #p = #e;))
            .collect();
    }
    vec![s]
}

/// What a `for` iterates over: (data, enumerate, yields references).
fn iteration_source(e: &Expr) -> Option<(Expr, bool, bool)> {
    match e {
        Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => {
            let (data, en, by_ref) = iteration_source(&m.receiver)?;
            if en {
                return None;
            }
            Some((data, true, by_ref))
        }
        Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
            Some(((*m.receiver).clone(), false, true))
        }
        Expr::Reference(r) => Some(((*r.expr).clone(), false, true)),
        Expr::Path(_) | Expr::Field(_) => Some((e.clone(), false, false)),
        Expr::Paren(p) => iteration_source(&p.expr),
        _ => None,
    }
}

/// The trip count of `a..b` / `a..=b` when both ends are integer literals, or of `0..N`
/// with a constant `N` (an upper-case path).
pub fn constant_trip_count(e: &Expr) -> Option<Expr> {
    let Expr::Range(r) = e else { return None };
    let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
    let lit = |e: &Expr| -> Option<u64> {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse().ok(),
            Expr::Paren(p) => match &*p.expr {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                }) => i.base10_parse().ok(),
                _ => None,
            },
            _ => None,
        }
    };
    let start = match &r.start {
        Some(s) => lit(s)?,
        None => 0,
    };
    let end = r.end.as_ref()?;
    if let Some(end) = lit(end) {
        let n = (end + u64::from(inclusive)).saturating_sub(start);
        let n = syn::LitInt::new(&n.to_string(), proc_macro2::Span::call_site());
        return Some(parse_quote!(#n));
    }
    if start == 0
        && let Expr::Path(p) = &**end
    {
        let is_const = p.path.segments.last().is_some_and(|s| {
            let n = s.ident.to_string();
            n.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        if is_const {
            return Some(if inclusive {
                parse_quote!(#p + 1)
            } else {
                parse_quote!(#p)
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn body(b: Block) -> String {
        function_body(&b).to_token_stream().to_string()
    }

    #[test]
    fn guard_return_becomes_else() {
        let out = body(parse_quote!({
            let y = x * 2.0;
            if y > 1.0 {
                return y;
            }
            y * y
        }));
        assert!(out.contains("else"), "{out}");
        assert!(!out.contains("return"), "{out}");
    }

    #[test]
    fn loop_with_break_becomes_while() {
        let l: syn::ExprLoop = parse_quote!(loop {
            x = x * 0.5;
            if x < 1.0 {
                break;
            }
        });
        let out = loop_to_while(&l).unwrap().to_token_stream().to_string();
        assert!(out.contains("while"), "{out}");
    }

    #[test]
    fn trip_counts() {
        assert!(constant_trip_count(&parse_quote!(0..5)).is_some());
        assert!(constant_trip_count(&parse_quote!(2..=5)).is_some());
        assert!(constant_trip_count(&parse_quote!(0..N)).is_some());
        assert!(constant_trip_count(&parse_quote!(0..n)).is_none());
    }
}
