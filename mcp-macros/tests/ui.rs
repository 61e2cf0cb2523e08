//! Compile-time behaviour of the macros: what compiles, and the exact diagnostics of what does not.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    for kind in ["tool", "resource", "prompt", "complete"] {
        cases.pass(format!("tests/ui/{kind}/pass/*.rs"));
        cases.compile_fail(format!("tests/ui/{kind}/fail/*.rs"));
    }
}
