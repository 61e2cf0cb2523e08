//! Work a handler that asks for client input does once, however many rounds its call takes.

use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{ArgumentError, CallContext, FromCall, Param, RequestScope};

/// Runs a step of a handler once across the rounds of a 2026-07-28 multi round-trip call.
///
/// A handler that asks a 2026-07-28 client for input runs again from the start when the client
/// answers, so work before the question would happen once per round: a row inserted twice. A
/// step's result is sealed into the request state instead, and later rounds get it back
/// without running the step. A 2025-era client's call runs once anyway (its answers come back
/// on the same run); the step simply runs.
///
/// The result must be `Serialize + DeserializeOwned`: it travels, encrypted, with the client.
///
/// ```
/// use mcp_runtime::extract::{Elicitation, Elicitor, InputError, Steps};
/// use mcp_runtime::prelude::*;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Confirm {
///     publish: bool,
/// }
///
/// /// Drafts a post, then asks whether to publish it.
/// #[tool]
/// async fn post(text: String, steps: Steps, elicitor: Elicitor) -> Result<String, InputError> {
///     // Runs in the first round only; the retry finds the draft's id in the request state.
///     let draft: u64 = steps.once("draft", || async move { save_draft(&text) }).await;
///     match elicitor.form::<Confirm>("Publish the draft?").await? {
///         Elicitation::Accept(c) if c.publish => Ok(format!("published draft {draft}")),
///         _ => Ok(format!("kept draft {draft}")),
///     }
/// }
/// # fn save_draft(_: &str) -> u64 { 7 }
/// ```
#[derive(Debug, Clone)]
pub struct Steps {
    scope: Arc<RequestScope>,
}

impl Steps {
    /// The result of the step `key`: from an earlier round if it ran there, else by running
    /// `step` now (and keeping its result for later rounds). Keys name steps within one
    /// handler; give each step its own.
    ///
    /// # Panics
    ///
    /// When a recorded result no longer decodes as `T` (the handler's code changed between
    /// two rounds of one call): the call fails with an error rather than run the step twice.
    pub async fn once<T, F, Fut>(&self, key: &str, step: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let input = &self.scope.input;
        if let Some(recorded) = input.step(key) {
            return serde_json::from_value(recorded).unwrap_or_else(|e| {
                panic!("the recorded result of step `{key}` does not decode: {e}")
            });
        }
        let result = step().await;
        let value = serde_json::to_value(&result)
            .unwrap_or_else(|e| panic!("the result of step `{key}` does not serialize: {e}"));
        input.record_step(key, value);
        result
    }
}

impl FromCall for Steps {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(Self {
            scope: call.scope().clone(),
        })
    }
}
