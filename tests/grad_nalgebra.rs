//! Gradient checks of nalgebra fixed-size code: `SVector`/`SMatrix` by value and by
//! reference, arithmetic, products, methods, index reads, arrays, constructors, and
//! vector-valued functions through their pullbacks. Gradients with respect to matrices are
//! checked entry by entry against central finite differences.

mod common;

use autodiff::differentiate;
use autodiff::gradcheck::{Tolerance, check_vjp};
use common::*;
use nalgebra::{
    Matrix2, Matrix2x3, RowVector3, SMatrix, SVector, Vector2, Vector3, matrix, vector,
};
use proptest::prelude::*;

type V2 = SVector<f64, 2>;
type V3 = SVector<f64, 3>;
type M22 = SMatrix<f64, 2, 2>;
type M23 = SMatrix<f64, 2, 3>;
type M32 = SMatrix<f64, 3, 2>;

fn a3() -> V3 {
    vector![0.3, -1.2, 0.8]
}
fn b3() -> V3 {
    vector![-0.7, 0.4, 1.5]
}
fn w23() -> M23 {
    matrix![0.1, -0.4, 0.9; 1.2, 0.3, -0.8]
}
fn m32() -> M32 {
    matrix![0.3, 0.2; -1.1, 0.45; 0.6, -0.9]
}

/// Checks the gradient of `f` with respect to each argument of a two-argument function,
/// holding the other fixed.
#[track_caller]
fn check_two<A, B>(what: &str, f: impl Fn(&A, &B) -> f64, a: &A, b: &B, value: f64, da: &A, db: &B)
where
    A: autodiff::Params<Scalar = f64> + Clone,
    B: autodiff::Params<Scalar = f64> + Clone,
{
    assert_value(what, value, f(a, b));
    assert_grad(&format!("{what}, first argument"), |a| f(a, b), a, da);
    assert_grad(&format!("{what}, second argument"), |b| f(a, b), b, db);
}

// ---- + - and negation ----

#[differentiate]
fn add_sub_refs(a: &V3, b: &V3) -> f64 {
    let c = a + b;
    let d = a - b;
    c.dot(&d) + c.norm_squared() * 0.5 + d.sum()
}

#[test]
fn add_sub_on_vector_references() {
    let (a, b) = (a3(), b3());
    let (v, (da, db)) = add_sub_refs_grad(&a, &b);
    check_two("add_sub_refs", add_sub_refs, &a, &b, v, &da, &db);
}

#[allow(clippy::op_ref)] // `&c - &d` is the syntax under test
#[differentiate]
fn add_sub_by_value(a: M23, b: M23) -> f64 {
    let c = a + b;
    let d = a - b;
    let e = &c - &d;
    c.component_mul(&d).sum() + (e - d * 2.0).norm()
}

#[test]
fn add_sub_on_matrices_by_value() {
    let (a, b) = (w23(), mat::<2, 3>(11));
    let (v, (da, db)) = add_sub_by_value_grad(a, b);
    check_two(
        "add_sub_by_value",
        |a, b| add_sub_by_value(*a, *b),
        &a,
        &b,
        v,
        &da,
        &db,
    );
}

#[differentiate]
fn negation(a: &V3, m: &M23) -> f64 {
    let n = -a;
    let k = -(m * 2.0);
    let j = -(-m);
    (k * n).sum() + j.norm_squared() + (-n).dot(a)
}

#[test]
fn negation_of_vectors_and_matrices() {
    let (a, m) = (a3(), w23());
    let (v, (da, dm)) = negation_grad(&a, &m);
    check_two("negation", negation, &a, &m, v, &da, &dm);
}

// ---- scalars with matrices ----

#[differentiate]
fn scalar_and_matrix(s: f64, m: &M23) -> f64 {
    let a = s * m;
    let b = m * s;
    let c = m / s;
    let d = 2.0 * m + m * 0.5 - m / 4.0;
    (a + b).norm_squared() + c.sum() * s + d.dot(&c)
}

#[test]
fn scalar_times_over_matrix() {
    let m = w23();
    for s in [-1.7, 0.6, 2.2] {
        let (v, (ds, dm)) = scalar_and_matrix_grad(s, &m);
        check_two(
            "scalar_and_matrix",
            |s, m| scalar_and_matrix(*s, m),
            &s,
            &m,
            v,
            &ds,
            &dm,
        );
    }
}

// ---- products ----

