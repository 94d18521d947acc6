// Matrices: `m.determinant()` of an `SMatrix<f64, 3, 3>` (no rule for the method).
// Bucket G: unsupported, not in the README's list.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;
use nalgebra::SMatrix;
use suite_common::smat;

mod det_method {
    use super::*;
    #[differentiate]
    pub fn f(m: SMatrix<f64, 3, 3>) -> f64 {
        m.determinant()
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            det_method,
            |x| (smat(x)),
            &[
                &[1.0, 0.5, 0.2, 2.0, 0.3, -0.7, 1.0, 2.0, 3.0],
                &[2.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.7],
                &[0.1, 0.2, 0.3, 0.4, -2.0, 0.5, -1.0, 0.0, 1.0]
            ]
        )],
    );
}
