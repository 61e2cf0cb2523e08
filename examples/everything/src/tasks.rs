//! Fixtures of the tasks extension (`io.modelcontextprotocol/tasks`): tools whose calls a client
//! that declares the extension gets as tasks to poll.

use std::time::Duration;

use mcp_runtime::extract::{Elicitation, Elicitor, InputError};
use mcp_runtime::prelude::*;

/// A yes or no about deleting a file.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct DeleteConfirmation {
    /// Delete it?
    confirm: bool,
}

/// One of two details asked at once.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Detail {
    /// A name
    name: String,
}

/// A name.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// The longest `slow_compute` sleeps.
const LONGEST: Duration = Duration::from_secs(3600);

/// Greets someone at once (never a task).
#[tool]
fn greet(
    /// Who to greet
    name: String,
) -> String {
    format!("Hello, {name}!")
}

/// Computes for `seconds` seconds, then reports: a task for a client that can poll.
#[tool(task = "optional")]
async fn slow_compute(
    /// How long to compute
    seconds: f64,
    /// A label for the result
    label: Option<String>,
) -> Result<String, ProtocolError> {
    let pause = Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| *d <= LONGEST)
        .ok_or_else(|| ProtocolError::invalid_params("`seconds` is from 0 to 3600"))?;
    tokio::time::sleep(pause).await;
    let label = label.unwrap_or_else(|| "compute".into());
    Ok(format!("{label}: finished after {seconds} s"))
}

/// A job that runs for a second and then reports a failure the model can read.
#[tool(task = "required")]
async fn failing_job() -> Result<String, String> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Err("the job failed: the input data is corrupt".into())
}

/// A job that fails at the protocol level (a JSON-RPC error, not a result).
#[tool(task = "required")]
async fn protocol_error_job() -> Result<String, ProtocolError> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    Err(ProtocolError::internal("the job's worker crashed"))
}

/// Looks a file up, then asks the user to confirm deleting it.
#[tool(task = "optional")]
async fn confirm_delete(
    /// The file to delete
    filename: String,
    elicitor: Elicitor,
) -> Result<String, InputError> {
    // Finding the file takes a moment: long enough for the call to become a task.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = elicitor
        .form::<DeleteConfirmation>(&format!("Delete {filename}?"))
        .await?;
    Ok(match answer {
        Elicitation::Accept(DeleteConfirmation { confirm: true }) => format!("Deleted {filename}"),
        _ => format!("Kept {filename}"),
    })
}

/// Asks two questions at once, after a moment's work.
#[tool(task = "optional")]
async fn multi_input(elicitor: Elicitor) -> Result<String, InputError> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (first, second) = tokio::join!(
        elicitor.form::<Detail>("First detail?"),
        elicitor.form::<Detail>("Second detail?"),
    );
    let name = |answer: Elicitation<Detail>| match answer {
        Elicitation::Accept(detail) => detail.name,
        _ => "nothing".into(),
    };
    Ok(format!("Got {} and {}", name(first?), name(second?)))
}

/// Asks the user's name first (in the request), then works on it as a task.
#[tool(task = "required")]
async fn test_tool_with_task(elicitor: Elicitor) -> Result<String, InputError> {
    let name = match elicitor
        .form_keyed::<Name>(Some("user_name"), "What is your name?")
        .await?
    {
        Elicitation::Accept(Name { name }) => name,
        _ => "stranger".into(),
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(format!("Hello, {name}! Your task is done."))
}
