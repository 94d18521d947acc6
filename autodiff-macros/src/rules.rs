//! Which methods have derivatives, and how to call their rules.
//!
//! The formulas live in the runtime (`autodiff_runtime::rules`), one function per operand:
//! `NAME_d_recv` for the receiver and `NAME_d_argK` for the K-th argument, each called as
//! `rule(&recv, &args.., &value, &cotangent)`. This table records the arity of each method and
//! which arguments are differentiable, so the macro can reject a wrong call with a clear error
//! instead of emitting code rustc would reject with a confusing one.

/// A method the macro can differentiate.
pub struct MethodRule {
    pub name: &'static str,
    /// Number of arguments besides the receiver.
    pub arity: usize,
    /// Whether argument K can carry a derivative (`powi`'s exponent cannot).
    pub diff_args: &'static [bool],
    /// Value of the method as a function of its receiver is locally constant
    /// (`floor`, `round`, `is_nan`): no derivative flows, the call is kept as written.
    pub constant: bool,
}

const fn unary(name: &'static str) -> MethodRule {
    MethodRule {
        name,
        arity: 0,
        diff_args: &[],
        constant: false,
    }
}
const fn binary(name: &'static str) -> MethodRule {
    MethodRule {
        name,
        arity: 1,
        diff_args: &[true],
        constant: false,
    }
}
const fn constant(name: &'static str, arity: usize) -> MethodRule {
    MethodRule {
        name,
        arity,
        diff_args: &[],
        constant: true,
    }
}

/// Every method the macro differentiates, scalar and matrix.
pub static METHODS: &[MethodRule] = &[
    // f32 / f64
    unary("sin"),
    unary("cos"),
    unary("tan"),
    unary("asin"),
    unary("acos"),
    unary("atan"),
    unary("sinh"),
    unary("cosh"),
    unary("tanh"),
    unary("asinh"),
    unary("acosh"),
    unary("atanh"),
    unary("exp"),
    unary("exp2"),
    unary("exp_m1"),
    unary("ln"),
    unary("ln_1p"),
    unary("log2"),
    unary("log10"),
    unary("sqrt"),
    unary("cbrt"),
    unary("recip"),
    unary("to_degrees"),
    unary("to_radians"),
    unary("abs"),
    unary("signum"),
    binary("powf"),
    binary("log"),
    binary("atan2"),
    binary("hypot"),
    binary("max"),
    binary("min"),
    MethodRule {
        name: "powi",
        arity: 1,
        diff_args: &[false],
        constant: false,
    },
    MethodRule {
        name: "mul_add",
        arity: 2,
        diff_args: &[true, true],
        constant: false,
    },
    MethodRule {
        name: "clamp",
        arity: 2,
        diff_args: &[true, true],
        constant: false,
    },
    // nalgebra fixed-size matrices and vectors
    unary("transpose"),
    binary("dot"),
    binary("component_mul"),
    binary("component_div"),
    unary("sum"),
    unary("norm"),
    unary("norm_squared"),
    // piecewise constant: derivative zero almost everywhere (PyTorch and JAX agree)
    constant("floor", 0),
    constant("ceil", 0),
    constant("round", 0),
    constant("trunc", 0),
    constant("is_nan", 0),
    constant("is_finite", 0),
    constant("is_infinite", 0),
    constant("is_sign_positive", 0),
    constant("is_sign_negative", 0),
    constant("len", 0),
    constant("is_empty", 0),
];

/// Methods that return their receiver unchanged in value (`x.clone()`).
pub const IDENTITY_METHODS: &[&str] = &["clone", "to_owned"];

pub fn method(name: &str, arity: usize) -> Option<&'static MethodRule> {
    METHODS.iter().find(|m| m.name == name && m.arity == arity)
}

pub fn method_any_arity(name: &str) -> Option<&'static MethodRule> {
    METHODS.iter().find(|m| m.name == name)
}

/// A readable list of supported method names for error messages.
pub fn method_names() -> String {
    let names: Vec<&str> = METHODS
        .iter()
        .filter(|m| !m.constant)
        .map(|m| m.name)
        .collect();
    names.join(", ")
}

/// Type names whose `::new(..)` builds a fixed-size nalgebra matrix from its entries
/// (given row by row).
pub fn is_constructor_type(name: &str) -> bool {
    let starts = [
        "Vector",
        "SVector",
        "Matrix",
        "SMatrix",
        "RowVector",
        "RowSVector",
        "Point",
    ];
    starts.iter().any(|s| name.starts_with(s))
}

/// Parameter types that are never differentiated.
pub fn is_inactive_type_name(name: &str) -> bool {
    matches!(
        name,
        "usize"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "bool"
            | "char"
            | "str"
            | "String"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_distinguishes_arity() {
        assert!(method("max", 1).is_some());
        assert!(method("max", 0).is_none());
        assert!(method("sin", 0).is_some());
        assert_eq!(method("powi", 1).map(|m| m.diff_args), Some(&[false][..]));
        assert!(method_names().contains("atan2"));
        assert!(!method_names().contains("floor"));
    }
}
