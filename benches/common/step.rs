//! One training step — forward, backward, Adam — with the generated gradient and with the
//! hand-written one, on seeded synthetic batches.

use super::expanded;
use super::hand::{self, Workspace};
use super::nets::{
    DIGITS_BATCH, Digits, MNIST_BATCH, Mnist, digits_batch_loss_grad, mnist_loss_grad,
};
use super::{boxed_zeros, fill_batch, rng};
use autodiff::optim::{Adam, AdamConfig, Optimizer};
use nalgebra::SMatrix;

/// Batches cycled through, so the input is not the same cache-hot matrix every step.
const BATCHES: usize = 4;

/// The 64-128-64-10 network with Adam, batches of [`DIGITS_BATCH`].
pub struct DigitsTrainer {
    pub net: Digits,
    opt: Adam<Digits>,
    xs: Vec<Box<SMatrix<f32, 64, DIGITS_BATCH>>>,
    labels: Vec<[usize; DIGITS_BATCH]>,
    ws: Box<Workspace<128, 64, 10, DIGITS_BATCH>>,
    grad: Box<Digits>,
    next: usize,
}

impl DigitsTrainer {
    pub fn new(seed: u64) -> Self {
        let net = Digits::new(seed);
        let mut r = rng(seed);
        let (mut xs, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..BATCHES {
            let mut x = boxed_zeros::<64, DIGITS_BATCH>();
            let mut l = [0; DIGITS_BATCH];
            fill_batch(&mut r, x.as_mut_slice(), &mut l);
            xs.push(x);
            labels.push(l);
        }
        DigitsTrainer {
            opt: Adam::new(&net, AdamConfig::default()),
            grad: Box::new(net.clone()),
            net,
            xs,
            labels,
            ws: Workspace::new(),
            next: 0,
        }
    }

    fn batch(&mut self) -> usize {
        self.next = (self.next + 1) % BATCHES;
        self.next
    }

    /// One step with the `#[differentiate]` gradient; returns the loss.
    #[inline(never)]
    pub fn step_generated(&mut self) -> f32 {
        let b = self.batch();
        let (loss, grad) = digits_batch_loss_grad(&self.net, &self.xs[b], &self.labels[b]);
        self.opt.step(&mut self.net, &grad);
        loss
    }

    /// One step with the expansion changed as proposed in BENCHMARKS.md.
    #[inline(never)]
    pub fn step_proposed(&mut self) -> f32 {
        let b = self.batch();
        let (loss, grad) = expanded::digits_proposed(&self.net, &self.xs[b], &self.labels[b]);
        self.opt.step(&mut self.net, &grad);
        loss
    }

    /// One step with accumulating pullbacks into a reused gradient (proposal 3).
    #[inline(never)]
    pub fn step_accumulating(&mut self) -> f32 {
        let b = self.batch();
        let loss = expanded::digits_batch_grad_into(
            &self.net,
            &self.xs[b],
            &self.labels[b],
            &mut self.grad,
        );
        self.opt.step(&mut self.net, &self.grad);
        loss
    }

    /// One step with the hand-written gradient; returns the loss.
    #[inline(never)]
    pub fn step_hand(&mut self) -> f32 {
        let b = self.batch();
        let loss = hand::digits_batch_grad(
            &self.net,
            &self.xs[b],
            &self.labels[b],
            &mut self.ws,
            &mut self.grad,
        );
        self.opt.step(&mut self.net, &self.grad);
        loss
    }
}

/// The 784-128-64-10 network with Adam, batches of [`MNIST_BATCH`].
pub struct MnistTrainer {
    pub net: Mnist,
    opt: Adam<Mnist>,
    xs: Vec<Box<SMatrix<f32, 784, MNIST_BATCH>>>,
    labels: Vec<[usize; MNIST_BATCH]>,
    ws: Box<Workspace<128, 64, 10, MNIST_BATCH>>,
    grad: Mnist,
    next: usize,
}

impl MnistTrainer {
    pub fn new(seed: u64) -> Self {
        let net = Mnist::new(seed);
        let mut r = rng(seed);
        let (mut xs, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..BATCHES {
            let mut x = boxed_zeros::<784, MNIST_BATCH>();
            let mut l = [0; MNIST_BATCH];
            fill_batch(&mut r, x.as_mut_slice(), &mut l);
            xs.push(x);
            labels.push(l);
        }
        MnistTrainer {
            opt: Adam::new(&net, AdamConfig::default()),
            grad: net.clone(),
            net,
            xs,
            labels,
            ws: Workspace::new(),
            next: 0,
        }
    }

    fn batch(&mut self) -> usize {
        self.next = (self.next + 1) % BATCHES;
        self.next
    }

    /// The current batch, for the gradient benchmarks.
    pub fn data(&self) -> (&SMatrix<f32, 784, MNIST_BATCH>, &[usize; MNIST_BATCH]) {
        (&self.xs[0], &self.labels[0])
    }

    /// One step with the `#[differentiate]` gradient; returns the loss.
    #[inline(never)]
    pub fn step_generated(&mut self) -> f32 {
        let b = self.batch();
        let (loss, grad) = mnist_loss_grad(&self.net, &self.xs[b], &self.labels[b]);
        self.opt.step(&mut self.net, &grad);
        loss
    }

    /// One step with the expansion changed as proposed in BENCHMARKS.md.
    #[inline(never)]
    pub fn step_proposed(&mut self) -> f32 {
        let b = self.batch();
        let (loss, grad) = expanded::mnist_proposed(&self.net, &self.xs[b], &self.labels[b]);
        self.opt.step(&mut self.net, &grad);
        loss
    }

    /// One step with accumulating pullbacks into a reused gradient (proposal 3).
    #[inline(never)]
    pub fn step_accumulating(&mut self) -> f32 {
        let b = self.batch();
        let loss =
            expanded::mnist_grad_into(&self.net, &self.xs[b], &self.labels[b], &mut self.grad);
        self.opt.step(&mut self.net, &self.grad);
        loss
    }

    /// One step with the hand-written gradient; returns the loss.
    #[inline(never)]
    pub fn step_hand(&mut self) -> f32 {
        let b = self.batch();
        let loss = hand::mnist_grad(
            &self.net,
            &self.xs[b],
            &self.labels[b],
            &mut self.ws,
            &mut self.grad,
        );
        self.opt.step(&mut self.net, &self.grad);
        loss
    }
}
