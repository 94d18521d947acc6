//! The same math differentiated by hand, the way a careful engineer writes it with nalgebra
//! and a GEMM kernel: the forward pass keeps exactly what the backward pass reads, gradients
//! are written (not accumulated) into buffers the caller reuses, ReLU masks are applied in
//! place, the input's cotangent is never computed, and every product over a batch goes
//! through the same GEMM kernel the runtime uses ([`Real::gemm`]).

use super::nets::{Digits, Mnist};
use autodiff::Real;
use autodiff::nn::{AsDense, Dense};
use nalgebra::{SMatrix, SVector};

/// `c = op(a) op(b) + beta c`, `c` of shape `m x n` (column-major); `op(a)` is `m x k`,
/// stored as is (`ta == false`, `m x k` column-major) or as its transpose (`k x m`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    ta: bool,
    b: &[f32],
    tb: bool,
    beta: f32,
    c: &mut [f32],
) {
    let (m_, k_, n_) = (m as isize, k as isize, n as isize);
    let sa = if ta { (k_, 1) } else { (1, m_) };
    let sb = if tb { (n_, 1) } else { (1, k_) };
    f32::gemm(
        m,
        k,
        n,
        1.0,
        (a, sa.0, sa.1),
        (b, sb.0, sb.1),
        beta,
        (c, 1, m_),
    );
}

#[inline(always)]
fn relu_in_place(v: &mut [f32]) {
    for x in v {
        *x = if *x < 0.0 { 0.0 } else { *x };
    }
}

/// `d *= (h > 0)`: the ReLU mask from the layer's output.
#[inline(always)]
fn relu_mask(d: &mut [f32], h: &[f32]) {
    for (d, &h) in d.iter_mut().zip(h) {
        if h <= 0.0 {
            *d = 0.0;
        }
    }
}

/// Row sums of an `r x c` column-major matrix into `out`.
#[inline(always)]
fn row_sums(m: &[f32], r: usize, out: &mut [f32]) {
    out.copy_from_slice(&m[..r]);
    for col in m.chunks_exact(r).skip(1) {
        for (o, &v) in out.iter_mut().zip(col) {
            *o += v;
        }
    }
}

/// Overwrites `col` with `softmax(col) - onehot(label)` scaled by `scale`; returns the loss
/// `logsumexp(col) - col[label]`.
#[inline(always)]
fn softmax_ce_col(col: &mut [f32], label: usize, scale: f32) -> f32 {
    let m = col.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let picked = col[label];
    let mut s = 0.0;
    for v in col.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    let inv = scale / s;
    for v in col.iter_mut() {
        *v *= inv;
    }
    col[label] -= scale;
    m + s.ln() - picked
}

/// Per-sample gradient of [`super::nets::digits_loss`], written into `g`; returns the loss.
#[inline(never)]
pub fn digits_grad(net: &Digits, x: &SVector<f32, 64>, label: usize, g: &mut Digits) -> f32 {
    let mut h1 = net.l1.bias;
    h1.gemv(1.0, &net.l1.weight, x, 1.0);
    relu_in_place(h1.as_mut_slice());
    let mut h2 = net.l2.bias;
    h2.gemv(1.0, &net.l2.weight, &h1, 1.0);
    relu_in_place(h2.as_mut_slice());
    let mut d3 = net.l3.bias;
    d3.gemv(1.0, &net.l3.weight, &h2, 1.0);
    let loss = softmax_ce_col(d3.as_mut_slice(), label, 1.0);

    g.l3.weight.ger(1.0, &d3, &h2, 0.0);
    g.l3.bias = d3;
    let mut d2 = SVector::<f32, 64>::zeros();
    d2.gemv_tr(1.0, &net.l3.weight, &d3, 0.0);
    relu_mask(d2.as_mut_slice(), h2.as_slice());
    g.l2.weight.ger(1.0, &d2, &h1, 0.0);
    g.l2.bias = d2;
    let mut d1 = SVector::<f32, 128>::zeros();
    d1.gemv_tr(1.0, &net.l2.weight, &d2, 0.0);
    relu_mask(d1.as_mut_slice(), h1.as_slice());
    g.l1.weight.ger(1.0, &d1, x, 0.0);
    g.l1.bias = d1;
    loss
}

/// The activations of a 3-layer batch, kept between the forward and backward passes.
pub struct Workspace<const H1: usize, const H2: usize, const O: usize, const B: usize> {
    h1: SMatrix<f32, H1, B>,
    h2: SMatrix<f32, H2, B>,
    d3: SMatrix<f32, O, B>,
    d2: SMatrix<f32, H2, B>,
    d1: SMatrix<f32, H1, B>,
}

