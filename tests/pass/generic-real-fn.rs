// Regression: this used to fail as described below; it must compile and give the right values.
//! A function generic over the scalar (`T: Real`, the trait documented as "a floating-point
//! scalar usable in differentiated code") does not compile: the arithmetic rules
//! (`MulRule`, `AddRule`) are implemented only for the concrete `f32`/`f64`, and `accum`
//! needs `T: Params`, neither of which `T: Real` implies.
use autodiff::{Real, differentiate};

#[differentiate]
fn f<T: Real>(x: T, y: T) -> T {
    x.sin() * y + x * x
}

fn main() {
    let (_, (dx, dy)) = f_grad(0.5f64, 2.0);
    assert!((dx - (2.0 * 0.5f64.cos() + 1.0)).abs() < 1e-12);
    assert!((dy - 0.5f64.sin()).abs() < 1e-12);
    let (_, (dx32, _)) = f_grad(0.5f32, 2.0);
    assert!((dx32 - (2.0 * 0.5f32.cos() + 1.0)).abs() < 1e-5);
}