#[differentiate]
fn matrix_vector(w: &M23, x: &V3) -> f64 {
    let z = w * x;
    z.dot(&z) + z[0] * 3.0 - z[1]
}

#[test]
fn matrix_times_vector() {
    let (w, x) = (w23(), a3());
    let (v, (dw, dx)) = matrix_vector_grad(&w, &x);
    check_two("matrix_vector", matrix_vector, &w, &x, v, &dw, &dx);
}

#[differentiate]
fn matrix_matrix(a: &M23, b: &M32) -> f64 {
    let c = a * b;
    let d = b * a;
    c.norm_squared() + c[(0, 1)] * 3.0 + d.transpose()[(2, 0)] - d.sum()
}

#[test]
fn matrix_times_matrix() {
    let (a, b) = (w23(), m32());
    let (v, (da, db)) = matrix_matrix_grad(&a, &b);
    check_two("matrix_matrix", matrix_matrix, &a, &b, v, &da, &db);
}

#[differentiate]
fn two_layer(w1: &SMatrix<f64, 4, 3>, w2: &SMatrix<f64, 2, 4>, x: &V3) -> f64 {
    let h = w1 * x;
    let o = w2 * h;
    let r = w2 * w1;
    o.norm_squared() + (r * x).sum()
}

#[test]
fn chained_products() {
    let (w1, w2, x) = (mat::<4, 3>(1), mat::<2, 4>(2), a3());
    let (v, (d1, d2, dx)) = two_layer_grad(&w1, &w2, &x);
    assert_value("two_layer", v, two_layer(&w1, &w2, &x));
    assert_grad("two_layer w1", |w| two_layer(w, &w2, &x), &w1, &d1);
    assert_grad("two_layer w2", |w| two_layer(&w1, w, &x), &w2, &d2);
    assert_grad("two_layer x", |x| two_layer(&w1, &w2, x), &x, &dx);
}

// ---- methods ----

#[differentiate]
fn transpose(m: &M23, v: &V2) -> f64 {
    let t = m.transpose();
    let r = v.transpose() * m;
    (t * v).sum() + r.norm_squared() + (v.transpose() * v)[(0, 0)]
}

#[test]
fn transpose_matches_fd() {
    let (m, v) = (w23(), vector![0.6, -1.4]);
    let (val, (dm, dv)) = transpose_grad(&m, &v);
    check_two("transpose", transpose, &m, &v, val, &dm, &dv);
}

#[differentiate]
fn dot_forms(a: &V3, b: &V3, c: V3) -> f64 {
    a.dot(b) + a.dot(&c) * b.dot(&c) + c.dot(&c)
}

#[test]
fn dot_with_reference_and_value_arguments() {
    let (a, b, c) = (a3(), b3(), vector![1.1, 0.2, -0.5]);
    let (v, (da, db, dc)) = dot_forms_grad(&a, &b, c);
    assert_value("dot_forms", v, dot_forms(&a, &b, c));
    assert_grad("dot_forms a", |a| dot_forms(a, &b, c), &a, &da);
    assert_grad("dot_forms b", |b| dot_forms(&a, b, c), &b, &db);
    assert_grad("dot_forms c", |c| dot_forms(&a, &b, *c), &c, &dc);
}

#[differentiate]
fn component_ops(a: &M23, b: &M23) -> f64 {
    let p = a.component_mul(b);
    let q = a.component_div(b);
    let r = b.component_div(&p);
    p.sum() + q.norm_squared() + r.sum()
}

#[test]
fn component_mul_and_div() {
    let a = w23();
    let b = matrix![1.3, -0.7, 0.9; -1.5, 0.8, 2.0];
    let (v, (da, db)) = component_ops_grad(&a, &b);
    check_two("component_ops", component_ops, &a, &b, v, &da, &db);
}

#[differentiate]
fn reductions(a: &M23, v: &V3) -> f64 {
    a.sum() * v.norm() + a.norm() + v.norm_squared() * a.norm_squared() + (a * v).norm()
}

#[test]
fn sum_norm_norm_squared() {
    let (a, v) = (w23(), a3());
    let (val, (da, dv)) = reductions_grad(&a, &v);
    check_two("reductions", reductions, &a, &v, val, &da, &dv);
}

#[differentiate]
fn norm_only(v: &V3) -> f64 {
    v.norm()
}

#[test]
fn norm_at_zero_is_zero() {
    let (val, dv) = norm_only_grad(&V3::zeros());
    assert_eq!(val, 0.0);
    assert_eq!(dv, V3::zeros());
}

