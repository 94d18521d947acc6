//! Parameter structs: `#[derive(Params)]` structs of weights and biases passed to
//! `#[differentiate]` functions, field access (`net.w1`, `net.l1.w`, `net.layers[0].w`), the
//! gradient returned as the same struct type and checked entry by entry against finite
//! differences, and the `Params` trait methods of derived structs.

mod common;

use autodiff::gradcheck::{Tolerance, check_gradient, flatten, unflatten};
use autodiff::{Params, Real, differentiate};
use common::*;
use nalgebra::{SMatrix, SVector, Vector2, Vector3, Vector4, vector};
use proptest::prelude::*;

type V2 = SVector<f64, 2>;
type V3 = SVector<f64, 3>;

// ---- a flat MLP ----

#[derive(Params, Clone, Debug, PartialEq)]
struct Mlp {
    w1: SMatrix<f64, 4, 3>,
    b1: SVector<f64, 4>,
    w2: SMatrix<f64, 2, 4>,
    b2: SVector<f64, 2>,
}

fn mlp(seed: u64) -> Mlp {
    Mlp {
        w1: mat(seed),
        b1: mat(seed + 1),
        w2: mat(seed + 2),
        b2: mat(seed + 3),
    }
}

#[differentiate]
fn mlp_loss(net: &Mlp, x: &V3, y: &V2) -> f64 {
    let z1 = net.w1 * x + net.b1;
    let h = Vector4::new(z1[0].tanh(), z1[1].tanh(), z1[2].tanh(), z1[3].tanh());
    let out = net.w2 * h + net.b2;
    let err = out - y;
    err.norm_squared() * 0.5
}

#[test]
fn mlp_gradient_is_an_mlp_and_matches_fd() {
    let (net, x, y) = (mlp(1), vector![0.5, -1.2, 0.8], vector![0.3, -0.4]);
    let (v, (g, dx, dy)): (f64, (Mlp, V3, V2)) = mlp_loss_grad(&net, &x, &y);
    assert_value("mlp_loss", v, mlp_loss(&net, &x, &y));
    assert_grad("mlp_loss net", |n: &Mlp| mlp_loss(n, &x, &y), &net, &g);
    assert_grad("mlp_loss x", |x: &V3| mlp_loss(&net, x, &y), &x, &dx);
    assert_grad("mlp_loss y", |y: &V2| mlp_loss(&net, &x, y), &y, &dy);
}

#[differentiate(wrt(net))]
fn mlp_loss_wrt_net(net: &Mlp, x: &V3, y: &V2) -> f64 {
    let h = net.w1 * x + net.b1;
    let h2 = h.component_mul(&h);
    let out = net.w2 * h2 + net.b2;
    (out - y).norm_squared()
}

#[test]
fn wrt_net_returns_the_struct_alone() {
    let (net, x, y) = (mlp(7), vector![-0.3, 0.9, 0.1], vector![1.0, 0.0]);
    let (v, g): (f64, Mlp) = mlp_loss_wrt_net_grad(&net, &x, &y);
    assert_value("mlp_loss_wrt_net", v, mlp_loss_wrt_net(&net, &x, &y));
    assert_grad(
        "mlp_loss_wrt_net",
        |n: &Mlp| mlp_loss_wrt_net(n, &x, &y),
        &net,
        &g,
    );
    // The biases' gradients are the output-layer error terms: never all zero here.
    assert_ne!(g.b2, V2::zeros());
}

#[differentiate(wrt(x))]
fn mlp_loss_wrt_input(net: &Mlp, x: &V3) -> f64 {
    (net.w2 * (net.w1 * x + net.b1) + net.b2).norm_squared() + net.b1[0] * x[1]
}

#[test]
fn wrt_input_treats_the_struct_as_a_constant() {
    let (net, x) = (mlp(12), vector![0.1, -0.6, 0.9]);
    let (v, dx): (f64, V3) = mlp_loss_wrt_input_grad(&net, &x);
    assert_value("mlp_loss_wrt_input", v, mlp_loss_wrt_input(&net, &x));
    assert_grad("wrt_input x", |x: &V3| mlp_loss_wrt_input(&net, x), &x, &dx);
    let (_, pb) = mlp_loss_wrt_input_pullback(&net, &x);
    let ((), dx2) = pb(1.0);
    assert_eq!(dx2, dx);
}

