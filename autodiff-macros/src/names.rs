//! Names of generated locals.
//!
//! Generated locals use `Span::mixed_site()` hygiene, so they can never capture or shadow a
//! user's variable, and are also kept unique among themselves and distinct from the
//! function's parameter names, so expanded code reads unambiguously (`x`, `x_1`, `d_x`).

use proc_macro2::{Ident, Span};
use std::collections::HashSet;

pub struct NameGen {
    used: HashSet<String>,
    /// The next suffix to try for each base, so naming stays linear in the function's size.
    next: std::collections::HashMap<String, usize>,
}

impl NameGen {
    /// `reserved`: names generated code must not reuse (the parameters).
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a Ident>) -> Self {
        NameGen {
            used: reserved.into_iter().map(|i| i.to_string()).collect(),
            next: std::collections::HashMap::new(),
        }
    }

    /// A fresh hygienic identifier based on `base`, located at `span` for diagnostics.
    pub fn fresh(&mut self, base: &str, span: Span) -> Ident {
        let base = base.replace("r#", "");
        let base = base.as_str();
        let mut name = base.to_string();
        let mut k = self.next.get(base).copied().unwrap_or(1);
        while self.used.contains(&name) || is_keyword(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        self.next.insert(base.to_string(), k);
        self.used.insert(name.clone());
        Ident::new(&name, Span::mixed_site().located_at(span))
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "_" | "as"
            | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_names_are_unique_and_avoid_reserved() {
        let x = Ident::new("x", Span::call_site());
        let mut g = NameGen::new([&x]);
        assert_eq!(g.fresh("x", Span::call_site()).to_string(), "x_1");
        assert_eq!(g.fresh("x", Span::call_site()).to_string(), "x_2");
        assert_eq!(g.fresh("d_x", Span::call_site()).to_string(), "d_x");
        assert_eq!(g.fresh("d_x", Span::call_site()).to_string(), "d_x_1");
        assert_eq!(g.fresh("d_r#type", Span::call_site()).to_string(), "d_type");
        assert_eq!(g.fresh("r#loop", Span::call_site()).to_string(), "loop_1");
    }
}
