//! Writes `tests/random_programs/programs.rs` (included by `tests/random_programs.rs`):
//! random `#[differentiate]` functions in the supported language, each checked against
//! central finite differences of the original function.
//!
//! ```text
//! cargo run --example gen_random_programs            # rewrites tests/random_programs/programs.rs
//! cargo test --test random_programs -- --nocapture   # checks them, prints the tallies
//! cargo run --example gen_random_programs -- 4242 1200   # another campaign (then regenerate
//!                                                        # without arguments before committing)
//! ```
//!
//! The generator is deterministic (fixed seed, its own xorshift generator), so the checked-in
//! file is reproducible; `tests/random_programs_fresh.rs` fails if it is stale.
//!
//! Every program is generated together with a *margin* twin: the same code as plain Rust
//! in which every kink and branch condition records its distance to the boundary (`a - b`
//! for `a > b`, `x` for `x.abs()`, ...). Points where the margin is below `1e-3` are skipped,
//! so a finite-difference stencil never straddles a branch switch or a kink.
//!
//! Smoothness and bounded values by construction: `ln`, `sqrt`, `powf`, `recip` and
//! divisions only see `e * e + c` with `c > 0`, `asin`/`acos`/`atanh` see `0.9 * tanh(e)`,
//! `exp`, `sinh`, `cosh` and `tan` see bounded arguments, and any subexpression whose bound
//! grows past a limit is squashed with `tanh`. Loops update their state contractively and
//! `while`/`loop` exits have guaranteed trip bounds.
//!
//! Constructs with open bugs (see `tests/regression/pending_*.rs`; search for `KNOWN BUG`)
//! are generated in their working form: `loop` always breaks with a value and reads a
//! differentiated value, no `continue`, no `!cond` on differentiated values, block-like
//! statements inside blocks end with `;`, `return` only in `if`s of the function body itself
//! and no shadowing `let` in the arms of those `if`s, every local of a nested block is
//! folded into the output, the output always reads `x`, no inline format arguments.

use std::fmt::Write;

/// The generated file, `include!`d by `tests/random_programs.rs` (which holds the harness);
/// included files are not reformatted by `cargo fmt`, so the generator's output stays
/// byte-for-byte reproducible.
pub const OUTPUT: &str = "tests/random_programs/programs.rs";
/// Programs in the checked-in file.
pub const COUNT: usize = 520;
/// Programs per `#[test]` function.
pub const GROUP: usize = 40;
const SEED: u64 = 0x00A0_D1FF_5EED;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// An expression rendered twice: as the user writes it (`plain`) and in the margin twin
/// (`margin`, where kinks call the `__*` helpers that record distances in `__m`).
#[derive(Clone)]
struct Ex {
    plain: String,
    margin: String,
    /// A bound on the magnitude of the value.
    bound: f64,
}

impl Ex {
    fn same(s: String, bound: f64) -> Ex {
        Ex {
            plain: s.clone(),
            margin: s,
            bound,
        }
    }
}

/// Wraps both renderings with the same format string (`{}` is the expression).
fn wrap(e: &Ex, fmt: &str, bound: f64) -> Ex {
    Ex {
        plain: fmt.replace("{}", &e.plain),
        margin: fmt.replace("{}", &e.margin),
        bound,
    }
}

