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
        Dense { weight: SMatrix::zeros(), bias: SVector::zeros() }
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
#[allow(clippy::type_complexity)] // the signature is the pullback convention
pub fn dense_pullback<'a, T: Real, L: AsDense<T, I, O>, const I: usize, const O: usize>(
    layer: &'a L,
    x: &SVector<T, I>,
) -> (SVector<T, O>, impl FnOnce(SVector<T, O>) -> (L, SVector<T, I>) + use<'a, T, L, I, O>) {
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
