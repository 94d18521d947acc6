//! The scalar types gradients are computed in: `f32` and `f64`.

use nalgebra::RealField;

/// A floating-point scalar usable in differentiated code (`f32` or `f64`).
///
/// Everything nalgebra's [`RealField`] offers is available, plus lossless-enough
/// conversion to and from `f64` for constants, metrics and checkpoints.
pub trait Real: RealField + Copy + Default + Send + Sync + 'static {
    /// Converts from `f64` (rounding for `f32`).
    fn of_f64(x: f64) -> Self;
    /// Converts to `f64` (exact for both `f32` and `f64`).
    fn as_f64(self) -> f64;
    /// The dtype name used in checkpoints (`"F32"` or `"F64"`).
    const DTYPE: &'static str;
}

impl Real for f32 {
    fn of_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    const DTYPE: &'static str = "F32";
}

impl Real for f64 {
    fn of_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    const DTYPE: &'static str = "F64";
}