fn wrap2(a: &Ex, b: &Ex, fmt: &str, bound: f64) -> Ex {
    Ex {
        plain: fmt.replace("{a}", &a.plain).replace("{b}", &b.plain),
        margin: fmt.replace("{a}", &a.margin).replace("{b}", &b.margin),
        bound,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Float,
    Arr,
    Vec3,
    Int,
}

#[derive(Clone)]
struct Var {
    name: String,
    kind: Kind,
    bound: f64,
    mutable: bool,
}

const LIMIT: f64 = 6.0;

struct Gen {
    r: Rng,
    scopes: Vec<Vec<Var>>,
    next: usize,
    has_matrix: bool,
    /// Statements left for this program.
    budget: usize,
    /// Inside an arm of an `if` of the function body: no shadowing `let` (KNOWN BUG,
    /// tests/regression/pending_early_return_shadowing.rs: the early-return rewrite moves
    /// the rest of the function into the arm, where the arm's shadowing changes its names).
    no_shadow: bool,
}

/// A statement in both renderings.
struct St {
    plain: String,
    margin: String,
}

impl Gen {
    fn fresh(&mut self, base: &str) -> String {
        self.next += 1;
        format!("{base}{}", self.next)
    }

    fn visible(&self, kind: Kind) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for s in &self.scopes {
            for v in s {
                out.retain(|o| o.name != v.name);
                out.push(v.clone());
            }
        }
        out.into_iter().filter(|v| v.kind == kind).collect()
    }

    fn declare(&mut self, v: Var) {
        self.scopes.last_mut().expect("a scope").push(v);
    }

    /// Updates the bound of a visible variable after an assignment.
    fn set_bound(&mut self, name: &str, bound: f64) {
        for s in self.scopes.iter_mut().rev() {
            if let Some(v) = s.iter_mut().rev().find(|v| v.name == name) {
                v.bound = bound;
                return;
            }
        }
    }

    fn lit(&mut self) -> Ex {
        let v = [0.5, 1.5, 2.0, 0.25, 3.0, 0.75, 1.25][self.r.below(7)];
        let neg = self.r.chance(25);
        let s = if neg {
            format!("(-{v:?}_f64)")
        } else {
            format!("{v:?}_f64")
        };
        Ex::same(s, v)
    }

    fn int_expr(&mut self) -> String {
        let ints = self.visible(Kind::Int);
        if !ints.is_empty() && self.r.chance(70) {
            return ints[self.r.below(ints.len())].name.clone();
        }
        format!("{}", self.r.below(3))
    }

    fn leaf(&mut self) -> Ex {
        let floats = self.visible(Kind::Float);
        let arrs = self.visible(Kind::Arr);
        let vecs = self.visible(Kind::Vec3);
        let k = self.r.below(10);
        if k < 6 && !floats.is_empty() {
            let v = &floats[self.r.below(floats.len())];
            return Ex::same(v.name.clone(), v.bound);
        }
        if k < 8 && !arrs.is_empty() {
            let a = arrs[self.r.below(arrs.len())].clone();
            let i = self.int_expr();
            return Ex::same(format!("{}[{i} % 3]", a.name), a.bound);
        }
        if k < 9 && !vecs.is_empty() {
            let v = vecs[self.r.below(vecs.len())].clone();
            let i = self.r.below(3);
            return Ex::same(format!("{}[{i}]", v.name), v.bound);
        }
        self.lit()
    }

    /// `e * e + c`: positive, at least `c`.
    fn positive(&mut self, depth: usize) -> (Ex, f64) {
        let e = self.expr(depth);
        let c = [0.5, 1.0, 2.0][self.r.below(3)];
        let b = e.bound * e.bound + c;
        (wrap(&e, &format!("(({{}}).powi(2) + {c:?})"), b), c)
    }

    fn squash(&mut self, e: Ex) -> Ex {
        if e.bound <= LIMIT {
            return e;
        }
        match self.r.below(3) {
            0 => wrap(&e, "({}).tanh()", 1.0),
            1 => wrap(&e, "({}).sin()", 1.0),
            _ => wrap(&e, "(({}).atan() * 2.0)", 3.2),
        }
    }

    /// A scalar expression of the given depth.
    fn expr(&mut self, depth: usize) -> Ex {
        if depth == 0 {
            return self.leaf();
        }
        let d = depth - 1;
        let e = match self.r.below(24) {
            0..=2 => self.leaf(),
            3..=5 => {
                let (a, b) = (self.expr(d), self.expr(d));
                match self.r.below(3) {
                    0 => wrap2(&a, &b, "({a} + {b})", a.bound + b.bound),
                    1 => wrap2(&a, &b, "({a} - {b})", a.bound + b.bound),
                    _ => wrap2(&a, &b, "({a} * {b})", a.bound * b.bound),
                }
            }
            6 => {
                let a = self.expr(d);
                let (p, c) = self.positive(d);
                wrap2(&a, &p, "({a} / {b})", a.bound / c)
            }
            7 => {
                let a = self.expr(d);
                wrap(&a, "(-{})", a.bound)
            }
            8 | 9 => {
                let a = self.expr(d);
                let m = self.r.pick(&["sin", "cos", "tanh", "atan"]);
                wrap(&a, &format!("({{}}).{m}()"), 1.6)
            }
            10 => {
                let a = self.expr(d);
                let a = if a.bound > 2.5 {
                    wrap(&a, "({}).tanh()", 1.0)
                } else {
                    a
                };
                let m = self.r.pick(&["exp", "sinh", "cosh", "exp2", "exp_m1"]);
                wrap(&a, &format!("({{}}).{m}()"), a.bound.exp() + 1.0)
            }
            11 => {
                let (p, c) = self.positive(d);
                let m = self
                    .r
                    .pick(&["ln", "sqrt", "log2", "log10", "cbrt", "recip", "ln_1p"]);
                let b = match m {
                    "sqrt" | "cbrt" => p.bound.sqrt(),
                    "recip" => 1.0 / c,
                    _ => p.bound.ln().abs() + c.ln().abs() + 2.0,
                };
                wrap(&p, &format!("{{}}.{m}()"), b)
            }
            12 => {
                let a = self.expr(d);
                let m = self.r.pick(&["asin", "acos", "atanh"]);
                wrap(&a, &format!("(0.9 * ({{}}).tanh()).{m}()"), 3.2)
            }
            13 => {
                let a = self.expr(d);
                let n = self.r.below(4) as i32 + 1;
                let n = if self.r.chance(20) { -n } else { n };
                if n < 0 {
                    let (p, c) = self.positive(d);
                    let _ = a;
                    wrap(&p, &format!("{{}}.powi({n})"), c.powi(n))
                } else {
                    wrap(&a, &format!("({{}}).powi({n})"), a.bound.powi(n))
                }
            }
            14 => {
                let (p, _) = self.positive(d);
                let e = self.expr(d);
                let e = if e.bound > 2.0 {
                    wrap(&e, "({}).tanh()", 1.0)
                } else {
                    e
                };
                wrap2(&p, &e, "{a}.powf({b})", p.bound.powf(e.bound) + 1.0)
            }
            15 => {
                let (a, b) = (self.expr(d), self.expr(d));
                let b = wrap(&b, "({}).tanh()", 1.0);
                let c = self.expr(d);
                wrap2(
                    &a,
                    &wrap2(&b, &c, "{a}, {b}", 0.0),
                    "({a}).mul_add({b})",
                    a.bound + c.bound,
                )
            }
            16 => {
                // kinks: abs, max, min, clamp
                let (a, b) = (self.expr(d), self.expr(d));
                match self.r.below(4) {
                    0 => Ex {
                        plain: format!("({}).abs()", a.plain),
                        margin: format!("__abs(&__m, {})", a.margin),
                        bound: a.bound,
                    },
                    1 if a.plain != b.plain => Ex {
                        plain: format!("({}).max({})", a.plain, b.plain),
                        margin: format!("__max(&__m, {}, {})", a.margin, b.margin),
                        bound: a.bound.max(b.bound),
                    },
                    2 if a.plain != b.plain => Ex {
                        plain: format!("({}).min({})", a.plain, b.plain),
                        margin: format!("__min(&__m, {}, {})", a.margin, b.margin),
                        bound: a.bound.max(b.bound),
                    },
                    _ => Ex {
                        plain: format!("({}).clamp(-1.0, 1.5)", a.plain),
                        margin: format!("__clamp(&__m, {}, -1.0, 1.5)", a.margin),
                        bound: 1.5,
                    },
                }
            }
            17 => {
                // atan2 (branch cut on the negative `o` axis) and hypot (kink at 0)
                let (a, b) = (self.expr(d), self.expr(d));
                if self.r.chance(50) {
                    Ex {
                        plain: format!("({}).atan2({})", a.plain, b.plain),
                        margin: format!("__atan2(&__m, {}, {})", a.margin, b.margin),
                        bound: 3.2,
                    }
                } else {
                    Ex {
                        plain: format!("({}).hypot({})", a.plain, b.plain),
                        margin: format!("__hypot(&__m, {}, {})", a.margin, b.margin),
                        bound: a.bound + b.bound,
                    }
                }
            }
            18 => {
                let c = self.cond(d);
                let (a, b) = (self.expr(d), self.expr(d));
                Ex {
                    plain: format!("(if {} {{ {} }} else {{ {} }})", c.plain, a.plain, b.plain),
                    margin: format!(
                        "(if {} {{ {} }} else {{ {} }})",
                        c.margin, a.margin, b.margin
                    ),
                    bound: a.bound.max(b.bound),
                }
            }
            19 => {
                let vecs = self.visible(Kind::Vec3);
                if vecs.is_empty() {
                    return self.expr(d);
                }
                let v = vecs[self.r.below(vecs.len())].clone();
                let b = v.bound;
                let n = &v.name;
                match self.r.below(6) {
                    0 => Ex::same(format!("{n}.dot(&{n})"), 3.0 * b * b),
                    1 => Ex::same(format!("{n}.norm_squared()"), 3.0 * b * b),
                    2 => Ex::same(format!("{n}.sum()"), 3.0 * b),
                    3 => Ex::same(
                        format!("{n}.map(|e| e.sin() * 2.0 + e * e).sum()"),
                        3.0 * (2.0 + b * b),
                    ),
                    4 if self.has_matrix => {
                        Ex::same(format!("(m * {n}).norm_squared()"), 36.0 * b * b)
                    }
                    _ => Ex::same(
                        format!("{n}.component_mul(&{n}).sum() + {n}[1]"),
                        3.0 * b * b + b,
                    ),
                }
            }
            20 => {
                let a = self.expr(d);
                let f = self.r.pick(&["helper1", "helper2"]);
                if f == "helper1" {
                    let a = wrap(&a, "({}).tanh()", 1.0);
                    wrap(&a, "helper1({})", 2.0)
                } else {
                    let b = self.expr(d);
                    wrap2(&a, &b, "helper2({a}, {b})", 2.0)
                }
            }
            21 => {
                // a block with a local
                let a = self.expr(d);
                let t = self.fresh("t");
                let b = a.bound;
                Ex {
                    plain: format!("({{ let {t} = {}; {t} * {t} * 0.5 + {t} }})", a.plain),
                    margin: format!("({{ let {t} = {}; {t} * {t} * 0.5 + {t} }})", a.margin),
                    bound: b * b * 0.5 + b,
                }
            }
            22 if self.has_matrix => {
                let (i, j) = (self.r.below(2), self.r.below(3));
                let a = self.expr(d);
                wrap(&a, &format!("(m[({i}, {j})] * {{}})"), 1.5 * a.bound)
            }
            _ => {
                let ints = self.visible(Kind::Int);
                if ints.is_empty() {
                    return self.expr(d);
                }
                let k = ints[self.r.below(ints.len())].name.clone();
                let (a, b, c) = (self.expr(d), self.expr(d), self.expr(d));
                Ex {
                    plain: format!(
                        "(match {k} % 3 {{ 0 => {}, 1 => {}, _ => {} }})",
                        a.plain, b.plain, c.plain
                    ),
                    margin: format!(
                        "(match {k} % 3 {{ 0 => {}, 1 => {}, _ => {} }})",
                        a.margin, b.margin, c.margin
                    ),
                    bound: a.bound.max(b.bound).max(c.bound),
                }
            }
        };
        self.squash(e)
    }

    /// A condition on differentiated values: the margin twin records `a - b`.
    fn cond(&mut self, depth: usize) -> Ex {
        let a = self.expr(depth);
        let mut b = self.expr(depth);
        // `x < x` has margin 0 everywhere: every point would be skipped.
        if b.plain == a.plain {
            b = self.lit();
        }
        let op = self.r.pick(&[">", "<", ">=", "<="]);
        let f = match op {
            ">" => "__gt",
            "<" => "__lt",
            ">=" => "__ge",
            _ => "__le",
        };
        let plain = format!("{} {op} {}", a.plain, b.plain);
        let margin = format!("{f}(&__m, {}, {})", a.margin, b.margin);
        if self.r.chance(15) {
            let ints = self.visible(Kind::Int);
            if let Some(k) = ints.first() {
                return Ex {
                    plain: format!("({k} % 2 == 0) && ({plain})", k = k.name),
                    margin: format!("({k} % 2 == 0) && ({margin})", k = k.name),
                    bound: 0.0,
                };
            }
        }
        Ex {
            plain,
            margin,
            bound: 0.0,
        }
    }

    fn stmts(&mut self, depth: usize, count: usize, top: bool) -> Vec<St> {
        let mut out = Vec::new();
        for _ in 0..count {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            out.push(self.stmt(depth, top));
        }
        out
    }

    fn join(stmts: &[St]) -> (String, String) {
        let p: Vec<&str> = stmts.iter().map(|s| s.plain.as_str()).collect();
        let m: Vec<&str> = stmts.iter().map(|s| s.margin.as_str()).collect();
        (p.join("\n        "), m.join("\n        "))
    }

    fn st(plain: String, margin: String) -> St {
        St { plain, margin }
    }

    fn assign_target(&mut self) -> Option<Var> {
        let muts: Vec<Var> = self
            .visible(Kind::Float)
            .into_iter()
            .filter(|v| v.mutable)
            .collect();
        if muts.is_empty() {
            None
        } else {
            Some(muts[self.r.below(muts.len())].clone())
        }
    }

    fn stmt(&mut self, depth: usize, top: bool) -> St {
        let d = depth.saturating_sub(1);
        let ed = 1 + self.r.below(3);
        match self.r.below(17) {
            13 if !self.no_shadow => {
                // shadowing an existing local or parameter
                let floats: Vec<Var> = self
                    .visible(Kind::Float)
                    .into_iter()
                    .filter(|v| v.name != "acc")
                    .collect();
                if floats.is_empty() {
                    return self.stmt(depth, top);
                }
                let v = floats[self.r.below(floats.len())].clone();
                let e = self.expr(ed);
                let e = wrap(&e, &format!("({{}} + {} * 0.5)", v.name), e.bound + v.bound);
                let e = self.squash(e);
                self.declare(Var {
                    name: v.name.clone(),
                    kind: Kind::Float,
                    bound: e.bound,
                    mutable: false,
                });
                Self::st(
                    format!("let {} = {};", v.name, e.plain),
                    format!("let {} = {};", v.name, e.margin),
                )
            }
            14 if depth > 0 => {
                // match statement on an integer, arms assigning outer variables
                let ints = self.visible(Kind::Int);
                let Some(k) = ints.first().map(|v| v.name.clone()) else {
                    return self.stmt(depth, top);
                };
                let mut arms_p = Vec::new();
                let mut arms_m = Vec::new();
                for pat in ["0", "1", "_"] {
                    let n = self.r.below(3);
                    let (bp, bm) = self.block(d, n, None, false);
                    arms_p.push(format!("{pat} => {{\n        {bp}\n        }}"));
                    arms_m.push(format!("{pat} => {{\n        {bm}\n        }}"));
                }
                Self::st(
                    format!(
                        "match {k} % 3 {{\n        {}\n        }};",
                        arms_p.join("\n        ")
                    ),
                    format!(
                        "match {k} % 3 {{\n        {}\n        }};",
                        arms_m.join("\n        ")
                    ),
                )
            }
            15 | 16 => {
                // index write with a runtime index
                let arrs: Vec<Var> = self
                    .visible(Kind::Arr)
                    .into_iter()
                    .filter(|v| v.mutable)
                    .collect();
                if arrs.is_empty() {
                    return self.stmt(depth, top);
                }
                let a = arrs[self.r.below(arrs.len())].clone();
                let i = self.int_expr();
                let e = self.expr(ed);
                let e = wrap(&e, "({}).tanh()", 1.0);
                let (op, bound) = match self.r.below(3) {
                    0 => ("=", a.bound.max(1.0)),
                    1 => ("+=", a.bound + 1.0),
                    _ => ("*=", a.bound),
                };
                self.set_bound(&a.name, bound);
                Self::st(
                    format!("{}[{i} % 3] {op} {};", a.name, e.plain),
                    format!("{}[{i} % 3] {op} {};", a.name, e.margin),
                )
            }
            0..=2 => {
                let e = self.expr(ed);
                let name = self.fresh("a");
                let mutable = self.r.chance(60);
                self.declare(Var {
                    name: name.clone(),
                    kind: Kind::Float,
                    bound: e.bound,
                    mutable,
                });
                let m = if mutable { "mut " } else { "" };
                Self::st(
                    format!("let {m}{name} = {};", e.plain),
                    format!("let {m}{name} = {};", e.margin),
                )
            }
            3 | 4 => {
                let Some(v) = self.assign_target() else {
                    return self.stmt(depth, top);
                };
                let e = self.expr(ed);
                let (op, bound) = match self.r.below(4) {
                    0 => ("=", e.bound),
                    1 => ("+=", v.bound + e.bound),
                    2 => ("-=", v.bound + e.bound),
                    _ => ("*=", v.bound * e.bound),
                };
                if bound > LIMIT {
                    // contractive form instead
                    let e = wrap(&e, "({}).tanh()", 1.0);
                    self.set_bound(&v.name, 0.5 * v.bound + 1.0);
                    let n = &v.name;
                    return Self::st(
                        format!("{n} = {n} * 0.5 + {};", e.plain),
                        format!("{n} = {n} * 0.5 + {};", e.margin),
                    );
                }
                self.set_bound(&v.name, bound);
                Self::st(
                    format!("{} {op} {};", v.name, e.plain),
                    format!("{} {op} {};", v.name, e.margin),
                )
            }
            5 => {
                // array with index writes
                let name = self.fresh("arr");
                let params: Vec<Var> = self
                    .visible(Kind::Arr)
                    .into_iter()
                    .filter(|v| v.name == "a")
                    .collect();
                if let Some(p) = params.first().filter(|_| self.r.chance(40)) {
                    let i = self.r.below(3);
                    let e = self.expr(ed);
                    let e = wrap(&e, "({}).tanh()", 1.0);
                    self.declare(Var {
                        name: name.clone(),
                        kind: Kind::Arr,
                        bound: p.bound + 1.0,
                        mutable: true,
                    });
                    return Self::st(
                        format!("let mut {name} = a;\n        {name}[{i}] *= {};", e.plain),
                        format!("let mut {name} = a;\n        {name}[{i}] *= {};", e.margin),
                    );
                }
                let (a, b, c) = (self.expr(ed), self.expr(ed), self.expr(ed));
                let bound = a.bound.max(b.bound).max(c.bound);
                let i = self.r.below(3);
                let e = self.expr(1);
                let e = wrap(&e, "({}).tanh()", 1.0);
                self.declare(Var {
                    name: name.clone(),
                    kind: Kind::Arr,
                    bound: bound + 1.0,
                    mutable: true,
                });
                Self::st(
                    format!(
                        "let mut {name} = [{}, {}, {}];\n        {name}[{i}] += {};",
                        a.plain, b.plain, c.plain, e.plain
                    ),
                    format!(
                        "let mut {name} = [{}, {}, {}];\n        {name}[{i}] += {};",
                        a.margin, b.margin, c.margin, e.margin
                    ),
                )
            }
            6 | 7 if depth > 0 => self.if_stmt(d, top),
            8 if depth > 0 => self.for_stmt(d),
            9 if depth > 0 => self.while_stmt(),
            10 if depth > 0 => self.loop_stmt(),
            11 => {
                // vector value
                let vecs = self.visible(Kind::Vec3);
                let Some(v) = vecs.first().cloned() else {
                    return self.stmt(depth, top);
                };
                let e = self.expr(1);
                let e = wrap(&e, "({}).tanh()", 1.0);
                let name = self.fresh("w");
                self.declare(Var {
                    name: name.clone(),
                    kind: Kind::Vec3,
                    bound: v.bound + v.bound * v.bound,
                    mutable: false,
                });
                let vn = &v.name;
                let form = match self.r.below(3) {
                    0 => format!("{vn} * {{}} + {vn}.map(|e| e * e)"),
                    1 => format!("{vn}.map(|e| e.tanh()) * {{}} - {vn} * 0.5"),
                    _ => format!("{vn}.component_mul(&{vn}) / (2.0 + {{}})"),
                };
                let r = wrap(&e, &form, 0.0);
                Self::st(
                    format!("let {name} = {};", r.plain),
                    format!("let {name} = {};", r.margin),
                )
            }
            _ if top && self.r.chance(50) => {
                // early return at the top level
                let c = self.cond(1);
                let e = self.expr(ed);
                Self::st(
                    format!(
                        "if {} {{\n            return {};\n        }}",
                        c.plain, e.plain
                    ),
                    format!(
                        "if {} {{\n            return __m.get();\n        }}",
                        c.margin
                    ),
                )
            }
            _ => {
                let Some(v) = self.assign_target() else {
                    return self.stmt(0, top);
                };
                let e = self.expr(ed);
                let n = &v.name;
                let e = wrap(&e, "({}).tanh()", 1.0);
                self.set_bound(n, v.bound.max(1.0) + 1.0);
                Self::st(
                    format!("{n} = ({n} + {}).sin() * 0.5 + {n};", e.plain),
                    format!("{n} = ({n} + {}).sin() * 0.5 + {n};", e.margin),
                )
            }
        }
    }

    /// The statements of a nested block: a new scope (with `bind` declared in it), and at
    /// its end every local of the scope folded into the outer accumulator `acc`, so that
    /// everything a block computes reaches the output. (Dead values computed in nested
    /// blocks also hit a known bug, tests/regression/pending_dead_branch_in_region.rs.)
    /// Bounds of outer variables are kept valid for both paths (the max).
    fn block(
        &mut self,
        depth: usize,
        n: usize,
        bind: Option<Var>,
        in_loop: bool,
    ) -> (String, String) {
        let before: Vec<Vec<Var>> = self.scopes.clone();
        self.scopes.push(Vec::new());
        if let Some(b) = bind {
            self.declare(b);
        }
        if in_loop {
            // Bounds inside a loop are inflated so that repeated updates stay in range:
            // assignments that could grow past the limit take a contractive form.
            for s in self.scopes.iter_mut() {
                for v in s.iter_mut() {
                    if v.mutable {
                        v.bound = v.bound.max(LIMIT);
                    }
                }
            }
        }
        let mut stmts = self.stmts(depth, n, false);
        let locals = self.scopes.pop().expect("the block's scope");
        let mut parts = Vec::new();
        for v in &locals {
            match v.kind {
                Kind::Float => parts.push(v.name.clone()),
                Kind::Arr => parts.push(format!("{}[1]", v.name)),
                Kind::Vec3 => parts.push(format!("{}.sum()", v.name)),
                Kind::Int => {}
            }
        }
        if !parts.is_empty() {
            let sum = parts.join(" + ");
            stmts.push(Self::st(
                format!("acc = acc * 0.5 + ({sum}).tanh();"),
                format!("acc = acc * 0.5 + ({sum}).tanh();"),
            ));
        }
        for (s, b) in self.scopes.iter_mut().zip(&before) {
            for (v, w) in s.iter_mut().zip(b) {
                v.bound = v.bound.max(w.bound);
            }
        }
        Self::join(&stmts)
    }

    fn if_stmt(&mut self, depth: usize, top: bool) -> St {
        let outer_no_shadow = self.no_shadow;
        self.no_shadow |= top;
        let st = self.if_stmt_inner(depth, top);
        self.no_shadow = outer_no_shadow;
        st
    }

    fn if_stmt_inner(&mut self, depth: usize, top: bool) -> St {
        let c = self.cond(1);
        let n = 1 + self.r.below(3);
        let (ap, am) = self.block(depth, n, None, false);
        let ret = top && self.r.chance(30);
        let (rp, rm) = if ret {
            let e = self.expr(2);
            (
                format!("\n        return {};", e.plain),
                "\n        return __m.get();".to_string(),
            )
        } else {
            (String::new(), String::new())
        };
        if self.r.chance(60) {
            let n = 1 + self.r.below(3);
            let (bp, bm) = self.block(depth, n, None, false);
            Self::st(
                format!(
                    "if {} {{\n        {ap}{rp}\n        }} else {{\n        {bp}\n        }};",
                    c.plain
                ),
                format!(
                    "if {} {{\n        {am}{rm}\n        }} else {{\n        {bm}\n        }};",
                    c.margin
                ),
            )
        } else {
            Self::st(
                format!("if {} {{\n        {ap}{rp}\n        }};", c.plain),
                format!("if {} {{\n        {am}{rm}\n        }};", c.margin),
            )
        }
    }

    fn for_stmt(&mut self, depth: usize) -> St {
        let i = self.fresh("i");
        let ints = self.visible(Kind::Int);
        let bound = if !ints.is_empty() && ints.iter().any(|v| v.name == "n") && self.r.chance(50) {
            "0..n".to_string()
        } else {
            ["0..3", "0..2", "1..=3", "0..4"][self.r.below(4)].to_string()
        };
        let n = 1 + self.r.below(3);
        let index = Var {
            name: i.clone(),
            kind: Kind::Int,
            bound: 0.0,
            mutable: false,
        };
        let (bp, bm) = self.block(depth, n, Some(index), true);
        Self::st(
            format!("for {i} in {bound} {{\n        {bp}\n        }};"),
            format!("for {i} in {bound} {{\n        {bm}\n        }};"),
        )
    }

    /// `while` with a guaranteed exit: a counter, or a positive value halved below a bound.
    fn while_stmt(&mut self) -> St {
        let Some(v) = self.assign_target() else {
            return self.for_stmt(0);
        };
        let n = v.name.clone();
        let k = self.fresh("k");
        let e = self.expr(1);
        let e = wrap(&e, "({}).tanh()", 1.0);
        if self.r.chance(50) {
            // grows by at least 0.25 per trip, at most 4 trips
            self.set_bound(&n, v.bound + 4.0 * 2.25);
            let limit = [1.0, 2.0, 3.0][self.r.below(3)];
            St {
                plain: format!(
                    "let mut {k} = 0;\n        while {k} < 4 && {n} < {limit:?} {{\n            {n} += 0.25 + {} * {};\n            {k} += 1;\n        }};",
                    e.plain, e.plain
                ),
                margin: format!(
                    "let mut {k} = 0;\n        while {k} < 4 && __lt(&__m, {n}, {limit:?}) {{\n            {n} += 0.25 + {} * {};\n            {k} += 1;\n        }};",
                    e.margin, e.margin
                ),
            }
        } else {
            // a positive value halved until below 1
            let t = self.fresh("hv");
            self.declare(Var {
                name: t.clone(),
                kind: Kind::Float,
                bound: 1.0,
                mutable: true,
            });
            St {
                plain: format!(
                    "let mut {t} = {n} * {n} + 1.5 + {};\n        while {t} > 1.0 {{\n            {t} = {t} * 0.5;\n        }};",
                    e.plain
                ),
                margin: format!(
                    "let mut {t} = {n} * {n} + 1.5 + {};\n        while __gt(&__m, {t}, 1.0) {{\n            {t} = {t} * 0.5;\n        }};",
                    e.margin
                ),
            }
        }
    }

    /// `let r = loop { s = ..; if cond { break value; } };` with a counter bound. The body
    /// always reads `xin`, a copy of the parameter `x` (KNOWN BUG,
    /// tests/regression/pending_opaque_loop_assigns_immutable.rs: a `let` initialized by a
    /// loop no derivative flows through drops the `mut` of the locals it assigns).
    fn loop_stmt(&mut self) -> St {
        let Some(v) = self.assign_target() else {
            return self.for_stmt(0);
        };
        let n = v.name.clone();
        let k = self.fresh("k");
        let r = self.fresh("r");
        let e = self.expr(1);
        let e = wrap(&e, "({}).tanh()", 1.0);
        let c = self.cond(0);
        self.set_bound(&n, 3.0);
        self.declare(Var {
            name: r.clone(),
            kind: Kind::Float,
            bound: 3.0,
            mutable: false,
        });
        St {
            plain: format!(
                "let mut {k} = 0;\n        let {r} = loop {{\n            {n} = ({n} * 0.7 + {} + 0.1 * xin).sin() * 1.5;\n            {k} += 1;\n            if {k} >= 5 || {} {{\n                break {n} * 2.0;\n            }}\n        }};",
                e.plain, c.plain
            ),
            margin: format!(
                "let mut {k} = 0;\n        let {r} = loop {{\n            {n} = ({n} * 0.7 + {} + 0.1 * xin).sin() * 1.5;\n            {k} += 1;\n            if {k} >= 5 || {} {{\n                break {n} * 2.0;\n            }}\n        }};",
                e.margin, c.margin
            ),
        }
    }
}

