use mcp_runtime::prelude::*;

/// An async tool with documented parameters.
#[tool(title = "Add", read_only, idempotent = true, destructive = false, open_world = false)]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    r#b: Option<i64>,
) -> i64 {
    a + r#b.unwrap_or(0)
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Query {
    text: String,
}

#[tool(name = "search.v2", description = "Searches.", timeout_ms = 1500)]
fn search(Args(query): Args<Query>) -> Result<String, std::io::Error> {
    Ok(query.text)
}

/// Crawls for a long time: may run as a task.
#[tool(task = "optional")]
async fn crawl(url: String) -> Result<String, ProtocolError> {
    Ok(url)
}

/// Deletes: only for callers granted both scopes.
#[tool(destructive, scopes = ["notes:write", "admin"])]
async fn purge(id: u64) -> u64 {
    id
}

/// Builds: always a task.
#[tool(task = "required")]
async fn build() -> String {
    String::new()
}

#[derive(serde::Serialize)]
struct Plain {
    n: u8,
}

#[tool]
fn serialized() -> Plain {
    Plain { n: 1 }
}

#[tool]
fn serialized_result() -> Result<Plain, String> {
    Ok(Plain { n: 2 })
}

#[tool]
fn nothing() {}

mod custom {
    use mcp_runtime as renamed;

    #[renamed::tool(crate = renamed)]
    pub fn renamed_crate() -> &'static str {
        "ok"
    }
}

fn main() {
    let _ = (add, search, serialized, serialized_result, nothing, custom::renamed_crate);
    let _ = (crawl, build);
    assert_eq!(crawl::tool().name(), "crawl");
}
