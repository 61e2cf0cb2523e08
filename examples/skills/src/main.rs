//! Run with: cargo run -p skills
//!
//! Serves the skills in `examples/skills/skills` (set `SKILLS_DIR` to serve another folder) and
//! one skill built in code, through the skills extension (`skills/list`, `skills/get`,
//! `resources/directory/read`, each file a `skill://` resource), beside the tool the refunds
//! skill teaches an agent to use. Listens at http://127.0.0.1:8080/mcp (`MCP_BIND` to change it),
//! or on stdin and stdout with `--stdio`.

use mcp_runtime::prelude::*;
use mcp_runtime::skill::Skill;

/// Whether a purchase made `days_ago` days ago can still be refunded (within 30 days).
#[tool(read_only, idempotent)]
async fn refund_eligible(days_ago: u32) -> bool {
    days_ago <= 30
}

/// The skill built in code: its `SKILL.md` is part of the program, and its changelog is written
/// when a client reads it, not when the server starts.
fn release_notes() -> Skill {
    Skill::new("release-notes")
        .file(
            "SKILL.md",
            "---\nname: release-notes\ndescription: Write release notes for this server's next version.\n---\n\
             # Release notes\n\nStart from `references/version.md`, then list what changed, newest first.\n",
        )
        .file_with("references/version.md", || async {
            Ok::<_, std::convert::Infallible>(format!(
                "# Version\n\nThe server runs version {}.\n",
                env!("CARGO_PKG_VERSION")
            ))
        })
}

