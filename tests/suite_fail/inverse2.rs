// Matrices: `m.try_inverse().unwrap() * b` (no rule for inverse).
// Bucket G: unsupported, not in the README's list.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
use nalgebra::{Matrix2, Vector2};
use suite_common::{smat, svec};

mod inverse2 {
    use super::*;
    #[differentiate]
    pub fn f(m: Matrix2<f64>, b: Vector2<f64>) -> f64 {
        let x = m.try_inverse().unwrap() * b;
        x.norm_squared()
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            inverse2,
            |x| (smat(&x[..4]), svec(&x[4..])),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5]
            ]
        )],
    );
}
