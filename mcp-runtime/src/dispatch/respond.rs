//! Running one handler for one request: client input rounds, time limits, cancellation, and the
//! choice between a JSON response and a `text/event-stream` carrying notifications first.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;
use tracing::Instrument as _;

use super::outgoing::{CallStream, Outgoing, SessionCall, QUEUE};
use super::{Call, Outcome};
use crate::endpoint::Endpoint;
use crate::extract::{Arguments, CallContext, LogLevel, RequestScope};
use crate::invocation::{Invocation, Outcome as HandlerOutcome};
use crate::mrtr::{digest, InputMode, InputRound, Interrupt, Interruptible, RequestState};
use crate::protocol::{error_body, ClientCapabilities, Era, ErrorCode, RequestId, RpcError};
use crate::session::CallRefusal;
use crate::tool::TaskSupport;

/// How responses to handler calls are framed over HTTP ([`Server::response_mode`]).
///
/// [`Server::response_mode`]: crate::Server::response_mode
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseMode {
    /// JSON unless the handler sends a notification before its result, then an event stream.
    #[default]
    Auto,
    /// Always JSON; notifications are dropped.
    Json,
    /// Always an event stream.
    Stream,
}

/// What a handler run needs to know about its request.
pub(super) struct Target<'a> {
    /// `tools/call`, `prompts/get` or `resources/read`.
    pub(super) method: &'static str,
    /// The tool or prompt name, or the resource URI.
    pub(super) name: &'a str,
    /// The raw arguments (bound into request state).
    pub(super) arguments: Option<&'a RawValue>,
    /// The handler's own time limit.
    pub(super) timeout: Option<Duration>,
    /// What the handler's parameters need.
    pub(super) needs: crate::extract::Needs,
    /// Whether the call may run as a task.
    pub(super) task: TaskSupport,
}

type Render<T> = Box<dyn Fn(&Endpoint, &RequestId, T) -> Result<Vec<u8>, RpcError> + Send + Sync>;
type Run<T> = Pin<Box<dyn Future<Output = Result<T, Interrupt>> + Send>>;

/// Cancels the request when dropped before the handler finished.
struct CancelOnDrop(Option<Arc<RequestScope>>);

impl CancelOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(scope) = self.0.take() {
            scope.cancel_if_watched();
        }
    }
}