impl<const H1: usize, const H2: usize, const O: usize, const B: usize> Workspace<H1, H2, O, B> {
    pub fn new() -> Box<Self> {
        Box::new(Workspace {
            h1: SMatrix::zeros(),
            h2: SMatrix::zeros(),
            d3: SMatrix::zeros(),
            d2: SMatrix::zeros(),
            d1: SMatrix::zeros(),
        })
    }
}

/// `y = W x + b 1ᵀ` through GEMM.
#[inline(always)]
fn dense_fwd<const I: usize, const O: usize, const B: usize>(
    l: &Dense<f32, I, O>,
    x: &[f32],
    y: &mut SMatrix<f32, O, B>,
) {
    for mut col in y.column_iter_mut() {
        col.copy_from(&l.bias);
    }
    gemm(
        O,
        I,
        B,
        l.weight.as_slice(),
        false,
        x,
        false,
        1.0,
        y.as_mut_slice(),
    );
}

/// `g.weight = d xᵀ`, `g.bias = d 1`.
#[inline(always)]
fn dense_grad<const I: usize, const O: usize, const B: usize>(
    d: &SMatrix<f32, O, B>,
    x: &[f32],
    g: &mut Dense<f32, I, O>,
) {
    gemm(
        O,
        B,
        I,
        d.as_slice(),
        false,
        x,
        true,
        0.0,
        g.weight.as_mut_slice(),
    );
    row_sums(d.as_slice(), O, g.bias.as_mut_slice());
}

/// Mean softmax cross-entropy of a batch through a 3-layer ReLU MLP and its gradient with
/// respect to the layers, written into `g1, g2, g3`; returns the loss.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn mlp3_grad<
    L1: AsDense<f32, I, H1>,
    L2: AsDense<f32, H1, H2>,
    L3: AsDense<f32, H2, O>,
    const I: usize,
    const H1: usize,
    const H2: usize,
    const O: usize,
    const B: usize,
>(
    (l1, l2, l3): (&L1, &L2, &L3),
    x: &SMatrix<f32, I, B>,
    labels: &[usize; B],
    ws: &mut Workspace<H1, H2, O, B>,
    (g1, g2, g3): (&mut L1, &mut L2, &mut L3),
) -> f32 {
    let (l1, l2, l3) = (l1.as_dense(), l2.as_dense(), l3.as_dense());
    dense_fwd(l1, x.as_slice(), &mut ws.h1);
    relu_in_place(ws.h1.as_mut_slice());
    dense_fwd(l2, ws.h1.as_slice(), &mut ws.h2);
    relu_in_place(ws.h2.as_mut_slice());
    dense_fwd(l3, ws.h2.as_slice(), &mut ws.d3);
    let scale = 1.0 / B as f32;
    let mut loss = 0.0;
    for (col, &label) in ws.d3.as_mut_slice().chunks_exact_mut(O).zip(labels) {
        loss += softmax_ce_col(col, label, scale);
    }

    dense_grad(&ws.d3, ws.h2.as_slice(), g3.as_dense_mut());
    gemm(
        H2,
        O,
        B,
        l3.weight.as_slice(),
        true,
        ws.d3.as_slice(),
        false,
        0.0,
        ws.d2.as_mut_slice(),
    );
    relu_mask(ws.d2.as_mut_slice(), ws.h2.as_slice());
    dense_grad(&ws.d2, ws.h1.as_slice(), g2.as_dense_mut());
    gemm(
        H1,
        H2,
        B,
        l2.weight.as_slice(),
        true,
        ws.d2.as_slice(),
        false,
        0.0,
        ws.d1.as_mut_slice(),
    );
    relu_mask(ws.d1.as_mut_slice(), ws.h1.as_slice());
    dense_grad(&ws.d1, x.as_slice(), g1.as_dense_mut());
    loss * scale
}

/// Hand-written batch gradient of [`super::nets::digits_batch_loss`].
#[inline(never)]
pub fn digits_batch_grad<const B: usize>(
    net: &Digits,
    x: &SMatrix<f32, 64, B>,
    labels: &[usize; B],
    ws: &mut Workspace<128, 64, 10, B>,
    g: &mut Digits,
) -> f32 {
    mlp3_grad(
        (&net.l1, &net.l2, &net.l3),
        x,
        labels,
        ws,
        (&mut g.l1, &mut g.l2, &mut g.l3),
    )
}

/// Hand-written batch gradient of [`super::nets::mnist_loss`].
#[inline(never)]
pub fn mnist_grad<const B: usize>(
    net: &Mnist,
    x: &SMatrix<f32, 784, B>,
    labels: &[usize; B],
    ws: &mut Workspace<128, 64, 10, B>,
    g: &mut Mnist,
) -> f32 {
    mlp3_grad(
        (&net.l1, &net.l2, &net.l3),
        x,
        labels,
        ws,
        (&mut g.l1, &mut g.l2, &mut g.l3),
    )
}