#[differentiate]
fn mlp_by_value(net: Mlp, x: V3) -> f64 {
    let out = net.w2 * (net.w1 * x + net.b1) + net.b2;
    out.sum() + net.w1[(1, 2)] * net.b1[3]
}

#[test]
fn struct_parameter_by_value() {
    let (net, x) = (mlp(3), vector![0.2, 0.4, -0.6]);
    let (v, (g, dx)) = mlp_by_value_grad(net.clone(), x);
    assert_value("mlp_by_value", v, mlp_by_value(net.clone(), x));
    assert_grad(
        "mlp_by_value net",
        |n: &Mlp| mlp_by_value(n.clone(), x),
        &net,
        &g,
    );
    assert_grad(
        "mlp_by_value x",
        |x: &V3| mlp_by_value(net.clone(), *x),
        &x,
        &dx,
    );
}

#[differentiate]
fn one_field_only(net: &Mlp) -> f64 {
    net.b1.norm_squared()
}

#[test]
fn unused_fields_get_exactly_zero_gradient() {
    let net = mlp(9);
    let (_, g) = one_field_only_grad(&net);
    assert_eq!(g.w1, SMatrix::<f64, 4, 3>::zeros());
    assert_eq!(g.w2, SMatrix::<f64, 2, 4>::zeros());
    assert_eq!(g.b2, V2::zeros());
    assert_grad("one_field_only", one_field_only, &net, &g);
}

// ---- nested structs ----

// Layers are concrete structs: `#[derive(Params)]` on a generic `Dense<const I, const O>`
// does not compile yet (see tests/pending_bugs.rs).
macro_rules! dense {
    ($name:ident, $i:literal, $o:literal) => {
        #[derive(Params, Clone, Debug, PartialEq)]
        struct $name {
            w: SMatrix<f64, $o, $i>,
            b: SVector<f64, $o>,
        }

        impl $name {
            fn seeded(seed: u64) -> Self {
                $name {
                    w: mat(seed),
                    b: mat(seed + 100),
                }
            }
        }
    };
}

dense!(D34, 3, 4);
dense!(D42, 4, 2);
dense!(D33, 3, 3);
dense!(D31, 3, 1);
dense!(D22, 2, 2);
dense!(D32, 3, 2);

#[derive(Params, Clone, Debug, PartialEq)]
struct Net {
    l1: D34,
    l2: D42,
}

fn net(seed: u64) -> Net {
    Net {
        l1: D34::seeded(seed),
        l2: D42::seeded(seed + 1),
    }
}

#[differentiate]
fn net_loss(net: &Net, x: &V3) -> f64 {
    let z = net.l1.w * x + net.l1.b;
    let a = z.component_mul(&z) * 0.5 + z;
    let o = net.l2.w * a + net.l2.b;
    o[0].sin() + o[1] * o[1]
}

#[test]
fn nested_struct_fields() {
    let (n, x) = (net(21), vector![0.7, -0.1, 0.4]);
    let (v, (g, dx)): (f64, (Net, V3)) = net_loss_grad(&n, &x);
    assert_value("net_loss", v, net_loss(&n, &x));
    assert_grad("net_loss net", |n: &Net| net_loss(n, &x), &n, &g);
    assert_grad("net_loss x", |x: &V3| net_loss(&n, x), &x, &dx);
}

/// A generic `#[differentiate]` layer function called on fields of the network.
#[differentiate]
fn dense_fwd<const I: usize, const O: usize>(
    w: &SMatrix<f64, O, I>,
    b: &SVector<f64, O>,
    x: &SVector<f64, I>,
) -> SVector<f64, O> {
    w * x + b
}

/// A layer function taking a whole layer struct.
#[differentiate]
fn first_layer(l: &D34, x: &V3) -> SVector<f64, 4> {
    let z = l.w * x + l.b;
    z.component_mul(&z) + z
}

// Only parameters (and their fields) are passed to the layer functions: passing a local
// such as `&h` does not compile yet (see tests/pending_bugs.rs).
#[differentiate]
fn net_loss_via_layers(net: &Net, x: &V3) -> f64 {
    let h = first_layer(&net.l1, x);
    let p = dense_fwd(&net.l1.w, &net.l1.b, x);
    let o = net.l2.w * (h + p) + net.l2.b;
    o.norm_squared() + p.sum()
}

