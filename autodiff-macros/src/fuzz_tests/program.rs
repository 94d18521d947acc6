//! Random syntactically valid functions from a small grammar of the macro's language.
//!
//! The generator reads its choices from a byte string (exhausted bytes choose the first,
//! simplest alternative), so proptest shrinks a failing program by shrinking the bytes:
//! shorter byte strings give smaller programs.
//!
//! In *strict* mode only constructs the README lists as supported are generated, in places
//! where they are supported, and every name is in scope: the macro must accept all of
//! these (a rejection is a false error). Otherwise unsupported constructs are mixed in
//! and only the general properties are checked.

use super::{check, fail, run};
use proc_macro2::TokenStream;
use proptest::prelude::*;

/// Reads choices from bytes.
struct Choices<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Choices<'_> {
    /// A number in `0..n` (0 once the bytes run out).
    fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b as usize % n
    }

    fn chance(&mut self, percent: usize) -> bool {
        // Out of bytes: no.
        if self.pos >= self.bytes.len() {
            return false;
        }
        self.pick(100) < percent
    }

    fn one<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.pick(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    F64,
    Arr3,
    Vec3,
    Mat23,
    Int,
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
    /// A parameter passed by reference (`&SVector`).
    by_ref: bool,
}

struct Gen<'a> {
    c: Choices<'a>,
    strict: bool,
    scopes: Vec<Vec<Var>>,
    next: usize,
    /// Nesting depth of loops (for `break`, `continue`, `return` placement).
    in_loop: usize,
    /// Generating the function body's own statements (where `if c { return e; }` goes).
    top: bool,
    budget: usize,
}

const UNARY: &[&str] = &[
    "sin",
    "cos",
    "tan",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "exp",
    "exp2",
    "exp_m1",
    "ln",
    "ln_1p",
    "log2",
    "log10",
    "sqrt",
    "cbrt",
    "recip",
    "to_degrees",
    "to_radians",
    "abs",
    "signum",
    "floor",
    "ceil",
    "round",
    "trunc",
    "asin",
    "acos",
    "acosh",
    "atanh",
    "clone",
];
const BINARY: &[&str] = &["powf", "log", "atan2", "hypot", "max", "min"];
const BAD_METHODS: &[&str] = &["frob", "iter", "into_iter", "sin_cos", "fract", "to_bits"];

