use autodiff::differentiate;

unsafe fn scale(x: f64) -> f64 {
    2.0 * x
}

#[differentiate]
fn f(x: f64) -> f64 {
    let y = unsafe { scale(x) };
    y
}

fn main() {}
