//! Every tool schema of the example compiles in a strict validator (Ajv, as clients use it)
//! without an error or a warning.

use mcp_tests::peers::{assert_strict_schemas, interop_home, ExampleServer};

#[tokio::test]
async fn schemas_compile_in_a_strict_validator() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_todo")).await;
    assert_strict_schemas(&home, &server.url, None).await;
}
