//! The skills extension (SEP-2640) at the edges: skills that stop the server at startup with an
//! error naming the file, files that change on disk while the server runs, files read lazily
//! that fail, dynamic skills, pagination, binary and oddly named files. (The example
//! `examples/skills` covers the everyday path, with the official TypeScript skills client and
//! the conformance suite.)

use std::path::{Path, PathBuf};

use mcp_runtime::skill::Skill;
use mcp_runtime::testing::TestClient;
use mcp_runtime::Server;
use serde_json::{json, Value};

const SKILL_MD: &str = "---\nname: alpha\ndescription: The first skill\n---\nBody.\n";

fn skill_md(name: &str) -> String {
    format!("---\nname: {name}\ndescription: The {name} skill\n---\nBody.\n")
}

/// An empty scratch folder of this test's own.
fn scratch(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("mcp-skills-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn write(root: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// The error that building `server` stops with.
fn startup_error(server: Server) -> String {
    TestClient::new(server).unwrap_err().to_string()
}

#[test]
fn bad_skills_in_code_stop_the_server_naming_the_file() {
    let cases = [
        (Skill::new("alpha"), "skill://alpha/SKILL.md", "no SKILL.md"),
        (
            Skill::new("beta").file("SKILL.md", SKILL_MD),
            "skill://beta/SKILL.md",
            "its `name` is `alpha`, but the skill's folder is `beta`",
        ),
        (
            Skill::new("alpha").file("SKILL.md", "# no frontmatter"),
            "skill://alpha/SKILL.md",
            "must begin with YAML frontmatter",
        ),
        (
            Skill::new("alpha").file("SKILL.md", "---\nname: alpha\n---\n"),
            "skill://alpha/SKILL.md",
            "non-empty `description`",
        ),
        (
            Skill::new("alpha").file("SKILL.md", vec![0xff, 0xfe]),
            "skill://alpha/SKILL.md",
            "UTF-8",
        ),
        (
            Skill::new("alpha").file_with("SKILL.md", || async { Ok::<_, String>(SKILL_MD) }),
            "skill://alpha/SKILL.md",
            "given with `Skill::file`",
        ),
        (
            Skill::new("Alpha").file("SKILL.md", SKILL_MD),
            "skill://Alpha/SKILL.md",
            "not a skill name",
        ),
        (Skill::new("acme//alpha"), "acme//alpha", "empty segment"),
        (Skill::new("../alpha"), "../alpha", "`..` segment"),
        (
            Skill::new("alpha")
                .file("SKILL.md", SKILL_MD)
                .file("../escape.md", "x"),
            "skill://alpha/SKILL.md",
            "`..` segment",
        ),
        (
            Skill::new("alpha")
                .file("SKILL.md", SKILL_MD)
                .file("a.md", "x")
                .file("a.md", "y"),
            "skill://alpha/a.md",
            "given twice",
        ),
    ];
    for (skill, place, reason) in cases {
        let error = startup_error(Server::new().skill(skill));
        assert!(
            error.contains(place) && error.contains(reason),
            "{place} / {reason}: {error}"
        );
    }
    // The same path twice.
    let twice = Server::new()
        .skill(Skill::new("alpha").file("SKILL.md", SKILL_MD))
        .skill(Skill::new("alpha").file("SKILL.md", SKILL_MD));
    let error = startup_error(twice);
    assert!(error.contains("skill://alpha/SKILL.md"), "{error}");
}

#[test]
fn skills_over_the_size_limits_are_refused() {
    let mut many = Skill::new("alpha").file("SKILL.md", SKILL_MD);
    for n in 0..512 {
        many = many.file(format!("f/{n}.txt"), "x");
    }
    let error = startup_error(Server::new().skill(many));
    assert!(
        error.contains("513 files") && error.contains("at most 512"),
        "{error}"
    );
    let big = Skill::new("alpha")
        .file("SKILL.md", SKILL_MD)
        .file("a.bin", vec![0u8; 9 << 20])
        .file("b.bin", vec![0u8; 8 << 20]);
    let error = startup_error(Server::new().skill(big));
    assert!(error.contains("16 MiB"), "{error}");
}

#[test]
fn bad_skills_in_a_folder_stop_the_server_naming_the_file_on_disk() {
    let root = scratch("folder-errors");
    write(&root, "refunds/SKILL.md", skill_md("returns"));
    let error = startup_error(Server::new().skills_dir(&root));
    let file = root.join("refunds/SKILL.md").display().to_string();
    assert!(
        error.contains(&file) && error.contains("`returns`"),
        "{error}"
    );
    std::fs::remove_dir_all(&root).unwrap();
    let error = startup_error(Server::new().skills_dir(&root));
    assert!(error.contains("not a folder"), "{error}");
}

#[test]
fn a_resource_at_a_skill_files_uri_is_refused() {
    static CLASH: mcp_runtime::resource::ResourceDef =
        mcp_runtime::resource::ResourceDef::new("skill://alpha/SKILL.md", "clash", |_, _| {
            mcp_runtime::invocation::Invocation::Ready(Ok(Vec::new()))
        });
    let server = Server::new()
        .resource(&CLASH)
        .skill(Skill::new("alpha").file("SKILL.md", SKILL_MD));
    let error = startup_error(server);
    assert!(error.contains("is a skill's file"), "{error}");
}

#[tokio::test]
async fn a_file_changed_on_disk_is_listed_as_it_is_now() {
    let root = scratch("changes");
    write(&root, "alpha/SKILL.md", SKILL_MD);
    write(&root, "alpha/notes.md", "first");
    let client = TestClient::new(Server::new().skills_dir(&root)).unwrap();
    let get = || client.request("skills/get", json!({"uri": "skill://alpha/SKILL.md"}));
    let before = get().await.unwrap();
    assert_eq!(before["skill"]["resources"][1]["digest"], digest(b"first"));

    // The file changes: the entry follows it at once (nothing read it), and a read serves the
    // bytes the entry promises.
    write(&root, "alpha/notes.md", "second, longer");
    let after = get().await.unwrap();
    assert_eq!(
        after["skill"]["resources"][1]["digest"],
        digest(b"second, longer")
    );
    assert_eq!(after["skill"]["resources"][1]["size"], 14);
    let read = client
        .read_resource("skill://alpha/notes.md")
        .await
        .unwrap();
    assert_eq!(read[0].text.as_deref(), Some("second, longer"));
    // The same size, rewritten: still noticed.
    write(&root, "alpha/notes.md", "second, LONGER");
    let after = get().await.unwrap();
    assert_eq!(
        after["skill"]["resources"][1]["digest"],
        digest(b"second, LONGER")
    );

    // A changed SKILL.md's frontmatter is read again, by the listing too; an invalid one is
    // not taken.
    let renamed = SKILL_MD.replace("The first skill", "Still the first skill");
    write(&root, "alpha/SKILL.md", &renamed);
    let listing = client.request("skills/list", json!({})).await.unwrap();
    assert_eq!(
        listing["skills"][0]["frontmatter"]["description"],
        "Still the first skill"
    );
    let after = get().await.unwrap();
    assert_eq!(
        after["skill"]["resources"][0]["digest"],
        digest(renamed.as_bytes())
    );
    write(&root, "alpha/SKILL.md", "no frontmatter now");
    client
        .read_resource("skill://alpha/SKILL.md")
        .await
        .unwrap();
    let after = get().await.unwrap();
    assert_eq!(
        after["skill"]["frontmatter"]["description"],
        "Still the first skill"
    );
    write(&root, "alpha/SKILL.md", &renamed);

    // A file removed from disk, or replaced by a link to a file outside the folder, or grown
    // over the limit, is an internal error: not a crash, and not what the link points at.
    let refused = || async {
        let error = client
            .read_resource("skill://alpha/notes.md")
            .await
            .unwrap_err();
        assert_eq!(error.code.0, -32603, "{error:?}");
    };
    std::fs::remove_file(root.join("alpha/notes.md")).unwrap();
    refused().await;
    // A skill with a file that is gone is left out of the listing, and its entry is an error.
    let listing = client.request("skills/list", json!({})).await.unwrap();
    assert_eq!(listing["skills"], json!([]), "{listing}");
    assert_eq!(get().await.unwrap_err().code.0, -32603);
    #[cfg(unix)]
    {
        write(&root, "outside.txt", "secret");
        std::os::unix::fs::symlink(root.join("outside.txt"), root.join("alpha/notes.md")).unwrap();
        refused().await;
        std::fs::remove_file(root.join("alpha/notes.md")).unwrap();
    }
    let grown = std::fs::File::create(root.join("alpha/notes.md")).unwrap();
    grown.set_len((16 << 20) + 1).unwrap();
    refused().await;
    std::fs::remove_dir_all(&root).unwrap();
}

/// A folder on the way to a file, replaced while the server runs by a link to a folder outside
/// the skills folder: the link is not followed, by reads or by listings.
#[cfg(unix)]
#[tokio::test]
async fn a_folder_replaced_by_a_link_is_not_followed() {
    let root = scratch("folder-link");
    write(&root, "skills/alpha/SKILL.md", SKILL_MD);
    write(&root, "skills/alpha/docs/guide.md", "inside");
    write(&root, "elsewhere/guide.md", "secret");
    let client = TestClient::new(Server::new().skills_dir(root.join("skills"))).unwrap();
    let read = || client.read_resource("skill://alpha/docs/guide.md");
    assert_eq!(read().await.unwrap()[0].text.as_deref(), Some("inside"));

    std::fs::remove_dir_all(root.join("skills/alpha/docs")).unwrap();
    std::os::unix::fs::symlink(root.join("elsewhere"), root.join("skills/alpha/docs")).unwrap();
    let error = read().await.unwrap_err();
    assert_eq!(error.code.0, -32603, "{error:?}");
    assert!(!error.message.contains("secret"));
    let entry = client
        .request("skills/get", json!({"uri": "skill://alpha/SKILL.md"}))
        .await
        .unwrap_err();
    assert_eq!(entry.code.0, -32603, "{entry:?}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_lazy_file_that_fails_is_an_internal_error_and_leaves_its_skill_out_of_the_listing() {
    let server = Server::new()
        .skill(Skill::new("alpha").file("SKILL.md", SKILL_MD))
        .skill(
            Skill::new("broken")
                .file("SKILL.md", skill_md("broken"))
                .file_with("data.md", || async {
                    Err::<String, _>("the database is down")
                }),
        );
    let client = TestClient::new(server).unwrap();
    let listing = client.request("skills/list", json!({})).await.unwrap();
    let uris: Vec<&Value> = listing["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["uri"])
        .collect();
    assert_eq!(uris, ["skill://alpha/SKILL.md"]);
    for (method, params) in [
        ("skills/get", json!({"uri": "skill://broken/SKILL.md"})),
        ("resources/read", json!({"uri": "skill://broken/data.md"})),
    ] {
        let error = client.request(method, params).await.unwrap_err();
        assert_eq!(error.code.0, -32603, "{method}: {error:?}");
        assert!(
            !error.message.contains("database"),
            "internals stay in the log: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_dynamic_skill_lists_no_digests_and_reads_fresh_each_time() {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reads = counter.clone();
    let server = Server::new().skill(
        Skill::new("clock")
            .file("SKILL.md", skill_md("clock"))
            .file_with("now.md", move || {
                let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move { Ok::<_, String>(format!("read {n}")) }
            })
            .dynamic(),
    );
    let client = TestClient::new(server).unwrap();
    let entry = client
        .request("skills/get", json!({"uri": "skill://clock/SKILL.md"}))
        .await
        .unwrap();
    assert_eq!(entry["skill"]["resources"], "dynamic");
    assert_eq!(
        counter.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "listing reads nothing"
    );
    for n in 0..2 {
        let read = client.read_resource("skill://clock/now.md").await.unwrap();
        assert_eq!(read[0].text.as_deref(), Some(format!("read {n}").as_str()));
    }
}

#[tokio::test]
async fn listings_and_folders_are_paged_without_splitting_an_entry() {
    let mut server = Server::new().page_size(2);
    let mut wide = Skill::new("wide").file("SKILL.md", skill_md("wide"));
    for n in 0..5 {
        wide = wide.file(format!("docs/{n}.md"), format!("doc {n}"));
    }
    server = server.skill(wide);
    for name in ["a", "b", "c", "d"] {
        server = server.skill(Skill::new(name).file("SKILL.md", skill_md(name)));
    }
    let client = TestClient::new(server).unwrap();
    for (method, uri, key, expected) in [
        ("skills/list", None, "skills", 5),
        (
            "resources/directory/read",
            Some("skill://wide/docs"),
            "resources",
            5,
        ),
    ] {
        let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let mut params = json!({});
            if let Some(uri) = uri {
                params["uri"] = uri.into();
            }
            if let Some(c) = &cursor {
                params["cursor"] = c.clone().into();
            }
            let page = client.request(method, params).await.unwrap();
            pages += 1;
            let entries = page[key].as_array().unwrap();
            assert!(entries.len() <= 2, "{page}");
            seen.extend(
                entries
                    .iter()
                    .map(|e| e["uri"].as_str().unwrap().to_owned()),
            );
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!((seen.len(), pages), (expected, 3), "{method}: {seen:?}");
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique, seen, "{method}");
    }
    // The wide skill's entry carries all six files on its page.
    let entry = client
        .request("skills/get", json!({"uri": "skill://wide/SKILL.md"}))
        .await
        .unwrap();
    assert_eq!(entry["skill"]["resources"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn binary_and_oddly_named_files_are_served() {
    let root = scratch("odd");
    write(&root, "alpha/SKILL.md", SKILL_MD);
    write(
        &root,
        "alpha/assets/logo image.png",
        [0x89, b'P', b'N', b'G', 0xff],
    );
    write(&root, "alpha/.git/config", "hidden");
    let client = TestClient::new(Server::new().skills_dir(&root)).unwrap();
    let entry = client
        .request("skills/get", json!({"uri": "skill://alpha/SKILL.md"}))
        .await
        .unwrap();
    let uris: Vec<&Value> = entry["skill"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["uri"])
        .collect();
    assert_eq!(
        uris,
        [
            "skill://alpha/SKILL.md",
            "skill://alpha/assets/logo%20image.png"
        ]
    );
    let read = client
        .read_resource("skill://alpha/assets/logo%20image.png")
        .await
        .unwrap();
    assert_eq!(read[0].mime_type.as_deref(), Some("image/png"));
    assert_eq!(read[0].blob.as_deref(), Some("iVBOR/8="));
    let folder = client
        .request(
            "resources/directory/read",
            json!({"uri": "skill://alpha/assets"}),
        )
        .await
        .unwrap();
    assert_eq!(folder["resources"][0]["name"], "logo image.png");
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn nested_skills_are_listed_flat_and_inside_the_skill_around_them() {
    let root = scratch("nested");
    write(&root, "outer/SKILL.md", skill_md("outer"));
    write(&root, "outer/inner/SKILL.md", skill_md("inner"));
    write(&root, "outer/inner/guide.md", "guide");
    let client = TestClient::new(Server::new().skills_dir(&root)).unwrap();
    let listing = client.request("skills/list", json!({})).await.unwrap();
    let skills = listing["skills"].as_array().unwrap();
    let uris: Vec<&Value> = skills.iter().map(|s| &s["uri"]).collect();
    assert_eq!(
        uris,
        ["skill://outer/SKILL.md", "skill://outer/inner/SKILL.md"]
    );
    let outer: Vec<&Value> = skills[0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["uri"])
        .collect();
    assert_eq!(
        outer,
        [
            "skill://outer/SKILL.md",
            "skill://outer/inner/SKILL.md",
            "skill://outer/inner/guide.md"
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn without_skills_the_methods_do_not_exist() {
    let client = TestClient::new(Server::new()).unwrap();
    for method in ["skills/list", "skills/get", "resources/directory/read"] {
        let error = client
            .request(method, json!({"uri": "skill://a"}))
            .await
            .unwrap_err();
        assert_eq!(error.code.0, -32601, "{method}: {error:?}");
    }
    let discovered = client.discover().await.unwrap();
    assert!(
        discovered["capabilities"].get("extensions").is_none(),
        "{discovered}"
    );
}

#[tokio::test]
async fn uris_are_matched_exactly_never_resolved_as_paths() {
    let root = scratch("traversal");
    write(&root, "alpha/SKILL.md", SKILL_MD);
    write(&root, "alpha/docs/guide.md", "guide");
    write(&root, "secret.txt", "outside every skill");
    let client = TestClient::new(Server::new().skills_dir(&root)).unwrap();
    let probes = [
        "skill://alpha/../secret.txt",
        "skill://alpha/docs/../SKILL.md",
        "skill://alpha/%2e%2e/secret.txt",
        "skill://alpha//SKILL.md",
        "skill://alpha/docs/guide.md/",
        "skill://ALPHA/SKILL.md",
        "skill://alpha/.git/config",
    ];
    for (era, code) in [(client.clone(), -32602), (client.legacy(), -32002)] {
        for uri in probes {
            let error = era.read_resource(uri).await.unwrap_err();
            assert_eq!(error.code.0, code, "{uri}: {error:?}");
            let error = era
                .request("resources/directory/read", json!({"uri": uri}))
                .await
                .unwrap_err();
            assert_eq!(error.code.0, -32602, "{uri}: {error:?}");
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
}