impl Endpoint {
    /// Runs a handler and frames its outcome; `render` turns a finished outcome into a JSON-RPC
    /// success body (or an error).
    pub(super) async fn run_handler<T: HandlerOutcome>(
        self: &Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
        target: Target<'_>,
        arguments: Arguments<'_>,
        start: impl FnOnce(&mut CallContext<'_>) -> Invocation<T>,
        render: impl Fn(&Endpoint, &RequestId, T) -> Result<Vec<u8>, RpcError> + Send + Sync + 'static,
    ) -> Result<Outcome, RpcError> {
        use crate::extract::Needs;
        let era = call.version.era();
        // Only handlers that can ask for input need request state; only those and handlers
        // that notify need a response stream. Plain handlers skip both.
        let asks = target.needs.contains(Needs::CLIENT_INPUT);
        let notifies = asks || target.needs.contains(Needs::RESPONSE_STREAM);
        let digest = if asks {
            crate::offload::cpu_bound(call.size, || digest(target.arguments))
        } else {
            String::new()
        };
        let round = if asks {
            self.input_round(call, &target, &digest)?
        } else {
            InputRound::default()
        };
        let client_capabilities = match &call.session {
            Some(session) => session.client_capabilities,
            None if asks || target.task.allows_tasks() => ClientCapabilities::from_raw(
                call.params
                    .meta
                    .as_ref()
                    .and_then(|m| m.client_capabilities),
            )?,
            None => ClientCapabilities::default(),
        };
        let as_task = match era {
            // A 2026-07-28 client that declared the tasks extension may get a task to poll.
            Era::Modern => {
                let as_task = target.task.allows_tasks() && client_capabilities.tasks;
                if target.task == TaskSupport::Required && !as_task {
                    return Err(super::tasks::extension_required());
                }
                as_task
            }
            // A 2025-11-25 client asks for one (`task`); it gets one or an error.
            Era::Legacy => super::tasks::legacy_augmented(call, &target)?,
        };
        // Where a task pushes its status changes, if the client asked: refused before the
        // handler runs if the URL or secret will not do.
        let webhook = match call
            .params
            .delivery
            .filter(|d| as_task && d.get() != "null")
        {
            Some(raw) => Some(super::tasks::webhook(&self.webhooks, raw)?),
            None => None,
        };
        // A task's notifications have no stream to go to once it is answered.
        let streaming = notifies && !as_task && call.framing != ResponseMode::Json;
        let (sender, receiver) = match streaming {
            true => {
                let (sender, receiver) = mpsc::channel(QUEUE);
                (Some(sender), Some(receiver))
            }
            false => (None, None),
        };
        let meta = call.params.meta.as_ref();
        let log_level = match (era, &call.session) {
            (Era::Modern, _) => meta
                .and_then(|m| m.log_level.as_deref())
                .and_then(LogLevel::from_wire),
            (Era::Legacy, Some(session)) => Some(session.log_level()),
            (Era::Legacy, None) => Some(LogLevel::Info),
        };
        let scope = Arc::new(RequestScope::new(
            sender,
            meta.and_then(|m| m.progress_token).map(|t| t.to_owned()),
            log_level,
            round,
            client_capabilities,
            call.session.clone(),
            self.input_timeout,
            target
                .needs
                .contains(Needs::CHANGES)
                .then(|| self.notifier.clone()),
        ));
        let limit = target.timeout.or(self.handler_timeout);
        let in_session = era == Era::Legacy && call.session.is_some();
        // A session's calls outlive their connections: each holds a place, given back when it
        // ends, and a session has only so many.
        let in_flight = match &call.session {
            Some(session) if in_session => {
                let request = id.as_json().to_owned();
                session
                    .start_request(&request, scope.cancel().clone())
                    .map_err(call_refused)?;
                Some(InFlight {
                    session: session.clone(),
                    request,
                })
            }
            _ => None,
        };
        let mut context =
            CallContext::scoped(arguments, call.version, scope.clone(), self.parts(call));
        // Parameters are read from the arguments here: in time proportional to the request.
        let invocation =
            crate::offload::cpu_bound(call.size, || Invocation::start(|| start(&mut context)));
        drop(context);

        if as_task {
            // A task's own time limit applies; the server's, for requests, does not.
            let finished = limited(invocation, target.timeout);
            let response = Response {
                endpoint: self.clone(),
                id: id.clone(),
                render: Box::new(render),
                state: RoundState::of(call, &target, digest, scope.clone()),
                framing: call.framing,
            };
            let run = Box::pin(Interruptible::new(finished, scope));
            let plan = TaskPlan {
                support: target.task,
                era,
                client: call.client(),
                ttl: super::tasks::requested_ttl(call),
                session: call.session.as_ref().map(|s| s.id.clone()),
                webhook,
            };
            // Boxed, as the other slow paths: their state (a task's creation, maybe on Redis; a
            // stream's) would otherwise be part of every call's future, which is moved as a
            // whole on every request.
            return Ok(Box::pin(response.task(run, plan)).await);
        }
        if !notifies && limit.is_none() && !in_session {
            // The fast path: no stream, no input, no time limit. The handler lives as long as
            // the request (dropping the connection drops it, after cancelling its token).
            let mut guard = CancelOnDrop(Some(scope.clone()));
            let outcome = invocation.finish().await;
            guard.disarm();
            return Ok(match render(self, id, outcome) {
                Ok(body) => Outcome::Reply(body),
                Err(e) => Outcome::Error(e),
            });
        }
        let interruptible = Interruptible::new(limited(invocation, limit), scope.clone());
        let (run, guard): (Run<T>, _) = match in_session {
            // Outside a session a client cancels by closing the stream: drop the handler with
            // it.
            // The stream is polled after the request's future returns: the span goes with it.
            false => (
                Box::pin(interruptible.in_current_span()),
                CancelOnDrop(Some(scope.clone())),
            ),
            // In a 2025-era session a disconnect alone does not cancel: the handler runs on
            // (its stream can be resumed) until it finishes or `notifications/cancelled` names
            // it.
            true => {
                let cancel = scope.cancel().clone();
                let task = tokio::spawn(
                    async move {
                        // Given back however the call ends.
                        let _in_flight = in_flight;
                        tokio::select! {
                            outcome = interruptible => outcome,
                            () = cancel.cancelled() => Ok(T::cancelled()),
                        }
                    }
                    .in_current_span(),
                );
                let run = async move {
                    task.await.unwrap_or_else(|e| match e.try_into_panic() {
                        Ok(panic) => Ok(crate::invocation::panicked(&*panic)),
                        Err(_) => Ok(T::cancelled()),
                    })
                };
                (Box::pin(run), CancelOnDrop(None))
            }
        };
        let state = RoundState::of(call, &target, digest, scope);
        let response = Response {
            endpoint: self.clone(),
            id: id.clone(),
            render: Box::new(render),
            state,
            framing: call.framing,
        };
        // Without a stream nothing is ever sent: a closed channel stands in.
        let receiver = receiver.unwrap_or_else(|| mpsc::channel(1).1);
        Ok(Box::pin(response.drive(run, receiver, guard)).await)
    }

    /// The answers gathered so far: those sealed in `requestState` and those sent now.
    fn input_round(
        &self,
        call: &Call<'_>,
        target: &Target<'_>,
        digest: &str,
    ) -> Result<InputRound, RpcError> {
        if call.version.era() == Era::Legacy {
            return Ok(InputRound::new(InputMode::Unavailable, Map::new()));
        }
        let responses = || -> Result<Map<String, Value>, RpcError> {
            match call.params.input_responses {
                Some(raw) => serde_json::from_str(raw.get())
                    .map_err(|_| RpcError::invalid_params("`inputResponses` must be an object")),
                None => Ok(Map::new()),
            }
        };
        let Some(sealed) = call.params.request_state.as_deref() else {
            // A first round may carry answers (SEP-2322): they answer only this run's own
            // questions, and nothing gathered earlier comes with them.
            return Ok(InputRound::new(InputMode::RoundTrip, responses()?));
        };
        let state = RequestState::open(
            sealed,
            &self.state_keys,
            call.principal.as_deref(),
            target.method,
            target.name,
            digest,
        )
        .map_err(|e| RpcError::invalid_params(e.to_string()))?;
        let mut answers = state.answers;
        // Only what the last round asked is added to what the state carries: answers to
        // questions the handler has not asked yet cannot ride along into later rounds.
        answers.extend(
            responses()?
                .into_iter()
                .filter(|(key, _)| state.asked.contains(key)),
        );
        Ok(InputRound::new(InputMode::RoundTrip, answers).with_steps(state.steps))
    }
}

/// A session call's place among the session's calls in flight, given back when dropped.
struct InFlight {
    session: Arc<crate::session::SessionData>,
    request: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.session.end_request(&self.request);
    }
}

