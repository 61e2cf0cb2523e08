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
