//! Real peers read the example's skills: the official TypeScript SDK's skills client, which
//! verifies every file against its entry, in both eras.

use mcp_tests::peers::{interop_home, script, ExampleServer};

#[tokio::test]
async fn typescript_skills_client_verifies_every_file_in_both_eras() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_skills")).await;
    for (mode, version) in [("auto", "2026-07-28"), ("legacy", "2025-11-25")] {
        let run = script(&home, "ts-v2", "ts_skills", &server.url, &[mode]).await;
        assert!(run.success, "the skills client failed: {run:#?}");
        let connected = run.find("protocolVersion");
        assert_eq!(connected["protocolVersion"], version, "{run:#?}");
        assert_eq!(connected["supported"], true, "{connected}");
        assert_eq!(connected["directoryRead"], true, "{connected}");
        let listed = run.find("listed");
        assert_eq!(
            listed["listed"],
            serde_json::json!([
                "skill://acme/billing/refunds/SKILL.md",
                "skill://git-workflow/SKILL.md",
                "skill://release-notes/SKILL.md"
            ]),
            "{listed}"
        );
        let refunds = run.find("skill");
        assert_eq!(refunds["got"], refunds["skill"], "{refunds}");
        let files = refunds["files"].as_array().unwrap();
        assert_eq!(files.len(), 4, "{refunds}");
        assert!(files.iter().all(|f| f["verified"] == true), "{refunds}");
        assert_eq!(refunds["frontmatter"]["metadata"]["owner"], "billing");
        let directory = run.find("directory");
        assert_eq!(directory["directory"], "skill://acme/billing/refunds");
        let children = directory["children"].as_array().unwrap();
        assert!(
            children.iter().any(|c| c["mimeType"] == "inode/directory"
                && c["uri"] == "skill://acme/billing/refunds/templates"),
            "{directory}"
        );
    }
}
