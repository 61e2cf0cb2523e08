//! The task methods: `tasks/get`, `tasks/update` and `tasks/cancel` of the
//! `io.modelcontextprotocol/tasks` extension (2026-07-28 clients that declare it), and the
//! 2025-11-25 revision's `tasks/get`, `tasks/result`, `tasks/cancel` and `tasks/list`; with what
//! `tools/call` needs to start a task (the 2025-11-25 `task` param, the client's webhook).

use serde_json::{json, Map, Value};

use super::respond::Target;
use super::{results, Call, Outcome};
use crate::endpoint::Endpoint;
use crate::protocol::ProtocolVersion;
use crate::protocol::{ClientCapabilities, Era, ErrorCode, RequestId, RpcError, TASKS_EXTENSION};
use crate::tool::TaskSupport;

impl Endpoint {
    /// One of the task methods. The client must declare the extension on the request; a task
    /// it did not create is answered as one that does not exist.
    pub(super) async fn task_method(
        &self,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let declared = ClientCapabilities::from_raw(
            call.params
                .meta
                .as_ref()
                .and_then(|m| m.client_capabilities),
        )?;
        if !declared.tasks {
            return Err(extension_required());
        }
        let task_id = task_id(call)?;
        let principal = call.principal.as_deref();
        let unknown = || RpcError::invalid_params(format!("Unknown task: {task_id}"));
        match call.method {
            "tasks/get" => {
                let task = self
                    .tasks
                    .get(task_id, principal)
                    .await?
                    .ok_or_else(unknown)?;
                let body = self.stamped_body(id, Era::Modern, "complete", &task, None);
                Ok(Outcome::Reply(body))
            }
            "tasks/update" => {
                let responses: Map<String, Value> = match call.params.input_responses {
                    Some(raw) => serde_json::from_str(raw.get()).map_err(|_| {
                        RpcError::invalid_params("`inputResponses` must be an object")
                    })?,
                    None => {
                        return Err(RpcError::invalid_params(
                            "`tasks/update` needs `inputResponses`",
                        ))
                    }
                };
                // Acknowledged whatever the task: answers to questions it does not wait on
                // (or to a task this caller cannot see) are ignored.
                self.tasks.update(task_id, principal, responses).await?;
                Ok(self.reply(id, Era::Modern, &results::Empty {}, None))
            }
            "tasks/cancel" => {
                if !self.tasks.cancel(task_id, principal).await? {
                    return Err(unknown());
                }
                Ok(self.reply(id, Era::Modern, &results::Empty {}, None))
            }
            method => Err(RpcError::method_not_found(method)),
        }
    }
}

/// The task a task method names (`taskId`), or `-32602`.
fn task_id<'c>(call: &'c Call<'_>) -> Result<&'c str, RpcError> {
    call.params.task_id.as_deref().ok_or_else(|| {
        RpcError::invalid_params(format!("`{}` needs the task's `taskId`", call.method))
    })
}

/// Whether a 2025-era `tools/call` runs as a task: when the client asks (`task`) for a tool that
/// may run as one. Asking for another tool, or a 2025-11-25 client not asking for a tool that
/// runs only as a task, is `-32601`, as that revision says.
pub(super) fn legacy_augmented(call: &Call<'_>, target: &Target<'_>) -> Result<bool, RpcError> {
    let asked = call.params.task.is_some_and(|t| t.get() != "null");
    match (asked, target.task) {
        (true, TaskSupport::Forbidden) => Err(RpcError::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!(
                "the tool `{}` does not run as a task; call it without `task`",
                target.name
            ),
        )),
        (false, TaskSupport::Required) if call.version == ProtocolVersion::V2025_11_25 => {
            Err(RpcError::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!(
                    "the tool `{}` runs only as a task: call it with `task` (for example \
                     `\"task\": {{}}`)",
                    target.name
                ),
            ))
        }
        (asked, _) => Ok(asked),
    }
}

/// The client's webhook for a task's status changes (`delivery`), checked against the server's
/// webhook policy: `-32602` saying what is wrong.
pub(super) fn webhook(
    webhooks: &crate::webhook::Webhooks,
    raw: &serde_json::value::RawValue,
) -> Result<crate::webhook::WebhookTarget, RpcError> {
    let value: Value = serde_json::from_str(raw.get())
        .map_err(|_| RpcError::invalid_params("`delivery` must be an object"))?;
    webhooks
        .target(&value)
        .map_err(|e| RpcError::invalid_params(format!("`delivery`: {e}")))
}

/// The time to live a 2025-11-25 client asked for its task (`task.ttl`, milliseconds).
pub(super) fn requested_ttl(call: &Call<'_>) -> Option<std::time::Duration> {
    #[derive(serde::Deserialize)]
    struct Asked {
        ttl: Option<u64>,
    }
    let asked: Asked = serde_json::from_str(call.params.task?.get()).ok()?;
    asked.ttl.map(std::time::Duration::from_millis)
}

