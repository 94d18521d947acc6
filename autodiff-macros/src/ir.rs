//! The intermediate representation: a function body in SSA form.
//!
//! Every user `let` and every subexpression that needs a name becomes a [`Value`] defined
//! exactly once by a [`Stmt`]; reassignment creates a new value. Operands are [`Place`]s:
//! a value seen through references, dereferences, field accesses and index reads, so that
//! `&net.w1` or `v[i]` need no copy in the forward pass and their cotangent lands in the
//! right part of the parameter's gradient in the backward pass.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::{Expr, Member, Type};

pub type ValueId = usize;

/// One SSA value.
pub struct Value {
    /// The local the generated code binds it to.
    pub ident: Ident,
    /// How many references deep the local is compared to the value's type
    /// (`x: &Mlp` is 1: the gradient has type `Mlp`).
    pub depth: u8,
    /// Depends on a differentiated input.
    pub active: bool,
    /// Where the value comes from.
    pub origin: Origin,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The function parameter with this index.
    Param(usize),
    /// Defined by a statement of the body.
    Stmt,
    /// The value of a loop-carried variable during an iteration.
    LoopState,
}

/// A value seen through projections, as an operand.
#[derive(Clone)]
pub enum Place {
    Value(ValueId),
    Ref(Box<Place>),
    Deref(Box<Place>),
    Field(Box<Place>, Member),
    /// `base[index]` with an index no derivative flows through.
    Index(Box<Place>, Box<Place>),
}

impl Place {
    /// The value at the root of the projections.
    pub fn root(&self) -> ValueId {
        match self {
            Place::Value(v) => *v,
            Place::Ref(p) | Place::Deref(p) | Place::Field(p, _) | Place::Index(p, _) => p.root(),
        }
    }

    /// Whether the cotangent of this place is a part of its root's cotangent (a field or an
    /// element), which needs the root's cotangent to exist, zeroed, before contributions.
    pub fn is_partial(&self) -> bool {
        match self {
            Place::Value(_) => false,
            Place::Ref(p) | Place::Deref(p) => p.is_partial(),
            Place::Field(..) | Place::Index(..) => true,
        }
    }
}

/// Binary arithmetic operators that carry derivatives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
        }
    }
}

/// An argument of a call, method or constructor.
#[derive(Clone)]
pub struct Arg {
    pub place: Place,
}

/// The operation defining a value.
pub enum Op {
    /// An expression no derivative flows through (constants, integer arithmetic,
    /// comparisons), emitted as written with locals renamed.
    Opaque(Expr),
    /// `a + b`, `a - b`, `a * b`, `a / b` through the runtime's rule traits.
    Binary(BinOp, Place, Place),
    /// `-a`.
    Neg(Place),
    /// A method with a rule in [`crate::rules`].
    Method {
        name: Ident,
        recv: Place,
        args: Vec<Arg>,
        rule: &'static crate::rules::MethodRule,
    },
    /// `g(args)` for a function `g` with a `g_pullback`.
    Call { func: syn::ExprPath, args: Vec<Arg> },
    /// `Vector3::new(a, b, c)` and friends: a fixed-size nalgebra constructor.
    Construct { func: syn::ExprPath, args: Vec<Arg> },
    /// `[a, b, c]`.
    Array(Vec<Arg>),
    /// `x as f32` between float types.
    Cast(Place, Type),
    /// `recv.map(|e| ..)` or `recv.zip_map(&other, |a, b| ..)` on nalgebra values, with the
    /// closure body differentiated per element.
    Map {
        recv: Place,
        other: Option<Arg>,
        elem: Box<Elementwise>,
    },
    /// An owned copy of a value behind a reference parameter, so pullbacks never borrow
    /// the caller's locals.
    Copy(Place),
    /// A copy of `base` with `base[index] = value`.
    SetIndex {
        base: Place,
        index: Place,
        value: Place,
    },
}

/// An elementwise closure: its body, lowered as a function of its parameters.
pub struct Elementwise {
    /// The closure as the forward pass runs it (outer locals renamed).
    pub forward: TokenStream,
    pub params: Vec<Ident>,
    pub body: Body,
}

/// `let value = op;`
pub struct Let {
    pub out: ValueId,
    pub op: Op,
    /// The user's type annotation, if any.
    pub ty: Option<Type>,
    pub span: Span,
}

