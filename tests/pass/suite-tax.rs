// Branches: `let tax;` declared without a value and assigned in every branch of an else-if chain.
// Bucket G: unsupported, not in the README's list.
#![allow(clippy::all, unused_assignments, unused_mut)]

#[path = "../suite_common/mod.rs"]
mod suite_common;

use autodiff::differentiate;

mod tax {
    use super::*;
    // Marginal tax: 10% to 10k, 20% to 40k, 40% above; income and a deduction are active.
    #[differentiate]
    pub fn f(income: f64, deduction: f64) -> f64 {
        let taxable = income - deduction;
        let tax;
        if taxable <= 10_000.0 {
            tax = 0.1 * taxable;
        } else if taxable <= 40_000.0 {
            tax = 1_000.0 + 0.2 * (taxable - 10_000.0);
        } else {
            tax = 7_000.0 + 0.4 * (taxable - 40_000.0);
        }
        tax
    }
}

fn main() {
    suite_common::run(
        "fail",
        &[case!(
            tax,
            |x| (x[0], x[1]),
            &[
                &[9_000.0, 500.0],
                &[30_000.0, 2_000.0],
                &[80_000.0, 5_000.0]
            ]
        )],
    );
}