/// What a call that runs as a task needs besides its run.
pub(super) struct TaskPlan {
    support: TaskSupport,
    era: Era,
    client: Option<crate::quota::ClientKey>,
    /// The time to live a 2025-11-25 client asked for.
    ttl: Option<Duration>,
    /// The 2025-era session it was created in.
    session: Option<Box<str>>,
    /// The client's webhook for its status changes.
    webhook: Option<crate::webhook::WebhookTarget>,
}

/// How a task's run ended, as the task keeps it.
fn ended<T: HandlerOutcome>(result: Result<T, Interrupt>) -> crate::task::Finished {
    use crate::task::Finished;
    match result {
        Ok(outcome) => match outcome.into_task_result() {
            Ok(result) => Finished::Completed(result),
            Err(error) => Finished::failed(&error),
        },
        Err(Interrupt::MissingCapability(capability)) => {
            Finished::failed(&missing_capability(capability))
        }
        Err(Interrupt::Unavailable(method)) => ended(Ok(T::input_unavailable(method))),
        // A task's questions wait for `tasks/update` instead of stopping its run.
        Err(Interrupt::InputRequired(_)) => {
            Finished::failed(&RpcError::internal("the task stopped for input"))
        }
    }
}

/// `-32021`: the call asked for input the client did not declare it can give.
fn missing_capability(capability: &str) -> RpcError {
    RpcError::new(
        ErrorCode::MISSING_CAPABILITY,
        format!(
            "this request needs the client capability `{capability}`, which the client did not \
             declare"
        ),
    )
    .with_status(http::StatusCode::BAD_REQUEST)
    .with_data(json!({"requiredCapabilities": {capability: {}}}))
}

