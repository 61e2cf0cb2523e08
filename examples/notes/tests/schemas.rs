//! Every tool schema of the example compiles in a strict validator (Ajv, as clients use it)
//! without an error or a warning.

use mcp_tests::peers::{assert_strict_schemas, interop_home, ExampleServer};

#[tokio::test]
async fn schemas_compile_in_a_strict_validator() {
    let Some(home) = interop_home() else { return };
    let db = std::env::temp_dir().join(format!("notes-schemas-{}.db", std::process::id()));
    let db = db.to_str().expect("a UTF-8 temporary path");
    let server =
        ExampleServer::start_with(env!("CARGO_BIN_EXE_notes"), &[("MCP_NOTES_DB", db)]).await;
    assert_strict_schemas(&home, &server.url, None).await;
    let _ = std::fs::remove_file(db);
}
