//! Frozen parameters, and the per-tensor bookkeeping every optimizer shares.
//!
//! A tensor is frozen by naming a dotted prefix of its path: `"l1"` freezes `l1.weight` and
//! `l1.bias`, `"l1.weight"` freezes only that tensor, and `""` freezes everything. A prefix
//! matches whole path segments only, so `"l1"` does not freeze `l10.weight`. Prefixes are
//! resolved once into a per-tensor mask; a frozen tensor is skipped entirely by
//! [`Optimizer::step`](super::Optimizer::step): no update, no weight decay, and its optimizer
//! state (moments, step count) does not advance — what PyTorch does for a parameter with
//! `requires_grad = False` (whose `.grad` is `None`).

use crate::Params;
use std::fmt;

/// A freeze prefix that matches no tensor.
///
/// Returned by the optimizers' `freeze` and `set_frozen`. Displays as
/// ``no parameter tensor matches `l3`; the tensors are `l1.weight`, `l1.bias` ``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeError {
    /// The prefix as given.
    pub prefix: String,
    /// Every tensor name of the parameters, in visiting order.
    pub available: Vec<String>,
}

impl fmt::Display for FreezeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no parameter tensor matches `{}`; the tensors are ",
            self.prefix
        )?;
        for (i, name) in self.available.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if name.is_empty() {
                f.write_str("`` (the whole value)")?;
            } else {
                write!(f, "`{name}`")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FreezeError {}

/// Whether the dotted tensor path `name` lies under `prefix` (whole segments only).
pub(crate) fn matches_prefix(name: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || name
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Per-tensor bookkeeping: names, sizes, the frozen mask and per-tensor step counts.
///
/// Built once from the parameters at construction; [`Tensors::for_each`] then walks the
/// parameters and gradients with [`Params::zip_mut`] and hands every trainable tensor to the
/// update rule together with its offset into the optimizer's flat state buffers.
#[derive(Debug, Clone)]
pub(crate) struct Tensors {
    names: Vec<String>,
    lens: Vec<usize>,
    frozen: Vec<bool>,
    /// Steps taken per tensor. Per tensor, like PyTorch's per-parameter `state["step"]`, so
    /// a tensor that was frozen for a while resumes its bias correction where it stopped.
    steps: Vec<u64>,
    total: usize,
}

impl Tensors {
    pub(crate) fn new<P: Params>(params: &P) -> Self {
        let mut names = Vec::new();
        let mut lens = Vec::new();
        params.visit(&mut String::new(), &mut |name, data, _| {
            names.push(name.to_string());
            lens.push(data.len());
        });
        let n = names.len();
        Tensors {
            total: lens.iter().sum(),
            names,
            lens,
            frozen: vec![false; n],
            steps: vec![0; n],
        }
    }

    /// Total number of scalar entries (the length of each flat state buffer).
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Replaces the frozen set by the tensors under any of `prefixes`. Checks every prefix
    /// before changing anything.
    pub(crate) fn set_frozen(&mut self, prefixes: &[&str]) -> Result<(), FreezeError> {
        for prefix in prefixes {
            if !self.names.iter().any(|name| matches_prefix(name, prefix)) {
                return Err(FreezeError {
                    prefix: prefix.to_string(),
                    available: self.names.clone(),
                });
            }
        }
        for (name, frozen) in self.names.iter().zip(&mut self.frozen) {
            *frozen = prefixes.iter().any(|prefix| matches_prefix(name, prefix));
        }
        Ok(())
    }

    /// Adds the tensors under `prefixes` to the frozen set.
    pub(crate) fn freeze(&mut self, prefixes: &[&str]) -> Result<(), FreezeError> {
        let before = self.frozen.clone();
        self.set_frozen(prefixes)?;
        for (now, was) in self.frozen.iter_mut().zip(before) {
            *now |= was;
        }
        Ok(())
    }

    pub(crate) fn frozen_names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .zip(&self.frozen)
            .filter(|(_, f)| **f)
            .map(|(n, _)| n.as_str())
    }

    /// Calls `update(param, grad, offset, step)` for every trainable tensor, where `offset`
    /// is the tensor's start in the flat state buffers and `step` its 1-based step count
    /// (already advanced for this step). Frozen tensors are skipped. Does not allocate.
    ///
    /// # Panics
    /// If `params` has a different layout than the parameters the optimizer was built for.
    pub(crate) fn for_each<P: Params>(
        &mut self,
        params: &mut P,
        grads: &P,
        mut update: impl FnMut(&mut [P::Scalar], &[P::Scalar], usize, u64),
    ) {
        let (lens, frozen, steps) = (&self.lens, &self.frozen, &mut self.steps);
        let mut index = 0;
        let mut offset = 0;
        params.zip_mut(grads, &mut |p, g| {
            assert!(
                index < lens.len() && lens[index] == p.len() && g.len() == p.len(),
                "optimizer step: the parameters do not have the layout the optimizer was built for"
            );
            if !frozen[index] {
                steps[index] += 1;
                update(p, g, offset, steps[index]);
            }
            offset += p.len();
            index += 1;
        });
        assert!(
            index == lens.len(),
            "optimizer step: the parameters do not have the layout the optimizer was built for"
        );
    }
}

/// Implements the freezing methods shared by every optimizer (each has a `tensors` field).
macro_rules! impl_freeze {
    ($ty:ident) => {
        impl<P: $crate::Params> $ty<P> {
            /// Freezes every tensor whose dotted name starts with one of `prefixes` (whole
            /// segments: `"l1"` matches `l1.weight`, not `l10.weight`; `""` matches all).
            /// Frozen tensors are never updated and their optimizer state does not advance.
            /// Builder form: `Adam::new(&params, cfg).freeze(&["l1"])?`.
            ///
            /// # Errors
            /// [`FreezeError`](crate::optim::FreezeError) naming the first prefix that matches
            /// no tensor and listing the available names; nothing is frozen then.
            pub fn freeze(mut self, prefixes: &[&str]) -> Result<Self, $crate::optim::FreezeError> {
                self.tensors.freeze(prefixes)?;
                Ok(self)
            }

            /// Replaces the frozen set by the tensors under `prefixes`; `set_frozen(&[])`
            /// unfreezes everything (e.g. for the second stage of fine-tuning).
            ///
            /// # Errors
            /// As [`freeze`](Self::freeze); the frozen set is unchanged on error.
            pub fn set_frozen(
                &mut self,
                prefixes: &[&str],
            ) -> Result<(), $crate::optim::FreezeError> {
                self.tensors.set_frozen(prefixes)
            }

            /// The names of the frozen tensors, in visiting order.
            pub fn frozen(&self) -> impl Iterator<Item = &str> {
                self.tensors.frozen_names()
            }
        }
    };
}
pub(crate) use impl_freeze;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::testing::Net;

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(matches_prefix("l1.weight", "l1"));
        assert!(matches_prefix("l1.weight", "l1.weight"));
        assert!(matches_prefix("l1.weight", ""));
        assert!(matches_prefix("", ""));
        assert!(!matches_prefix("l10.weight", "l1"));
        assert!(!matches_prefix("l1.weight", "l"));
        assert!(!matches_prefix("l1", "l1.weight"));
    }

    #[test]
    fn unknown_prefix_names_it_and_lists_tensors() {
        let mut t = Tensors::new(&Net::initial());
        t.set_frozen(&["l2.bias"]).unwrap();
        let err = t.set_frozen(&["l1", "l3"]).unwrap_err();
        assert_eq!(err.prefix, "l3");
        assert_eq!(
            err.available,
            ["l1.weight", "l1.bias", "l2.weight", "l2.bias"]
        );
        assert_eq!(
            err.to_string(),
            "no parameter tensor matches `l3`; the tensors are \
             `l1.weight`, `l1.bias`, `l2.weight`, `l2.bias`"
        );
        // Nothing changed on error.
        assert_eq!(t.frozen_names().collect::<Vec<_>>(), ["l2.bias"]);
        t.freeze(&["l1"]).unwrap();
        assert_eq!(
            t.frozen_names().collect::<Vec<_>>(),
            ["l1.weight", "l1.bias", "l2.bias"]
        );
        t.set_frozen(&[]).unwrap();
        assert_eq!(t.frozen_names().count(), 0);
    }
}
