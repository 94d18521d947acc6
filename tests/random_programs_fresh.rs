//! `tests/random_programs/programs.rs` is generated; this fails when it is stale or hand-edited.

#[path = "../examples/gen_random_programs.rs"]
#[allow(dead_code)]
mod generator;

#[test]
fn random_programs_file_is_fresh() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/random_programs/programs.rs");
    let have = std::fs::read_to_string(&path).expect("tests/random_programs/programs.rs exists");
    assert!(
        have == generator::generate(),
        "tests/random_programs/programs.rs is stale: run `cargo run --example gen_random_programs`"
    );
}
