//! Hygiene of `#[differentiate]` and `#[derive(Params)]`:
//!
//! - user locals and parameters named like the names the expansion generates (`d_x`, `t_1`,
//!   `value`, `pullback`, ..) neither capture nor shadow generated ones;
//! - the expansion names everything by absolute path, so a module that shadows prelude types,
//!   runtime helpers and even `core` / `autodiff` / `std` / `nalgebra` does not break it.
//!
//! Every result is checked against a gradient derived by hand, not against the macro.

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

mod generated_names {
    use autodiff::differentiate;
    use nalgebra::SVector;

    /// A parameter named `d_x` next to `x`, and locals named like generated temporaries,
    /// adjoints, the generated `f_grad`'s locals and the pullback closure's argument.
    ///
    /// With p = x, q = d_x:
    ///   t = pq, t_1 = pq + p, x_1 = p^2 q (q + 1), dx = x_1 + q, grad = dx p,
    ///   grads = grad - pq = x_1 p, __tmp = x_1 p / q = p^3 (q + 1), value = sin(__tmp),
    ///   d_value = value^2, pullback = d_value + x_1.
    ///   f = sin^2(u) + p^2 q (q + 1), u = p^3 (q + 1)
    ///   df/dp = 2 sin u cos u * 3 p^2 (q + 1) + 2 p q (q + 1)
    ///   df/dq = 2 sin u cos u * p^3 + p^2 (2q + 1)
    #[differentiate]
    pub fn clash(x: f64, d_x: f64) -> f64 {
        let t = x * d_x;
        let t_1 = t + x;
        let x_1 = t_1 * t;
        let dx = x_1 + d_x;
        let grad = dx * x;
        let grads = grad - t;
        let __tmp = grads / d_x;
        let value = __tmp.sin();
        let d_value = value * value;
        let pullback = d_value;
        pullback + x_1
    }

    /// Locals named like the adjoints of the parameters and of each other.
    ///
    /// d_x = xy, d_y = xy + y, d_d_x = (xy)(xy + y) = x^2 y^2 + x y^2
    ///   df/dx = 2 x y^2 + y^2, df/dy = 2 x^2 y + 2 x y
    #[differentiate]
    pub fn adjoint_named_locals(x: f64, y: f64) -> f64 {
        let d_x = x * y;
        let d_y = d_x + y;
        let d_d_x = d_x;
        d_d_x * d_y
    }

    /// Rebinding a parameter's name, and a block local shadowing an outer local.
    ///
    /// x' = 2x, y = x', z = (2y)^2 = 16x^2, f = y + z + x' = 4x + 16x^2, df/dx = 4 + 32x
    #[differentiate]
    pub fn shadowing(x: f64) -> f64 {
        let x = x * 2.0;
        let y = x;
        let z = {
            let y = y * 2.0;
            y * y
        };
        y + z + x
    }

    /// Vector parameters named like adjoints of each other: `v` and `d_v`.
    ///
    /// f = v . d_v + |v|^2, df/dv = d_v + 2v, df/d(d_v) = v
    #[differentiate]
    pub fn vector_names(v: &SVector<f64, 3>, d_v: &SVector<f64, 3>) -> f64 {
        let value = v.dot(d_v);
        let d_value = v.norm_squared();
        value + d_value
    }

    /// Parameters named like the generated `f_grad`'s and pullback's own locals.
    ///
    /// f = value * grads + pullback, gradient (grads, value, 1)
    #[differentiate]
    pub fn params_named_like_generated(value: f64, grads: f64, pullback: f64) -> f64 {
        value * grads + pullback
    }
}

/// A module where the prelude types, the runtime helpers' names, and the crates the
/// expansion refers to are all shadowed by local items.
mod shadowed {
    // Absolute paths: the local modules below make `autodiff::..` and `nalgebra::..`
    // ambiguous for the user's own imports, not for the generated `::autodiff::..`.
    use ::autodiff::differentiate;
    use ::nalgebra::{SMatrix, SVector};

    // Each shadowing item is used by `uses_every_shadowing_item`.
    pub struct Option;
    pub struct Result;
    pub struct Box;
    pub struct Vec;
    pub struct String;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Err;
    pub struct FnOnce;
    pub struct Fn;
    pub struct Clone;
    pub struct Copy;
    pub struct Default;
    pub struct Params;
    pub struct Real;
    pub fn accum() {}
    pub fn zeros_like() {}
    pub fn one_like() {}
    pub fn value_of() {}
    pub fn add() {}
    pub fn sub() {}
    pub fn mul() {}
    pub fn div() {}
    pub fn neg() {}
    pub fn mul_d_lhs() {}
    pub fn mul_d_rhs() {}
    pub fn add_d_lhs() {}
    pub fn sin_d_recv() {}
    pub fn dot_d_recv() {}
    pub fn new_arg_d() {}
    pub fn with_segment() {}
    mod core {}
    mod std {}
    mod autodiff {}
    mod nalgebra {}
    mod __private {}

    /// Keeps the shadowing items alive without `#[allow(dead_code)]`.
    pub fn uses_every_shadowing_item() {
        let _ = (Option, Result, Box, Vec, String, Some, None, Ok, Err);
        let _ = (FnOnce, Fn, Clone, Copy, Default, Params, Real);
        for f in [
            accum,
            zeros_like,
            one_like,
            value_of,
            add,
            sub,
            mul,
            div,
            neg,
            mul_d_lhs,
            mul_d_rhs,
            add_d_lhs,
            sin_d_recv,
            dot_d_recv,
            new_arg_d,
            with_segment,
        ] {
            f();
        }
    }