/// A parameter of a generated program and how the harness passes it.
enum Param {
    Scalar(String),
    Array(String),
    /// `by_ref`
    Vector(String, bool),
    Matrix(String),
    Count,
}

fn program(idx: usize, r: Rng) -> String {
    let mut g = Gen {
        r,
        scopes: vec![Vec::new()],
        next: 0,
        has_matrix: false,
        budget: 0,
        no_shadow: false,
    };
    let mut params = Vec::new();
    let scalars = 1 + g.r.below(3);
    for k in 0..scalars {
        params.push(Param::Scalar(["x", "y", "z"][k].to_string()));
    }
    if g.r.chance(35) {
        params.push(Param::Array("a".into()));
    }
    if g.r.chance(30) {
        params.push(Param::Vector("v".into(), g.r.chance(50)));
    }
    if g.r.chance(15) {
        params.push(Param::Matrix("m".into()));
        g.has_matrix = true;
    }
    if g.r.chance(40) {
        params.push(Param::Count);
    }
    let mut sig = Vec::new();
    for p in &params {
        let (name, kind, text, mutable) = match p {
            Param::Scalar(n) => {
                let m = g.r.chance(20);
                (
                    n.clone(),
                    Kind::Float,
                    format!("{}{n}: f64", if m { "mut " } else { "" }),
                    m,
                )
            }
            Param::Array(n) => (n.clone(), Kind::Arr, format!("{n}: [f64; 3]"), false),
            Param::Vector(n, by_ref) => (
                n.clone(),
                Kind::Vec3,
                format!("{n}: {}SVector<f64, 3>", if *by_ref { "&" } else { "" }),
                false,
            ),
            Param::Matrix(n) => {
                sig.push(format!("{n}: &SMatrix<f64, 2, 3>"));
                continue;
            }
            Param::Count => ("n".into(), Kind::Int, "n: usize".into(), false),
        };
        g.declare(Var {
            name,
            kind,
            bound: 1.5,
            mutable,
        });
        sig.push(text);
    }
    g.declare(Var {
        name: "acc".into(),
        kind: Kind::Float,
        bound: 2.0,
        mutable: true,
    });
    g.budget = 2 + g.r.below(7);
    // `xin`: an unchanging differentiated value for `loop` bodies to read.
    let prologue = "let mut acc = 0.0_f64;\n        let xin = x * 1.0;";
    let mut stmts = vec![Gen::st(prologue.into(), prologue.into())];
    stmts.extend(g.stmts(2, 8, true));
    let (bp, bm) = Gen::join(&stmts);
    let tail_depth = 1 + g.r.below(3);
    let mut tail = g.expr(tail_depth);
    // Everything the body computed reaches the output, and the output always depends on
    // `x` (KNOWN BUG, tests/regression/pending_opaque_loop_assigns_immutable.rs: a body
    // tail no derivative flows through is kept whole, with its `+=` on a now immutable
    // local).
    tail = wrap(&tail, "{} + 0.125 * xin", 0.0);
    for v in g.visible(Kind::Float) {
        if v.name.starts_with(['a', 'h', 'r']) || v.mutable {
            let k = [0.5, 0.25, 1.0][g.r.below(3)];
            tail = wrap(&tail, &format!("{{}} + {k:?} * {}", v.name), 0.0);
        }
    }
    for v in g.visible(Kind::Arr) {
        if v.name.starts_with("arr") {
            tail = wrap(&tail, &format!("{{}} + {}[1]", v.name), 0.0);
        }
    }
    for v in g.visible(Kind::Vec3) {
        if v.name.starts_with('w') {
            tail = wrap(&tail, &format!("{{}} + {}.sum()", v.name), 0.0);
        }
    }
    let name = format!("p{idx:03}");
    let sig = sig.join(", ");

    let mut s = String::new();
    let _ = writeln!(s, "#[differentiate]");
    let _ = writeln!(s, "fn {name}({sig}) -> f64 {{");
    if !bp.is_empty() {
        let _ = writeln!(s, "        {bp}");
    }
    let _ = writeln!(s, "        {}\n}}\n", tail.plain);
    let _ = writeln!(
        s,
        "#[allow(unused_mut, unused_variables, unused_assignments)]"
    );
    let _ = writeln!(s, "fn {name}_margin({sig}) -> f64 {{");
    let _ = writeln!(
        s,
        "        let __m = ::core::cell::Cell::new(f64::INFINITY);"
    );
    if !bm.is_empty() {
        let _ = writeln!(s, "        {bm}");
    }
    let _ = writeln!(
        s,
        "        let _ = {};\n        __m.get()\n}}\n",
        tail.margin
    );

    // harness adapters over a flat vector of the active entries
    let mut args = Vec::new();
    let mut off = 0;
    let mut grads = Vec::new();
    for p in &params {
        match p {
            Param::Scalar(_) => {
                args.push(format!("v[{off}]"));
                grads.push(("s", off));
                off += 1;
            }
            Param::Array(_) => {
                args.push(format!("[v[{off}], v[{}], v[{}]]", off + 1, off + 2));
                grads.push(("a", off));
                off += 3;
            }
            Param::Vector(_, by_ref) => {
                let amp = if *by_ref { "&" } else { "" };
                args.push(format!(
                    "{amp}SVector::<f64, 3>::from_column_slice(&v[{off}..{}])",
                    off + 3
                ));
                grads.push(("v", off));
                off += 3;
            }
            Param::Matrix(_) => {
                args.push(format!(
                    "&SMatrix::<f64, 2, 3>::from_column_slice(&v[{off}..{}])",
                    off + 6
                ));
                grads.push(("m", off));
                off += 6;
            }
            Param::Count => args.push("n".into()),
        }
    }
    let args = args.join(", ");
    let names: Vec<String> = (0..grads.len()).map(|k| format!("g{k}")).collect();
    let pattern = if names.len() == 1 {
        names[0].clone()
    } else {
        format!("({})", names.join(", "))
    };
    let mut flat = String::new();
    for (k, (kind, _)) in grads.iter().enumerate() {
        match *kind {
            "s" => {
                let _ = write!(flat, "out.push(g{k}); ");
            }
            "a" => {
                let _ = write!(flat, "out.extend_from_slice(&g{k}); ");
            }
            _ => {
                let _ = write!(flat, "out.extend_from_slice(g{k}.as_slice()); ");
            }
        }
    }
    let _ = writeln!(
        s,
        "fn {name}_f(v: &[f64], n: usize) -> f64 {{\n    let _ = n;\n    {name}({args})\n}}\n"
    );
    let _ = writeln!(
        s,
        "fn {name}_m(v: &[f64], n: usize) -> f64 {{\n    let _ = n;\n    {name}_margin({args})\n}}\n"
    );
    let _ = writeln!(
        s,
        "fn {name}_g(v: &[f64], n: usize) -> (f64, Vec<f64>) {{\n    let _ = n;\n    let (value, {pattern}) = {name}_grad({args});\n    let mut out = Vec::new();\n    {flat}\n    (value, out)\n}}\n"
    );
    let _ = writeln!(
        s,
        "const {}: Case = Case {{ name: \"{name}\", dim: {off}, f: {name}_f, grad: {name}_g, margin: {name}_m }};\n",
        name.to_uppercase()
    );
    s
}

