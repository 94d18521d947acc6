//! In-process fuzzing of the `#[differentiate]` pipeline (`expand::differentiate`).
//!
//! Properties checked on every input, valid or not:
//!
//! - the pipeline never panics (`catch_unwind`) and finishes within [`TIME_LIMIT`];
//! - the output parses as items (`syn::File`) or contains `compile_error`;
//! - when the input is a function, the output parses as items and still contains the
//!   user's function unchanged (so a macro error never cascades into "cannot find `f`");
//! - when the output is accepted (no `compile_error`), it has `NAME_pullback`;
//! - every error message follows the style guide: lowercase start, no final period.
//!
//! Two input sources:
//!
//! - [`tokens`]: mutations of valid functions (token deletions, duplications, swaps,
//!   insertions of random punctuation / identifiers / literals, splices between seeds),
//!   flattened to a token list with delimiters repaired afterwards;
//! - [`program`]: random syntactically valid functions from a small grammar, some only
//!   in the supported language (the macro must accept those: no false rejections), some
//!   with unsupported constructs mixed in.
//!
//! The default run is bounded (about a minute in debug on 2 cores). Longer runs:
//!
//! ```text
//! AUTODIFF_FUZZ_CASES=20000 cargo test -p autodiff-macros fuzz -- --nocapture
//! AUTODIFF_FUZZ_SEED=12345  cargo test -p autodiff-macros fuzz   # another fixed seed
//! ```
//!
//! `AUTODIFF_FUZZ_CASES` is the number of cases of *each* fuzz test (default
//! [`DEFAULT_CASES`] and fractions of it); the seed is fixed by default so CI runs are
//! reproducible. A failure is shrunk by proptest and printed with the minimal input; each
//! test prints its number of cases, how many the macro accepted, and the time. A panic
//! already reported in `tests/regression/pending_*.rs` is counted, not failed
//! ([`KNOWN_PANICS`]); the generators avoid the reported false rejections (`KNOWN BUG`).

mod program;
mod tokens;

use crate::expand::differentiate;
use proc_macro2::TokenStream;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Cases of the token-mutation fuzz test in a default `cargo test` run; the program fuzz
/// tests run a fifth and a seventh of this (their cases are bigger). All three together:
/// about 35 s in debug on 2 cores (40 000 + 8 000 + 5 714 cases).
pub const DEFAULT_CASES: u32 = 40_000;

/// An expansion slower than this counts as a hang (debug build; typical cases take < 5 ms).
pub const TIME_LIMIT: Duration = Duration::from_secs(3);

/// `AUTODIFF_FUZZ_CASES`, or `DEFAULT_CASES / divisor`.
pub fn cases(divisor: u32) -> u32 {
    std::env::var("AUTODIFF_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES / divisor)
}

fn seed() -> u64 {
    std::env::var("AUTODIFF_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005E_EDAD)
}

/// A deterministic proptest runner with `cases` cases and no failure files.
pub fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed()),
        max_shrink_iters: 4096,
        ..Config::default()
    };
    TestRunner::new(config)
}

/// Runs `cases(divisor)` cases of `test` on `strategy` and prints how many ran, how many
/// inputs the macro accepted (`test` returns whether it did) and how long it took.
pub fn run<S: proptest::strategy::Strategy>(
    name: &str,
    divisor: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cases = cases(divisor);
    let mut runner = runner(cases);
    let (ran, accepted) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let start = Instant::now();
    let result = runner.run(&strategy, |v| {
        let ok = test(v)?;
        ran.fetch_add(1, Ordering::Relaxed);
        accepted.fetch_add(usize::from(ok), Ordering::Relaxed);
        Ok(())
    });
    let elapsed = start.elapsed();
    eprintln!(
        "fuzz {name}: {cases} cases ({} accepted by the macro) in {:.1} s, seed {}; known panics hit so far in this process: {}",
        accepted.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        seed(),
        KNOWN_HITS.load(Ordering::Relaxed)
    );
    let _ = ran;
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, input)) => {
            panic!("fuzz {name} failed: {why}\nminimal input: {input:#?}")
        }
        Err(e) => panic!("fuzz {name}: {e}"),
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic happened (`file:line`).
    static PANIC_AT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Panics already reported (the `tests/regression/pending_*.rs` files): `(file, message
/// prefix, regression file)`. A matching panic is counted, not failed, so the fuzzer keeps
/// looking for new bugs. Remove an entry when its bug is fixed.
const KNOWN_PANICS: &[(&str, &str, &str)] = &[
    // `parse_quote!` of re-assembled statements in `loop_to_while` / `index_loop`.
    (
        "src/desugar.rs",
        "unexpected token",
        "pending_loop_body_without_semicolon.rs, pending_for_over_block_iter.rs",
    ),
];