    #[derive(::core::clone::Clone, ::autodiff::Params)]
    pub struct Layer {
        pub w: SMatrix<f64, 2, 2>,
        pub b: SVector<f64, 2>,
        #[params(skip)]
        pub name: &'static str,
    }

    /// f = x y + sin x: df/dx = y + cos x, df/dy = x
    #[differentiate]
    pub fn scalar(x: f64, y: f64) -> f64 {
        x * y + x.sin()
    }

    /// Calls another `#[differentiate]` function from the same shadowed module.
    /// g = scalar(x, x)^2 / 2: dg/dx = s (2x + cos x), s = x^2 + sin x
    #[differentiate]
    pub fn composed(x: f64) -> f64 {
        let s = scalar(x, x);
        s * s * 0.5
    }

    /// f = sum(W x + b) * k + (W x + b)[0]^2, with `k` a `#[no_grad]` float.
    ///   with h = W x + b: df/dh = k 1 + 2 h0 e0, dW = df/dh x^T, db = df/dh,
    ///   dx = W^T df/dh
    #[differentiate]
    pub fn layer(l: &Layer, x: &SVector<f64, 2>, #[no_grad] k: f64) -> f64 {
        let h = l.w * x + l.b;
        let first = h[0];
        h.sum() * k + first * first
    }

    /// A vector-valued function (pullback only) built with a constructor.
    /// y = (x0 x1, -x0): with cotangent c, dx = (c0 x1 - c1, c0 x0)
    #[differentiate]
    pub fn vector(x: &SVector<f64, 2>) -> SVector<f64, 2> {
        let a = x[0] * x[1];
        let b = -x[0];
        SVector::<f64, 2>::new(a, b)
    }
}

#[test]
fn locals_named_like_generated_names() {
    use generated_names::*;

    let (p, q) = (0.7, 0.4);
    let u = p * p * p * (q + 1.0);
    let (value, (dp, dq)) = clash_grad(p, q);
    assert!(close(value, clash(p, q)));
    assert!(close(value, u.sin().powi(2) + p * p * q * (q + 1.0)));
    let two_sin_cos = 2.0 * u.sin() * u.cos();
    assert!(close(
        dp,
        two_sin_cos * 3.0 * p * p * (q + 1.0) + 2.0 * p * q * (q + 1.0)
    ));
    assert!(close(dq, two_sin_cos * p * p * p + p * p * (2.0 * q + 1.0)));

    let (x, y) = (1.5, -0.5);
    let (value, (dx, dy)) = adjoint_named_locals_grad(x, y);
    assert!(close(value, x * x * y * y + x * y * y));
    assert!(close(dx, 2.0 * x * y * y + y * y));
    assert!(close(dy, 2.0 * x * x * y + 2.0 * x * y));

    let (value, dx) = shadowing_grad(1.25);
    assert!(close(value, 30.0));
    assert!(close(dx, 44.0));

    let v = nalgebra::SVector::<f64, 3>::new(1.0, 2.0, -1.0);
    let w = nalgebra::SVector::<f64, 3>::new(0.5, -1.0, 3.0);
    let (value, (dv, dw)) = vector_names_grad(&v, &w);
    assert!(close(value, v.dot(&w) + v.norm_squared()));
    assert!((dv - (w + v * 2.0)).norm() < 1e-12);
    assert!((dw - v).norm() < 1e-12);

    let (value, (d_value, d_grads, d_pullback)) = params_named_like_generated_grad(2.0, 3.0, 4.0);
    assert!(close(value, 10.0));
    assert!(close(d_value, 3.0));
    assert!(close(d_grads, 2.0));
    assert!(close(d_pullback, 1.0));
}

#[test]
fn shadowed_prelude_and_crate_names() {
    use nalgebra::{SMatrix, SVector};
    use shadowed::*;

    uses_every_shadowing_item();
    let (x, y) = (0.3, -1.2);
    let (value, (dx, dy)) = scalar_grad(x, y);
    assert!(close(value, x * y + x.sin()));
    assert!(close(dx, y + x.cos()));
    assert!(close(dy, x));

    let x = 0.8f64;
    let s = x * x + x.sin();
    let (value, dx) = composed_grad(x);
    assert!(close(value, 0.5 * s * s));
    assert!(close(dx, s * (2.0 * x + x.cos())));

    let l = Layer {
        w: SMatrix::<f64, 2, 2>::new(1.0, -2.0, 0.5, 3.0),
        b: SVector::<f64, 2>::new(0.25, -0.75),
        name: "dense",
    };
    let xv = SVector::<f64, 2>::new(0.4, -0.6);
    let k = 1.5;
    let (value, (dl, dxv)) = layer_grad(&l, &xv, k);
    let h = l.w * xv + l.b;
    assert!(close(value, h.sum() * k + h[0] * h[0]));
    let dh = SVector::<f64, 2>::new(k + 2.0 * h[0], k);
    assert!((dl.w - dh * xv.transpose()).norm() < 1e-12);
    assert!((dl.b - dh).norm() < 1e-12);
    assert_eq!(dl.name, "dense");
    assert!((dxv - l.w.transpose() * dh).norm() < 1e-12);

    let xv = SVector::<f64, 2>::new(2.0, 3.0);
    let (value, pullback) = vector_pullback(&xv);
    assert!((value - SVector::<f64, 2>::new(6.0, -2.0)).norm() < 1e-12);
    let c = SVector::<f64, 2>::new(0.5, -1.0);
    let (dx,) = pullback(c);
    let expected = SVector::<f64, 2>::new(c[0] * xv[1] - c[1], c[0] * xv[0]);
    assert!((dx - expected).norm() < 1e-12);
}
