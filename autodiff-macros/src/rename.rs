//! Renaming the user's locals inside expressions that are kept as written (constants,
//! comparisons, conditions), respecting names those expressions bind themselves: a closure
//! parameter, a `let` in a block, a `match` arm or a `for` pattern shadows the outer local
//! of the same name and must not be renamed.

use proc_macro2::{TokenStream, TokenTree};
use std::collections::HashSet;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

/// Names bound by a pattern (lone upper-case names are constants or unit variants).
pub fn pattern_idents(p: &Pat) -> Vec<syn::Ident> {
    struct Finder(Vec<syn::Ident>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            let n = p.ident.to_string();
            if !n.chars().next().is_some_and(|c| c.is_uppercase()) {
                self.0.push(p.ident.clone());
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut f = Finder(Vec::new());
    f.visit_pat(p);
    f.0
}

/// `e` with its free locals replaced: `lookup(name)` gives the tokens to put instead
/// (`None`: not a local, keep it).
pub fn rename(e: &Expr, lookup: &dyn Fn(&str) -> Option<TokenStream>) -> Expr {
    let mut r = Renamer {
        lookup,
        bound: vec![HashSet::new()],
        free: Vec::new(),
    };
    let mut e = e.clone();
    r.visit_expr_mut(&mut e);
    e
}

/// The free names `e` reads (names bound inside `e` excluded), including identifiers inside
/// macro arguments.
pub fn free_names(e: &Expr) -> Vec<String> {
    let none = |_: &str| None;
    let mut r = Renamer {
        lookup: &none,
        bound: vec![HashSet::new()],
        free: Vec::new(),
    };
    let mut e = e.clone();
    r.visit_expr_mut(&mut e);
    r.free
}

struct Renamer<'a> {
    lookup: &'a dyn Fn(&str) -> Option<TokenStream>,
    bound: Vec<HashSet<String>>,
    free: Vec<String>,
}

impl Renamer<'_> {
    fn is_bound(&self, name: &str) -> bool {
        self.bound.iter().any(|s| s.contains(name))
    }

    fn bind(&mut self, p: &Pat) {
        let names: Vec<String> = pattern_idents(p).iter().map(|i| i.to_string()).collect();
        self.bound.last_mut().expect("a scope").extend(names);
    }
}

impl VisitMut for Renamer<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Path(p) = e
            && p.qself.is_none()
            && let Some(id) = p.path.get_ident()
        {
            let name = id.to_string();
            if !self.is_bound(&name) {
                self.free.push(name.clone());
                if let Some(tokens) = (self.lookup)(&name) {
                    *e = syn::parse_quote!((#tokens));
                }
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        // `S { n }` is `S { n: n }`: once `n` is renamed the colon must be written.
        self.visit_expr_mut(&mut f.expr);
        if f.colon_token.is_none() {
            let unchanged = matches!((&f.member, &f.expr), (syn::Member::Named(m), Expr::Path(p)) if p.path.is_ident(m));
            if !unchanged {
                f.colon_token = Some(Default::default());
            }
        }
    }

    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        self.bound.push(HashSet::new());
        for p in &c.inputs {
            self.bind(p);
        }
        self.visit_expr_mut(&mut c.body);
        self.bound.pop();
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.bound.push(HashSet::new());
        for s in &mut b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, d)) = &mut init.diverge {
                            self.visit_expr_mut(d);
                        }
                    }
                    let pat = l.pat.clone();
                    self.bind(&pat);
                }
                other => self.visit_stmt_mut(other),
            }
        }
        self.bound.pop();
    }

    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        self.bound.push(HashSet::new());
        let pat = a.pat.clone();
        self.bind(&pat);
        if let Some((_, g)) = &mut a.guard {
            self.visit_expr_mut(g);
        }
        self.visit_expr_mut(&mut a.body);
        self.bound.pop();
    }

    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut f.expr);
        self.bound.push(HashSet::new());
        let pat = f.pat.clone();
        self.bind(&pat);
        self.visit_block_mut(&mut f.body);
        self.bound.pop();
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        // Macro arguments are tokens; names in them still count as reads.
        fn walk(ts: TokenStream, out: &mut Vec<String>) {
            for tt in ts {
                match tt {
                    TokenTree::Ident(i) => out.push(i.to_string()),
                    TokenTree::Group(g) => walk(g.stream(), out),
                    _ => {}
                }
            }
        }
        let mut names = Vec::new();
        walk(m.tokens.clone(), &mut names);
        for n in names {
            if !self.is_bound(&n) {
                self.free.push(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};

    fn renamed(e: Expr) -> String {
        rename(&e, &|n| (n == "m" || n == "x").then(|| quote!(outer)))
            .to_token_stream()
            .to_string()
    }

    #[test]
    fn inner_bindings_shadow_outer_locals() {
        assert_eq!(renamed(syn::parse_quote!(m + 1)), "(outer) + 1");
        assert!(!renamed(syn::parse_quote!((0..3).map(|m| m * 2).sum::<i32>())).contains("outer"));
        assert!(
            !renamed(syn::parse_quote!({
                let m = 2;
                m * 3
            }))
            .contains("outer")
        );
        assert!(
            renamed(syn::parse_quote!({
                let m = m;
                m * 3
            }))
            .contains("outer")
        );
        assert!(
            !renamed(syn::parse_quote!(match k {
                m => m * 2,
            }))
            .contains("outer")
        );
        assert_eq!(renamed(syn::parse_quote!(S { x })), "S { x : (outer) }");
    }

    #[test]
    fn free_names_skip_bound_ones() {
        let names = free_names(&syn::parse_quote!(a + (|b| b * c)(d)));
        assert_eq!(names, vec!["a", "c", "d"]);
    }
}