/// Number of cases that hit a known panic, for the summary line.
static KNOWN_HITS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Installs (once) a panic hook that stays silent on threads running a fuzz case, so
/// shrinking a panic does not print thousands of backtraces; other threads keep the
/// default output.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                PANIC_AT.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// What one expansion produced.
pub struct Outcome {
    pub output: TokenStream,
    pub accepted: bool,
}

/// Expands `#[differentiate(args)] item` and checks the properties in the module docs.
pub fn check(args: &TokenStream, item: &TokenStream) -> Result<Outcome, String> {
    install_quiet_hook();
    let start = Instant::now();
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        differentiate(args.clone(), item.clone())
    }));
    QUIET.with(|q| q.set(false));
    let elapsed = start.elapsed();
    let output = match result {
        Ok(o) => o,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string panic>".into());
            let at = PANIC_AT.with(|p| p.borrow().clone());
            let known = KNOWN_PANICS
                .iter()
                .any(|(file, prefix, _)| at.contains(file) && msg.starts_with(prefix));
            if known {
                KNOWN_HITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(Outcome {
                    output: TokenStream::new(),
                    accepted: false,
                });
            }
            return Err(format!("the macro panicked at {at}: {msg}"));
        }
    };
    if elapsed > TIME_LIMIT {
        return Err(format!("the expansion took {elapsed:?}"));
    }
    let text = output.to_string();
    let has_error = text.contains("compile_error");
    let file = syn::parse2::<syn::File>(output.clone());
    if file.is_err() && !has_error {
        return Err(format!(
            "output neither parses nor has compile_error\n{text}"
        ));
    }
    for msg in error_messages(&output) {
        check_message_style(&msg)?;
    }
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(input) => {
            let file = file.map_err(|e| format!("output does not parse as items: {e}\n{text}"))?;
            if !keeps_original(&file, &input) {
                return Err(format!(
                    "the user's function is not emitted unchanged\n{text}"
                ));
            }
            if !has_error {
                let pb = format!("{}_pullback", input.sig.ident);
                let has_pb = file
                    .items
                    .iter()
                    .any(|i| matches!(i, syn::Item::Fn(f) if f.sig.ident == pb));
                if !has_pb {
                    return Err(format!("accepted, but no `{pb}` emitted\n{text}"));
                }
            }
        }
        Err(_) => {
            if !has_error {
                return Err(format!(
                    "the input is not a function and the output has no compile_error\n{text}"
                ));
            }
            if !text.ends_with(&item.to_string()) {
                return Err(format!(
                    "the input tokens are not emitted unchanged\n{text}"
                ));
            }
        }
    }
    Ok(Outcome {
        output,
        accepted: !has_error,
    })
}

