// Every syntax form #[differentiate] accepts today, each checked against a hand-derived
// gradient.
use autodiff::{Params, differentiate};
use nalgebra::{SMatrix, SVector, Vector2};

const SCALE: f64 = 2.0;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

#[derive(Clone, Debug, Params)]
struct Affine {
    w: SMatrix<f64, 2, 2>,
    b: SVector<f64, 2>,
}

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

mod helpers {
    use autodiff::differentiate;

    #[differentiate]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

/// `let` with and without a type, reassignment, the four compound assignments, unary minus,
/// `+ - * /`, parentheses, a block with its own local, a `const` item in the body, a call to
/// another `#[differentiate]` function (plain and by path), side-effect macros, and `return`
/// as the last statement.
#[differentiate]
fn scalar_forms(x: f64, y: f64) -> f64 {
    const HALF: f64 = 0.5;
    assert!(y != 0.0, "y must be non-zero, got {}", y);
    let a: f64 = x * y;
    let mut b = a + x;
    b = b - y;
    b += x;
    b -= 1.0;
    b *= HALF;
    b /= SCALE;
    debug_assert!(b.is_finite());
    let c = -(b) + {
        let t = x.sin();
        t * y
    };
    let d = square(x) / y + helpers::cube(y);
    return c + d;
}

/// Method rules, a piecewise-constant method, `.clone()`, a float cast and back, and a
/// comparison kept as a constant.
#[differentiate]
fn method_forms(x: f64, y: f64) -> f64 {
    let p = x.powi(3);
    let q = x.powf(y);
    let r = x.exp().ln();
    let s = y.sqrt().clone();
    let m = x.max(y);
    let cl = x.clamp(0.0, 2.0);
    let fl = x.floor();
    let fma = x.mul_add(y, 1.0);
    let ab = (-x).abs();
    let narrow = (x as f32) as f64;
    let positive = x > 0.0;
    assert!(positive);
    p + q + r + s + m + cl + fl * fma + ab.tanh() + narrow
}

/// A parameter struct (fields, `&` and `*`), a reference parameter, an array parameter with
/// constant indices, a fixed-size constructor, an array literal, matrix-vector products and
/// the matrix methods.
#[differentiate]
fn matrix_forms(net: &Affine, x: &SVector<f64, 2>, v: [f64; 3]) -> f64 {
    let h = &net.w * x + net.b;
    let u = Vector2::new(v[0], v[1] * v[2]);
    let e = h.component_mul(&u);
    let s = e.sum() + h.dot(&u) + net.w.transpose().norm_squared() + (*x).norm();
    let arr = [s, v[0]];
    arr[0] * arr[1]
}

fn main() {
    // scalar_forms = -(xy + 2x - y - 1)/4 + y sin x + x^2/y + y^3
    let (x, y) = (0.7, 1.3);
    let (value, (dx, dy)) = scalar_forms_grad(x, y);
    let expected = -(x * y + 2.0 * x - y - 1.0) / 4.0 + y * x.sin() + x * x / y + y.powi(3);
    assert!(close(value, expected), "{value} vs {expected}");
    assert!(close(dx, -(y + 2.0) / 4.0 + y * x.cos() + 2.0 * x / y));
    assert!(close(
        dy,
        -(x - 1.0) / 4.0 + x.sin() - x * x / (y * y) + 3.0 * y * y
    ));

    // method_forms at x = 1.5, y = 2.0: max picks y, clamp is inside, floor(x) = 1.
    let (x, y) = (1.5f64, 2.0f64);
    let (_, (dx, dy)) = method_forms_grad(x, y);
    let t = x.tanh();
    let ex = 3.0 * x * x + y * x.powf(y - 1.0) + 1.0 + 0.0 + 1.0 + y + (1.0 - t * t) + 1.0;
    let ey = x.powf(y) * x.ln() + 0.5 / y.sqrt() + 1.0 + x;
    assert!(close(dx, ex), "{dx} vs {ex}");
    assert!(close(dy, ey), "{dy} vs {ey}");

    // matrix_forms: h = W x + b, u = (v0, v1 v2), s = 2 h.u + |W|^2 + |x|, result s v0.
    let net = Affine {
        w: SMatrix::<f64, 2, 2>::new(0.5, -1.0, 2.0, 0.25),
        b: SVector::<f64, 2>::new(0.1, -0.2),
    };
    let x = SVector::<f64, 2>::new(0.3, 0.4);
    let v = [1.5, -0.5, 2.0];
    let (value, (d_net, d_x, d_v)) = matrix_forms_grad(&net, &x, v);
    let h = net.w * x + net.b;
    let u = SVector::<f64, 2>::new(v[0], v[1] * v[2]);
    let s = 2.0 * h.dot(&u) + net.w.norm_squared() + x.norm();
    assert!(close(value, s * v[0]));
    let ew = (u * x.transpose() * 2.0 + net.w * 2.0) * v[0];
    let eb = u * (2.0 * v[0]);
    let ex = (net.w.transpose() * u * 2.0 + x / x.norm()) * v[0];
    assert!((d_net.w - ew).norm() < 1e-9, "{} vs {}", d_net.w, ew);
    assert!((d_net.b - eb).norm() < 1e-9);
    assert!((d_x - ex).norm() < 1e-9);
    assert!(close(d_v[0], s + v[0] * 2.0 * h[0]));
    assert!(close(d_v[1], v[0] * 2.0 * h[1] * v[2]));
    assert!(close(d_v[2], v[0] * 2.0 * h[1] * v[1]));
}