const HEADER: &str =
    "// GENERATED by `cargo run --example gen_random_programs`; do not edit by hand.
// Included by `tests/random_programs.rs`, which holds the checking harness.
";

/// The whole generated test file (the checked-in one).
pub fn generate() -> String {
    generate_with(SEED, COUNT)
}

/// `count` programs from `seed`: other seeds explore further without changing the
/// checked-in file (see `main`).
pub fn generate_with(seed: u64, count: usize) -> String {
    let mut root = Rng(seed);
    let mut out = String::from(HEADER);
    let mut names = Vec::new();
    for idx in 0..count {
        let r = Rng(root.next() | 1);
        out.push('\n');
        out.push_str(&program(idx, r));
        names.push(format!("P{idx:03}"));
    }
    for (g, chunk) in names.chunks(GROUP).enumerate() {
        let first = g * GROUP;
        let last = first + chunk.len() - 1;
        let _ = writeln!(
            out,
            "\n#[test]\nfn programs_{first:03}_{last:03}() {{\n    run_group(&[{}], {});\n}}",
            chunk.join(", "),
            0x9E37_79B9u64 + g as u64
        );
    }
    let _ = root.unit();
    out
}

/// `cargo run --example gen_random_programs [SEED COUNT]`: without arguments writes the
/// checked-in programs; with them, another campaign into the same file (then run
/// `cargo test --test random_programs`, and regenerate without arguments before
/// committing: `tests/random_programs_fresh.rs` checks it).
#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (seed, count) = match args.as_slice() {
        [] => (SEED, COUNT),
        [s, c] => (
            s.parse().expect("SEED is a number"),
            c.parse().expect("COUNT is a number"),
        ),
        _ => panic!("usage: gen_random_programs [SEED COUNT]"),
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(OUTPUT);
    std::fs::write(&path, generate_with(seed, count)).expect("writable output file");
    println!("wrote {count} programs (seed {seed}) to {}", path.display());
}
