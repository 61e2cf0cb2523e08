//! Fixtures that stream notifications on the response: progress and logging.

use std::time::Duration;

use mcp_runtime::extract::{Log, Progress, ResponseStream};
use mcp_runtime::prelude::*;

/// Reports progress 0, 50 and 100 of 100, then answers.
#[tool]
async fn test_tool_with_progress(progress: Progress) -> &'static str {
    for step in [0.0, 50.0, 100.0] {
        progress.report(step, Some(100.0), None);
        if step < 100.0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    "Progress test completed"
}

/// Logs three info messages while it works.
#[tool]
async fn test_tool_with_logging(log: Log) -> &'static str {
    log.info("Tool execution started");
    tokio::time::sleep(Duration::from_millis(50)).await;
    log.info("Tool processing data");
    tokio::time::sleep(Duration::from_millis(50)).await;
    log.info("Tool execution completed");
    "Logging test completed"
}

/// Logs, but only to clients that asked for a log level.
#[tool]
fn test_logging_tool(log: Log) -> &'static str {
    log.info("a message only sent when the request set a log level");
    "logged"
}

/// Closes its response stream mid-call; the client resumes with `Last-Event-ID` and gets the
/// result.
#[tool]
async fn test_reconnection(stream: ResponseStream) -> &'static str {
    stream.detach(Duration::from_millis(100));
    tokio::time::sleep(Duration::from_millis(200)).await;
    "Reconnection test completed"
}