#[test]
fn layer_function_on_struct_fields() {
    let (n, x) = (net(33), vector![0.3, -0.8, 0.5]);
    let (v, (g, dx)) = net_loss_via_layers_grad(&n, &x);
    assert_value("net_loss_via_layers", v, net_loss_via_layers(&n, &x));
    assert_grad(
        "via_layers net",
        |n: &Net| net_loss_via_layers(n, &x),
        &n,
        &g,
    );
    assert_grad("via_layers x", |x: &V3| net_loss_via_layers(&n, x), &x, &dx);
}

#[differentiate]
fn whole_net_helper(net: &Net, x: &V3) -> f64 {
    (net.l2.w * (net.l1.w * x + net.l1.b) + net.l2.b).sum()
}

#[differentiate]
fn net_passed_whole_and_by_field(net: &Net, x: &V3) -> f64 {
    let a = whole_net_helper(net, x);
    let b = net.l1.b.dot(&net.l1.b);
    let c = whole_net_helper(net, x);
    a * c + b
}

#[test]
fn struct_passed_whole_to_a_helper_and_read_by_field() {
    let (n, x) = (net(77), vector![0.2, -0.9, 0.6]);
    let (v, (g, dx)) = net_passed_whole_and_by_field_grad(&n, &x);
    assert_value("whole_and_field", v, net_passed_whole_and_by_field(&n, &x));
    assert_grad(
        "whole_and_field net",
        |n: &Net| net_passed_whole_and_by_field(n, &x),
        &n,
        &g,
    );
    assert_grad(
        "whole_and_field x",
        |x: &V3| net_passed_whole_and_by_field(&n, x),
        &x,
        &dx,
    );
}

#[allow(clippy::borrowed_box)]
#[differentiate]
fn boxed_net_loss(net: &Box<Mlp>, x: &V3) -> f64 {
    let z = net.w1 * x + net.b1;
    (net.w2 * z + net.b2).norm_squared()
}

#[test]
#[allow(clippy::borrowed_box)]
fn boxed_parameter_struct() {
    let (n, x) = (Box::new(mlp(88)), vector![0.3, 0.1, -0.2]);
    let (v, (g, dx)): (f64, (Box<Mlp>, V3)) = boxed_net_loss_grad(&n, &x);
    assert_value("boxed_net_loss", v, boxed_net_loss(&n, &x));
    assert_grad("boxed net", |n: &Box<Mlp>| boxed_net_loss(n, &x), &n, &g);
    assert_grad("boxed x", |x: &V3| boxed_net_loss(&n, x), &x, &dx);
}

#[differentiate]
fn mut_ref_net_loss(net: &mut Mlp, x: &V3) -> f64 {
    (net.w1 * x).dot(&net.b1)
}

#[test]
fn mut_reference_parameter_struct() {
    let (n, x) = (mlp(99), vector![0.3, 0.1, -0.2]);
    let mut m = n.clone();
    let (v, (g, _)) = mut_ref_net_loss_grad(&mut m, &x);
    let f = |n: &Mlp| mut_ref_net_loss(&mut n.clone(), &x);
    assert_value("mut_ref_net_loss", v, f(&n));
    assert_grad("mut_ref net", f, &n, &g);
}

// ---- arrays of structs ----

#[derive(Params, Clone, Debug, PartialEq)]
struct Deep {
    layers: [D33; 2],
    head: D31,
}

#[differentiate]
fn deep_loss(net: &Deep, x: &V3) -> f64 {
    let h1 = net.layers[0].w * x + net.layers[0].b;
    let a1 = h1.component_mul(&h1);
    let h2 = net.layers[1].w * a1 + net.layers[1].b;
    let o = net.head.w * h2 + net.head.b;
    o[0]
}

#[test]
fn array_of_structs_field() {
    let d = Deep {
        layers: [D33::seeded(40), D33::seeded(41)],
        head: D31::seeded(42),
    };
    let x = vector![0.5, 0.25, -0.75];
    let (v, (g, dx)) = deep_loss_grad(&d, &x);
    assert_value("deep_loss", v, deep_loss(&d, &x));
    assert_grad("deep_loss net", |n: &Deep| deep_loss(n, &x), &d, &g);
    assert_grad("deep_loss x", |x: &V3| deep_loss(&d, x), &x, &dx);
    let names: Vec<String> = d.tensor_shapes().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "layers.0.w",
            "layers.0.b",
            "layers.1.w",
            "layers.1.b",
            "head.w",
            "head.b"
        ]
    );
}

