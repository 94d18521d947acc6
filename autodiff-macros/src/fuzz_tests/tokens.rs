//! Token-level mutation fuzzing: valid functions with tokens deleted, duplicated, swapped,
//! replaced or inserted, and ranges spliced in from other seeds.
//!
//! A seed is flattened to a list of tokens where group delimiters are tokens of their own,
//! mutated, and rebuilt: an unmatched closing delimiter closes the innermost open group
//! (whatever its kind) or is dropped, and groups left open are closed at the end. So the
//! mutants include changed and misplaced delimiters, while every mutant is a valid
//! `TokenStream` (what rustc could hand the macro).

use super::{check, fail, run, tokens_of};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;

/// Valid inputs covering the supported language: each is `(attribute args, function)`.
///
/// They avoid the known bugs of `tests/regression/pending_*.rs` (`loop` breaks with a value,
/// no `continue`, block statements in statement blocks end with `;`), so that they are
/// accepted as they are; the mutants then reach the rest of the pipeline.
pub const SEEDS: &[(&str, &str)] = &[
    (
        "",
        "fn f(x: f64, y: f64) -> f64 { let z = x * y + x.sin(); z * z }",
    ),
    (
        "",
        "fn branchy(x: f64, y: f64) -> f64 { let mut r = x * y; if x > 0.0 { r = r * x; } else { r = r + y.sin(); } r * 2.0 }",
    ),
    (
        "",
        "fn power(x: f64, n: usize) -> f64 { let mut acc = 1.0; for _ in 0..n { acc *= x; } for i in 0..3 { acc += (i as f64) * x; } acc }",
    ),
    (
        "",
        "fn cumulative(x: [f64; 3]) -> f64 { let mut y = x; for i in 1..3 { y[i] += y[i - 1] * x[i]; } y[2] }",
    ),
    (
        "",
        "fn g(w: &SMatrix<f64, 2, 3>, x: &SVector<f64, 3>) -> f64 { let z = w * x; let d_x = z.norm_squared(); d_x * 0.5 + z[1] + w[(0, 1)] }",
    ),
    (
        "",
        "fn halve(mut x: f64, limit: f64) -> f64 { if x < 0.0 { return -x; } while x > limit { x = x * 0.5; } x * x }",
    ),
    (
        "wrt(x)",
        "fn loopy(x: f64, #[no_grad] s: f64) -> f64 { let mut t = x; let u = loop { t = t.cos() * s; if t < 0.1 { break t; } t = t * 0.5; }; u }",
    ),
    (
        "",
        "fn m(x: f64, k: usize) -> f64 { let y = match k { 0 => x, 1 => x * x, _ => x.exp() }; let z = if y > 1.0 { y.ln() } else if y < -1.0 { -y } else { y.powi(2) }; z.max(0.5 * x).min(3.0) }",
    ),
    (
        "",
        "fn mapped(v: &SVector<f64, 3>, w: &SVector<f64, 3>) -> f64 { let a = v.map(|e| e.tanh() * 2.0); let b = a.zip_map(w, |x, y| x * y.exp()); b.sum() + a.dot(&b) }",
    ),
    (
        "",
        "fn calls(x: f64, n: usize) -> f64 { let mut s = x; for i in 0..n { if i % 2 == 0 { s = sq(s) * 0.5; }; } assert!(n < 100); const K: f64 = 0.5; s * K + helper::h(&s, n) }",
    ),
    (
        "wrt(a, b)",
        "pub fn gen<T: Real>(a: T, b: &[f64; 2], c: i32) -> T { let v = [a, a * b[0], b[1]]; let q = Vector3::new(v[0], v[1], v[2]); let r: f64 = q.norm() + (c as f64); (a * a).atan2(b[0]).hypot(r) as T }",
    ),
    (
        "",
        "fn nets(net: &Mlp, x: &SVector<f64, 4>, label: usize) -> f64 { let h = relu(&(net.l1.weight * x + net.l1.bias)); let z = net.l2.weight.transpose() * h; softmax_cross_entropy(&z, label) }",
    ),
    (
        "",
        "fn early(x: f64, y: f64) -> f64 { if x > y { let t = x - y; if t > 1.0 { return t.sqrt(); } return t * t; } let mut u = y.clamp(-1.0, 1.0).mul_add(x, 2.0); while u < 5.0 { u += 1.0 + x * x; } u.cbrt() }",
    ),
    (
        "",
        "fn vecret(x: f64, v: SVector<f64, 2>) -> SVector<f64, 2> { let mut w = v * x; w[0] = w[1].sin(); w.component_mul(&v) / 2.0 }",
    ),
];

/// A token of a flattened stream.
#[derive(Clone)]
enum Flat {
    Open(Delimiter),
    Close,
    Tree(TokenTree),
}