// ---- index reads ----

#[differentiate]
fn index_reads(v: &V3, m: &M23, k: usize) -> f64 {
    let i = 2;
    let r = 1;
    let c = 0;
    v[0] * v[i] + m[(r, c)] * m[(0, 2)] + v[k] * m[(1, 1)] + (m * v)[1]
}

#[test]
fn index_reads_on_vectors_and_matrices() {
    let (v, m) = (a3(), w23());
    for k in 0..3 {
        let (val, (dv, dm)) = index_reads_grad(&v, &m, k);
        check_two(
            &format!("index_reads k = {k}"),
            |v, m| index_reads(v, m, k),
            &v,
            &m,
            val,
            &dv,
            &dm,
        );
    }
}

#[differentiate]
fn index_only(v: &V3) -> f64 {
    v[1]
}

#[test]
fn gradient_of_one_entry_is_a_unit_vector() {
    assert_eq!(index_only_grad(&a3()), (-1.2, vector![0.0, 1.0, 0.0]));
}

#[differentiate]
fn array_params(a: [f64; 3], b: &[f64; 2]) -> f64 {
    a[0] * a[1] + a[2].sin() * b[1] + b[0] * b[0] * a[0]
}

#[test]
fn array_parameters_by_value_and_reference() {
    let (a, b) = ([0.4, -1.3, 2.1], [0.7, -0.2]);
    let (v, (da, db)) = array_params_grad(a, &b);
    check_two(
        "array_params",
        |a, b| array_params(*a, b),
        &a,
        &b,
        v,
        &da,
        &db,
    );
}

// ---- constructors and array literals ----

#[differentiate]
fn vector_constructor(x: f64, y: f64) -> f64 {
    let v = Vector3::new(x, y, x * y);
    let w = SVector::<f64, 3>::new(1.0, y, 0.5);
    v.norm_squared() + v.dot(&w) + Vector2::new(y, x)[0] * 3.0
}

#[test]
fn vector3_new_from_scalars() {
    check_2(
        "vector_constructor",
        vector_constructor,
        vector_constructor_grad,
        &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9)],
    );
}

#[differentiate]
fn matrix_constructor(x: f64, y: f64) -> f64 {
    // Row-major arguments: the matrix is [[x, y], [0, x*y]].
    let m = Matrix2::new(x, y, 0.0, x * y);
    let out = m * Vector2::new(1.0, 2.0);
    let r = Matrix2x3::new(x, 1.0, 2.0, 3.0, y, 4.0);
    let row = RowVector3::new(y, x, 1.0);
    out[0] + 10.0 * out[1] + r[(0, 0)] * r[(1, 1)] * 5.0 + m[(0, 1)] * 7.0 + row[1] * 11.0
}

#[test]
fn matrix_new_arguments_are_row_major() {
    check_2(
        "matrix_constructor",
        matrix_constructor,
        matrix_constructor_grad,
        &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9)],
    );
    // Independent of finite differences: with (x, y) = (1, 2),
    // f = (x + 2y) + 10·(2xy) + 5xy + 7y + 11x, so df/dx = 1 + 20y + 5y + 11 = 62.
    let (_, (dx, dy)) = matrix_constructor_grad(1.0, 2.0);
    assert!((dx - 62.0).abs() < 1e-12, "{dx}");
    assert!((dy - (2.0 + 20.0 + 5.0 + 7.0)).abs() < 1e-12, "{dy}");
}

#[differentiate]
fn array_literal(x: f64, y: f64) -> f64 {
    let a = [x, y];
    let b = [x * y, y.sin(), 3.0];
    a[0] * a[1] + 2.0 * b[1] + b[0] * a[0] + b[2]
}

#[test]
fn array_literals_indexed_afterwards() {
    check_2(
        "array_literal",
        array_literal,
        array_literal_grad,
        &[(0.7, -1.3), (-1.1, 0.4), (2.3, 1.9)],
    );
}

#[differentiate]
fn array_of_vectors(a: &V3, b: &V3) -> f64 {
    let vs = [a * 2.0, b - a];
    let ws = [*a, *b];
    vs[0].dot(&vs[1]) + ws[1].norm_squared() * vs[1][2]
}

#[test]
fn array_literal_of_vectors() {
    let (a, b) = (a3(), b3());
    let (v, (da, db)) = array_of_vectors_grad(&a, &b);
    check_two("array_of_vectors", array_of_vectors, &a, &b, v, &da, &db);
}

