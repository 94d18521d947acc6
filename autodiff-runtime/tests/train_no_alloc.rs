//! The training loop allocates nothing per step: a counting global allocator watches this
//! thread while a [`Stepper`] takes steps, and while `fit` runs on small and large data.

use autodiff_runtime::data::Dataset;
use autodiff_runtime::optim::{Adam, AdamConfig, ExponentialLR};
use autodiff_runtime::train::{
    Control, EarlyStopping, EpochRecord, FitConfig, Monitor, Stepper, Verbosity, fit,
};
use nalgebra::{SMatrix, SVector};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// A small model: 3 class scores from 4 features and their squares.
type Model = [SMatrix<f32, 3, 4>; 2]; // weight, and a second tensor to exercise the walks
type X = SVector<f32, 4>;

fn logits(m: &Model, x: &X) -> SVector<f32, 3> {
    m[0] * x + m[1] * x.map(|v| v * v)
}

fn grad(m: &Model, x: &X, label: usize) -> (f32, Model) {
    let z = logits(m, x);
    let e = z.map(|v| (v - z.max()).exp());
    let p = e / e.sum();
    let mut dz = p;
    dz[label] -= 1.0;
    (
        -p[label].ln(),
        [dz * x.transpose(), dz * x.map(|v| v * v).transpose()],
    )
}

fn data(n: usize) -> Dataset<X> {
    (0..n)
        .map(|i| {
            let t = i as f32;
            let label = i % 3;
            let mut x = X::new((1.3 * t).sin(), (0.7 * t).cos(), (2.1 * t).sin(), 0.5);
            x[label] += 2.0;
            (x, label)
        })
        .collect()
}

fn model() -> Model {
    [
        SMatrix::from_fn(|r, c| 0.1 * (r as f32 - c as f32)),
        SMatrix::zeros(),
    ]
}

#[test]
fn stepper_steps_do_not_allocate_after_warm_up() {
    let train = data(64);
    let mut m = model();
    let mut opt = Adam::new(&m, AdamConfig::default());
    let mut stepper = Stepper::new(&m);
    let mut batches = train.batches(8, Some(1));
    for batch in &batches {
        stepper
            .step(&mut m, &mut opt, batch, &grad, &logits)
            .unwrap();
    }
    let before = allocations();
    for epoch in 0..20 {
        batches.reshuffle(Some(epoch));
        for batch in &batches {
            stepper
                .step(&mut m, &mut opt, batch, &grad, &logits)
                .unwrap();
        }
    }
    assert_eq!(allocations() - before, 0, "160 steps allocated");
}

/// Allocations made by one `fit` over `n` samples for `epochs` epochs, with validation,
/// early stopping that restores weights, a schedule and a callback.
fn fit_allocations(n: usize, epochs: usize) -> usize {
    let (train, val) = (data(n), data(n / 4 + 3));
    let mut m = model();
    let mut opt = Adam::new(&m, AdamConfig::default());
    let schedule = ExponentialLR::new(1e-3, 0.9);
    let mut epochs_seen = 0;
    let mut callback = |_: &EpochRecord, _: &Model| {
        epochs_seen += 1;
        Control::Continue
    };
    let before = allocations();
    let history = fit(
        &mut m,
        &mut opt,
        &train,
        grad,
        logits,
        FitConfig {
            epochs,
            batch_size: 8,
            validation: Some(&val),
            early_stopping: Some(EarlyStopping {
                monitor: Monitor::ValAccuracy,
                patience: 1000,
                ..Default::default()
            }),
            schedule: Some(&schedule),
            callbacks: vec![&mut callback],
            verbosity: Verbosity::Silent,
            ..Default::default()
        },
    )
    .unwrap();
    let count = allocations() - before;
    assert_eq!(history.len(), epochs);
    count
}

#[test]
fn fit_allocations_do_not_grow_with_steps_or_epochs() {
    let small = fit_allocations(40, 2); // 10 steps
    let large = fit_allocations(800, 8); // 800 steps
    assert_eq!(small, large, "allocations grow with the number of steps");
    assert!(small < 20, "{small} allocations for setting up fit");
}
