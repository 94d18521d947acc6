// `#[differentiate]` on an associated function without a receiver. Today: error[E0425]
// cannot find function `loss_pullback` in this scope, pointing at `loss`, with rustc's
// suggestion `fn Self::loss(..)`: the generated `loss_grad` calls `loss_pullback` by bare
// name. Either support it (below) or reject it like `&self` methods, with a message.
use autodiff::differentiate;

struct Model;

impl Model {
    #[differentiate]
    fn loss(x: f64) -> f64 {
        x * x
    }
}

fn main() {
    assert_eq!(Model::loss_grad(3.0), (9.0, 6.0));
}