#[differentiate]
fn array_of_layers_param(layers: &[D22; 3], x: &V2) -> f64 {
    let a = layers[0].w * x + layers[0].b;
    let b = layers[1].w * a + layers[1].b;
    let c = layers[2].w * b + layers[2].b;
    c.norm_squared()
}

#[test]
fn array_of_structs_parameter() {
    let layers = [D22::seeded(50), D22::seeded(51), D22::seeded(52)];
    let x = vector![0.6, -0.9];
    let (v, (g, dx)) = array_of_layers_param_grad(&layers, &x);
    assert_value("array_of_layers", v, array_of_layers_param(&layers, &x));
    assert_grad(
        "array_of_layers layers",
        |l: &[D22; 3]| array_of_layers_param(l, &x),
        &layers,
        &g,
    );
    assert_grad(
        "array_of_layers x",
        |x: &V2| array_of_layers_param(&layers, x),
        &x,
        &dx,
    );
}

// ---- Params trait methods of derived structs ----

#[test]
fn derived_params_names_and_shapes() {
    let n = net(1);
    assert_eq!(
        n.tensor_shapes(),
        vec![
            ("l1.w".to_string(), vec![4, 3]),
            ("l1.b".to_string(), vec![4]),
            ("l2.w".to_string(), vec![2, 4]),
            ("l2.b".to_string(), vec![2]),
        ]
    );
    assert_eq!(n.num_params(), 12 + 4 + 8 + 2);
    assert_eq!(mlp(1).num_params(), 12 + 4 + 8 + 2);
    let names: Vec<String> = mlp(1).tensor_shapes().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["w1", "b1", "w2", "b2"]);
}

#[test]
fn derived_zeros_add_assign_scale() {
    let a = net(2);
    let b = net(3);
    let z = a.zeros_like();
    assert_eq!(z.l1.w, SMatrix::<f64, 4, 3>::zeros());
    assert_eq!(z.l2.b, SVector::<f64, 2>::zeros());
    assert_eq!(flatten(&z).len(), a.num_params());
    assert!(flatten(&z).iter().all(|&x| x == 0.0));

    let mut s = a.clone();
    s.add_assign(&b);
    assert_eq!(s.l1.w, a.l1.w + b.l1.w);
    assert_eq!(s.l1.b, a.l1.b + b.l1.b);
    assert_eq!(s.l2.w, a.l2.w + b.l2.w);
    assert_eq!(s.l2.b, a.l2.b + b.l2.b);

    let mut t = a.clone();
    t.scale(-2.5);
    assert_eq!(t.l1.w, a.l1.w * -2.5);
    assert_eq!(t.l2.b, a.l2.b * -2.5);

    let expected: f64 = flatten(&a).iter().map(|x| x * x).sum();
    assert!((a.norm_squared() - expected).abs() < 1e-12);
}

#[test]
fn derived_visit_mut_zip_mut_and_flatten_roundtrip() {
    let a = net(4);
    let mut b = a.zeros_like();
    unflatten(&mut b, &flatten(&a));
    assert_eq!(a, b);

    // zip_mut pairs corresponding tensors: b -= a leaves zeros.
    b.zip_mut(&a, &mut |mine, theirs| {
        for (m, t) in mine.iter_mut().zip(theirs) {
            *m -= *t;
        }
    });
    assert_eq!(b, a.zeros_like());

    // visit_mut sees every tensor by name.
    let mut seen = Vec::new();
    b.visit_mut(&mut String::new(), &mut |name, data, shape| {
        seen.push((name.to_string(), data.len(), shape.to_vec()));
        data.fill(1.0);
    });
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[2], ("l2.w".to_string(), 8, vec![2, 4]));
    assert!(flatten(&b).iter().all(|&x| x == 1.0));
}

#[test]
fn gradient_accumulation_over_a_batch() {
    // The usual training pattern: sum per-example gradients, then average.
    let n = net(5);
    let batch = [vector![0.1, 0.2, 0.3], vector![-0.4, 0.5, -0.6]];
    let mut acc = n.zeros_like();
    for x in &batch {
        let (_, (g, _)) = net_loss_grad(&n, x);
        acc.add_assign(&g);
    }
    acc.scale(0.5);
    let mean = |n: &Net| batch.iter().map(|x| net_loss(n, x)).sum::<f64>() / 2.0;
    assert_grad("mean batch loss", mean, &n, &acc);
}

