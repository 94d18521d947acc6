//! The differentiated function's signature: which parameters are active and what type
//! their gradients have.

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::rules::is_inactive_type_name;
use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

/// One parameter.
pub struct Param {
    pub ident: Ident,
    /// `x: &T` is 1, `x: T` is 0.
    pub depth: u8,
    pub active: bool,
    /// The gradient's type: `T` for `T`, `&T`, `&mut T`.
    pub grad_ty: Type,
}

impl Param {
    /// A differentiated, value-like parameter taken by reference is copied at the start of
    /// the pullback, so the returned closure does not borrow the caller's value.
    pub fn copied_by_pullback(&self) -> bool {
        self.active && self.depth >= 1 && is_value_like(&self.grad_ty)
    }
}

pub struct Signature {
    pub params: Vec<Param>,
    pub output: Type,
    /// The output is syntactically a scalar (a plain path such as `f64` or `T`), so a
    /// `NAME_grad` is emitted.
    pub scalar_output: bool,
}

/// Analyzes `f`'s signature; reports problems to `cx`.
pub fn analyze(f: &ItemFn, args: &Args, cx: &mut Ctxt) -> Option<Signature> {
    let sig = &f.sig;
    if let Some(t) = &sig.asyncness {
        cx.error(t.span, "#[differentiate] does not support `async fn`; differentiate a synchronous function and call it from async code");
    }
    if let Some(t) = &sig.unsafety {
        cx.error(t.span, "#[differentiate] does not support `unsafe fn`; move the unsafe code into a function with a hand-written `_pullback`");
    }
    if let Some(v) = &sig.variadic {
        cx.error_spanned(v, "#[differentiate] does not support variadic functions");
    }
    let output = match &sig.output {
        ReturnType::Default => {
            cx.error_spanned(
                &sig.ident,
                format!(
                    "`{}` returns nothing to differentiate; add a return type such as `-> f64`",
                    sig.ident
                ),
            );
            return None;
        }
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    if let Type::Tuple(t) = &output {
        cx.error_spanned(t, "#[differentiate] does not support tuple return types yet; return one value, or a struct deriving `Params`");
    }
    if contains_impl_trait(&output) {
        cx.error_spanned(
            &output,
            "#[differentiate] needs a concrete return type, not `impl Trait`",
        );
    }

    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                cx.error_spanned(r, "#[differentiate] does not support methods yet; write a free function taking the value as a parameter, like `fn loss(net: &Mlp, ..)`");
            }
            FnArg::Typed(pt) => {
                let ident = match &*pt.pat {
                    Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        pi.ident.clone()
                    }
                    other => {
                        cx.error_spanned(other, "#[differentiate] needs a plain parameter name like `x: f64`; destructure it inside the body instead");
                        continue;
                    }
                };
                if contains_impl_trait(&pt.ty) {
                    cx.error_spanned(&pt.ty, "#[differentiate] does not support `impl Trait` parameters; use a named generic parameter or a concrete type");
                }
                for suffix in ["pullback", "grad"] {
                    if ident == format!("{}_{suffix}", sig.ident) {
                        cx.error_spanned(&ident, format!("the parameter `{ident}` hides the generated function `{ident}`; rename the parameter"));
                    }
                }
                let no_grad = pt.attrs.iter().any(|a| a.path().is_ident("no_grad"));
                let (depth, grad_ty) = strip_refs(&pt.ty);
                let inactive_by_type = is_inactive_type(&pt.ty);
                let named = args
                    .wrt
                    .as_ref()
                    .and_then(|names| names.iter().find(|n| **n == ident));
                let mut active = match &args.wrt {
                    Some(_) => named.is_some(),
                    None => !no_grad && !inactive_by_type,
                };
                if let Some(n) = named {
                    if inactive_by_type {
                        cx.error_spanned(n, format!("cannot differentiate with respect to `{ident}`: its type has no derivative; remove it from `wrt(..)`"));
                        active = false;
                    } else if no_grad {
                        cx.error_spanned(n, format!("`{ident}` is marked `#[no_grad]` and also named in `wrt(..)`; keep one of the two"));
                    }
                }
                if let Type::Slice(_) = &grad_ty
                    && active
                {
                    cx.error_spanned(&pt.ty, format!("cannot differentiate with respect to slice `{ident}`: its size is unknown at compile time; use an array `[f64; N]` or an nalgebra `SVector`"));
                }
                params.push(Param {
                    ident,
                    depth,
                    active,
                    grad_ty,
                });
            }
        }
    }
    if let Some(names) = &args.wrt {
        for (k, n) in names.iter().enumerate() {
            if names[..k].contains(n) {
                cx.error(n.span(), format!("`wrt` names `{n}` twice"));
            }
            if !params.iter().any(|p| p.ident == *n) {
                cx.error(
                    n.span(),
                    format!(
                        "`wrt` names `{n}`, which is not a parameter of `{}`",
                        sig.ident
                    ),
                );
            }
        }
    }
    if !params.iter().any(|p| p.active) && cx.is_empty() {
        cx.error_spanned(&sig.ident, format!("`{}` has no parameter to differentiate: integer, `bool` and `char` parameters and `#[no_grad]` ones are constants; add a float, array, nalgebra or `Params` parameter", sig.ident));
    }
    let generic_params: Vec<Ident> = sig
        .generics
        .type_params()
        .map(|t| t.ident.clone())
        .collect();
    let scalar_output = args.grad || is_scalar_type(&output, &generic_params);
    Some(Signature {
        params,
        output,
        scalar_output,
    })
}

