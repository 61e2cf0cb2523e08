//! Compile-time behaviour of the macros: what compiles, and the exact diagnostics of what does not.

#[test]
fn tool() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/tool/pass/*.rs");
    cases.compile_fail("tests/ui/tool/fail/*.rs");
}
