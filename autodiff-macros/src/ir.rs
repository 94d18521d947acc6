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
}

/// `let value = op;`
pub struct Stmt {
    pub out: ValueId,
    pub op: Op,
    /// The user's type annotation, if any.
    pub ty: Option<Type>,
    pub span: Span,
}

/// A lowered function body.
pub struct Body {
    pub values: Vec<Value>,
    /// Items (`const`, `use`, nested `fn`) declared in the body, emitted first.
    pub items: Vec<TokenStream>,
    /// Straight-line statements, in execution order. Side-effect statements such as
    /// `assert!` are kept in `effects` keyed by the number of statements before them.
    pub stmts: Vec<Stmt>,
    pub effects: Vec<(usize, TokenStream)>,
    /// The returned place.
    pub output: Place,
}

impl Body {
    pub fn place_active(&self, p: &Place) -> bool {
        self.values[p.root()].active
    }

    /// References deep the place is (0: an owned value of the gradient's type).
    pub fn depth(&self, p: &Place) -> u8 {
        match p {
            Place::Value(v) => self.values[*v].depth,
            Place::Ref(p) => self.depth(p) + 1,
            Place::Deref(p) => self.depth(p).saturating_sub(1),
            Place::Field(..) | Place::Index(..) => 0,
        }
    }
}

impl Body {
    /// The place as the user wrote it (`&x`, `net.w1`, `v[i]`), with locals renamed.
    pub fn place_tokens(&self, p: &Place) -> TokenStream {
        match p {
            Place::Value(v) => {
                let id = &self.values[*v].ident;
                quote!(#id)
            }
            Place::Ref(inner) => {
                let t = self.place_tokens(inner);
                quote!(&#t)
            }
            Place::Deref(inner) => {
                let t = self.place_tokens(inner);
                quote!((*#t))
            }
            Place::Field(inner, m) => {
                let t = self.place_tokens_postfix(inner);
                quote!(#t.#m)
            }
            Place::Index(inner, i) => {
                let t = self.place_tokens_postfix(inner);
                let i = self.value_tokens(i);
                quote!(#t[#i])
            }
        }
    }

    /// Like [`Body::place_tokens`], parenthesized when a postfix operator follows.
    fn place_tokens_postfix(&self, p: &Place) -> TokenStream {
        let t = self.place_tokens(p);
        match p {
            Place::Ref(_) => quote!((#t)),
            _ => t,
        }
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
        let t = self.place_tokens(p);
        match self.depth(p) {
            0 => t,
            n => {
                let stars = (0..n).map(|_| quote!(*));
                quote!((#(#stars)* #t))
            }
        }
    }
}
