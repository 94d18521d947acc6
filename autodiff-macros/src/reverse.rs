//! The reverse sweep: walks a region's statements backwards and writes, for every operand a
//! derivative flows into, its contribution to that operand's cotangent.
//!
//! A value used k times receives k contributions that are summed (`accum`). The first
//! contribution to a whole value declares its cotangent (`let mut d_v = ..`), later ones add
//! to it; cotangents that receive parts (a field, an element) or that nested regions add to
//! start at zero. A statement whose value received no contribution is skipped: only work
//! that reaches the output is done.
//!
//! Regions: the function body, each arm of a branch and the body of a loop. A nested
//! region's backward pass is a closure recorded in the forward pass (the branch taken, one
//! per loop iteration); it receives the cotangents of the region's results by value and
//! adds to the cotangents of the outer values it reads through `&mut` references (its
//! *inputs*).

use crate::ir::{Block, Body, Branch, Loop, Op, Origin, Place, Stmt, ValueId};
use proc_macro2::Ident;
use std::collections::HashSet;

/// What is added to a cotangent.
pub enum Contribution {
    /// `::autodiff::__private::RULE(&operands.., &value, &d_value)`.
    Rule {
        rule: String,
        operands: Vec<Place>,
        out: ValueId,
    },
    /// Element `index` of the tuple returned by the pullback of the call defining `out`.
    CallGrad { out: ValueId, index: usize },
    /// `d_out[index]` for an array literal.
    Element { out: ValueId, index: usize },
    /// Argument `index` (row-major) of a matrix constructor `Matrix::new(..)`.
    ConstructorArg { out: ValueId, index: usize },
    /// The elementwise derivative of a `map`/`zip_map` closure w.r.t. operand `which`.
    Elementwise { out: ValueId, which: usize },
    /// `d_out` with the written element zeroed (the base of `v[i] = x`).
    SetIndexBase { out: ValueId, index: Place },
    /// `d_out[i]` (the written value of `v[i] = x`).
    SetIndexValue { out: ValueId, index: Place },
    /// The cotangent of `out` itself (for a copy).
    Whole { out: ValueId },
    /// A named cotangent: the function's seed or a region's result cotangent.
    Named(Ident),
    /// The cotangent a loop leaves for the initial value of a state.
    LoopState(ValueId),
}

pub enum AdjStmt<'a> {
    /// `let mut d_v = zeros_like(&v);`
    ZeroInit(ValueId),
    /// `let mut d_root = c;` when `declare`, else `accum(&mut d_place, c);`
    Accumulate {
        target: Place,
        contribution: Contribution,
        declare: bool,
    },
    /// `let g = pb(d_out);` for the call defining `out`.
    CallPullback(ValueId),
    /// Runs the pullback of the arm the forward pass took.
    Branch {
        branch: &'a Branch,
        inputs: Vec<ValueId>,
    },
    /// Runs the pullbacks of the loop's iterations in reverse.
    Loop { lp: &'a Loop, inputs: Vec<ValueId> },
}

/// The backward pass of one region.
pub struct Region<'a> {
    pub stmts: Vec<AdjStmt<'a>>,
    /// Values whose cotangent exists at the end.
    pub defined: HashSet<ValueId>,
}

/// The function body's backward pass, seeded with the output cotangent `seed`.
pub fn sweep_function<'a>(body: &'a Body, seed: Ident) -> Region<'a> {
    let mut defs = defined_in(&body.block);
    for (id, v) in body.values.iter().enumerate() {
        if matches!(v.origin, Origin::Param(_)) {
            defs.insert(id);
        }
    }
    sweep(
        body,
        &body.block,
        vec![(body.output.clone(), Contribution::Named(seed))],
        defs,
    )
}

/// A nested region's backward pass, seeded with its results' cotangents.
pub fn sweep_region<'a>(
    body: &'a Body,
    block: &'a Block,
    seeds: Vec<(Place, Contribution)>,
) -> Region<'a> {
    sweep(body, block, seeds, defined_in(block))
}