/// The answer to a session call the session cannot start.
fn call_refused(refusal: CallRefusal) -> RpcError {
    match refusal {
        CallRefusal::Busy(cap) => RpcError::invalid_request(format!(
            "this session has {cap} calls in flight, as many as one session may; wait for one \
             to finish or cancel one"
        ))
        .with_status(http::StatusCode::TOO_MANY_REQUESTS)
        .with_retry_after(Duration::from_secs(1)),
        CallRefusal::DuplicateId => RpcError::invalid_request(
            "a request with this id is in flight in this session; ids must be unique among \
             a session's requests in flight",
        ),
    }
}

struct RoundState {
    principal: Option<String>,
    method: &'static str,
    name: String,
    digest: String,
    scope: Arc<RequestScope>,
}

impl RoundState {
    fn of(call: &Call<'_>, target: &Target<'_>, digest: String, scope: Arc<RequestScope>) -> Self {
        Self {
            principal: call.principal.clone(),
            method: target.method,
            name: target.name.to_owned(),
            digest,
            scope,
        }
    }
}

/// A started call finished within `limit`, if it has one (else its time-out outcome).
async fn limited<T: HandlerOutcome>(invocation: Invocation<T>, limit: Option<Duration>) -> T {
    match limit {
        Some(limit) => tokio::time::timeout(limit, invocation.finish())
            .await
            .unwrap_or_else(|_| T::timed_out(limit)),
        None => invocation.finish().await,
    }
}

struct Response<T> {
    endpoint: Arc<Endpoint>,
    id: RequestId,
    render: Render<T>,
    state: RoundState,
    framing: ResponseMode,
}

impl<T: HandlerOutcome> Response<T> {
    async fn drive(
        self,
        mut run: Run<T>,
        mut receiver: mpsc::Receiver<Outgoing>,
        mut guard: CancelOnDrop,
    ) -> Outcome {
        if self.framing == ResponseMode::Stream && self.state.scope.notifications.is_some() {
            return self.stream(run, receiver, guard, Vec::new());
        }
        tokio::select! {
            biased;
            result = &mut run => {
                guard.disarm();
                let mut queued = Vec::new();
                while let Ok(item) = receiver.try_recv() {
                    queued.push(item);
                }
                if queued.is_empty() {
                    match self.finish(result) {
                        Ok(body) => Outcome::Reply(body),
                        Err(e) => Outcome::Error(e),
                    }
                } else {
                    let done: Run<T> = Box::pin(std::future::ready(result));
                    self.stream(done, receiver, guard, queued)
                }
            }
            Some(item) = receiver.recv() => self.stream(run, receiver, guard, vec![item]),
        }
    }

    /// The final JSON-RPC body (or error) of a finished or interrupted run.
    fn finish(&self, result: Result<T, Interrupt>) -> Result<Vec<u8>, RpcError> {
        match result {
            Ok(outcome) => (self.render)(&self.endpoint, &self.id, outcome),
            Err(Interrupt::InputRequired(requests)) => Ok(self.input_required(requests)),
            Err(Interrupt::MissingCapability(capability)) => Err(missing_capability(capability)),
            Err(Interrupt::Unavailable(method)) => {
                (self.render)(&self.endpoint, &self.id, T::input_unavailable(method))
            }
        }
    }

