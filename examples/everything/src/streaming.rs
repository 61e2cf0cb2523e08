//! Fixtures that stream notifications: progress and logging on the response, and change
//! notifications on listen and GET streams.

use std::time::Duration;

use mcp_runtime::extract::{Log, Progress, ResponseStream};
use mcp_runtime::prelude::*;
use mcp_runtime::Notifier;

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

/// Announces that the tool list changed.
#[tool]
fn test_trigger_tool_change(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "tools/list_changed sent"
}

/// Announces that the prompt list changed.
#[tool]
fn test_trigger_prompt_change(notifier: Notifier) -> &'static str {
    notifier.prompts_changed();
    "prompts/list_changed sent"
}

/// Announces that the watched resource changed.
#[tool]
fn test_trigger_resource_update(notifier: Notifier) -> &'static str {
    notifier.resource_updated("test://watched-resource");
    "resources/updated sent"
}
