// Regression: this used to fail as described below; it must compile and give the right values.
// A function generic over the scalar type with the facade's own `Real` bound. Today:
// error[E0277] `T: MulRule<_>` / `T: Params` not satisfied, on the attribute: `Real` does
// not imply the rule traits the expansion needs, and the user cannot name them (they live
// in `__private`).
use autodiff::{Real, differentiate};

#[differentiate]
fn f<T: Real>(x: T, y: T) -> T {
    x * y + x.sin()
}

fn main() {
    let (x, y) = (0.5f64, 2.0f64);
    let (value, (dx, dy)) = f_grad(x, y);
    assert!((value - (x * y + x.sin())).abs() < 1e-12);
    assert!((dx - (y + x.cos())).abs() < 1e-12);
    assert!((dy - x).abs() < 1e-12);
    let (_, (dx, _)) = f_grad(0.5f32, 2.0f32);
    assert!((dx - (2.0 + 0.5f32.cos())).abs() < 1e-6);
}
