// Control flow compiles and differentiates: each function is checked against its analytic
// derivative at points on both sides of its branches and with different trip counts.
use autodiff::differentiate;

#[differentiate]
fn branch(x: f64) -> f64 {
    let y = if x > 0.0 { x * x } else { x };
    y
}

#[differentiate]
fn cube(x: f64) -> f64 {
    let mut i = 0;
    let mut acc = 1.0;
    let y = loop {
        acc = acc * x;
        i += 1;
        if i == 3 {
            break acc;
        }
    };
    y
}

#[differentiate]
fn pick(x: f64, k: usize) -> f64 {
    let y = match k {
        0 => x * x,
        _ => x.sin(),
    };
    y
}

#[differentiate]
fn statements(x: f64, n: usize) -> f64 {
    let mut acc = 0.0;
    for _ in 0..n {
        acc = acc * x + 1.0;
    }
    let mut y = acc;
    while y > 10.0 {
        y = y * 0.5;
    }
    if x > 1.0 {
        y = y * x;
    }
    y
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

fn main() {
    close(branch_grad(1.5).1, 3.0);
    close(branch_grad(-1.5).1, 1.0);
    close(cube_grad(1.2).1, 3.0 * 1.44);
    close(pick_grad(0.7, 0).1, 1.4);
    close(pick_grad(0.7, 1).1, 0.7f64.cos());
    // n = 3: acc = x^2 + x + 1 (< 10 near x = 0.5), no halving, x <= 1: dy/dx = 2x + 1
    close(statements_grad(0.5, 3).1, 2.0);
    // x = 2, n = 3: acc = 7, y = 7 * 2 = 14; dy/dx = (2x + 1) x + acc = 10 + 7
    close(statements_grad(2.0, 3).1, 17.0);
}
