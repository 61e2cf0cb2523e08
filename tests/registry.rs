//! Registry validation: the errors a server reports at startup.

use mcp_runtime::extract::Param;
use mcp_runtime::tool::{Invocation, Location, ToolDef};
use mcp_runtime::{Error, Server, ToolResult};

fn hand_written(name: &'static str, line: u32) -> ToolDef {
    ToolDef::new(name, |_| Invocation::Ready(ToolResult::text("ok"))).at(Location {
        file: "tools.rs",
        line,
    })
}

fn leak(def: ToolDef) -> &'static ToolDef {
    Box::leak(Box::new(def))
}

#[test]
fn duplicate_names_name_both_definitions() {
    let err = Server::new()
        .tool(leak(hand_written("same", 10)))
        .tool(leak(hand_written("same", 20)))
        .router()
        .unwrap_err();
    assert!(matches!(err, Error::Duplicate { name: "same", .. }));
    let message = err.to_string();
    assert!(
        message.contains("tools.rs:10") && message.contains("tools.rs:20"),
        "{message}"
    );
    // What `main` prints when it returns the error reads the same.
    assert_eq!(format!("{err:?}"), message);
}

#[test]
fn invalid_names_are_refused() {
    let err = Server::new()
        .tool(leak(hand_written("has space", 3)))
        .router()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidName { .. }), "{err}");
}

#[test]
fn argument_schemas_must_describe_an_object() {
    const WHOLE: Param = Param::of::<mcp_runtime::Args<Vec<i64>>>("");
    let def = hand_written("listy", 7).input_schema(|schema| {
        <mcp_runtime::Args<Vec<i64>> as mcp_runtime::extract::FromCall>::describe(schema, &WHOLE)
    });
    let err = Server::new().tool(leak(def)).router().unwrap_err();
    assert!(
        err.to_string().contains("must have an object schema"),
        "{err}"
    );
}

#[test]
fn completers_must_name_an_existing_argument() {
    use mcp_runtime::completion::{CompleterDef, CompletionTarget, IntoCompletion};
    static ORPHAN: CompleterDef =
        CompleterDef::new(CompletionTarget::Prompt("nowhere"), "x", |_, _| {
            Invocation::Ready(Vec::<String>::new().into_completion())
        })
        .at(Location {
            file: "completers.rs",
            line: 4,
        });
    let err = Server::new().completer(&ORPHAN).router().unwrap_err();
    assert!(
        matches!(err, Error::UnknownCompletionTarget { argument: "x", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("completers.rs:4"));
}
