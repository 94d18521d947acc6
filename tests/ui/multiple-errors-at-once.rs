use autodiff::differentiate;

unsafe fn scale(x: f64) -> f64 {
    2.0 * x
}

// Three independent mistakes in one function: all three are reported in one build.
#[differentiate]
fn f(x: f64, y: f64, z: f64) -> f64 {
    let a = x.frobnicate();
    let b = unsafe { scale(y) };
    let (c, _) = (z, 1.0);
    a + b + c
}

fn main() {}
