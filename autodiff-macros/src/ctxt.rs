//! Error collection: every problem in a function is reported at once, each on the smallest
//! span, instead of stopping at the first (serde's `Ctxt`).

use proc_macro2::Span;
use quote::ToTokens;
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn error(&mut self, span: Span, msg: impl Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    pub fn error_spanned(&mut self, tokens: impl ToTokens, msg: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }

    pub fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    /// The number of errors so far, to undo speculative lowering with [`Ctxt::truncate`].
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn truncate(&mut self, len: usize) {
        self.errors.truncate(len);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// All collected errors combined into one, or `Ok` if there were none.
    pub fn finish(self) -> syn::Result<()> {
        let mut it = self.errors.into_iter();
        match it.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in it {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}