/// `&&T` -> (2, T).
fn strip_refs(ty: &Type) -> (u8, Type) {
    match ty {
        Type::Reference(r) => {
            let (d, t) = strip_refs(&r.elem);
            (d + 1, t)
        }
        Type::Paren(p) => strip_refs(&p.elem),
        Type::Group(g) => strip_refs(&g.elem),
        other => (0, other.clone()),
    }
}

/// Integer, `bool`, `char`, string types, and references/arrays/slices of them.
pub fn is_inactive_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_inactive_type(&r.elem),
        Type::Array(a) => is_inactive_type(&a.elem),
        Type::Slice(s) => is_inactive_type(&s.elem),
        Type::Paren(p) => is_inactive_type(&p.elem),
        Type::Group(g) => is_inactive_type(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().is_some_and(|s| {
                s.arguments.is_none() && is_inactive_type_name(&s.ident.to_string())
            })
        }
        _ => false,
    }
}

/// Types cheap enough, and plain enough, to copy: floats, arrays, nalgebra matrices.
/// (Parameter structs such as `&Mlp` stay borrowed.)
pub fn is_value_like(ty: &Type) -> bool {
    match ty {
        Type::Array(_) => true,
        Type::Paren(p) => is_value_like(&p.elem),
        Type::Group(g) => is_value_like(&g.elem),
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| {
            let n = s.ident.to_string();
            n == "f32"
                || n == "f64"
                || crate::rules::is_constructor_type(&n)
                || n.starts_with("Matrix")
        }),
        _ => false,
    }
}

/// `f32`, `f64` or a type parameter of the function: a `NAME_grad` is emitted. Anything
/// else (arrays, matrices, structs, type aliases) gets only `NAME_pullback`, unless
/// `#[differentiate(grad)]` says the type is a scalar.
fn is_scalar_type(ty: &Type, generic_params: &[Ident]) -> bool {
    match ty {
        Type::Paren(p) => is_scalar_type(&p.elem, generic_params),
        Type::Group(g) => is_scalar_type(&g.elem, generic_params),
        Type::Path(p) if p.qself.is_none() => match p.path.get_ident() {
            Some(id) => id == "f32" || id == "f64" || generic_params.contains(id),
            None => false,
        },
        _ => false,
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'a syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    syn::visit::visit_type(&mut f, ty);
    f.0
}

/// Rewrites elided lifetimes (`&T`, `'_`) to `lifetime`, so the pullback closure can name
/// what it captures. Returns whether anything was rewritten.
pub fn name_elided_lifetimes(ty: &mut Type, lifetime: &syn::Lifetime) -> bool {
    struct Namer<'l> {
        lt: &'l syn::Lifetime,
        changed: bool,
    }
    impl VisitMut for Namer<'_> {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            match &r.lifetime {
                None => {
                    r.lifetime = Some(self.lt.clone());
                    self.changed = true;
                }
                Some(l) if l.ident == "_" => {
                    r.lifetime = Some(self.lt.clone());
                    self.changed = true;
                }
                _ => {}
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            if l.ident == "_" {
                *l = self.lt.clone();
                self.changed = true;
            }
        }
    }
    let mut n = Namer {
        lt: lifetime,
        changed: false,
    };
    n.visit_type_mut(ty);
    n.changed
}

/// The lifetime the macro introduces for elided references in the pullback's signature.
pub fn generated_lifetime() -> syn::Lifetime {
    syn::Lifetime::new("'__autodiff", Span::call_site())
}
