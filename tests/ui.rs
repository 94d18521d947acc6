//! Compile-time diagnostics of `#[differentiate]` and `#[derive(Params)]` (trybuild).
//!
//! `tests/ui/*.rs` must fail to compile with exactly the checked-in `.stderr`; `tests/pass/*.rs`
//! must compile and run. One mistake per file, named after it. After changing a message, bless
//! with `TRYBUILD=overwrite cargo test --test ui` and review the diff of the `.stderr` files.
//!
//! `tests/ui_pending/` holds cases the macro gets wrong today (a misleading message, a wrong
//! span, a panic, a name collision, a wrong value), each with the `.stderr` or the values we
//! want; they run only with `AUTODIFF_UI_PENDING=1` (see its README).

#[test]
fn ui() {
    // trybuild builds every dependency (dev-dependencies included) once more in
    // `target/tests/trybuild`; without debug info that build takes a third less time and half
    // the disk. Only trybuild's child cargo reads this variable: the outer build is done.
    if std::env::var_os("CARGO_PROFILE_DEV_DEBUG").is_none() {
        // SAFETY: this binary has a single test, so no other thread reads the environment.
        unsafe { std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "0") };
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/pass/*.rs");
    if std::env::var_os("AUTODIFF_UI_PENDING").is_some() {
        t.compile_fail("tests/ui_pending/*.rs");
        t.pass("tests/ui_pending/pass/*.rs");
    }
}