/// The server: the skills folder, the skill built in code, and the tools.
fn server() -> Server {
    let folder = std::env::var("SKILLS_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/skills").into());
    Server::from_registry()
        .name("skills")
        .version(env!("CARGO_PKG_VERSION"))
        .instructions("Skills are listed with skills/list; start with skill://acme/billing/refunds/SKILL.md for refunds.")
        .skills_dir(folder)
        .skill(release_notes())
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    mcp_runtime::logging::init();
    if std::env::args().any(|a| a == "--stdio") {
        return server().serve_stdio().await;
    }
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = server().bind(addr).await?;
    eprintln!("skills: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::{json, Value};
    use sha2::{Digest, Sha256};

    use super::*;

    const FOLDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/skills");

    fn client() -> TestClient {
        TestClient::new(server()).unwrap()
    }

    fn digest(bytes: &[u8]) -> String {
        format!("sha256:{:x}", Sha256::digest(bytes))
    }

    #[tokio::test]
    async fn lists_every_skill_with_the_digest_and_size_of_every_file() {
        for client in [client(), client().legacy()] {
            let listing = client.request("skills/list", json!({})).await.unwrap();
            let skills = listing["skills"].as_array().unwrap();
            let uris: Vec<&str> = skills.iter().map(|s| s["uri"].as_str().unwrap()).collect();
            assert_eq!(
                uris,
                [
                    "skill://acme/billing/refunds/SKILL.md",
                    "skill://git-workflow/SKILL.md",
                    "skill://release-notes/SKILL.md"
                ]
            );
            let refunds = &skills[0];
            assert_eq!(
                refunds["frontmatter"],
                json!({
                    "name": "refunds",
                    "description": "Decide and answer customer refund requests by the billing team's policy.",
                    "license": "Apache-2.0",
                    "metadata": {"owner": "billing", "version": "1.2"},
                })
            );
            let files: Vec<&str> = refunds["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["uri"].as_str().unwrap())
                .collect();
            assert_eq!(
                files,
                [
                    "skill://acme/billing/refunds/SKILL.md",
                    "skill://acme/billing/refunds/references/policy.md",
                    "skill://acme/billing/refunds/templates/email.md",
                    "skill://acme/billing/refunds/templates/regional/eu.md",
                ]
            );
            // Each digest and size is of the file's bytes on disk.
            for entry in refunds["resources"].as_array().unwrap() {
                let inside = entry["uri"]
                    .as_str()
                    .unwrap()
                    .strip_prefix("skill://")
                    .unwrap();
                let bytes = std::fs::read(format!("{FOLDER}/{inside}")).unwrap();
                assert_eq!(entry["digest"], digest(&bytes), "{entry}");
                assert_eq!(entry["size"], bytes.len(), "{entry}");
            }
        }
        // 2026-07-28 listings carry the cache hints.
        let listing = client().request("skills/list", json!({})).await.unwrap();
        assert!(
            listing["ttlMs"].is_u64() && listing["cacheScope"].is_string(),
            "{listing}"
        );
    }

    #[tokio::test]
    async fn the_skill_in_code_is_read_when_asked_and_digested_as_read() {
        let client = client();
        let entry = client
            .request(
                "skills/get",
                json!({"uri": "skill://release-notes/SKILL.md"}),
            )
            .await
            .unwrap();
        let version = &entry["skill"]["resources"][1];
        assert_eq!(
            version["uri"],
            "skill://release-notes/references/version.md"
        );
        let contents = client
            .read_resource(version["uri"].as_str().unwrap())
            .await
            .unwrap();
        let text = contents[0].text.as_deref().unwrap();
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
        assert_eq!(version["digest"], digest(text.as_bytes()));
        assert_eq!(contents[0].mime_type.as_deref(), Some("text/markdown"));
    }

    #[tokio::test]
    async fn skill_files_are_resources_and_skill_md_is_listed() {
        let client = client();
        let listed = client.list_resources().await.unwrap();
        let refunds = listed
            .iter()
            .find(|r| r.uri == "skill://acme/billing/refunds/SKILL.md")
            .expect("the SKILL.md is listed");
        assert_eq!(refunds.name, "refunds");
        assert_eq!(refunds.mime_type.as_deref(), Some("text/markdown"));
        let script = client
            .read_resource("skill://git-workflow/scripts/check-branch.sh")
            .await
            .unwrap();
        let on_disk =
            std::fs::read_to_string(format!("{FOLDER}/git-workflow/scripts/check-branch.sh"))
                .unwrap();
        assert_eq!(script[0].text.as_deref(), Some(on_disk.as_str()));
        assert_eq!(script[0].mime_type.as_deref(), Some("text/x-shellscript"));
    }

    #[tokio::test]
    async fn folders_list_their_direct_children() {
        let client = client();
        let root = client
            .request(
                "resources/directory/read",
                json!({"uri": "skill://acme/billing/refunds"}),
            )
            .await
            .unwrap();
        assert_eq!(
            root["resources"],
            json!([
                {"uri": "skill://acme/billing/refunds/SKILL.md", "name": "SKILL.md", "mimeType": "text/markdown"},
                {"uri": "skill://acme/billing/refunds/references", "name": "references", "mimeType": "inode/directory"},
                {"uri": "skill://acme/billing/refunds/templates", "name": "templates", "mimeType": "inode/directory"},
            ])
        );
        let templates = client
            .request(
                "resources/directory/read",
                json!({"uri": "skill://acme/billing/refunds/templates"}),
            )
            .await
            .unwrap();
        let names: Vec<&Value> = templates["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["name"])
            .collect();
        assert_eq!(names, ["email.md", "regional"]);
    }

    #[tokio::test]
    async fn what_is_not_served_is_invalid_params() {
        let client = client();
        for era in [client.clone(), client.legacy()] {
            let cases = [
                (
                    "skills/get",
                    json!({"uri": "skill://nope/SKILL.md"}),
                    "Unknown skill",
                ),
                (
                    "skills/get",
                    json!({"uri": "skill://acme/billing/refunds"}),
                    "Unknown skill",
                ),
                ("skills/get", json!({}), "needs the `uri`"),
                ("skills/list", json!({"cursor": "7"}), "invalid cursor"),
                (
                    "resources/directory/read",
                    json!({"uri": "skill://git-workflow/SKILL.md"}),
                    "Not a directory",
                ),
                (
                    "resources/directory/read",
                    json!({"uri": "skill://git-workflow/nope"}),
                    "Directory not found",
                ),
                (
                    "resources/directory/read",
                    json!({"uri": "skill://acme"}),
                    "Directory not found",
                ),
            ];
            for (method, params, message) in cases {
                let error = era.request(method, params.clone()).await.unwrap_err();
                assert_eq!(error.code.0, -32602, "{method} {params}: {error:?}");
                assert!(
                    error.message.contains(message),
                    "{method} {params}: {error:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_extension_is_declared_in_both_eras() {
        let modern = client().discover().await.unwrap();
        assert_eq!(
            modern["capabilities"]["extensions"]["io.modelcontextprotocol/skills"],
            json!({"directoryRead": true})
        );
        assert!(modern["capabilities"]["resources"].is_object());
        let legacy = client()
            .legacy()
            .request("initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
            .await
            .unwrap();
        assert_eq!(
            legacy["capabilities"]["extensions"]["io.modelcontextprotocol/skills"],
            json!({"directoryRead": true})
        );
    }

    #[tokio::test]
    async fn registers_exactly_these_tools() {
        let names: Vec<String> = client()
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["refund_eligible"]);
        let result = client()
            .call_tool("refund_eligible", json!({"days_ago": 31}))
            .await
            .unwrap();
        assert_eq!(result.all_text(), "false");
    }
}