fn sweep<'a>(
    body: &'a Body,
    block: &'a Block,
    seeds: Vec<(Place, Contribution)>,
    defs: HashSet<ValueId>,
) -> Region<'a> {
    let mut r = Sweep {
        body,
        defs,
        stmts: Vec::new(),
        defined: HashSet::new(),
        inputs: Vec::new(),
    };

    // Cotangents that start at zero: parts receive contributions, or nested regions add
    // to them through `&mut`. Loop states are the loop's own business.
    let mut zero: Vec<ValueId> = Vec::new();
    let mut need = |v: ValueId, r: &Sweep| {
        if r.defs.contains(&v)
            && body.values[v].active
            && body.values[v].origin != Origin::LoopState
            && !zero.contains(&v)
        {
            zero.push(v);
        }
    };
    for (p, _) in &seeds {
        if p.is_partial() {
            need(p.root(), &r);
        }
    }
    for s in &block.stmts {
        match s {
            Stmt::Let(l) => {
                for p in operands(&l.op) {
                    if p.is_partial() {
                        need(p.root(), &r);
                    }
                }
            }
            Stmt::Branch(b) => {
                for v in branch_inputs(body, b) {
                    need(v, &r);
                }
            }
            Stmt::Loop(l) => {
                for v in loop_inputs(body, l) {
                    need(v, &r);
                }
                for st in &l.states {
                    if st.init.is_partial() {
                        need(st.init.root(), &r);
                    }
                }
            }
            Stmt::Effect(_) => {}
        }
    }
    for v in zero {
        r.stmts.push(AdjStmt::ZeroInit(v));
        r.defined.insert(v);
    }

    for (place, c) in seeds {
        r.contribute(&place, c);
    }
    for s in block.stmts.iter().rev() {
        match s {
            Stmt::Let(l) => r.let_stmt(l.out, &l.op),
            Stmt::Effect(_) => {}
            Stmt::Branch(b) => {
                // Only if a cotangent reaches one of its outputs; otherwise the forward pass
                // records no pullback for it either (`Region::live`).
                if b.outs
                    .iter()
                    .any(|o| body.values[*o].active && r.defined.contains(o))
                {
                    let inputs = branch_inputs(body, b);
                    r.note_inputs(&inputs);
                    r.stmts.push(AdjStmt::Branch { branch: b, inputs });
                }
            }
            Stmt::Loop(l) => {
                if l.states
                    .iter()
                    .any(|s| body.values[s.state].active && r.defined.contains(&s.out))
                {
                    let inputs = loop_inputs(body, l);
                    r.note_inputs(&inputs);
                    r.stmts.push(AdjStmt::Loop { lp: l, inputs });
                    for st in &l.states {
                        if body.values[st.state].active {
                            r.contribute(&st.init, Contribution::LoopState(st.state));
                        }
                    }
                }
            }
        }
    }
    Region {
        stmts: r.stmts,
        defined: r.defined,
    }
}

struct Sweep<'a> {
    body: &'a Body,
    /// Values defined inside this region (others are inputs).
    defs: HashSet<ValueId>,
    stmts: Vec<AdjStmt<'a>>,
    defined: HashSet<ValueId>,
    inputs: Vec<ValueId>,
}

impl<'a> Sweep<'a> {
    fn note_inputs(&mut self, inputs: &[ValueId]) {
        for &v in inputs {
            if !self.defs.contains(&v) && !self.inputs.contains(&v) {
                self.inputs.push(v);
            }
        }
    }

    fn contribute(&mut self, target: &Place, contribution: Contribution) {
        let root = target.root();
        if !self.body.values[root].active {
            return;
        }
        if !self.defs.contains(&root) {
            self.note_inputs(&[root]);
            self.stmts.push(AdjStmt::Accumulate {
                target: target.clone(),
                contribution,
                declare: false,
            });
            return;
        }
        let declare = !target.is_partial() && !self.defined.contains(&root);
        self.defined.insert(root);
        self.stmts.push(AdjStmt::Accumulate {
            target: target.clone(),
            contribution,
            declare,
        });
    }

    fn let_stmt(&mut self, out: ValueId, op: &Op) {
        let body = self.body;
        if !self.defined.contains(&out) || !body.values[out].active {
            return;
        }
        match op {
            Op::Opaque(_) => {}
            Op::Binary(op, a, b) => {
                let operands = vec![a.clone(), b.clone()];
                if body.place_active(a) {
                    self.contribute(
                        a,
                        Contribution::Rule {
                            rule: format!("{}_d_lhs", op.name()),
                            operands: operands.clone(),
                            out,
                        },
                    );
                }
                if body.place_active(b) {
                    self.contribute(
                        b,
                        Contribution::Rule {
                            rule: format!("{}_d_rhs", op.name()),
                            operands,
                            out,
                        },
                    );
                }
            }
            Op::Neg(a) => self.contribute(
                a,
                Contribution::Rule {
                    rule: "neg_d_recv".into(),
                    operands: vec![a.clone()],
                    out,
                },
            ),
            Op::Cast(a, _) => self.contribute(
                a,
                Contribution::Rule {
                    rule: "cast_d_recv".into(),
                    operands: vec![a.clone()],
                    out,
                },
            ),
            Op::Method {
                name,
                recv,
                args,
                rule,
            } => {
                let mut operands = vec![recv.clone()];
                operands.extend(args.iter().map(|a| a.place.clone()));
                if body.place_active(recv) {
                    self.contribute(
                        recv,
                        Contribution::Rule {
                            rule: format!("{name}_d_recv"),
                            operands: operands.clone(),
                            out,
                        },
                    );
                }
                for (k, a) in args.iter().enumerate() {
                    if rule.diff_args[k] && body.place_active(&a.place) {
                        self.contribute(
                            &a.place,
                            Contribution::Rule {
                                rule: format!("{name}_d_arg{k}"),
                                operands: operands.clone(),
                                out,
                            },
                        );
                    }
                }
            }
            Op::Call { args, .. } => {
                self.stmts.push(AdjStmt::CallPullback(out));
                for (index, a) in args.iter().enumerate() {
                    self.contribute(&a.place, Contribution::CallGrad { out, index });
                }
            }
            Op::Construct { args, .. } => {
                for (index, a) in args.iter().enumerate() {
                    self.contribute(&a.place, Contribution::ConstructorArg { out, index });
                }
            }
            Op::Array(args) => {
                for (index, a) in args.iter().enumerate() {
                    self.contribute(&a.place, Contribution::Element { out, index });
                }
            }
            Op::Copy(a) => self.contribute(a, Contribution::Whole { out }),
            Op::Map { recv, other, .. } => {
                self.contribute(recv, Contribution::Elementwise { out, which: 0 });
                if let Some(o) = other {
                    self.contribute(&o.place, Contribution::Elementwise { out, which: 1 });
                }
            }
            Op::SetIndex { base, index, value } => {
                self.contribute(
                    value,
                    Contribution::SetIndexValue {
                        out,
                        index: index.clone(),
                    },
                );
                self.contribute(
                    base,
                    Contribution::SetIndexBase {
                        out,
                        index: index.clone(),
                    },
                );
            }
        }
    }
}

