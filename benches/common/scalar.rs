//! A scalar function of 31 operations, its generated gradient, the same gradient by hand,
//! and central differences.

use autodiff::differentiate;

/// 31 elementary operations on three inputs: products, quotients, `sin`, `cos`, `ln`, `exp`,
/// `tanh`, `sqrt`; several values are used more than once, so the backward pass sums
/// contributions.
#[differentiate]
pub fn scalar31(x: f64, y: f64, z: f64) -> f64 {
    let a = x * y;
    let b = a + z.sin();
    let c = b * b + 1.0;
    let d = c.ln();
    let e = d * x - y / c;
    let f = (e * 0.5).tanh();
    let g = f * f + z.exp() * 0.1;
    let h = g.sqrt() + a.cos();
    let i = h * y - x * z;
    let j = (i * i + 2.0).sqrt();
    let k = j.sin() * b + d / (1.0 + g);
    k * k + h
}

/// The gradient of [`scalar31`] written by hand: the forward pass keeping what the backward
/// pass needs, then the chain rule in reverse, with `sin`/`cos`/`exp` evaluated once.
#[inline(never)]
pub fn scalar31_hand(x: f64, y: f64, z: f64) -> (f64, (f64, f64, f64)) {
    let (sz, cz) = z.sin_cos();
    let ez = z.exp();
    let a = x * y;
    let b = a + sz;
    let c = b * b + 1.0;
    let d = c.ln();
    let e = d * x - y / c;
    let f = (e * 0.5).tanh();
    let g = f * f + ez * 0.1;
    let sg = g.sqrt();
    let (sa, ca) = a.sin_cos();
    let h = sg + ca;
    let i = h * y - x * z;
    let j = (i * i + 2.0).sqrt();
    let (sj, cj) = j.sin_cos();
    let inv1g = 1.0 / (1.0 + g);
    let k = sj * b + d * inv1g;
    let value = k * k + h;

    let dk = 2.0 * k;
    let dj = dk * b * cj;
    let mut db = dk * sj;
    let dd_k = dk * inv1g;
    let mut dg = -dk * d * inv1g * inv1g;
    let di = dj * i / j;
    let dh = 1.0 + di * y;
    let mut dy = di * h;
    let mut dx = -di * z;
    let mut dz = -di * x;
    dg += dh * 0.5 / sg;
    let mut da = -dh * sa;
    let df = dg * 2.0 * f;
    dz += dg * 0.1 * ez;
    let de = df * 0.5 * (1.0 - f * f);
    let dd = dd_k + de * x;
    dx += de * d;
    let mut dc = de * y / (c * c);
    dy -= de / c;
    dc += dd / c;
    db += dc * 2.0 * b;
    da += db;
    dz += db * cz;
    dx += da * y;
    dy += da * x;
    (value, (dx, dy, dz))
}

/// Central differences of [`scalar31`] (6 evaluations).
#[inline(never)]
pub fn scalar31_fd(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let h = 1e-6;
    (
        (scalar31(x + h, y, z) - scalar31(x - h, y, z)) / (2.0 * h),
        (scalar31(x, y + h, z) - scalar31(x, y - h, z)) / (2.0 * h),
        (scalar31(x, y, z + h) - scalar31(x, y, z - h)) / (2.0 * h),
    )
}