/// Whether `file` holds `input` with its body, signature and attributes intact (the macro
/// adds `#[allow(dead_code)]` and strips `#[no_grad]` markers).
fn keeps_original(file: &syn::File, input: &syn::ItemFn) -> bool {
    let mut expected = input.clone();
    for arg in expected.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pt) = arg {
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
        }
    }
    let tokens = |t: &dyn quote::ToTokens| t.to_token_stream().to_string();
    file.items.iter().any(|item| match item {
        syn::Item::Fn(f) => {
            tokens(&f.sig) == tokens(&expected.sig)
                && tokens(&f.block) == tokens(&expected.block)
                && tokens(&f.vis) == tokens(&expected.vis)
                && expected
                    .attrs
                    .iter()
                    .all(|a| f.attrs.iter().any(|b| tokens(a) == tokens(b)))
        }
        _ => false,
    })
}

/// The messages of every `compile_error! { "..." }` in `output`.
fn error_messages(output: &TokenStream) -> Vec<String> {
    use proc_macro2::TokenTree;
    let mut out = Vec::new();
    let tts: Vec<TokenTree> = output.clone().into_iter().collect();
    for (k, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Ident(i) if i == "compile_error" => {
                if let Some(TokenTree::Group(g)) = tts.get(k + 2)
                    && let Ok(lit) = syn::parse2::<syn::LitStr>(g.stream())
                {
                    out.push(lit.value());
                }
            }
            TokenTree::Group(g) => out.extend(error_messages(&g.stream())),
            _ => {}
        }
    }
    out
}

/// STYLE.md: lowercase, no final period, quote the syntax.
fn check_message_style(msg: &str) -> Result<(), String> {
    let first = msg.chars().next().unwrap_or(' ');
    // syn's own parse errors ("expected `,`") are lowercase too.
    if first.is_uppercase() {
        return Err(format!("error message starts upper-case: {msg:?}"));
    }
    if msg.ends_with('.') {
        return Err(format!("error message ends with a period: {msg:?}"));
    }
    if msg.trim().is_empty() {
        return Err("empty error message".into());
    }
    Ok(())
}

/// Parses source text into tokens for the seeds.
pub fn tokens_of(src: &str) -> TokenStream {
    src.parse().expect("seed source tokenizes")
}

/// A fuzz case failed: wrap the message for proptest.
pub fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

#[test]
fn harness_accepts_valid_and_invalid_inputs() {
    let args = TokenStream::new();
    let ok = check(&args, &tokens_of("fn f(x: f64) -> f64 { x * x }")).unwrap();
    assert!(ok.accepted, "{}", ok.output);
    let err = check(&args, &tokens_of("fn f(x: f64) -> f64 { x.frob() }")).unwrap();
    assert!(!err.accepted);
    let garbage = check(&args, &tokens_of("fn f(x: f64) -> f64 x * x")).unwrap();
    assert!(!garbage.accepted);
    let not_fn = check(&args, &tokens_of("struct S;")).unwrap();
    assert!(!not_fn.accepted);
}

/// A debugging aid for minimizing fuzz findings: with `AUTODIFF_EXPAND=path/to/file.rs`
/// (a function, optionally with its `#[differentiate(..)]` attribute), prints the
/// expansion and the property check; without it, does nothing.
///
/// ```text
/// AUTODIFF_EXPAND=/tmp/case.rs cargo test -p autodiff-macros expand_file -- --nocapture
/// ```
#[test]
fn expand_file() {
    let Some(path) = std::env::var_os("AUTODIFF_EXPAND") else {
        return;
    };
    let src = std::fs::read_to_string(path).expect("readable file");
    let mut item: syn::ItemFn = syn::parse_str(&src).expect("a function");
    let args = match item
        .attrs
        .iter()
        .position(|a| a.path().is_ident("differentiate"))
    {
        Some(k) => match item.attrs.remove(k).meta {
            syn::Meta::List(l) => l.tokens,
            _ => TokenStream::new(),
        },
        None => TokenStream::new(),
    };
    let item = quote::quote!(#item);
    let out = differentiate(args.clone(), item.clone());
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(f) => println!("{}", prettyplease::unparse(&f)),
        Err(_) => println!("{out}"),
    }
    println!("check: {:?}", check(&args, &item).map(|o| o.accepted));
}