impl Gen<'_> {
    fn fresh(&mut self, base: &str) -> String {
        self.next += 1;
        // Some names collide with what the macro generates.
        let bases = [
            "t",
            "d_x",
            "value",
            "tape",
            "pullback",
            "d_value",
            "branch_pullback",
        ];
        if self.c.chance(10) {
            return bases[self.c.pick(bases.len())].to_string();
        }
        format!("{base}{}", self.next)
    }

    fn vars(&self, ty: Ty) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for s in &self.scopes {
            for v in s {
                out.retain(|o| o.name != v.name);
                if v.ty == ty {
                    out.push(v.clone());
                }
            }
        }
        // Shadowed names of another type are not visible as this type.
        out.retain(|v| self.lookup(&v.name).is_some_and(|w| w.ty == ty));
        out
    }

    fn lookup(&self, name: &str) -> Option<&Var> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.iter().rev().find(|v| v.name == name))
    }

    fn declare(&mut self, v: Var) {
        self.scopes.last_mut().expect("a scope").push(v);
    }

    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    fn literal(&mut self) -> String {
        let lits = ["0.5", "1.0", "2.0", "0.25", "3.0", "1e-3", "0.1_f64"];
        let l = self.c.one(&lits);
        if self.c.chance(10) {
            format!("(-{l})")
        } else {
            l.to_string()
        }
    }

    fn int(&mut self) -> String {
        let ints = self.vars(Ty::Int);
        if !ints.is_empty() && self.c.chance(50) {
            return ints[self.c.pick(ints.len())].name.clone();
        }
        ["0", "1", "2"][self.c.pick(3)].to_string()
    }

    /// A scalar float expression.
    fn float(&mut self, depth: usize) -> String {
        if depth == 0 || !self.spend() {
            return self.float_leaf();
        }
        let n = if self.strict { 14 } else { 17 };
        match self.c.pick(n) {
            0 | 1 => self.float_leaf(),
            2 | 3 => {
                let op = self.c.one(&["+", "-", "*", "/"]);
                let (a, b) = (self.float(depth - 1), self.float(depth - 1));
                format!("({a} {op} {b})")
            }
            4 => format!("-{}", self.float(depth - 1)),
            5 => {
                let m = self.c.one(UNARY);
                let a = self.float(depth - 1);
                format!("({a}).{m}()")
            }
            6 => {
                let m = self.c.one(BINARY);
                let (a, b) = (self.float(depth - 1), self.float(depth - 1));
                format!("({a}).{m}({b})")
            }
            7 => {
                let a = self.float(depth - 1);
                let k = self.int();
                match self.c.pick(3) {
                    0 => format!("({a}).powi({k} as i32)"),
                    1 => format!("({a}).powi(2)"),
                    _ => format!("({a}).powi(-1)"),
                }
            }
            8 => {
                let (a, b, d) = (
                    self.float(depth - 1),
                    self.float(depth - 1),
                    self.float(depth - 1),
                );
                if self.c.chance(50) {
                    format!("({a}).mul_add({b}, {d})")
                } else {
                    format!("({a}).clamp({b}, {d})")
                }
            }
            9 => {
                let c = self.cond(depth - 1);
                let (a, b) = (self.float(depth - 1), self.float(depth - 1));
                format!("(if {c} {{ {a} }} else {{ {b} }})")
            }
            10 => {
                let k = self.int();
                let (a, b, d) = (
                    self.float(depth - 1),
                    self.float(depth - 1),
                    self.float(depth - 1),
                );
                format!("(match {k} {{ 0 => {a}, 1 => {{ {b} }} _ => {d} }})")
            }
            11 => {
                self.scopes.push(Vec::new());
                let stmts = self.inner(depth - 1, 2);
                let tail = self.float(depth - 1);
                self.scopes.pop();
                format!("{{ {stmts} {tail} }}")
            }
            12 => self.vector_scalar(depth - 1),
            13 => {
                let a = self.float(depth - 1);
                if self.c.chance(50) {
                    format!("(({a}) as f32 as f64)")
                } else {
                    let k = self.int();
                    format!("(({k}) as f64 * {a})")
                }
            }
            14 => {
                let m = self.c.one(BAD_METHODS);
                format!("({}).{m}()", self.float(depth - 1))
            }
            15 => {
                let a = self.float(depth - 1);
                let bad = [
                    format!("({a}, 1.0).0"),
                    format!("(|q: f64| q * 2.0)({a})"),
                    format!("({a} % 2.0)"),
                    format!("unsafe {{ {a} }}"),
                    format!("S {{ v: {a} }}.v"),
                    format!("g({a})?"),
                    format!("({a}).sin_cos().0"),
                    format!("[{a}; 3][0]"),
                    format!("(if let Some(q) = Some({a}) {{ q }} else {{ 0.0 }})"),
                    format!("(&{a} as *const f64 as usize as f64)"),
                    format!("vec![{a}][0]"),
                    format!("(!{a})"),
                    "x".to_string(),
                ];
                bad[self.c.pick(bad.len())].clone()
            }
            _ => {
                let f = self.c.one(&["sq", "helper::g", "crate::h", "f"]);
                format!("{f}({})", self.float(depth - 1))
            }
        }
    }

    fn float_leaf(&mut self) -> String {
        let vars = self.vars(Ty::F64);
        if !vars.is_empty() && self.c.pick(4) != 0 {
            let v = &vars[self.c.pick(vars.len())];
            return v.name.clone();
        }
        let arrs = self.vars(Ty::Arr3);
        if !arrs.is_empty() && self.c.chance(30) {
            let a = arrs[self.c.pick(arrs.len())].name.clone();
            let i = self.int();
            return format!("{a}[{i}]");
        }
        self.literal()
    }

    /// A scalar read from a vector or matrix.
    fn vector_scalar(&mut self, depth: usize) -> String {
        let vecs = self.vars(Ty::Vec3);
        let mats = self.vars(Ty::Mat23);
        if vecs.is_empty() {
            return self.float_leaf();
        }
        let v = vecs[self.c.pick(vecs.len())].name.clone();
        match self.c.pick(7) {
            0 => format!("{v}[{}]", self.int()),
            1 => format!("{v}.dot(&{v})"),
            2 => format!("{v}.norm()"),
            3 => format!("{v}.sum()"),
            4 => {
                let a = self.float(depth);
                let _ = a;
                format!("{v}.map(|e| e.sin() * 2.0 + e).norm_squared()")
            }
            5 if !mats.is_empty() => {
                let m = mats[self.c.pick(mats.len())].name.clone();
                format!("({m} * {v})[1] + {m}[(0, 2)]")
            }
            _ => format!("{v}.zip_map(&{v}, |p, q| p * q.exp()).sum()"),
        }
    }

    fn cond(&mut self, depth: usize) -> String {
        match self.c.pick(6) {
            0 | 1 => {
                let op = self.c.one(&[">", "<", ">=", "<=", "=="]);
                let (a, b) = (self.float(depth), self.float(depth));
                format!("{a} {op} {b}")
            }
            2 => format!("{} > {}", self.int(), self.int()),
            3 => format!("{} % 2 == 0", self.int()),
            4 => {
                let (a, b) = (self.cond(0), self.cond(0));
                let op = self.c.one(&["&&", "||"]);
                format!("({a}) {op} ({b})")
            }
            // KNOWN BUG (tests/regression/pending_not_condition.rs): `if !(x > 0.5)` on a
            // differentiated `x` is rejected; strict mode negates integer conditions only.
            _ if self.strict => format!("!({} > {})", self.int(), self.int()),
            _ => format!("!({})", self.cond(0)),
        }
    }

    fn stmts(&mut self, depth: usize, max: usize) -> String {
        let n = self.c.pick(max + 1);
        let mut out = String::new();
        for _ in 0..n {
            out.push_str(&self.stmt(depth));
            out.push(' ');
        }
        out
    }

    /// Up to two assignments to mutable floats in scope.
    fn assignments(&mut self, depth: usize) -> String {
        let muts: Vec<Var> = self
            .vars(Ty::F64)
            .into_iter()
            .filter(|v| v.mutable)
            .collect();
        let mut out = String::new();
        if muts.is_empty() {
            return out;
        }
        for _ in 0..self.c.pick(3) {
            let v = muts[self.c.pick(muts.len())].name.clone();
            let op = self.c.one(&["=", "+=", "*="]);
            out.push_str(&format!("{v} {op} {}; ", self.float(depth)));
        }
        out
    }

    /// Statements of a nested block (not the function body's own).
    fn inner(&mut self, depth: usize, max: usize) -> String {
        let top = std::mem::replace(&mut self.top, false);
        let out = self.stmts(depth, max);
        self.top = top;
        out
    }

    fn stmt(&mut self, depth: usize) -> String {
        if !self.spend() {
            return String::new();
        }
        let d = depth.saturating_sub(1);
        let n = if self.strict { 11 } else { 14 };
        match self.c.pick(n) {
            0 | 1 => {
                let e = self.float(d);
                let mutable = self.c.chance(50);
                let name = self.fresh("a");
                let ty = if self.c.chance(20) { ": f64" } else { "" };
                self.declare(Var {
                    name: name.clone(),
                    ty: Ty::F64,
                    mutable,
                    by_ref: false,
                });
                let m = if mutable { "mut " } else { "" };
                format!("let {m}{name}{ty} = {e};")
            }
            2 | 3 => {
                let muts: Vec<Var> = self
                    .vars(Ty::F64)
                    .into_iter()
                    .filter(|v| v.mutable)
                    .collect();
                if muts.is_empty() {
                    return self.stmt(depth);
                }
                let v = muts[self.c.pick(muts.len())].name.clone();
                let op = self.c.one(&["=", "+=", "-=", "*=", "/="]);
                format!("{v} {op} {};", self.float(d))
            }
            4 => {
                let arrs: Vec<Var> = self
                    .vars(Ty::Arr3)
                    .into_iter()
                    .filter(|v| v.mutable)
                    .collect();
                if arrs.is_empty() {
                    let src = self.vars(Ty::Arr3);
                    let init = match src.first() {
                        Some(a) if self.c.chance(50) => a.name.clone(),
                        _ => format!("[{}, {}, {}]", self.float(d), self.float(d), self.float(d)),
                    };
                    let name = self.fresh("arr");
                    self.declare(Var {
                        name: name.clone(),
                        ty: Ty::Arr3,
                        mutable: true,
                        by_ref: false,
                    });
                    return format!("let mut {name} = {init};");
                }
                let a = arrs[self.c.pick(arrs.len())].name.clone();
                let op = self.c.one(&["=", "+=", "*="]);
                let i = self.int();
                format!("{a}[{i}] {op} {};", self.float(d))
            }
            5 => {
                let c = self.cond(d);
                self.scopes.push(Vec::new());
                let a = self.inner(d, 3);
                self.scopes.pop();
                let ret = self.maybe_return(d);
                if self.c.chance(50) {
                    self.scopes.push(Vec::new());
                    let b = self.inner(d, 3);
                    self.scopes.pop();
                    let ret_b = self.maybe_return(d);
                    format!(
                        "if {c} {{ {a} {ret} }} else {{ {b} {ret_b} }}{}",
                        self.loop_end()
                    )
                } else {
                    format!("if {c} {{ {a} {ret} }}{}", self.loop_end())
                }
            }
            6 => {
                let bound = match self.c.pick(3) {
                    0 => "0..3".to_string(),
                    1 => format!("0..{}", self.int()),
                    _ => "1..=2".to_string(),
                };
                let i = self.fresh("i");
                self.scopes.push(vec![Var {
                    name: i.clone(),
                    ty: Ty::Int,
                    mutable: false,
                    by_ref: false,
                }]);
                self.in_loop += 1;
                // KNOWN BUG (tests/regression/pending_block_ending_in_loop.rs): `continue`
                // desugars to a body ending in an `if`, which is rejected.
                let cont = if !self.strict && self.c.chance(20) {
                    format!("if {i} == 1 {{ continue; }}")
                } else {
                    String::new()
                };
                let body = self.inner(d, 3);
                self.in_loop -= 1;
                self.scopes.pop();
                format!("for {i} in {bound} {{ {cont} {body} }}{}", self.loop_end())
            }
            7 => {
                let c = self.cond(d);
                self.scopes.push(Vec::new());
                self.in_loop += 1;
                let body = self.inner(d, 3);
                self.in_loop -= 1;
                self.scopes.pop();
                format!("while {c} {{ {body} }}{}", self.loop_end())
            }
            8 => {
                self.scopes.push(Vec::new());
                self.in_loop += 1;
                // KNOWN BUG (tests/regression/pending_loop_let_scoping.rs): a `let` before
                // the `break` is evaluated once; strict mode only assigns there.
                let a = if self.strict {
                    self.assignments(d)
                } else {
                    self.inner(d, 2)
                };
                let c = self.cond(d);
                let b = self.inner(d, 2);
                self.in_loop -= 1;
                self.scopes.pop();
                // KNOWN BUG (tests/regression/pending_block_ending_in_loop.rs): a `loop`
                // whose `break` has no value is rejected; strict mode breaks with a value.
                if self.strict || self.c.chance(50) {
                    let v = self.float(0);
                    let name = self.fresh("r");
                    let s = format!("let {name} = loop {{ {a} if {c} {{ break {v}; }} {b} }};");
                    self.declare(Var {
                        name,
                        ty: Ty::F64,
                        mutable: false,
                        by_ref: false,
                    });
                    s
                } else {
                    format!("loop {{ {a} if {c} {{ break; }} {b} }}")
                }
            }
            9 => {
                let k = self.int();
                self.scopes.push(Vec::new());
                let a = self.inner(d, 2);
                self.scopes.pop();
                self.scopes.push(Vec::new());
                let b = self.inner(d, 2);
                self.scopes.pop();
                format!(
                    "match {k} {{ 0 => {{ {a} }} _ => {{ {b} }} }}{}",
                    self.loop_end()
                )
            }
            10 => {
                let vars = self.vars(Ty::F64);
                let shown = vars
                    .first()
                    .map(|v| v.name.clone())
                    .unwrap_or_else(|| "1.0".into());
                let m = self.c.one(&["assert!", "debug_assert!", "println!"]);
                if m == "println!" {
                    format!("println!(\"{{}}\", {shown});")
                } else {
                    format!("{m}({shown} == {shown} || true);")
                }
            }
            11 => {
                let bad = [
                    "let (p, q) = (1.0, 2.0);".to_string(),
                    format!("let r; r = {};", self.float(0)),
                    "if let Some(q) = None::<f64> { }".to_string(),
                    "loop { if true { break; } if false { break; } }".to_string(),
                    "'outer: for _ in 0..2 { }".to_string(),
                    "vec![1.0];".to_string(),
                    format!("{};", self.float(d)),
                    "return;".to_string(),
                    "while let Some(_) = None::<f64> { }".to_string(),
                    "break;".to_string(),
                    "continue;".to_string(),
                    format!("unknown.field = {};", self.float(0)),
                    format!(
                        "let Some(q) = Some({}) else {{ return 0.0; }};",
                        self.float(0)
                    ),
                ];
                bad[self.c.pick(bad.len())].clone()
            }
            12 => {
                let e = self.float(d);
                if self.in_loop > 0 {
                    format!("if {} {{ return {e}; }}", self.cond(0))
                } else {
                    format!("return {e};")
                }
            }
            _ => "const K: f64 = 0.5; fn local(q: f64) -> f64 { q } use core::f64;".to_string(),
        }
    }

    /// KNOWN BUG (tests/regression/pending_block_ending_in_loop.rs): a block in statement
    /// position (loop body, `if` arm) whose last statement is an `if`, `match`, `for` or
    /// `while` without `;` is rejected; strict mode writes the `;`.
    fn loop_end(&self) -> &'static str {
        if self.strict { ";" } else { "" }
    }

    /// `return e;` at the end of a branch, where the desugaring supports it: an `if` of the
    /// function body itself (KNOWN BUG, tests/regression/pending_nested_early_return.rs: a
    /// `return` in an `if` nested in another branch is rejected, so strict mode does not
    /// nest them).
    fn maybe_return(&mut self, depth: usize) -> String {
        let allowed = if self.strict {
            self.top
        } else {
            self.in_loop == 0
        };
        if allowed && self.c.chance(25) {
            format!("return {};", self.float(depth))
        } else {
            String::new()
        }
    }

    fn function(&mut self) -> (String, String) {
        let mut params = Vec::new();
        let mut decls = Vec::new();
        let count = 1 + self.c.pick(4);
        let mut has_float = false;
        for k in 0..count {
            let name = ["x", "y", "v", "w", "m", "n"][k.min(5)].to_string();
            let (ty, text) = match self.c.pick(8) {
                0..=2 => (Ty::F64, "f64"),
                3 => (Ty::Arr3, "[f64; 3]"),
                4 => (Ty::Vec3, "&SVector<f64, 3>"),
                5 => (Ty::Mat23, "&SMatrix<f64, 2, 3>"),
                6 => (Ty::Int, "usize"),
                _ => (Ty::F64, "&f64"),
            };
            has_float |= ty != Ty::Int;
            let mutable = ty == Ty::F64 && text == "f64" && self.c.chance(30);
            let m = if mutable { "mut " } else { "" };
            let ng = if !self.strict && self.c.chance(5) {
                "#[no_grad] "
            } else {
                ""
            };
            params.push(format!("{ng}{m}{name}: {text}"));
            // `&f64` parameters are read through `*x`.
            let name = if text == "&f64" {
                format!("(*{name})")
            } else {
                name
            };
            decls.push(Var {
                name,
                ty,
                mutable,
                by_ref: text.starts_with('&'),
            });
        }
        if !has_float {
            params.push("z: f64".into());
            decls.push(Var {
                name: "z".into(),
                ty: Ty::F64,
                mutable: false,
                by_ref: false,
            });
        }
        let _ = decls.iter().any(|v| v.by_ref);
        self.scopes.push(decls);
        let body = self.stmts(3, 5);
        let tail = self.float(3);
        self.scopes.pop();
        let ret = if self.strict || self.c.chance(80) {
            "f64"
        } else {
            self.c.one(&[
                "(f64, f64)",
                "impl Fn()",
                "SVector<f64, 3>",
                "[f64; 3]",
                "()",
            ])
        };
        let args = if !self.strict && self.c.chance(15) {
            self.c
                .one(&["wrt(x)", "wrt(y)", "wrt(n)", "wrt(q)", "wrt(x, x)"])
                .to_string()
        } else {
            String::new()
        };
        let sig = format!("fn f({}) -> {ret}", params.join(", "));
        (args, format!("{sig} {{ {body} {tail} }}"))
    }
}