/// `-32021`: the request needs the tasks extension, which the client did not declare on it.
pub(super) fn extension_required() -> RpcError {
    RpcError::new(
        ErrorCode::MISSING_CAPABILITY,
        format!(
            "this request needs the `{TASKS_EXTENSION}` extension, which the client did not \
             declare in `_meta`"
        ),
    )
    .with_status(http::StatusCode::BAD_REQUEST)
    .with_data(json!({"requiredCapabilities": {"extensions": {TASKS_EXTENSION: {}}}}))
}

/// How many tasks one page of `tasks/list` holds.
const LIST_PAGE: usize = 100;

/// How often `tasks/result` looks at a task it waits for.
const RESULT_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl Endpoint {
    /// The 2025-11-25 task methods: `tasks/get`, `tasks/result`, `tasks/cancel`, `tasks/list`.
    pub(super) async fn legacy_task_method(
        self: &std::sync::Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let principal = call.principal.as_deref();
        if call.method == "tasks/list" {
            return self.list_tasks(id, call).await;
        }
        let task_id = task_id(call)?;
        let unknown = || {
            RpcError::invalid_params(format!(
                "Failed to retrieve task: no task {task_id} (it never existed, expired, or is \
                 another client's)"
            ))
        };
        let state = self
            .tasks
            .get(task_id, principal)
            .await?
            .ok_or_else(unknown)?;
        match call.method {
            "tasks/get" => Ok(self.reply(id, Era::Legacy, &crate::task::legacy(state), None)),
            "tasks/cancel" => {
                if crate::task::ended(&state) {
                    return Err(RpcError::invalid_params(format!(
                        "the task {task_id} has ended ({}); only a working task can be cancelled",
                        state["status"].as_str().unwrap_or_default()
                    )));
                }
                self.tasks.cancel(task_id, principal).await?;
                let state = self
                    .tasks
                    .get(task_id, principal)
                    .await?
                    .ok_or_else(unknown)?;
                Ok(self.reply(id, Era::Legacy, &crate::task::legacy(state), None))
            }
            "tasks/result" => Ok(self.task_result(id, call, task_id, state).await),
            method => Err(RpcError::method_not_found(method)),
        }
    }

    /// `tasks/list`: this caller's tasks (in its session, if it has one), a page at a time.
    async fn list_tasks(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let start = match call.params.cursor.as_deref() {
            None => 0,
            Some(cursor) => cursor
                .parse::<usize>()
                .map_err(|_| RpcError::invalid_params("invalid cursor"))?,
        };
        let session = call.session.as_ref().map(|s| &*s.id);
        let tasks = self.tasks.list(call.principal.as_deref(), session).await?;
        let page: Vec<Map<String, Value>> = tasks
            .iter()
            .skip(start)
            .take(LIST_PAGE)
            .map(|t| crate::task::legacy(t.clone()))
            .collect();
        let mut result = json!({ "tasks": page });
        if start + LIST_PAGE < tasks.len() {
            result["nextCursor"] = (start + LIST_PAGE).to_string().into();
        }
        Ok(self.reply(id, Era::Legacy, &result, None))
    }

    /// `tasks/result`: the call's own result (or error) once the task ends. Until then the
    /// request waits; in a session with a response stream, the task's questions to the client
    /// go out on it as requests (their answers go to the task), and each status the task takes
    /// meanwhile as `notifications/tasks/status`.
    async fn task_result(
        self: &std::sync::Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
        task_id: &str,
        state: Map<String, Value>,
    ) -> Outcome {
        let principal = call.principal.clone();
        let reply = |answer: Result<Vec<u8>, RpcError>| match answer {
            Ok(body) => Outcome::Reply(body),
            Err(e) => Outcome::Error(e),
        };
        if let Some(answer) = self.answer_once_ended(id, task_id, Ok(Some(&state))) {
            return reply(answer);
        }
        let streams = call.framing != super::ResponseMode::Json;
        let Some(session) = call.session.clone().filter(|_| streams) else {
            // Nobody can be asked anything here: wait for the end.
            loop {
                tokio::time::sleep(RESULT_POLL).await;
                let looked = self.tasks.get(task_id, principal.as_deref()).await;
                if let Some(answer) =
                    self.answer_once_ended(id, task_id, looked.as_ref().map(Option::as_ref))
                {
                    return reply(answer);
                }
            }
        };
        let (sender, mut receiver) = tokio::sync::mpsc::channel(super::outgoing::QUEUE);
        let endpoint = self.clone();
        let (id, task_id) = (id.clone(), task_id.to_owned());
        tokio::spawn(async move {
            let mut asked = std::collections::HashSet::new();
            let mut status = None;
            loop {
                let state = endpoint.tasks.get(&task_id, principal.as_deref()).await;
                // Each status the task takes while the client waits is announced, its end too.
                if let Ok(Some(state)) = &state {
                    let now = state.get("status").cloned();
                    if status.is_some() && now != status {
                        let notification = json!({
                            "jsonrpc": "2.0",
                            "method": "notifications/tasks/status",
                            "params": crate::task::legacy(state.clone()),
                        });
                        let message = super::Outgoing::Message(notification.to_string().into());
                        if sender.send(message).await.is_err() {
                            return;
                        }
                    }
                    status = now;
                }
                let answer =
                    endpoint.answer_once_ended(&id, &task_id, state.as_ref().map(Option::as_ref));
                if let Some(answer) = answer {
                    let body =
                        answer.unwrap_or_else(|e| crate::protocol::error_body(Some(&id), &e));
                    let _ = sender.send(super::Outgoing::Message(body.into())).await;
                    return;
                }
                if let Ok(Some(state)) = &state {
                    let questions = state.get("inputRequests").and_then(Value::as_object);
                    for (key, request) in questions.into_iter().flatten() {
                        if asked.insert(key.clone()) {
                            tokio::spawn(ask_in_session(
                                endpoint.clone(),
                                session.clone(),
                                sender.clone(),
                                Question {
                                    task: task_id.clone(),
                                    principal: principal.clone(),
                                    key: key.clone(),
                                    request: request.clone(),
                                },
                            ));
                        }
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(RESULT_POLL) => {}
                    () = sender.closed() => return,
                }
            }
        });
        let messages = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
        Outcome::Stream(super::CallStream {
            messages: Box::pin(messages),
            session_call: None,
        })
    }

    /// What `tasks/result` answers once the task has looked ended (or gone, or unreadable):
    /// `None` while it runs.
    fn answer_once_ended(
        &self,
        id: &RequestId,
        task_id: &str,
        looked: Result<Option<&Map<String, Value>>, &RpcError>,
    ) -> Option<Result<Vec<u8>, RpcError>> {
        match looked {
            Ok(Some(state)) if crate::task::ended(state) => {
                Some(Ok(self.final_body(id, task_id, state)))
            }
            Ok(Some(_)) => None,
            Ok(None) => Some(Err(RpcError::invalid_params(format!(
                "the task {task_id} expired before it ended"
            )))),
            Err(e) => Some(Err(e.clone())),
        }
    }

    /// What `tasks/result` answers for an ended task: the call's result, with the task named in
    /// `_meta`, or its error.
    fn final_body(&self, id: &RequestId, task_id: &str, state: &Map<String, Value>) -> Vec<u8> {
        match (state.get("result"), state.get("error")) {
            (Some(result), _) => {
                let mut result = result.clone();
                result["_meta"] =
                    json!({"io.modelcontextprotocol/related-task": {"taskId": task_id}});
                if let Some(content) = result.get_mut("structuredContent") {
                    crate::tool::structured::wrap_for_legacy(content);
                }
                self.body(id, Era::Legacy, &result, None)
            }
            (None, Some(error)) => {
                let code = error["code"].as_i64().and_then(|c| i32::try_from(c).ok());
                let message = error["message"].as_str().unwrap_or("the task failed");
                let mut rpc = RpcError::new(
                    ErrorCode(code.unwrap_or(ErrorCode::INTERNAL_ERROR.0)),
                    message.to_owned(),
                );
                if let Some(data) = error.get("data") {
                    rpc = rpc.with_data(data.clone());
                }
                crate::protocol::error_body(Some(id), &rpc)
            }
            (None, None) => crate::protocol::error_body(
                Some(id),
                &RpcError::internal("the task was cancelled before it finished"),
            ),
        }
    }
}

/// A task's question to a 2025-era client.
struct Question {
    task: String,
    principal: Option<String>,
    key: String,
    /// `{method, params}`.
    request: Value,
}

/// Asks a task's question on a `tasks/result` stream, as a request of the session, and hands
/// the answer to the task.
async fn ask_in_session(
    endpoint: std::sync::Arc<Endpoint>,
    session: std::sync::Arc<crate::session::SessionData>,
    stream: tokio::sync::mpsc::Sender<super::Outgoing>,
    question: Question,
) {
    let mut outbound = session.outbound();
    let mut params = question.request["params"].clone();
    if !params.is_object() {
        params = json!({});
    }
    params["_meta"]["io.modelcontextprotocol/related-task"] = json!({"taskId": question.task});
    let request = json!({
        "jsonrpc": "2.0",
        "id": outbound.id,
        "method": question.request["method"],
        "params": params,
    });
    if stream
        .send(super::Outgoing::Message(request.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let answer = tokio::time::timeout(endpoint.input_timeout, &mut outbound.answer).await;
    if let Ok(Ok(Ok(raw))) = answer {
        let Ok(value) = serde_json::from_str::<Value>(raw.get()) else {
            return;
        };
        let answers = [(question.key, value)].into_iter().collect();
        let principal = question.principal.as_deref();
        if let Err(e) = endpoint
            .tasks
            .update(&question.task, principal, answers)
            .await
        {
            tracing::warn!(error = %e, "a task's answer could not be handed to it");
        }
    }
}
