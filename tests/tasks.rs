//! Tool calls run as tasks (the `io.modelcontextprotocol/tasks` extension) over HTTP: answered
//! at once, run on after the request, polled, answered and cancelled from other connections;
//! bound to their principal, bounded in number and time, and refused to clients without the
//! extension.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_runtime::extract::{Elicitation, Elicitor, InputError};
use mcp_runtime::prelude::*;
use mcp_tests::{authenticate, Response, Running};
use serde_json::{json, Value};

/// A name.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// Works for `ms` milliseconds.
#[tool(task = "optional")]
async fn work(ms: u64) -> String {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    format!("worked {ms} ms")
}

/// Reports halfway, then works on.
#[tool(task = "optional")]
async fn halfway(progress: mcp_runtime::extract::Progress) -> String {
    tokio::time::sleep(Duration::from_millis(20)).await;
    progress.report(1.0, Some(2.0), Some("copying"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    "copied".into()
}

static INTERVIEWS: AtomicUsize = AtomicUsize::new(0);

/// Works a moment, then asks two names one after the other.
#[tool(task = "optional")]
async fn interview(elicitor: Elicitor) -> Result<String, InputError> {
    INTERVIEWS.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut names = Vec::new();
    for question in ["First name?", "Second name?"] {
        match elicitor.form::<Name>(question).await? {
            Elicitation::Accept(Name { name }) => names.push(name),
            _ => names.push("nobody".into()),
        }
    }
    Ok(names.join(" and "))
}

/// The tags of the `endless` calls whose handler was dropped.
static STOPPED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

struct Stopped(String);

impl Drop for Stopped {
    fn drop(&mut self) {
        STOPPED.lock().unwrap().push(std::mem::take(&mut self.0));
    }
}

/// Whether the `endless` call tagged `tag` was stopped within 2 s.
async fn stopped(tag: &str) -> bool {
    for _ in 0..100 {
        if STOPPED.lock().unwrap().iter().any(|t| t == tag) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Runs until stopped.
#[tool(task = "required")]
async fn endless(tag: String) -> String {
    let _stopped = Stopped(tag);
    std::future::pending::<()>().await;
    unreachable!()
}

/// Fails at the protocol level, after a moment.
#[tool(task = "required")]
async fn broken() -> Result<String, ProtocolError> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    Err(ProtocolError::invalid_params("the input is unusable"))
}

/// Panics, after a moment.
#[tool(task = "required")]
async fn crashes() -> String {
    tokio::time::sleep(Duration::from_millis(20)).await;
    panic!("a bug")
}

fn server() -> Server {
    Server::new()
        .tool(work::tool())
        .tool(interview::tool())
        .tool(endless::tool())
        .tool(broken::tool())
        .tool(crashes::tool())
        .tool(halfway::tool())
}

/// Echoes at once (never a task).
#[tool]
fn echo(text: String) -> String {
    text
}

/// The tools that need no session (2025-era clients call them without one).
fn stateless() -> Server {
    Server::new()
        .tool(work::tool())
        .tool(broken::tool())
        .tool(echo::tool())
}

/// `_meta` entries of a client that declares the tasks extension (and elicitation).
fn declaring() -> Value {
    json!({"io.modelcontextprotocol/clientCapabilities": {
        "elicitation": {},
        "extensions": {"io.modelcontextprotocol/tasks": {}},
    }})
}

async fn call(s: &Running, user: Option<&str>, name: &str, arguments: Value) -> Response {
    let headers: Vec<(&str, &str)> = user.map(|u| ("x-user", u)).into_iter().collect();
    let params = json!({"name": name, "arguments": arguments});
    s.modern_as(&headers, "tools/call", params, declaring())
        .await
}

async fn task_request(
    s: &Running,
    user: Option<&str>,
    method: &str,
    id: &str,
    extra: Value,
) -> Response {
    let headers: Vec<(&str, &str)> = user.map(|u| ("x-user", u)).into_iter().collect();
    let mut params = json!({"taskId": id});
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s.modern_as(&headers, method, params, declaring()).await
}

async fn get(s: &Running, user: Option<&str>, id: &str) -> Value {
    task_request(s, user, "tasks/get", id, json!({}))
        .await
        .result()
}

/// Polls until the task's status is `status` (or a terminal one), for up to 5 s.
async fn until(s: &Running, user: Option<&str>, id: &str, status: &str) -> Value {
    for _ in 0..250 {
        let task = get(s, user, id).await;
        let now = task["status"].as_str().unwrap().to_owned();
        if now == status || ["completed", "failed", "cancelled"].contains(&now.as_str()) {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("task {id} never reached {status}");
}

fn created(response: &Response) -> String {
    let result = response.result();
    assert_eq!(result["resultType"], "task", "{result}");
    assert_eq!(result["status"], "working");
    for absent in [
        "result",
        "error",
        "inputRequests",
        "requestState",
        "content",
    ] {
        assert!(result.get(absent).is_none(), "{absent} in {result}");
    }
    assert!(result["ttlMs"].as_u64().unwrap() > 0);
    assert!(result["createdAt"].as_str().unwrap().ends_with('Z'));
    result["taskId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_task_runs_on_after_its_request_and_is_polled_from_other_connections() {
    let s = Running::start(server()).await;
    let id = created(&call(&s, None, "work", json!({"ms": 300})).await);
    // Each request is a new connection: the task outlived the one that created it.
    let working = get(&s, None, &id).await;
    assert_eq!(working["status"], "working");
    assert_eq!(working["resultType"], "complete");
    assert!(working.get("result").is_none());
    let done = until(&s, None, &id, "completed").await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["result"]["content"][0]["text"], "worked 300 ms");
    assert_eq!(done["result"]["isError"], false);
    assert!(done["result"].get("_meta").is_none());
    // Progress becomes the status message clients read when they poll.
    let id = created(&call(&s, None, "halfway", json!({})).await);
    let mut message = Value::Null;
    for _ in 0..50 {
        message = get(&s, None, &id).await["statusMessage"].clone();
        if !message.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(message, "1/2: copying");
    // A call that finishes at once is answered in its request.
    let quick = call(&s, None, "work", json!({"ms": 0})).await.result();
    assert_eq!(quick["resultType"], "complete");
    assert_eq!(quick["content"][0]["text"], "worked 0 ms");
    // Tools list their task support.
    let tools = s.modern("tools/list", json!({})).await.result();
    let support = |name: &str| {
        tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["execution"]["taskSupport"]
            .clone()
    };
    assert_eq!(support("work"), "optional");
    assert_eq!(support("endless"), "required");
    let discover = s.modern("server/discover", json!({})).await.result();
    assert_eq!(
        discover["capabilities"]["extensions"]["io.modelcontextprotocol/tasks"],
        json!({})
    );
    assert!(discover["capabilities"].get("tasks").is_none());
}

#[tokio::test]
async fn questions_wait_on_the_task_and_the_handler_runs_once() {
    let s = Running::start(server()).await;
    let before = INTERVIEWS.load(Ordering::SeqCst);
    let id = created(&call(&s, None, "interview", json!({})).await);
    let first = until(&s, None, &id, "input_required").await;
    let requests = first["inputRequests"].as_object().unwrap().clone();
    assert_eq!(requests.len(), 1, "{first}");
    let (key, request) = requests.iter().next().unwrap();
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "First name?");
    // Answers to questions it does not wait on are acknowledged and ignored.
    let ack = task_request(
        &s,
        None,
        "tasks/update",
        &id,
        json!({"inputResponses": {"no-such-question": {"action": "accept"}}}),
    )
    .await
    .result();
    assert_eq!(ack["resultType"], "complete");
    assert!(ack.get("status").is_none());
    assert_eq!(get(&s, None, &id).await["status"], "input_required");
    let answer = |name: &str| json!({"action": "accept", "content": {"name": name}});
    task_request(
        &s,
        None,
        "tasks/update",
        &id,
        json!({"inputResponses": {key.clone(): answer("Ada")}}),
    )
    .await;
    let second = loop {
        let task = until(&s, None, &id, "input_required").await;
        if task["inputRequests"].get(key).is_none() {
            break task;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let (second_key, request) = second["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_ne!(second_key, key, "a key is never used twice in one task");
    assert_eq!(request["params"]["message"], "Second name?");
    task_request(
        &s,
        None,
        "tasks/update",
        &id,
        json!({"inputResponses": {second_key.clone(): answer("Grace")}}),
    )
    .await;
    let done = until(&s, None, &id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "Ada and Grace");
    assert_eq!(
        INTERVIEWS.load(Ordering::SeqCst) - before,
        1,
        "the handler ran once: answers reach the waiting handler, it is not run again"
    );
}

#[tokio::test]
async fn cancelling_stops_the_handler_and_ends_the_task_cancelled() {
    let s = Running::start(server()).await;
    let id = created(&call(&s, None, "endless", json!({"tag": "memory"})).await);
    let ack = task_request(&s, None, "tasks/cancel", &id, json!({}))
        .await
        .result();
    assert_eq!(ack["resultType"], "complete");
    assert!(ack.get("taskId").is_none());
    assert_eq!(get(&s, None, &id).await["status"], "cancelled");
    assert!(stopped("memory").await, "the handler was dropped");
    // Cancelling an ended task is acknowledged again; an unknown one is -32602.
    let again = task_request(&s, None, "tasks/cancel", &id, json!({})).await;
    assert_eq!(again.result()["resultType"], "complete");
    let unknown = task_request(&s, None, "tasks/cancel", "no-such-task", json!({})).await;
    assert_eq!(unknown.error_code(), -32602);
}

#[tokio::test]
async fn protocol_errors_fail_the_task_and_panics_complete_it_with_an_error_result() {
    let s = Running::start(server()).await;
    let id = created(&call(&s, None, "broken", json!({})).await);
    let failed = until(&s, None, &id, "failed").await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["code"], -32602);
    assert_eq!(failed["error"]["message"], "the input is unusable");
    assert!(failed.get("result").is_none());
    let id = created(&call(&s, None, "crashes", json!({})).await);
    let crashed = until(&s, None, &id, "completed").await;
    assert_eq!(crashed["result"]["isError"], true);
    assert!(
        !crashed.to_string().contains("a bug"),
        "panic text stays in the log"
    );
}

#[tokio::test]
async fn a_task_belongs_to_the_principal_that_created_it() {
    let router = server()
        .router()
        .unwrap()
        .layer(axum::middleware::from_fn(authenticate));
    let s = Running::start_router(router).await;
    let id = created(&call(&s, Some("alice"), "interview", json!({})).await);
    let waiting = until(&s, Some("alice"), &id, "input_required").await;
    let key = waiting["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    for intruder in [Some("bob"), None] {
        for method in ["tasks/get", "tasks/cancel"] {
            let refused = task_request(&s, intruder, method, &id, json!({})).await;
            assert_eq!(refused.error_code(), -32602, "{method} as {intruder:?}");
            assert!(String::from_utf8_lossy(&refused.body).contains("Unknown task"));
        }
        // An update is acknowledged (as for any id) but reaches nothing.
        let update = task_request(
            &s,
            intruder,
            "tasks/update",
            &id,
            json!({"inputResponses": {key.clone(): {"action": "accept", "content": {"name": "Mallory"}}}}),
        )
        .await;
        assert_eq!(update.result()["resultType"], "complete");
    }
    let still = get(&s, Some("alice"), &id).await;
    assert_eq!(still["status"], "input_required");
    assert!(still["inputRequests"].get(&key).is_some());
    task_request(&s, Some("alice"), "tasks/cancel", &id, json!({})).await;
    assert_eq!(get(&s, Some("alice"), &id).await["status"], "cancelled");
}

#[tokio::test]
async fn clients_without_the_extension_get_no_tasks() {
    let s = Running::start(server()).await;
    // An optional tool runs in the request; a required one is -32021 naming the extension.
    let plain = s
        .modern(
            "tools/call",
            json!({"name": "work", "arguments": {"ms": 30}}),
        )
        .await
        .result();
    assert_eq!(plain["resultType"], "complete");
    assert_eq!(plain["content"][0]["text"], "worked 30 ms");
    let required = s
        .modern("tools/call", json!({"name": "broken", "arguments": {}}))
        .await;
    assert_eq!(required.status, 400);
    assert_eq!(required.error_code(), -32021);
    assert_eq!(
        required.json()["error"]["data"]["requiredCapabilities"]["extensions"]
            ["io.modelcontextprotocol/tasks"],
        json!({})
    );
    // The task methods too, before looking the task up.
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let params = json!({"taskId": "anything", "inputResponses": {}});
        let refused = s.modern(method, params).await;
        assert_eq!(refused.error_code(), -32021, "{method}");
    }
    // The removed methods of the 2025 tasks stay unknown.
    for method in ["tasks/result", "tasks/list"] {
        let unknown = s
            .modern_with(method, json!({"taskId": "x"}), declaring())
            .await;
        assert_eq!(unknown.error_code(), -32601, "{method}");
    }
    // A client of a revision without tasks waits for a required tool's result, as for any
    // tool: here the tool's own protocol error, which outside a task is a JSON-RPC error.
    let legacy = Running::start(stateless())
        .await
        .call_as(
            "2025-06-18",
            &[],
            json!({"name": "broken", "arguments": {}}),
        )
        .await;
    assert_eq!(legacy.error_code(), -32602, "the tool's own protocol error");
    // A task request without its id, or with answers that are not an object, is -32602.
    let no_id = s.modern_with("tasks/get", json!({}), declaring()).await;
    assert_eq!(no_id.error_code(), -32602);
    let id = created(&call(&s, None, "work", json!({"ms": 200})).await);
    let bad = task_request(
        &s,
        None,
        "tasks/update",
        &id,
        json!({"inputResponses": [1]}),
    )
    .await;
    assert_eq!(bad.error_code(), -32602);
}

#[tokio::test]
async fn tasks_are_bounded_in_time_and_number() {
    let s = Running::start(
        server()
            .task_ttl(Duration::from_millis(300))
            .task_limits(100, 2),
    )
    .await;
    let id = created(&call(&s, None, "work", json!({"ms": 60_000})).await);
    assert_eq!(get(&s, None, &id).await["ttlMs"], 300);
    let _second = created(&call(&s, None, "work", json!({"ms": 60_000})).await);
    let third = call(&s, None, "work", json!({"ms": 60_000})).await;
    assert_eq!(third.status, 429);
    assert!(third.header("retry-after").is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let gone = task_request(&s, None, "tasks/get", &id, json!({})).await;
    assert_eq!(gone.error_code(), -32602, "an expired task is forgotten");
    // Forgotten tasks give their places back.
    created(&call(&s, None, "work", json!({"ms": 60_000})).await);
}

#[tokio::test]
async fn a_2025_11_25_client_asks_for_tasks_and_reads_their_results() {
    let s = Running::start(stateless()).await;
    let init = s
        .legacy(
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
        )
        .await
        .result();
    assert_eq!(
        init["capabilities"]["tasks"],
        json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}})
    );
    assert!(init["capabilities"].get("extensions").is_none());
    // Asked for, a task is created however quickly the call ends; the client's ttl is kept
    // when below the server's.
    let created = s
        .legacy(
            "tools/call",
            json!({"name": "work", "arguments": {"ms": 200}, "task": {"ttl": 5000}}),
        )
        .await
        .result();
    let task = &created["task"];
    assert_eq!(task["status"], "working");
    assert_eq!(task["ttl"], 5000);
    assert!(task.get("ttlMs").is_none() && created.get("resultType").is_none());
    let id = task["taskId"].as_str().unwrap().to_owned();
    // `tasks/result` waits for the end and answers with the call's own result.
    let result = s
        .legacy("tasks/result", json!({"taskId": id}))
        .await
        .result();
    assert_eq!(result["content"][0]["text"], "worked 200 ms");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id.as_str()
    );
    let got = s.legacy("tasks/get", json!({"taskId": id})).await.result();
    assert_eq!(got["status"], "completed");
    assert!(got.get("result").is_none());
    // Cancelling an ended task is -32602 in this revision.
    let again = s.legacy("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(again.error_code(), -32602);
    // A running one is cancelled, and says so.
    let running = s
        .legacy(
            "tools/call",
            json!({"name": "work", "arguments": {"ms": 60_000}, "task": {}}),
        )
        .await
        .result()["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = s
        .legacy("tasks/cancel", json!({"taskId": running}))
        .await
        .result();
    assert_eq!(cancelled["status"], "cancelled");
    let listed = s.legacy("tasks/list", json!({})).await.result();
    assert_eq!(listed["tasks"].as_array().unwrap().len(), 2, "{listed}");
    // A protocol error is the result's error; a tool that does not run as a task refuses
    // `task`, and a 2025-11-25 client must ask for one for a tool that runs only as one.
    let failed = s
        .legacy(
            "tools/call",
            json!({"name": "broken", "arguments": {}, "task": {}}),
        )
        .await
        .result()["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let error = s.legacy("tasks/result", json!({"taskId": failed})).await;
    assert_eq!(error.error_code(), -32602);
    assert_eq!(
        s.legacy("tasks/get", json!({"taskId": failed}))
            .await
            .result()["status"],
        "failed"
    );
    let forbidden = s
        .legacy(
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}, "task": {}}),
        )
        .await;
    assert_eq!(forbidden.error_code(), -32601);
    let required = s
        .legacy("tools/call", json!({"name": "broken", "arguments": {}}))
        .await;
    assert_eq!(required.error_code(), -32601);
    let unknown = s.legacy("tasks/get", json!({"taskId": "nope"})).await;
    assert_eq!(unknown.error_code(), -32602);
}

/// Tasks shared by several processes on one Redis (two or three servers in this test process
/// stand for them, sharing nothing but Redis). Needs a Redis, as `tests/redis.rs` says.
mod shared {
    use super::*;
    use mcp_runtime::store::RedisStore;

    async fn process(url: &str, prefix: &str) -> Running {
        let router = server()
            .store(RedisStore::connect(url).unwrap().prefix(prefix))
            .router()
            .unwrap()
            .layer(axum::middleware::from_fn(authenticate));
        Running::start_router(router).await
    }

    #[tokio::test]
    async fn a_task_started_on_one_process_is_polled_answered_and_cancelled_through_another() {
        let Some(url) = mcp_tests::redis::url() else {
            return;
        };
        let prefix = mcp_tests::redis::prefix("tasks");
        let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
        let alice = Some("alice");
        // Polled on B until it completes on A.
        let id = created(&call(&a, alice, "work", json!({"ms": 300})).await);
        assert_eq!(get(&b, alice, &id).await["status"], "working");
        let done = until(&b, alice, &id, "completed").await;
        assert_eq!(done["result"]["content"][0]["text"], "worked 300 ms");
        // Another principal learns nothing of it on any process.
        let refused = task_request(&b, Some("bob"), "tasks/get", &id, json!({})).await;
        assert_eq!(refused.error_code(), -32602);
        // Answered through B while its handler waits on A.
        let id = created(&call(&a, alice, "interview", json!({})).await);
        let mut answered = 0;
        let done = loop {
            let task = until(&b, alice, &id, "input_required").await;
            if task["status"] != "input_required" {
                break task;
            }
            let key = task["inputRequests"]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .clone();
            let name = ["Ada", "Grace"][answered.min(1)];
            let answer = json!({"action": "accept", "content": {"name": name}});
            // Bob's answer reaches nothing; Alice's does.
            task_request(&b, Some("bob"), "tasks/update", &id, json!({"inputResponses": {key.clone(): {"action": "accept", "content": {"name": "Mallory"}}}})).await;
            task_request(
                &b,
                alice,
                "tasks/update",
                &id,
                json!({"inputResponses": {key.clone(): answer}}),
            )
            .await;
            answered += 1;
            // Wait until the question is gone before looking for the next one.
            for _ in 0..100 {
                let now = get(&b, alice, &id).await;
                if now["inputRequests"].get(&key).is_none() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        assert_eq!(done["result"]["content"][0]["text"], "Ada and Grace");
        // Cancelled through B: the handler on A stops.
        let id = created(&call(&a, alice, "endless", json!({"tag": "shared"})).await);
        let ack = task_request(&b, alice, "tasks/cancel", &id, json!({})).await;
        assert_eq!(ack.result()["resultType"], "complete");
        assert_eq!(get(&b, alice, &id).await["status"], "cancelled");
        assert!(stopped("shared").await, "the handler on A was dropped");
        assert_eq!(get(&a, alice, &id).await["status"], "cancelled");
    }

    #[tokio::test]
    async fn results_outlive_their_process_and_tasks_of_a_gone_process_fail() {
        let Some(url) = mcp_tests::redis::url() else {
            return;
        };
        let prefix = mcp_tests::redis::prefix("task-restart");
        let a = process(&url, &prefix).await;
        let finished = created(&call(&a, None, "work", json!({"ms": 50})).await);
        until(&a, None, &finished, "completed").await;
        let running = created(&call(&a, None, "work", json!({"ms": 60_000})).await);
        drop(a);
        // A process started later reads the result; the task that was running is failed once
        // its process has stopped saying it is alive.
        let c = process(&url, &prefix).await;
        let done = get(&c, None, &finished).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["result"]["content"][0]["text"], "worked 50 ms");
        let failed = loop {
            let task = get(&c, None, &running).await;
            if task["status"] != "working" {
                break task;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["error"]["code"], -32603);
        // The record expires with the task.
        let keys = mcp_tests::redis::keys(&url, &prefix);
        let task_keys: Vec<_> = keys.iter().filter(|k| k.contains(":task:")).collect();
        assert_eq!(task_keys.len(), 2, "{keys:?}");
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut connection = client.get_connection().unwrap();
        for key in task_keys {
            let ttl: i64 = redis::cmd("PTTL").arg(key).query(&mut connection).unwrap();
            assert!(ttl > 0 && ttl <= 3_600_000, "{key}: {ttl}");
        }
    }

    #[tokio::test]
    async fn a_session_lists_and_reads_its_tasks_on_every_process() {
        let Some(url) = mcp_tests::redis::url() else {
            return;
        };
        let prefix = mcp_tests::redis::prefix("task-list");
        let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
        let session = a.initialize().await;
        async fn post(s: &Running, session: &str, method: &str, params: Value) -> Response {
            let headers = [
                ("MCP-Protocol-Version", "2025-11-25"),
                ("Mcp-Session-Id", session),
            ];
            let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
            s.post(&headers, &body.to_string()).await
        }
        let created = post(
            &a,
            &session,
            "tools/call",
            json!({"name": "work", "arguments": {"ms": 100}, "task": {}}),
        )
        .await
        .result();
        let id = created["task"]["taskId"].as_str().unwrap().to_owned();
        let listed = post(&b, &session, "tasks/list", json!({})).await.result();
        let ids: Vec<&str> = listed["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["taskId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id.as_str()], "{listed}");
        // Another session sees none of them.
        let other = b.initialize().await;
        let theirs = post(&b, &other, "tasks/list", json!({})).await.result();
        assert_eq!(theirs["tasks"], json!([]));
        // `tasks/result` on B waits for the end on A and answers with the call's result.
        let result = post(&b, &session, "tasks/result", json!({"taskId": id}))
            .await
            .last_message();
        assert_eq!(
            result["result"]["content"][0]["text"], "worked 100 ms",
            "{result}"
        );
    }
}