fn flatten(ts: TokenStream, out: &mut Vec<Flat>) {
    for tt in ts {
        match tt {
            TokenTree::Group(g) if g.delimiter() != Delimiter::None => {
                out.push(Flat::Open(g.delimiter()));
                flatten(g.stream(), out);
                out.push(Flat::Close);
            }
            other => out.push(Flat::Tree(other)),
        }
    }
}

fn rebuild(flat: &[Flat]) -> TokenStream {
    let mut stack: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    let close = |stack: &mut Vec<(Delimiter, Vec<TokenTree>)>| {
        let (d, trees) = stack.pop().expect("an open group");
        let g = Group::new(d, trees.into_iter().collect());
        stack
            .last_mut()
            .expect("the root")
            .1
            .push(TokenTree::Group(g));
    };
    for t in flat {
        match t {
            Flat::Open(d) => stack.push((*d, Vec::new())),
            Flat::Close => {
                if stack.len() > 1 {
                    close(&mut stack);
                }
            }
            Flat::Tree(tt) => stack.last_mut().expect("the root").1.push(tt.clone()),
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().expect("the root").1.into_iter().collect()
}

/// One mutation; indices are taken modulo the current length.
#[derive(Debug, Clone)]
pub enum Mutation {
    Delete(usize),
    DeleteRange(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
    Replace(usize, Tok),
    Insert(usize, Tok),
    /// Insert `len` tokens of seed `seed` starting at `from`, at `at`.
    Splice {
        at: usize,
        seed: usize,
        from: usize,
        len: usize,
    },
}

/// A random token to insert.
#[derive(Debug, Clone)]
pub enum Tok {
    Punct(char, bool),
    Ident(&'static str),
    Literal(&'static str),
    Open(u8),
    Close,
}

const PUNCT: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];

const IDENTS: &[&str] = &[
    "x",
    "y",
    "z",
    "t",
    "d_x",
    "d_value",
    "value",
    "pullback",
    "tape",
    "branch_pullback",
    "f",
    "f_pullback",
    "f_grad",
    "self",
    "Self",
    "super",
    "crate",
    "fn",
    "let",
    "mut",
    "if",
    "else",
    "match",
    "for",
    "in",
    "while",
    "loop",
    "break",
    "continue",
    "return",
    "as",
    "ref",
    "move",
    "unsafe",
    "async",
    "await",
    "impl",
    "dyn",
    "where",
    "const",
    "static",
    "struct",
    "enum",
    "use",
    "mod",
    "pub",
    "type",
    "true",
    "false",
    "f64",
    "f32",
    "usize",
    "i32",
    "bool",
    "T",
    "Vec",
    "SVector",
    "SMatrix",
    "Vector3",
    "new",
    "sin",
    "cos",
    "powi",
    "powf",
    "max",
    "map",
    "zip_map",
    "iter",
    "enumerate",
    "sum",
    "dot",
    "len",
    "no_grad",
    "wrt",
    "_",
    "__autodiff_index",
    "r#type",
];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "0.0",
    "1.0",
    "0.5",
    "1e-3",
    "2.0_f64",
    "3f32",
    "1e309",
    "-1",
    "0x1F",
    "1_000",
    "255u8",
    "\"s\"",
    "'c'",
    "b'x'",
    "b\"bytes\"",
    "r\"raw\"",
    "4294967296",
    "18446744073709551616",
    "1.",
    "0.0e0",
];

fn delimiter(k: u8) -> Delimiter {
    match k % 3 {
        0 => Delimiter::Parenthesis,
        1 => Delimiter::Brace,
        _ => Delimiter::Bracket,
    }
}

impl Tok {
    fn flat(&self) -> Flat {
        match self {
            Tok::Punct(c, joint) => Flat::Tree(TokenTree::Punct(Punct::new(
                *c,
                if *joint {
                    Spacing::Joint
                } else {
                    Spacing::Alone
                },
            ))),
            Tok::Ident(s) => Flat::Tree(TokenTree::Ident(match s.strip_prefix("r#") {
                Some(raw) => Ident::new_raw(raw, Span::call_site()),
                None => Ident::new(s, Span::call_site()),
            })),
            Tok::Literal(s) => Flat::Tree(TokenTree::Literal(
                s.parse::<Literal>().expect("a valid literal"),
            )),
            Tok::Open(k) => Flat::Open(delimiter(*k)),
            Tok::Close => Flat::Close,
        }
    }
}

fn tok() -> impl Strategy<Value = Tok> {
    prop_oneof![
        (prop::sample::select(PUNCT), any::<bool>()).prop_map(|(c, j)| Tok::Punct(c, j)),
        prop::sample::select(IDENTS).prop_map(Tok::Ident),
        prop::sample::select(LITERALS).prop_map(Tok::Literal),
        any::<u8>().prop_map(Tok::Open),
        Just(Tok::Close),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..512;
    prop_oneof![
        3 => i.clone().prop_map(Mutation::Delete),
        1 => (i.clone(), 1usize..12).prop_map(|(a, n)| Mutation::DeleteRange(a, n)),
        2 => (i.clone(), 1usize..12).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        2 => (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        3 => (i.clone(), tok()).prop_map(|(a, t)| Mutation::Replace(a, t)),
        3 => (i.clone(), tok()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        2 => (i.clone(), 0..SEEDS.len(), i, 1usize..24)
            .prop_map(|(at, seed, from, len)| Mutation::Splice { at, seed, from, len }),
    ]
}

fn seed_flat(k: usize) -> Vec<Flat> {
    let mut out = Vec::new();
    flatten(tokens_of(SEEDS[k].1), &mut out);
    out
}

fn apply(flat: &mut Vec<Flat>, m: &Mutation) {
    let n = flat.len().max(1);
    match m {
        Mutation::Delete(i) => {
            if !flat.is_empty() {
                flat.remove(i % n);
            }
        }
        Mutation::DeleteRange(i, len) => {
            let a = i % n;
            let b = (a + len).min(flat.len());
            if a < b {
                flat.drain(a..b);
            }
        }
        Mutation::Duplicate(i, len) => {
            let a = i % n;
            let b = (a + len).min(flat.len());
            if a < b {
                let copy: Vec<Flat> = flat[a..b].to_vec();
                flat.splice(b..b, copy);
            }
        }
        Mutation::Swap(i, j) => {
            if !flat.is_empty() {
                flat.swap(i % n, j % n);
            }
        }
        Mutation::Replace(i, t) => {
            if flat.is_empty() {
                flat.push(t.flat());
            } else {
                flat[i % n] = t.flat();
            }
        }
        Mutation::Insert(i, t) => flat.insert(i % (flat.len() + 1), t.flat()),
        Mutation::Splice {
            at,
            seed,
            from,
            len,
        } => {
            let other = seed_flat(*seed);
            let a = from % other.len();
            let b = (a + len).min(other.len());
            let at = at % (flat.len() + 1);
            flat.splice(at..at, other[a..b].iter().cloned());
        }
    }
}

/// Attribute arguments: the seed's, or a mutant of a few common ones.
fn args() -> impl Strategy<Value = Option<(usize, Vec<Mutation>)>> {
    prop::option::weighted(
        0.3,
        (0usize..ARGS.len(), prop::collection::vec(mutation(), 0..3)),
    )
}

const ARGS: &[&str] = &[
    "",
    "wrt(x)",
    "wrt(x, y)",
    "wrt()",
    "wrt(z)",
    "with(x)",
    "wrt(x), wrt(y)",
    "wrt(x,)",
    "wrt",
    "wrt = x",
    "wrt(x y)",
    "wrt((x))",
    "wrt(self)",
    "wrt(a, b)",
];

/// A fuzz case: a seed and the mutations applied to it.
#[derive(Debug, Clone)]
pub struct Case {
    seed: usize,
    mutations: Vec<Mutation>,
    args: Option<(usize, Vec<Mutation>)>,
}

impl Case {
    pub fn render(&self) -> (TokenStream, TokenStream) {
        let mut flat = seed_flat(self.seed);
        for m in &self.mutations {
            apply(&mut flat, m);
        }
        let args = match &self.args {
            None => tokens_of(SEEDS[self.seed].0),
            Some((k, ms)) => {
                let mut a = Vec::new();
                flatten(tokens_of(ARGS[*k]), &mut a);
                for m in ms {
                    apply(&mut a, m);
                }
                rebuild(&a)
            }
        };
        (args, rebuild(&flat))
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..SEEDS.len(),
        prop::collection::vec(mutation(), 1..6),
        args(),
    )
        .prop_map(|(seed, mutations, args)| Case {
            seed,
            mutations,
            args,
        })
}

#[test]
fn seeds_are_accepted() {
    for (args, src) in SEEDS {
        let out = check(&tokens_of(args), &tokens_of(src)).unwrap();
        assert!(out.accepted, "seed rejected: {src}\n{}", out.output);
    }
}

#[test]
fn flatten_rebuild_round_trips() {
    for (_, src) in SEEDS {
        let mut flat = Vec::new();
        flatten(tokens_of(src), &mut flat);
        assert_eq!(rebuild(&flat).to_string(), tokens_of(src).to_string());
    }
}

#[test]
fn fuzz_token_mutations() {
    run("token mutations", 1, case(), |c| {
        let (args, item) = c.render();
        check(&args, &item)
            .map(|o| o.accepted)
            .map_err(|e| fail(format!("{e}\nargs: {args}\nitem: {item}")))
    });
}
