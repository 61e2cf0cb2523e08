use mcp_runtime::prelude::*;

/// The app's configuration.
#[resource("config://app", mime_type = "application/json", audience = ["user", "assistant"], priority = 0.5, size = 2)]
fn config() -> &'static str {
    "{}"
}

/// A user's profile.
#[resource("users://{id}/profile", name = "profile", title = "Profile", ttl_ms = 60000, cache_scope = "private", scopes = ["profiles:read"])]
async fn profile(id: u64) -> Result<String, std::io::Error> {
    Ok(format!("user {id}"))
}

/// A file, by path, with optional query parameters.
#[resource("file:///{+path}{?encoding,limit}")]
fn file(path: String, encoding: Option<String>, limit: Option<usize>) -> Vec<u8> {
    let _ = (encoding, limit);
    path.into_bytes()
}

fn main() {
    let _ = (config, profile, file);
}