/// Renders the program the bytes choose: `(attribute args, function source)`.
pub fn program(bytes: &[u8], strict: bool) -> (String, String) {
    let mut g = Gen {
        c: Choices { bytes, pos: 0 },
        strict,
        scopes: Vec::new(),
        next: 0,
        in_loop: 0,
        top: true,
        budget: 60,
    };
    g.function()
}

fn parse(src: &str) -> TokenStream {
    src.parse().expect("generated source tokenizes")
}

#[test]
fn generated_programs_parse() {
    for k in 0..300u32 {
        let bytes: Vec<u8> = (0..200u32)
            .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(k * 97) >> 7) as u8)
            .collect();
        for strict in [true, false] {
            let (_, src) = program(&bytes, strict);
            syn::parse_str::<syn::ItemFn>(&src)
                .unwrap_or_else(|e| panic!("generator wrote invalid syntax: {e}\n{src}"));
        }
    }
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

#[test]
fn fuzz_generated_programs() {
    run("generated programs", 5, bytes(), |b| {
        let (args, src) = program(&b, false);
        let item = parse(&src);
        check(&parse(&args), &item)
            .map(|o| o.accepted)
            .map_err(|e| fail(format!("{e}\nargs: {args}\nsource: {src}")))
    });
}

#[test]
fn fuzz_supported_programs_are_accepted() {
    run("supported programs", 7, bytes(), |b| {
        let (args, src) = program(&b, true);
        let item = parse(&src);
        let out = check(&parse(&args), &item).map_err(|e| fail(format!("{e}\nsource: {src}")))?;
        if !out.accepted {
            return Err(fail(format!(
                "a supported program was rejected\nsource: {src}\noutput: {}",
                out.output
            )));
        }
        Ok(true)
    });
}
