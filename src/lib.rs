//! # autodiff
//!
//! Compile-time reverse-mode automatic differentiation for Rust (manual below).

#[doc(inline)]
pub use autodiff_macros::{Params, differentiate};
pub use autodiff_runtime::*;

/// nalgebra, re-exported so generated code and users agree on one version.
pub use nalgebra;

#[doc(hidden)]
pub use autodiff_runtime::__private;