/// Every operand place an operation reads.
pub fn operands(op: &Op) -> Vec<&Place> {
    match op {
        Op::Opaque(_) => vec![],
        Op::Binary(_, a, b) => vec![a, b],
        Op::Neg(a) | Op::Cast(a, _) | Op::Copy(a) => vec![a],
        Op::Method { recv, args, .. } => std::iter::once(recv)
            .chain(args.iter().map(|a| &a.place))
            .collect(),
        Op::Call { args, .. } | Op::Construct { args, .. } | Op::Array(args) => {
            args.iter().map(|a| &a.place).collect()
        }
        Op::SetIndex { base, index, value } => vec![base, index, value],
        Op::Map { recv, other, .. } => std::iter::once(recv)
            .chain(other.iter().map(|a| &a.place))
            .collect(),
    }
}

/// Values a block defines, including those of nested regions.
pub fn defined_in(block: &Block) -> HashSet<ValueId> {
    let mut out = HashSet::new();
    collect_defs(block, &mut out);
    out
}

fn collect_defs(block: &Block, out: &mut HashSet<ValueId>) {
    for s in &block.stmts {
        match s {
            Stmt::Let(l) => {
                out.insert(l.out);
            }
            Stmt::Effect(_) => {}
            Stmt::Branch(b) => {
                out.extend(b.outs.iter().copied());
                for a in &b.arms {
                    collect_defs(&a.block, out);
                }
            }
            Stmt::Loop(l) => {
                for st in &l.states {
                    out.insert(st.state);
                    out.insert(st.out);
                }
                collect_defs(&l.body, out);
            }
        }
    }
}

/// Active values read in `block` (or in `results`) but defined outside it, in first-use
/// order.
fn uses_outside(body: &Body, block: &Block, results: &[&Place]) -> Vec<ValueId> {
    let defs = defined_in(block);
    let mut out = Vec::new();
    let add = |p: &Place, out: &mut Vec<ValueId>| {
        let r = p.root();
        if body.values[r].active && !defs.contains(&r) && !out.contains(&r) {
            out.push(r);
        }
    };
    for p in results {
        add(p, &mut out);
    }
    collect_uses(block, &mut |p| add(p, &mut out));
    out
}

fn collect_uses(block: &Block, f: &mut dyn FnMut(&Place)) {
    for s in &block.stmts {
        match s {
            Stmt::Let(l) => {
                for p in operands(&l.op) {
                    f(p);
                }
            }
            Stmt::Effect(_) => {}
            Stmt::Branch(b) => {
                for a in &b.arms {
                    for p in &a.results {
                        f(p);
                    }
                    collect_uses(&a.block, f);
                }
            }
            Stmt::Loop(l) => {
                for st in &l.states {
                    f(&st.init);
                }
                for p in &l.results {
                    f(p);
                }
                collect_uses(&l.body, f);
            }
        }
    }
}

/// Outer values whose cotangents the arms of `b` add to: the same list for every arm, so
/// all arms' pullbacks have one signature.
pub fn branch_inputs(body: &Body, b: &Branch) -> Vec<ValueId> {
    let mut out: Vec<ValueId> = Vec::new();
    for a in &b.arms {
        let results: Vec<&Place> = a.results.iter().collect();
        for v in uses_outside(body, &a.block, &results) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Outer values (loop states among them) whose cotangents an iteration adds to.
pub fn loop_inputs(body: &Body, l: &Loop) -> Vec<ValueId> {
    let results: Vec<&Place> = l.results.iter().collect();
    let mut out = uses_outside(body, &l.body, &results);
    for st in &l.states {
        if body.values[st.state].active && !out.contains(&st.state) {
            out.push(st.state);
        }
    }
    out
}
