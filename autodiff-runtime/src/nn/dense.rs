//! The fully connected (affine) layer [`Dense`] and its single-sample forward [`dense`].
//! The batched forward [`crate::nn::dense_batch`] lives in [`crate::nn::batch`].

use crate::Params;
use crate::Real;
use crate::init::Init;
use crate::params::with_segment;
use nalgebra::{SMatrix, SVector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A fully connected layer `y = W x + b` from `I` inputs to `O` outputs.
///
/// `weight` is `O × I` (PyTorch `nn.Linear`'s layout; Keras `Dense` stores the transpose),
/// `bias` has `O` entries. [`Params`] names the tensors `weight` and `bias`.
///
/// # Large layers
///
/// A `Dense<f32, 784, 128>` is 400 KB. Values of that size should live on the heap: hold
/// `Box<Dense<..>>` in your network (it implements [`Params`] and [`AsDense`], so
/// [`dense`], [`crate::nn::dense_batch`], optimizers and checkpoints accept it as is, and its
/// cotangent is again a `Box<Dense<..>>`) and build it with the `boxed_*` constructors
/// ([`Dense::boxed_he_normal`], [`Dense::boxed_zeros`], …), which write straight into the
/// heap allocation. `Box::new(Dense::he_normal(0))` is not enough: it builds the layer on the
/// stack first, and unoptimized builds may hold several copies there.
///
/// ```
/// use autodiff_runtime::nn::{Dense, dense};
/// use nalgebra::{Matrix2x3, Vector2, Vector3};
/// let layer = Dense::new(Matrix2x3::new(1.0, 0.0, 2.0, 0.0, 1.0, 0.0), Vector2::new(0.5, -0.5));
/// assert_eq!(dense(&layer, &Vector3::new(1.0, 2.0, 3.0)), Vector2::new(7.5, 1.5));
///
/// let big = Dense::<f32, 784, 128>::boxed_he_normal(42);
/// assert_eq!(big.bias, nalgebra::SVector::<f32, 128>::zeros());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T, const I: usize, const O: usize> {
    /// `O × I` weight matrix.
    pub weight: SMatrix<T, O, I>,
    /// `O` biases.
    pub bias: SVector<T, O>,
}