// ---- skipped fields ----

#[derive(Params, Clone, Debug, PartialEq)]
struct Tagged {
    w: SMatrix<f64, 2, 2>,
    #[params(skip)]
    tag: &'static str,
    b: Vector2<f64>,
}

#[differentiate]
fn tagged_loss(m: &Tagged, x: &V2) -> f64 {
    (m.w * x + m.b).norm_squared()
}

#[test]
fn skipped_fields_are_not_tensors_and_are_kept() {
    let t = Tagged {
        w: mat(60),
        tag: "layer",
        b: mat(61),
    };
    assert_eq!(
        t.tensor_shapes(),
        vec![("w".to_string(), vec![2, 2]), ("b".to_string(), vec![2])]
    );
    assert_eq!(t.num_params(), 6);
    assert_eq!(t.zeros_like().tag, "layer");
    let x = vector![0.3, -0.7];
    let (_, (g, _)) = tagged_loss_grad(&t, &x);
    assert_eq!(g.tag, "layer");
    assert_grad("tagged_loss", |m: &Tagged| tagged_loss(m, &x), &t, &g);
}

// ---- f32 ----

#[derive(Params, Clone, Debug, PartialEq)]
struct Lin32 {
    w: SMatrix<f32, 2, 3>,
    b: SVector<f32, 2>,
}

/// The `f64` twin used for finite differences.
#[derive(Params, Clone, Debug, PartialEq)]
struct Lin64 {
    w: SMatrix<f64, 2, 3>,
    b: SVector<f64, 2>,
}

#[differentiate]
fn lin_loss_f32(l: &Lin32, x: &SVector<f32, 3>) -> f32 {
    let o = l.w * x + l.b;
    o[0].tanh() + o.norm_squared() * 0.5
}

fn lin_loss_f64(l: &Lin64, x: &V3) -> f64 {
    let o = l.w * x + l.b;
    o[0].tanh() + o.norm_squared() * 0.5
}

fn widen(l: &Lin32) -> Lin64 {
    Lin64 {
        w: wide(&l.w),
        b: wide(&l.b),
    }
}

#[test]
fn f32_struct_gradient_matches_f64_fd() {
    let l = Lin32 {
        w: mat::<2, 3>(70).cast(),
        b: mat::<2, 1>(71).cast(),
    };
    let x = Vector3::new(0.4f32, -1.1, 0.9);
    let (v, (g, dx)): (f32, (Lin32, SVector<f32, 3>)) = lin_loss_f32_grad(&l, &x);
    let (l64, x64) = (widen(&l), wide(&x));
    assert!((v as f64 - lin_loss_f64(&l64, &x64)).abs() < 1e-5);
    assert_grad_f32(
        "lin_loss_f32 l",
        |l: &Lin64| lin_loss_f64(l, &x64),
        &l64,
        &widen(&g),
    );
    assert_grad_f32(
        "lin_loss_f32 x",
        |x: &V3| lin_loss_f64(&l64, x),
        &x64,
        &wide(&dx),
    );
    assert_eq!(<Lin32 as Params>::Scalar::DTYPE, "F32");
}

// ---- properties ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn net_loss_gradcheck_at_random_parameters(seed in 0u64..10_000, x in proptest::array::uniform3(-2.0f64..2.0)) {
        let n = net(seed);
        let x = V3::from_column_slice(&x);
        let (_, (g, _)) = net_loss_grad(&n, &x);
        let r = check_gradient(|n: &Net| net_loss(n, &x), &n, &g, Tolerance::default());
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn sgd_step_lowers_a_convex_loss(seed in 0u64..10_000) {
        // ||W x + b - y||² is convex in (W, b): a small step along -grad lowers it.
        let l = D32::seeded(seed);
        let (x, y) = (vector![0.5, -0.5, 1.0], vector![0.2, 0.1]);
        let (v, g) = dense_sq_grad(&l, &x, &y);
        let mut step = g.clone();
        step.scale(-1e-2);
        let mut l2 = l.clone();
        l2.add_assign(&step);
        prop_assert!(dense_sq(&l2, &x, &y) <= v);
    }
}

#[differentiate(wrt(l))]
fn dense_sq(l: &D32, x: &V3, y: &V2) -> f64 {
    (l.w * x + l.b - y).norm_squared()
}