    /// A call that may run as a task: answered in the request if it finishes, or stops for
    /// input, when first polled; otherwise registered as a task, answered with it, and run on
    /// to its end on a task of its own.
    async fn task(self, mut run: Run<T>, plan: TaskPlan) -> Outcome {
        use std::task::Poll;
        let reply = |body: Result<Vec<u8>, RpcError>| match body {
            Ok(body) => Outcome::Reply(body),
            Err(e) => Outcome::Error(e),
        };
        let support = plan.support;
        // A 2025-11-25 client asked for a task: it gets one, however soon the call ends (and a
        // handler asking before its first wait must find its questions parked).
        let first = match plan.era {
            Era::Modern => std::future::poll_fn(|cx| Poll::Ready(run.as_mut().poll(cx))).await,
            Era::Legacy => Poll::Pending,
        };
        let done = match first {
            // Questions before any wait are a multi round-trip request, as for any call.
            Poll::Ready(Err(interrupt)) => return reply(self.finish(Err(interrupt))),
            Poll::Ready(Ok(outcome)) if support == TaskSupport::Optional => {
                return reply(self.finish(Ok(outcome)))
            }
            Poll::Ready(Ok(outcome)) => Some(outcome),
            Poll::Pending => None,
        };
        let scope = &self.state.scope;
        let task = match self
            .endpoint
            .tasks
            .create(
                self.state.principal.as_deref(),
                plan.client,
                scope.cancel().clone(),
                plan.ttl,
                plan.session,
            )
            .await
        {
            Ok(task) => task,
            Err(e) => return Outcome::Error(e),
        };
        if let Some(target) = plan.webhook {
            match target.with_subscription_id(task.id.to_string()) {
                Ok(target) => task.deliver_to(crate::task::TaskDelivery::new(
                    self.endpoint.webhooks.clone(),
                    target,
                )),
                Err(e) => tracing::warn!(error = %e, "a task id that is no subscription id"),
            }
        }
        match done {
            Some(outcome) => {
                task.finish(ended(Ok(outcome)));
            }
            None => {
                // Questions wait on the task where the client can be asked: 2026-07-28
                // clients answer with `tasks/update`, a 2025-era session through `tasks/result`.
                let parks = plan.era == Era::Modern || scope.session.is_some();
                scope.input.run_as(task.clone(), parks);
                let running = task.clone();
                tokio::spawn(async move {
                    let cancelled = running.cancellation().clone();
                    let finished = tokio::select! {
                        result = run => ended(result),
                        () = cancelled.cancelled() => crate::task::Finished::Cancelled,
                        () = tokio::time::sleep_until(running.expires) => {
                            crate::task::Finished::failed(&RpcError::internal(
                                "the task reached the end of its time to live before it finished",
                            ))
                        }
                    };
                    running.finish(finished);
                    running.cancellation().cancel();
                });
            }
        }
        Outcome::Reply(match plan.era {
            Era::Modern => self.endpoint.stamped_body(
                &self.id,
                Era::Modern,
                "task",
                &task.to_wire(false),
                None,
            ),
            Era::Legacy => {
                let created = json!({"task": crate::task::legacy(task.to_wire(false))});
                self.endpoint.body(&self.id, Era::Legacy, &created, None)
            }
        })
    }

    fn finish_body(&self, result: Result<T, Interrupt>) -> Vec<u8> {
        self.finish(result)
            .unwrap_or_else(|e| error_body(Some(&self.id), &e))
    }

    fn input_required(&self, requests: Vec<(String, Value)>) -> Vec<u8> {
        let state = RequestState::new(
            self.state.principal.clone(),
            self.state.method,
            &self.state.name,
            self.state.digest.clone(),
            self.endpoint.state_ttl,
        )
        .carrying(
            self.state.scope.input.answers.clone(),
            requests.iter().map(|(key, _)| key.clone()).collect(),
            self.state.scope.input.steps(),
        );
        let result = json!({
            "inputRequests": requests.into_iter().collect::<Map<String, Value>>(),
            "requestState": state.seal(&self.endpoint.state_keys),
        });
        self.endpoint
            .stamped_body(&self.id, Era::Modern, "input_required", &result, None)
    }

    /// The call's messages as they come, its response last. A session call runs on its own
    /// task whatever becomes of the stream; any other call is dropped (and cancelled) with it.
    fn stream(
        self,
        run: Run<T>,
        receiver: mpsc::Receiver<Outgoing>,
        guard: CancelOnDrop,
        first: Vec<Outgoing>,
    ) -> Outcome {
        let session_call =
            self.state.scope.session.clone().map(|session| {
                SessionCall::new(session, self.id.as_json(), self.state.scope.clone())
            });
        struct Live<T> {
            response: Response<T>,
            run: Option<Run<T>>,
            receiver: mpsc::Receiver<Outgoing>,
            guard: CancelOnDrop,
            ready: VecDeque<Outgoing>,
        }
        let live = Live {
            response: self,
            run: Some(run),
            receiver,
            guard,
            ready: first.into(),
        };
        let messages = futures_util::stream::unfold(live, |mut live| async move {
            loop {
                if let Some(message) = live.ready.pop_front() {
                    return Some((message, live));
                }
                let run = live.run.as_mut()?;
                tokio::select! {
                    result = run => {
                        live.guard.disarm();
                        live.run = None;
                        while let Ok(item) = live.receiver.try_recv() {
                            live.ready.push_back(item);
                        }
                        let body = live.response.finish_body(result);
                        live.ready.push_back(Outgoing::Message(body.into()));
                    }
                    Some(item) = live.receiver.recv() => live.ready.push_back(item),
                }
            }
        });
        Outcome::Stream(CallStream {
            messages: Box::pin(messages),
            session_call,
        })
    }
}
