//! The official Python and TypeScript clients list and read resources, read a template, and get
//! a prompt with arguments from the fixture server, in every era they speak.

use mcp_tests::peers::{interop_home, script, ExampleServer, PeerRun};

fn assert_resources_and_prompts(run: &PeerRun) {
    assert!(run.success, "the peer failed: {run:#?}");
    let resources = &run.find("resources")["resources"];
    assert!(
        resources
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "test://static-text"),
        "{resources}"
    );
    assert_eq!(
        run.find("read")["read"],
        "This is the content of the static text resource."
    );
    assert_eq!(
        run.find("templates")["templates"][0],
        "test://template/{id}/data"
    );
    let data = &run.find("template_read")["template_read"];
    assert_eq!(
        (data["id"].as_str(), data["data"].as_str()),
        (Some("7"), Some("Data for ID: 7"))
    );
    assert!(run.find("prompts")["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "test_prompt_with_arguments"));
    assert_eq!(
        run.find("prompt")["prompt"],
        "Prompt with arguments: arg1='alpha', arg2='beta'"
    );
}

#[tokio::test]
async fn python_client_reads_resources_and_prompts_in_both_eras() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_everything")).await;
    for (mode, version) in [("2026-07-28", "2026-07-28"), ("legacy", "2025-11-25")] {
        let run = script(
            &home,
            "py",
            "resources_client",
            &server.url,
            &["--mode", mode],
        )
        .await;
        assert_resources_and_prompts(&run);
        assert_eq!(run.find("protocol_version")["protocol_version"], version);
    }
}

#[tokio::test]
async fn typescript_clients_read_resources_and_prompts() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_everything")).await;
    for (sdk, version) in [("ts-v1", "2025-11-25"), ("ts-v2", "2026-07-28")] {
        let run = script(&home, sdk, "resources_client", &server.url, &[]).await;
        assert_resources_and_prompts(&run);
        assert_eq!(
            run.find("protocolVersion")["protocolVersion"],
            version,
            "{sdk}"
        );
    }
}

#[tokio::test]
async fn typescript_v1_client_runs_tools_as_tasks_and_polls_from_a_new_session() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_everything")).await;
    let run = script(&home, "ts-v1", "tasks_client", &server.url, &[]).await;
    assert!(run.success, "the peer failed: {run:#?}");
    assert_eq!(
        run.find("capabilities")["capabilities"]["requests"]["tools"]["call"],
        serde_json::json!({})
    );
    // The question went out on the `tasks/result` stream, tagged with the task, and its answer
    // reached the handler.
    let asked = run.find("events");
    assert_eq!(asked["answer"], "Deleted notes.txt");
    let created = &run.find("created")["created"];
    assert_eq!(asked["asked"][0]["message"], "Delete notes.txt?");
    assert_eq!(asked["asked"][0]["relatedTask"], created["taskId"]);
    assert!(asked["events"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("status:input_required")));
    // While the client waited on `tasks/result`, the stream announced the task's next statuses
    // (back to work once answered, which may pass between two looks, then its end).
    let notified = asked["notified"].as_array().unwrap();
    assert_eq!(notified.last().unwrap(), "completed", "{asked}");
    assert!(notified.len() <= 2 && notified.iter().all(|s| s == "working" || s == "completed"));
    // The detached task was polled and read from another session; it is not listed there.
    let detached = run.find("detached");
    assert_eq!(
        detached["ttl"], 60_000,
        "the client's ttl, below the server's, is kept"
    );
    let polled = run.find("polled");
    assert_eq!(polled["polled"], "completed");
    assert_eq!(polled["result"], "detached: finished after 1 s");
    assert_eq!(polled["relatedTask"], detached["detached"]);
    assert_eq!(polled["listed"], serde_json::json!([]));
}

/// The official clients mirror `route_query`'s `x-mcp-header` arguments into `Mcp-Param-*`
/// headers (a non-ASCII value in base64), and the server, which refuses a call whose headers
/// and body differ, accepts theirs.
#[tokio::test]
async fn official_clients_mirror_header_parameters_the_server_accepts() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_everything")).await;
    let args = r#"{"region": "東京 north", "priority": 3, "verbose": true, "query": "select 1"}"#;
    let expected = "explained `select 1` in 東京 north at priority 3";
    let ts = mcp_tests::peers::typescript(&home, "v2", &server.url, "route_query", args).await;
    assert!(ts.success, "the TypeScript client failed: {ts:#?}");
    assert_eq!(ts.find("protocolVersion")["protocolVersion"], "2026-07-28");
    assert_eq!(ts.find("call")["result"]["content"][0]["text"], expected);
    let py = mcp_tests::peers::python(&home, &server.url, "2026-07-28", "route_query", args).await;
    assert!(py.success, "the Python client failed: {py:#?}");
    assert_eq!(py.find("call")["result"]["content"][0]["text"], expected);
}

/// Every tool schema compiles in a strict validator without a warning, but for one keyword Ajv
/// lacks: `$anchor`, which the conformance suite's JSON Schema 2020-12 fixture must carry.
#[tokio::test]
async fn schemas_compile_in_a_strict_validator() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_everything")).await;
    let (tools, problems) =
        mcp_tests::peers::strict_schema_problems(&home, &server.url, None).await;
    assert!(tools.len() > 30, "{tools:?}");
    let unexpected: Vec<&String> = problems
        .iter()
        .filter(|p| {
            !(p.starts_with("json_schema_2020_12_tool.inputSchema:")
                && p.ends_with("unknown keyword: \"$anchor\""))
        })
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
}
