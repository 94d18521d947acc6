//! `Optimizer::step` never allocates: a counting global allocator watches this thread while
//! every optimizer, in every configuration that allocates extra state, takes steps.

use autodiff_runtime::optim::{
    Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, RMSprop, RMSpropConfig, Sgd, SgdConfig,
};
use nalgebra::SMatrix;
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

/// Allocations made by this thread while `steps` steps run.
fn allocations_during_steps(opt: &mut dyn Optimizer<[SMatrix<f32, 4, 3>; 3]>) -> usize {
    let mut params = [SMatrix::<f32, 4, 3>::repeat(0.5); 3];
    let grads = [SMatrix::<f32, 4, 3>::from_fn(|i, j| i as f32 - j as f32); 3];
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..5 {
        opt.step(&mut params, &grads);
    }
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn steps_do_not_allocate() {
    let p = [SMatrix::<f32, 4, 3>::zeros(); 3];
    let sgd = SgdConfig {
        momentum: 0.9,
        nesterov: true,
        weight_decay: 0.1,
        ..Default::default()
    };
    let adam = AdamConfig {
        amsgrad: true,
        weight_decay: 0.1,
        ..Default::default()
    };
    let rms = RMSpropConfig {
        momentum: 0.9,
        centered: true,
        weight_decay: 0.1,
        ..Default::default()
    };
    let mut optimizers: Vec<(&str, Box<dyn Optimizer<_>>)> = vec![
        ("sgd", Box::new(Sgd::new(&p, SgdConfig::default()))),
        ("sgd+momentum", Box::new(Sgd::new(&p, sgd))),
        ("adam", Box::new(Adam::new(&p, adam))),
        (
            "adamw",
            Box::new(
                AdamW::new(&p, AdamWConfig::default())
                    .freeze(&["1"])
                    .unwrap(),
            ),
        ),
        ("rmsprop", Box::new(RMSprop::new(&p, rms))),
    ];
    for (name, opt) in &mut optimizers {
        assert_eq!(
            allocations_during_steps(opt.as_mut()),
            0,
            "{name} allocated in step"
        );
    }
    // The counter works: building an optimizer allocates its state.
    let before = ALLOCATIONS.with(Cell::get);
    let _opt = Adam::new(&p, AdamConfig::default());
    assert!(ALLOCATIONS.with(Cell::get) > before);
}
