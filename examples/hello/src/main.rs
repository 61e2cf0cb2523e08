//! Run with: cargo run -p hello
//!
//! A few plain functions served as MCP tools at http://127.0.0.1:8080/mcp (set `MCP_BIND` to
//! listen elsewhere), to clients of every protocol revision.

use mcp_runtime::prelude::*;

/// Adds two integers.
#[tool(read_only, idempotent)]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> i64 {
    a + b
}

/// Word, line and character counts of a text.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct TextStats {
    /// Number of words.
    words: usize,
    /// Number of lines.
    lines: usize,
    /// Number of characters.
    chars: usize,
}

/// Counts the words, lines and characters of a text.
#[tool(read_only)]
async fn text_stats(
    /// The text to measure
    text: String,
) -> Json<TextStats> {
    Json(TextStats {
        words: text.split_whitespace().count(),
        lines: text.lines().count(),
        chars: text.chars().count(),
    })
}

/// The prime numbers up to a limit, as a structured list. (A 2026-07-28 client receives the
/// list itself; a 2025-era client, whose structured output must be an object, receives
/// `{"result": [...]}` with an output schema wrapped the same way.)
#[tool(read_only, idempotent)]
async fn primes(
    /// The largest number to consider (at most 100000)
    limit: u32,
) -> Result<Json<Vec<u32>>, String> {
    if limit > 100_000 {
        return Err("the limit is at most 100000".into());
    }
    let primes = (2..=limit)
        .filter(|n| (2..).take_while(|d| d * d <= *n).all(|d| n % d != 0))
        .collect();
    Ok(Json(primes))
}

/// Divides `dividend` by `divisor`; fails when the divisor is zero.
#[tool(read_only)]
async fn divide(dividend: f64, divisor: f64) -> Result<f64, String> {
    if divisor == 0.0 {
        Err("cannot divide by zero".into())
    } else {
        Ok(dividend / divisor)
    }
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    let server = Server::from_registry()
        .name("hello")
        .version(env!("CARGO_PKG_VERSION"));
    if std::env::args().any(|a| a == "--stdio") {
        // Started by a desktop client: messages on stdin and stdout, logs on stderr.
        return server.serve_stdio().await;
    }
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = server.bind(addr).await?;
    eprintln!("hello: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::*;

    fn client() -> TestClient {
        TestClient::new(Server::from_registry()).unwrap()
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
        assert_eq!(names, ["add", "divide", "primes", "text_stats"]);
    }

    #[tokio::test]
    async fn add_sums_in_both_eras() {
        let modern = client();
        assert_eq!(
            modern
                .call_tool("add", json!({"a": 2, "b": 40}))
                .await
                .unwrap()
                .all_text(),
            "42"
        );
        let legacy = modern.legacy();
        assert_eq!(
            legacy
                .call_tool("add", json!({"a": -1, "b": 1}))
                .await
                .unwrap()
                .all_text(),
            "0"
        );
    }

    #[tokio::test]
    async fn text_stats_is_structured() {
        let result = client()
            .call_tool("text_stats", json!({"text": "one two\nthree"}))
            .await
            .unwrap();
        assert_eq!(
            result.structured_content,
            Some(json!({"words": 3, "lines": 2, "chars": 13}))
        );
    }

    #[tokio::test]
    async fn divide_by_zero_is_a_tool_error() {
        let result = client()
            .call_tool("divide", json!({"dividend": 1.0, "divisor": 0.0}))
            .await
            .unwrap();
        assert!(result.is_error);
        assert_eq!(result.all_text(), "cannot divide by zero");
    }
}
