// Forms found by the held-out suite.
#![allow(clippy::needless_late_init, clippy::single_match)]
#![allow(clippy::assign_op_pattern)]
#![allow(clippy::needless_range_loop)]
use autodiff::differentiate;
use nalgebra::SVector;

#[differentiate]
fn if_in_for(x: f64) -> f64 {
    let mut s = 0.0;
    for _i in 0..3 {
        if x > 0.0 {
            s = s + x;
        } else {
            s = s - x;
        }
    }
    s
}

#[differentiate]
fn nested(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for _i in 0..2 {
        for _j in 0..n {
            s = s + x * x;
        }
    }
    s
}

#[differentiate]
fn loop_stmt(mut x: f64) -> f64 {
    loop {
        x = x.sin() * 0.5;
        if x < 0.1 {
            break;
        }
    }
    x
}

#[differentiate]
fn iter_sum(x: &SVector<f64, 3>, a: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v * v;
    }
    for (i, v) in a.iter().enumerate() {
        s += v * (i as f64);
    }
    for i in 0..a.len() {
        s += a[i];
    }
    s
}

#[differentiate]
fn mixed_while(x: f64) -> f64 {
    let mut k = 0;
    let mut y = x;
    while k < 3 {
        if k == 1 {
            k += 2;
            y = y * 0.9;
        } else {
            k += 1;
            y = y + x;
        }
    }
    let mut e = 7u32;
    e >>= 1;
    y * e as f64
}

#[differentiate]
fn g(x: f64, #[no_grad] s: f64) -> f64 {
    x * s
}

#[differentiate]
fn calls_no_grad(x: f64, s: f64) -> f64 {
    g(x, 2.0) + f64::sin(x) + f64::max(x, s)
}

#[differentiate]
fn deferred(x: f64) -> f64 {
    let r;
    if x > 1.0 {
        r = x * x;
    } else {
        r = x;
    }
    r
}

#[differentiate]
fn match_return(x: f64, mode: usize) -> f64 {
    match mode {
        0 => return x.sin(),
        _ => {}
    }
    x * x
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

#[test]
fn suite_forms() {
    close(if_in_for_grad(2.0).1, 3.0);
    close(if_in_for_grad(-2.0).1, -3.0);
    close(nested_grad(1.5, 3).1, 2.0 * 3.0 * 2.0 * 1.5);
    // cos iterated until < 0.1: compare with finite differences of the original
    let fd = (loop_stmt(1.0 + 1e-6) - loop_stmt(1.0 - 1e-6)) / 2e-6;
    close(loop_stmt_grad(1.0).1, fd);
    let x = SVector::<f64, 3>::new(0.5, -1.0, 2.0);
    let (_, (dx, da)) = iter_sum_grad(&x, [1.0, 2.0, 3.0]);
    assert_eq!(dx, x * 2.0);
    assert_eq!(da, [1.0, 2.0, 3.0]);
    // k: 0 -> y = 2x; k = 1 -> y *= 0.9, k = 3; e = 3: 3 * 0.9 * 2x
    close(mixed_while_grad(1.3).1, 3.0 * 0.9 * 2.0);
    let (_, (dx, ds)) = calls_no_grad_grad(0.7, 2.0);
    close(dx, 2.0 + 0.7f64.cos());
    close(ds, 1.0);
    close(deferred_grad(2.0).1, 4.0);
    close(deferred_grad(0.5).1, 1.0);
    close(match_return_grad(0.3, 0).1, 0.3f64.cos());
    close(match_return_grad(0.3, 1).1, 0.6);
}
