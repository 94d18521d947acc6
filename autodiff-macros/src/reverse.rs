//! The reverse sweep: walks the SSA statements backwards and writes, for every operand a
//! derivative flows into, its contribution to that operand's cotangent.
//!
//! A value used k times receives k contributions that are summed (`accum`). The first
//! contribution to a whole value declares its cotangent (`let mut d_v = ..`), later ones add
//! to it; cotangents of parameters, and of values whose fields or elements receive
//! contributions, start at zero. A statement whose value received no contribution is
//! skipped: only work that reaches the output is done.

use crate::ir::{Body, Op, Place, ValueId};
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
    /// The cotangent of the function's output, given to the pullback.
    Seed,
}

pub enum AdjStmt {
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
}

pub struct Reverse {
    pub stmts: Vec<AdjStmt>,
    /// Values whose cotangent exists at the end; an active parameter missing here gets a
    /// zero gradient.
    pub defined: HashSet<ValueId>,
}

pub fn sweep(body: &Body) -> Reverse {
    let mut r = Sweep {
        body,
        stmts: Vec::new(),
        defined: HashSet::new(),
    };
    // Zero-initialized cotangents: roots that receive partial contributions (a field or an
    // element). Others are declared by their first contribution; parameters that receive
    // none are zero in the result.
    let mut zero: Vec<ValueId> = Vec::new();
    let mut partial_roots = Vec::new();
    let mut note = |p: &Place| {
        if p.is_partial() && body.place_active(p) {
            partial_roots.push(p.root());
        }
    };
    note(&body.output);
    for s in &body.stmts {
        for p in operands(&s.op) {
            note(p);
        }
    }
    for root in partial_roots {
        if !zero.contains(&root) {
            zero.push(root);
        }
    }
    for &v in &zero {
        r.stmts.push(AdjStmt::ZeroInit(v));
        r.defined.insert(v);
    }

    r.contribute(&body.output, Contribution::Seed);
    for s in body.stmts.iter().rev() {
        if !r.defined.contains(&s.out) || !body.values[s.out].active {
            continue;
        }
        let out = s.out;
        match &s.op {
            Op::Opaque(_) => {}
            Op::Binary(op, a, b) => {
                let operands = vec![a.clone(), b.clone()];
                if body.place_active(a) {
                    r.contribute(
                        a,
                        Contribution::Rule {
                            rule: format!("{}_d_lhs", op.name()),
                            operands: operands.clone(),
                            out,
                        },
                    );
                }
                if body.place_active(b) {
                    r.contribute(
                        b,
                        Contribution::Rule {
                            rule: format!("{}_d_rhs", op.name()),
                            operands,
                            out,
                        },
                    );
                }
            }
            Op::Neg(a) => r.contribute(
                a,
                Contribution::Rule {
                    rule: "neg_d_recv".into(),
                    operands: vec![a.clone()],
                    out,
                },
            ),
            Op::Cast(a, _) => r.contribute(
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
                    r.contribute(
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
                        r.contribute(
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
                r.stmts.push(AdjStmt::CallPullback(out));
                for (index, a) in args.iter().enumerate() {
                    r.contribute(&a.place, Contribution::CallGrad { out, index });
                }
            }
            Op::Construct { args, .. } => {
                for (index, a) in args.iter().enumerate() {
                    r.contribute(&a.place, Contribution::ConstructorArg { out, index });
                }
            }
            Op::Array(args) => {
                for (index, a) in args.iter().enumerate() {
                    r.contribute(&a.place, Contribution::Element { out, index });
                }
            }
        }
    }
    Reverse {
        stmts: r.stmts,
        defined: r.defined,
    }
}

struct Sweep<'a> {
    body: &'a Body,
    stmts: Vec<AdjStmt>,
    defined: HashSet<ValueId>,
}

impl Sweep<'_> {
    fn contribute(&mut self, target: &Place, contribution: Contribution) {
        let root = target.root();
        if !self.body.values[root].active {
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
}

/// Every operand place an operation reads.
pub fn operands(op: &Op) -> Vec<&Place> {
    match op {
        Op::Opaque(_) => vec![],
        Op::Binary(_, a, b) => vec![a, b],
        Op::Neg(a) | Op::Cast(a, _) => vec![a],
        Op::Method { recv, args, .. } => std::iter::once(recv)
            .chain(args.iter().map(|a| &a.place))
            .collect(),
        Op::Call { args, .. } | Op::Construct { args, .. } | Op::Array(args) => {
            args.iter().map(|a| &a.place).collect()
        }
    }
}