/// `if`/`else` or `match` on a value no derivative flows through. Each arm is a region whose
/// results become `outs`: the variables the arms assign, then the arms' value, if any.
pub struct Branch {
    /// Unique within the function, to name its pullback.
    pub id: usize,
    pub selector: Selector,
    pub arms: Vec<Arm>,
    pub outs: Vec<ValueId>,
    pub span: Span,
}

pub enum Selector {
    /// `if cond` (two arms: then, else).
    If(Place),
    /// `match scrutinee { pat if guard => .. }`, renamed, one pattern per arm.
    Match {
        scrutinee: Expr,
        patterns: Vec<TokenStream>,
    },
}

pub struct Arm {
    pub block: Block,
    pub results: Vec<Place>,
}

/// A loop. Variables the body assigns are loop-carried: each has a state value updated
/// after every iteration from the body's results, and an output value after the loop.
pub struct Loop {
    /// Unique within the function, to name its tape.
    pub id: usize,
    pub head: LoopHead,
    pub states: Vec<LoopState>,
    pub body: Block,
    /// The body's new value of each state, aligned with `states`.
    pub results: Vec<Place>,
    pub span: Span,
}

pub struct LoopState {
    pub state: ValueId,
    pub init: Place,
    pub out: ValueId,
}

// Built once per expansion; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum LoopHead {
    /// `for pat in iter`; `capacity` is the trip count when it is a compile-time constant.
    For {
        pat: TokenStream,
        iter: Expr,
        capacity: Option<Expr>,
    },
    /// `while cond`, renamed in terms of the states.
    While { cond: Expr },
}

pub enum Stmt {
    Let(Let),
    /// Kept as written in the forward pass only (`assert!`, a side-effect call).
    Effect(TokenStream),
    Branch(Branch),
    Loop(Loop),
}

#[derive(Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

/// A lowered function body.
pub struct Body {
    pub values: Vec<Value>,
    /// Items (`const`, `use`, nested `fn`) declared in the body, emitted first.
    pub items: Vec<TokenStream>,
    pub block: Block,
    /// The returned place.
    pub output: Place,
}

impl Body {
    pub fn place_active(&self, p: &Place) -> bool {
        self.values[p.root()].active
    }

    /// References deep the place is (0: an owned value of the gradient's type).
    pub fn depth(&self, p: &Place) -> u8 {
        depth_in(&self.values, p)
    }
}

/// The place as the user wrote it (`&x`, `net.w1`, `v[i]`), with locals renamed.
pub fn place_tokens(values: &[Value], p: &Place) -> TokenStream {
    let postfix = |inner: &Place| {
        let t = place_tokens(values, inner);
        match inner {
            Place::Ref(_) => quote!((#t)),
            _ => t,
        }
    };
    match p {
        Place::Value(v) => {
            let id = &values[*v].ident;
            quote!(#id)
        }
        Place::Ref(inner) => {
            let t = place_tokens(values, inner);
            quote!(&#t)
        }
        Place::Deref(inner) => {
            let t = place_tokens(values, inner);
            quote!((*#t))
        }
        Place::Field(inner, m) => {
            let t = postfix(inner);
            quote!(#t.#m)
        }
        Place::Index(inner, i) => {
            let t = postfix(inner);
            let i = value_tokens_in(values, i);
            quote!(#t[#i])
        }
    }
}

fn depth_in(values: &[Value], p: &Place) -> u8 {
    match p {
        Place::Value(v) => values[*v].depth,
        Place::Ref(p) => depth_in(values, p) + 1,
        Place::Deref(p) => depth_in(values, p).saturating_sub(1),
        Place::Field(..) | Place::Index(..) => 0,
    }
}

fn value_tokens_in(values: &[Value], p: &Place) -> TokenStream {
    let t = place_tokens(values, p);
    match depth_in(values, p) {
        0 => t,
        n => {
            let stars = (0..n).map(|_| quote!(*));
            quote!((#(#stars)* #t))
        }
    }
}

impl Body {
    pub fn place_tokens(&self, p: &Place) -> TokenStream {
        place_tokens(&self.values, p)
    }

    /// A shared reference to the place's value, whatever its depth: what rules take.
    pub fn ref_tokens(&self, p: &Place) -> TokenStream {
        let t = self.place_tokens(p);
        match self.depth(p) {
            0 => quote!(&#t),
            1 => t,
            n => {
                let stars = (1..n).map(|_| quote!(*));
                quote!(&#(#stars)* #t)
            }
        }
    }

    /// The place's value itself (for `Copy` scalars such as an index or an exponent).
    pub fn value_tokens(&self, p: &Place) -> TokenStream {
        value_tokens_in(&self.values, p)
    }
}