#[differentiate]
fn compound_on_vectors(a: &V3, b: &V3, s: f64) -> f64 {
    let mut acc = a * 1.0;
    acc += b;
    acc -= a * s;
    acc *= s;
    acc /= 4.0;
    let mut m = Matrix2::new(s, 1.0, 0.5, s * s);
    m *= s;
    m += Matrix2::identity();
    acc.norm_squared() + m.sum()
}

#[test]
fn compound_assignment_on_vectors_and_matrices() {
    let (a, b) = (a3(), b3());
    for s in [-0.7, 0.4, 1.6] {
        let (v, (da, db, ds)) = compound_on_vectors_grad(&a, &b, s);
        assert_value("compound_on_vectors", v, compound_on_vectors(&a, &b, s));
        assert_grad(
            "compound a",
            |a: &V3| compound_on_vectors(a, &b, s),
            &a,
            &da,
        );
        assert_grad(
            "compound b",
            |b: &V3| compound_on_vectors(&a, b, s),
            &b,
            &db,
        );
        assert_grad(
            "compound s",
            |s: &f64| compound_on_vectors(&a, &b, *s),
            &s,
            &ds,
        );
    }
}

#[differentiate]
fn const_generic_size<const N: usize>(v: &SVector<f64, N>, w: &SVector<f64, N>) -> f64 {
    v.dot(w) * v.norm() + w.sum()
}

#[test]
fn const_generic_function() {
    let (a, b) = (a3(), b3());
    let (v, (da, db)) = const_generic_size_grad(&a, &b);
    check_two(
        "const_generic_size::<3>",
        const_generic_size,
        &a,
        &b,
        v,
        &da,
        &db,
    );
    let (p, q) = (mat::<5, 1>(3), mat::<5, 1>(4));
    let (v, (dp, dq)) = const_generic_size_grad(&p, &q);
    check_two(
        "const_generic_size::<5>",
        const_generic_size,
        &p,
        &q,
        v,
        &dp,
        &dq,
    );
}

#[allow(clippy::needless_lifetimes)] // explicit lifetimes are what is under test
#[differentiate]
fn explicit_lifetimes<'a, 'b>(m: &'a M23, x: &'b V3, y: &V2) -> f64 {
    (m * x - y).norm_squared()
}

#[test]
fn explicit_and_elided_lifetimes() {
    let (m, x, y) = (w23(), a3(), vector![0.5, -0.5]);
    let (v, (dm, dx, dy)) = explicit_lifetimes_grad(&m, &x, &y);
    assert_value("explicit_lifetimes", v, explicit_lifetimes(&m, &x, &y));
    assert_grad(
        "lifetimes m",
        |m: &M23| explicit_lifetimes(m, &x, &y),
        &m,
        &dm,
    );
    assert_grad(
        "lifetimes x",
        |x: &V3| explicit_lifetimes(&m, x, &y),
        &x,
        &dx,
    );
    assert_grad(
        "lifetimes y",
        |y: &V2| explicit_lifetimes(&m, &x, y),
        &y,
        &dy,
    );
}

// ---- gradients with respect to whole matrices ----

#[differentiate]
fn quadratic_form(a: &SMatrix<f64, 3, 3>, x: &V3) -> f64 {
    let ax = a * x;
    x.dot(&ax) + (a.transpose() * a).sum() * 0.1
}

#[test]
fn matrix_gradient_checked_entrywise() {
    let a = mat::<3, 3>(5);
    let x = b3();
    let (v, (da, dx)) = quadratic_form_grad(&a, &x);
    check_two("quadratic_form", quadratic_form, &a, &x, v, &da, &dx);
    // Every entry of the matrix gradient is non-trivially exercised.
    assert!(da.iter().all(|g| g.abs() > 1e-6), "{da}");
}

// ---- vector- and matrix-valued functions: pullbacks ----

#[differentiate]
fn vector_valued(w: &M23, x: &V3) -> Vector2<f64> {
    let z = w * x;
    z.component_mul(&z) + z * 2.0
}

#[test]
fn vector_valued_pullback_matches_vjp_fd() {
    let (w, x) = (w23(), a3());
    let (v, _) = vector_valued_pullback(&w, &x);
    assert_eq!(v, vector_valued(&w, &x));
    check_vjp(
        |w: &M23| vector_valued(w, &x),
        |w, d| vector_valued_pullback(w, &x).1(*d).0,
        &w,
        Tolerance::default(),
    )
    .unwrap();
    check_vjp(
        |x: &V3| vector_valued(&w, x),
        |x, d| vector_valued_pullback(&w, x).1(*d).1,
        &x,
        Tolerance::default(),
    )
    .unwrap();
}

