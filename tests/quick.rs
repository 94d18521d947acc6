// Index loops are what is being tested here.
#![allow(clippy::needless_range_loop)]

use autodiff::differentiate;
use nalgebra::{SMatrix, SVector};

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    x * y + x.sin()
}

#[differentiate]
fn g(w: &SMatrix<f64, 2, 3>, x: &SVector<f64, 3>) -> f64 {
    let z = w * x;
    let d_x = z.norm_squared();
    d_x * 0.5 + z[1]
}

#[differentiate]
fn branchy(x: f64, y: f64) -> f64 {
    let mut r = x * y;
    if x > 0.0 {
        r *= x;
    } else {
        r += y.sin();
    }
    r * 2.0
}

#[differentiate]
fn powloop(x: f64, n: usize) -> f64 {
    let mut acc = 1.0;
    for _ in 0..n {
        acc *= x;
    }
    acc
}

#[differentiate]
fn halve(mut x: f64) -> f64 {
    while x > 1.0 {
        x *= 0.5;
    }
    x * x
}

#[differentiate]
fn guard(x: f64) -> f64 {
    if x < 0.0 {
        return x * x;
    }
    x.sin()
}

#[differentiate]
fn arr(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += x[i] * x[i];
    }
    let mut y = x;
    y[1] = s * 2.0;
    y[0] + y[1]
}

#[test]
fn quick() {
    let (v, (dx, dy)) = f_grad(1.0, 2.0);
    assert!((v - (2.0 + 1f64.sin())).abs() < 1e-12);
    assert!((dx - (2.0 + 1f64.cos())).abs() < 1e-12);
    assert!((dy - 1.0).abs() < 1e-12);
    let w = SMatrix::<f64, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    let x = SVector::<f64, 3>::new(0.1, 0.2, 0.3);
    let (_v, (dw, dxx)) = g_grad(&w, &x);
    let _ = (dw, dxx);
    // r = 2 x^2 y for x > 0
    let (_, (dx, dy)) = branchy_grad(1.5, 2.0);
    assert!((dx - 4.0 * 1.5 * 2.0).abs() < 1e-12, "{dx}");
    assert!((dy - 2.0 * 1.5 * 1.5).abs() < 1e-12, "{dy}");
    let (_, (dx, dy)) = branchy_grad(-1.5, 2.0);
    assert!((dx - 2.0 * 2.0).abs() < 1e-12, "{dx}");
    assert!((dy - 2.0 * (-1.5 + 2f64.cos())).abs() < 1e-12, "{dy}");
    let (v, d) = powloop_grad(1.3, 4);
    assert!((v - 1.3f64.powi(4)).abs() < 1e-12);
    assert!((d - 4.0 * 1.3f64.powi(3)).abs() < 1e-12, "{d}");
    let (v, d) = halve_grad(5.0);
    // 5 -> 2.5 -> 1.25 -> 0.625 ; y = (x/8)^2 ; dy/dx = 2x/64
    assert!((v - 0.390625).abs() < 1e-12, "{v}");
    assert!((d - 10.0 / 64.0).abs() < 1e-12, "{d}");
    let (_, d) = guard_grad(-2.0);
    assert!((d + 4.0).abs() < 1e-12);
    let (_, d) = guard_grad(0.5);
    assert!((d - 0.5f64.cos()).abs() < 1e-12);
    let (v, d) = arr_grad([1.0, 2.0, 3.0]);
    // y0 + y1 = x0 + 2 * (x0^2 + x1^2 + x2^2)
    assert!((v - (1.0 + 28.0)).abs() < 1e-12);
    assert!(
        (d[0] - 5.0).abs() < 1e-12 && (d[1] - 8.0).abs() < 1e-12 && (d[2] - 12.0).abs() < 1e-12,
        "{d:?}"
    );
}

#[differentiate]
fn mapped(v: &SVector<f64, 3>, w: &SVector<f64, 3>) -> f64 {
    let a = v.map(|e| e.tanh() * 2.0);
    let b = a.zip_map(w, |x, y| x * y.exp());
    b.sum()
}

#[differentiate]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn loop_call(x: f64, n: usize) -> f64 {
    let mut s = x;
    for _ in 0..n {
        s = sq(s) * 0.5;
    }
    s
}

#[test]
fn map_and_calls_in_loops() {
    let v = SVector::<f64, 3>::new(0.1, -0.5, 0.9);
    let w = SVector::<f64, 3>::new(0.3, 0.2, -0.4);
    let (_, (dv, dw)) = mapped_grad(&v, &w);
    for i in 0..3 {
        let t = v[i].tanh();
        assert!((dv[i] - 2.0 * (1.0 - t * t) * w[i].exp()).abs() < 1e-12);
        assert!((dw[i] - 2.0 * t * w[i].exp()).abs() < 1e-12);
    }
    // s_{k+1} = s_k^2 / 2 ; three steps: s3 = x^8 / 2^7
    let (v, d) = loop_call_grad(1.2, 3);
    assert!((v - 1.2f64.powi(8) / 128.0).abs() < 1e-12);
    assert!((d - 8.0 * 1.2f64.powi(7) / 128.0).abs() < 1e-12, "{d}");
}
