//! autodiff facade