macro_rules! seeded {
    ($($(#[$m:meta])* $name:ident, $boxed:ident => $init:ident;)*) => {$(
        $(#[$m])*
        ///
        /// Biases are zero. Seeded with [`ChaCha8Rng`]: the same seed gives the same weights.
        pub fn $name(seed: u64) -> Self {
            Self::init(Init::$init, &mut ChaCha8Rng::seed_from_u64(seed))
        }

        /// Like the unboxed constructor of the same name, built directly on the heap (for
        /// large layers; see [`Dense`]).
        pub fn $boxed(seed: u64) -> Box<Self> {
            Self::boxed_init(Init::$init, &mut ChaCha8Rng::seed_from_u64(seed))
        }
    )*};
}

impl<T: Real, const I: usize, const O: usize> Dense<T, I, O> {
    /// A layer with the given weight (`O × I`) and bias.
    pub fn new(weight: SMatrix<T, O, I>, bias: SVector<T, O>) -> Self {
        Dense { weight, bias }
    }

    /// A layer with every weight and bias zero.
    pub fn zeros() -> Self {
        Dense {
            weight: SMatrix::zeros(),
            bias: SVector::zeros(),
        }
    }

    /// [`Dense::zeros`] built directly on the heap, never on the stack.
    pub fn boxed_zeros() -> Box<Self> {
        let mut b = Box::<Self>::new_uninit();
        let p = b.as_mut_ptr();
        // SAFETY: `SMatrix<T, R, C>` is `#[repr(C)]` with its `ArrayStorage` (a
        // `#[repr(transparent)]` `[[T; R]; C]`) as its only non-zero-sized field, so each field
        // of `Dense` is `R * C` contiguous, aligned `T`s starting at the field's address. Every
        // one of them is written before `assume_init`.
        unsafe {
            let w = (&raw mut (*p).weight).cast::<T>();
            for k in 0..O * I {
                w.add(k).write(T::zero());
            }
            let bias = (&raw mut (*p).bias).cast::<T>();
            for k in 0..O {
                bias.add(k).write(T::zero());
            }
            b.assume_init()
        }
    }

    /// Weights drawn by `init` (fan-in `I`, fan-out `O`), biases zero.
    pub fn init(init: Init, rng: &mut (impl Rng + ?Sized)) -> Self {
        let mut layer = Self::zeros();
        init.fill_matrix(&mut layer.weight, rng);
        layer
    }

    /// [`Dense::init`] built directly on the heap.
    pub fn boxed_init(init: Init, rng: &mut (impl Rng + ?Sized)) -> Box<Self> {
        let mut layer = Self::boxed_zeros();
        init.fill_matrix(&mut layer.weight, rng);
        layer
    }

    seeded! {
        /// He/Kaiming normal weights `N(0, 2 / I)` (PyTorch `kaiming_normal_`, for ReLU).
        he_normal, boxed_he_normal => HeNormal;
        /// He/Kaiming uniform weights `U(±√(6 / I))` (PyTorch `kaiming_uniform_`, for ReLU).
        he_uniform, boxed_he_uniform => HeUniform;
        /// Xavier/Glorot uniform weights `U(±√(6 / (I + O)))` (Keras' `Dense` default).
        xavier_uniform, boxed_xavier_uniform => XavierUniform;
        /// Xavier/Glorot normal weights `N(0, 2 / (I + O))`.
        xavier_normal, boxed_xavier_normal => XavierNormal;
    }
}

impl<T: Real, const I: usize, const O: usize> Params for Dense<T, I, O> {
    type Scalar = T;
    fn zeros_like(&self) -> Self {
        Self::zeros()
    }
    fn boxed_zeros_like(&self) -> Box<Self> {
        Self::boxed_zeros()
    }
    fn add_assign(&mut self, other: &Self) {
        Params::add_assign(&mut self.weight, &other.weight);
        Params::add_assign(&mut self.bias, &other.bias);
    }
    fn scale(&mut self, factor: T) {
        Params::scale(&mut self.weight, factor);
        Params::scale(&mut self.bias, factor);
    }
    fn visit(&self, name: &mut String, f: &mut dyn FnMut(&str, &[T], &[usize])) {
        with_segment(name, "weight", |name| self.weight.visit(name, f));
        with_segment(name, "bias", |name| self.bias.visit(name, f));
    }
    fn visit_mut(&mut self, name: &mut String, f: &mut dyn FnMut(&str, &mut [T], &[usize])) {
        with_segment(name, "weight", |name| self.weight.visit_mut(name, f));
        with_segment(name, "bias", |name| self.bias.visit_mut(name, f));
    }
    fn zip_mut(&mut self, other: &Self, f: &mut dyn FnMut(&mut [T], &[T])) {
        self.weight.zip_mut(&other.weight, f);
        self.bias.zip_mut(&other.bias, f);
    }
}

/// A value that holds a [`Dense`] layer: the layer itself or a `Box` of it.
///
/// [`dense`] and [`crate::nn::dense_batch`] take any `L: AsDense` and return a cotangent of
/// type `L`, so a network may keep large layers boxed and still get gradients of its own type.
pub trait AsDense<T: Real, const I: usize, const O: usize>: Params<Scalar = T> + Sized {
    /// The layer.
    fn as_dense(&self) -> &Dense<T, I, O>;
    /// The layer, mutably.
    fn as_dense_mut(&mut self) -> &mut Dense<T, I, O>;
    /// An all-zero value of this type (built on the heap for `Box`).
    fn zeroed() -> Self;
}

impl<T: Real, const I: usize, const O: usize> AsDense<T, I, O> for Dense<T, I, O> {
    #[inline(always)]
    fn as_dense(&self) -> &Dense<T, I, O> {
        self
    }
    #[inline(always)]
    fn as_dense_mut(&mut self) -> &mut Dense<T, I, O> {
        self
    }
    #[inline(always)]
    fn zeroed() -> Self {
        Self::zeros()
    }
}

impl<T: Real, const I: usize, const O: usize> AsDense<T, I, O> for Box<Dense<T, I, O>> {
    #[inline(always)]
    fn as_dense(&self) -> &Dense<T, I, O> {
        self
    }
    #[inline(always)]
    fn as_dense_mut(&mut self) -> &mut Dense<T, I, O> {
        self
    }
    #[inline(always)]
    fn zeroed() -> Self {
        Dense::boxed_zeros()
    }
}

/// Affine layer on one sample: `y = W x + b`.
///
/// Derivatives: `∂/∂W = d xᵀ`, `∂/∂b = d`, `∂/∂x = Wᵀ d`. `layer` may be a [`Dense`] or a
/// `Box<Dense>` (see [`AsDense`]). PyTorch `nn.Linear` / `F.linear(x, W, b)`, Keras `Dense`
/// without activation.
#[inline]
pub fn dense<T: Real, L: AsDense<T, I, O>, const I: usize, const O: usize>(
    layer: &L,
    x: &SVector<T, I>,
) -> SVector<T, O> {
    let l = layer.as_dense();
    let mut y = l.bias;
    y.gemv(T::one(), &l.weight, x, T::one());
    y
}

/// Pullback of [`dense`]: `(L { weight: d xᵀ, bias: d }, Wᵀ d)`.
///
/// The closure borrows `layer` (a reference to a parameter, which outlives it) and keeps a
/// copy of `x` (`I` scalars), so it never borrows an intermediate value of the caller.
#[inline]
pub fn dense_pullback<'a, T: Real, L: AsDense<T, I, O>, const I: usize, const O: usize>(
    layer: &'a L,
    x: &SVector<T, I>,
) -> (
    SVector<T, O>,
    impl FnOnce(SVector<T, O>) -> (L, SVector<T, I>) + use<'a, T, L, I, O>,
) {
    let x = *x;
    (dense(layer, &x), move |d: SVector<T, O>| {
        let w = &layer.as_dense().weight;
        let dx = w.tr_mul(&d);
        let mut g = L::zeroed();
        let gd = g.as_dense_mut();
        gd.weight.ger(T::one(), &d, &x, T::zero());
        gd.bias = d;
        (g, dx)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::testing::{check, close_f32};
    use nalgebra::{Matrix3x4, Vector3, Vector4};

    fn layer() -> Dense<f64, 4, 3> {
        Dense::new(
            Matrix3x4::new(
                0.5, -1.0, 0.25, 2.0, 0.0, -0.3, 1.1, 0.7, -0.8, 0.4, 0.05, -1.5,
            ),
            Vector3::new(0.1, -0.7, 0.3),
        )
    }

    fn input() -> Vector4<f64> {
        Vector4::new(0.9, -0.4, 1.7, -2.2)
    }

    #[test]
    fn dense_matches_finite_differences() {
        let (l, x) = (layer(), input());
        check(
            &l,
            |l| dense(l, &x),
            |l, d| {
                let (y, p) = dense_pullback(l, &x);
                (y, p(d).0)
            },
        );
        check(
            &x,
            |x| dense(&l, x),
            |x, d| {
                let (y, p) = dense_pullback(&l, x);
                (y, p(d).1)
            },
        );
        assert!((dense(&l, &x) - (l.weight * x + l.bias)).norm() < 1e-15);
    }

    #[test]
    fn boxed_layers_give_boxed_cotangents() {
        let (l, x) = (layer(), input());
        let b = Box::new(l.clone());
        let d = Vector3::new(1.0, -2.0, 0.5);
        let (y, p) = dense_pullback(&b, &x);
        let (g, dx): (Box<Dense<f64, 4, 3>>, _) = p(d);
        let (y0, p0) = dense_pullback(&l, &x);
        let (g0, dx0) = p0(d);
        assert_eq!((y, *g, dx), (y0, g0, dx0));
    }

    #[test]
    fn params_names_shapes_and_arithmetic() {
        let mut l = layer();
        assert_eq!(
            l.tensor_shapes(),
            vec![
                ("weight".to_string(), vec![3, 4]),
                ("bias".to_string(), vec![3])
            ]
        );
        assert_eq!(l.num_params(), 15);
        let orig = l.clone();
        l.add_assign(&orig);
        l.scale(0.25);
        assert_eq!(l.weight, orig.weight * 0.5);
        assert_eq!(l.bias, orig.bias * 0.5);
        let mut z = l.zeros_like();
        z.zip_mut(&orig, &mut |a, b| a.copy_from_slice(b));
        assert_eq!(z, orig);
        let mut names = Vec::new();
        [orig.clone(), orig].visit(&mut String::new(), &mut |n, _, _| names.push(n.to_string()));
        assert_eq!(names, ["0.weight", "0.bias", "1.weight", "1.bias"]);
    }

    #[test]
    fn seeded_constructors_are_reproducible() {
        let a = Dense::<f64, 30, 20>::he_normal(3);
        assert_eq!(a, Dense::he_normal(3));
        assert_ne!(a, Dense::he_normal(4));
        assert_eq!(a.bias, SVector::<f64, 20>::zeros());
        assert_eq!(*Dense::<f64, 30, 20>::boxed_he_normal(3), a);
        assert_eq!(
            *Dense::<f64, 30, 20>::boxed_xavier_uniform(9),
            Dense::xavier_uniform(9)
        );
        assert_eq!(
            *Dense::<f64, 30, 20>::boxed_xavier_normal(9),
            Dense::xavier_normal(9)
        );
        assert_eq!(
            *Dense::<f64, 30, 20>::boxed_he_uniform(9),
            Dense::he_uniform(9)
        );
        assert_eq!(*Dense::<f32, 30, 20>::boxed_zeros(), Dense::zeros());
        // same draws in f32 and f64, up to rounding
        close_f32(&Dense::<f32, 30, 20>::he_normal(3), &a, 1e-7);
    }

    #[test]
    fn f32_agrees_with_f64() {
        let (l, x) = (layer(), input());
        let l32 = Dense::<f32, 4, 3>::new(l.weight.cast(), l.bias.cast());
        let x32: SVector<f32, 4> = x.cast();
        let d = Vector3::new(0.3, -1.0, 2.0);
        let (y32, p32) = dense_pullback(&l32, &x32);
        let (y64, p64) = dense_pullback(&l, &x);
        close_f32(&y32, &y64, 1e-6);
        let ((g32, dx32), (g64, dx64)) = (p32(d.cast()), p64(d));
        close_f32(&g32, &g64, 1e-6);
        close_f32(&dx32, &dx64, 1e-6);
    }

    /// A 784×128 `f32` layer is 400 KB; test threads get 2 MiB stacks. Building it boxed and
    /// running it forward and backward must not overflow, even unoptimized.
    #[test]
    fn large_boxed_layer_fits_a_2_mib_stack() {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let layer = Dense::<f32, 784, 128>::boxed_he_normal(1);
                let x = SVector::<f32, 784>::from_fn(|i, _| (i % 7) as f32 * 0.1);
                let (y, p) = dense_pullback(&layer, &x);
                let (g, dx) = p(SVector::repeat(1.0));
                assert_eq!(g.bias, SVector::<f32, 128>::repeat(1.0));
                assert_eq!(g.weight.column(3), SVector::<f32, 128>::repeat(x[3]));
                assert!(y.iter().chain(dx.iter()).all(|v| v.is_finite()));
                let z = Dense::<f32, 784, 128>::boxed_zeros();
                assert_eq!(z.weight.iter().filter(|&&w| w != 0.0).count(), 0);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
