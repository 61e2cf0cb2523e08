//! A request's rounds: its `params` completed for the client's era, then, for 2026-07-28
//! `input_required` results, the questions answered through the callbacks and the request sent
//! again with the answers and the `requestState`, until it completes.

use serde_json::{json, Map, Value};

use super::{Reply, TestClient};
use crate::protocol::{Era, ErrorCode, RpcError};

/// The most rounds one 2026-07-28 request may take before the client gives up on it.
const MAX_ROUNDS: usize = 16;

impl TestClient {
    /// `params` completed with what the era requires: for 2026-07-28 clients the `_meta`
    /// members a request carries (those the test set itself are kept).
    pub(super) fn prepared(&self, params: Value) -> Value {
        let mut params = match params {
            Value::Null => json!({}),
            params => params,
        };
        if self.version.era() != Era::Modern {
            return params;
        }
        let Some(object) = params.as_object_mut() else {
            return params;
        };
        let meta = object.entry("_meta").or_insert_with(|| json!({}));
        if let Some(meta) = meta.as_object_mut() {
            let mut own = vec![
                (
                    "io.modelcontextprotocol/protocolVersion",
                    json!(self.version.as_str()),
                ),
                (
                    "io.modelcontextprotocol/clientCapabilities",
                    self.declared(),
                ),
                (
                    "io.modelcontextprotocol/clientInfo",
                    json!({"name": "test-client", "version": "0"}),
                ),
            ];
            if let Some(level) = self.log_level {
                own.push(("io.modelcontextprotocol/logLevel", json!(level)));
            }
            for (key, value) in own {
                meta.entry(key).or_insert(value);
            }
        }
        params
    }

    /// Sends a request, and for 2026-07-28 `input_required` results answers the questions
    /// through the callbacks and sends it again, until it completes.
    pub(super) async fn call(&self, method: &str, params: Value) -> Result<Reply<Value>, RpcError> {
        let session = match method {
            // An explicit `initialize` opens a session of its own.
            "initialize" => None,
            _ => self.session().await?,
        };
        let mut params = self.prepared(params);
        let mut notifications = Vec::new();
        for _ in 0..MAX_ROUNDS {
            let reply = self.exchange(method, &params, session.as_deref()).await?;
            notifications.extend(reply.notifications);
            if !self.answers_all(&reply.result) {
                return Ok(Reply {
                    result: reply.result,
                    notifications,
                });
            }
            self.answer_round(&mut params, &reply.result)?;
        }
        Err(RpcError::internal(format!(
            "`{method}` still asked for input after {MAX_ROUNDS} rounds"
        )))
    }

    /// Whether `result` asks for input (2026-07-28) and the callbacks answer all of it.
    fn answers_all(&self, result: &Value) -> bool {
        if result["resultType"] != "input_required" {
            return false;
        }
        let requests = result["inputRequests"].as_object().into_iter().flatten();
        requests
            .map(|(_, request)| request["method"].as_str().unwrap_or_default())
            .all(|method| self.callbacks.answers(method))
    }

    /// Sets the answers to the questions of `result` and its `requestState` in `params`, for
    /// the next round.
    fn answer_round(&self, params: &mut Value, result: &Value) -> Result<(), RpcError> {
        let mut responses = Map::new();
        for (key, request) in result["inputRequests"].as_object().into_iter().flatten() {
            let method = request["method"].as_str().unwrap_or_default();
            let answer = self.callbacks.answer(method, request["params"].clone())?;
            responses.insert(key.clone(), answer);
        }
        let object = params
            .as_object_mut()
            .expect("prepared params are an object");
        object.insert("inputResponses".into(), Value::Object(responses));
        match result.get("requestState") {
            Some(state) => object.insert("requestState".into(), state.clone()),
            None => object.remove("requestState"),
        };
        Ok(())
    }
}

/// `result`, unless it still asks for input (no callback answers some of it).
pub(super) fn finished(result: Value) -> Result<Value, RpcError> {
    if result["resultType"] != "input_required" {
        return Ok(result);
    }
    let methods: Vec<&str> = result["inputRequests"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, request)| request["method"].as_str())
        .collect();
    Err(RpcError::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!(
            "the server asked for input the test client has no callback for: {}",
            methods.join(", ")
        ),
    )
    .with_data(result))
}