#[differentiate]
fn matrix_valued(a: &M23, b: &M32) -> SMatrix<f64, 2, 2> {
    let c = a * b;
    c + c.transpose() * 0.5
}

#[test]
fn matrix_valued_pullback_matches_vjp_fd() {
    let (a, b) = (w23(), m32());
    check_vjp(
        |a: &M23| matrix_valued(a, &b),
        |a, d: &M22| matrix_valued_pullback(a, &b).1(*d).0,
        &a,
        Tolerance::default(),
    )
    .unwrap();
    check_vjp(
        |b: &M32| matrix_valued(&a, b),
        |b, d: &M22| matrix_valued_pullback(&a, b).1(*d).1,
        &b,
        Tolerance::default(),
    )
    .unwrap();
}

#[differentiate]
fn vector_from_scalars(x: f64, y: f64) -> Vector3<f64> {
    Vector3::new(x * y, x.sin(), y * 2.0)
}

#[test]
fn vector_from_scalars_vjp_matches_fd() {
    let p = [0.8, -1.1];
    let f = |p: &[f64; 2]| vector_from_scalars(p[0], p[1]);
    check_vjp(
        f,
        |p, d: &V3| {
            let (a, b) = vector_from_scalars_pullback(p[0], p[1]).1(*d);
            [a, b]
        },
        &p,
        Tolerance::default(),
    )
    .unwrap();
}

// ---- f32 ----

#[differentiate]
fn mlp_f32(w: &SMatrix<f32, 2, 3>, x: &SVector<f32, 3>, s: f32) -> f32 {
    let z = w * x * s;
    let t = w.transpose() * z;
    z.norm_squared() + t.dot(x) + w.component_mul(w).sum() / 2.0 + z[1]
}

fn mlp_f64(w: &M23, x: &V3, s: f64) -> f64 {
    let z = w * x * s;
    let t = w.transpose() * z;
    z.norm_squared() + t.dot(x) + w.component_mul(w).sum() / 2.0 + z[1]
}

#[test]
fn f32_matrix_code_matches_f64_fd() {
    let (w, x, s) = (w23().cast::<f32>(), a3().cast::<f32>(), 0.7f32);
    let (v, (dw, dx, ds)) = mlp_f32_grad(&w, &x, s);
    let (w64, x64, s64) = (wide(&w), wide(&x), s as f64);
    assert!((v as f64 - mlp_f64(&w64, &x64, s64)).abs() < 1e-4);
    assert_grad_f32("mlp_f32 w", |w| mlp_f64(w, &x64, s64), &w64, &wide(&dw));
    assert_grad_f32("mlp_f32 x", |x| mlp_f64(&w64, x, s64), &x64, &wide(&dx));
    assert_grad_f32("mlp_f32 s", |s| mlp_f64(&w64, &x64, *s), &s64, &(ds as f64));
}

// ---- properties ----

fn m23_strategy() -> impl Strategy<Value = M23> {
    proptest::array::uniform6(-2.0f64..2.0).prop_map(|a| M23::from_column_slice(&a))
}

fn v3_strategy() -> impl Strategy<Value = V3> {
    proptest::array::uniform3(-2.0f64..2.0).prop_map(|a| V3::from_column_slice(&a))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn matrix_vector_gradcheck(w in m23_strategy(), x in v3_strategy()) {
        let (_, (dw, dx)) = matrix_vector_grad(&w, &x);
        let r = autodiff::gradcheck::check_gradient(
            |w: &M23| matrix_vector(w, &x), &w, &dw, Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        let r = autodiff::gradcheck::check_gradient(
            |x: &V3| matrix_vector(&w, x), &x, &dx, Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn reductions_gradcheck(a in m23_strategy(), v in v3_strategy()) {
        prop_assume!(v.norm() > 1e-2 && a.norm() > 1e-2 && (a * v).norm() > 1e-2);
        let (_, (da, dv)) = reductions_grad(&a, &v);
        let r = autodiff::gradcheck::check_gradient(
            |a: &M23| reductions(a, &v), &a, &da, Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        let r = autodiff::gradcheck::check_gradient(
            |v: &V3| reductions(&a, v), &v, &dv, Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}
