// Branches: `match` on a plain enum parameter (activation kind); the enum is treated as differentiated.
// Bucket G: unsupported, not in the README's list.
// cause: enum parameters are differentiated by default; with `#[no_grad] act: Act` it compiles.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod enum_param {
    use super::*;
    #[derive(Clone, Copy)]
    pub enum Act {
        Tanh,
        Sigmoid,
        Relu,
    }
    #[differentiate]
    pub fn f(x: f64, act: Act) -> f64 {
        match act {
            Act::Tanh => x.tanh(),
            Act::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Act::Relu => x.max(0.0),
        }
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            enum_param,
            |x| (x[0], enum_param::Act::Tanh),
            &[&[0.5], &[-2.0], &[1.0]]
        )],
    );
}
