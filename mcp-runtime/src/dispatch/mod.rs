//! The method table: one parsed request in, one [`Outcome`] out, for either era.

pub(crate) mod listen;
mod outgoing;
mod respond;
mod results;
mod skills;
mod tasks;

pub(crate) use outgoing::{CallStream, Messages, Outgoing, SessionCall};
pub use respond::ResponseMode;

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::json;
use serde_json::value::RawValue;

use crate::completion::CompletionTarget;
use crate::endpoint::Endpoint;
use crate::extract::Arguments;
use crate::invocation::Invocation;
use crate::protocol::{
    CachePolicy, CompletionReference, Era, ErrorCode, Params, ProtocolVersion, RequestId, RpcError,
};
use crate::registry::Pages;
use crate::resource::ReadTarget;

use respond::Target;

use results::{CompleteResult, DiscoverResult, InitializeResult, ListResult, ReadResult};

/// A request (or notification) whose era is known.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// `None` for a notification.
    pub(crate) id: Option<&'a RequestId>,
    pub(crate) method: &'a str,
    pub(crate) params: &'a Params<'a>,
    pub(crate) version: ProtocolVersion,
    /// Whether the call's messages may (or must) stream before its response: what the client
    /// and the transport accept.
    pub(crate) framing: ResponseMode,
    /// The legacy session the request belongs to (stateful servers).
    pub(crate) session: Option<Arc<crate::session::SessionData>>,
    /// Who is calling, if the application authenticated the request.
    pub(crate) principal: Option<String>,
    /// The peer's address, where the transport knows it.
    pub(crate) peer: Option<std::net::IpAddr>,
    /// The request's size in bytes (what its CPU-bound work is proportional to).
    pub(crate) size: usize,
    /// The request's headers, extensions and caller, for handler parameters.
    pub(crate) request: crate::extract::RequestParts<'a>,
}

/// What the transport sends back, for it to frame.
pub(crate) enum Outcome {
    /// A JSON-RPC response body (result or error).
    Reply(Vec<u8>),
    /// A JSON-RPC error, with the HTTP status it maps to.
    Error(RpcError),
    /// A notification or response was accepted; nothing to send.
    Accepted,
    /// Messages (notifications, requests to the client) ending with the response.
    Stream(CallStream),
    /// A long-lived stream of change notifications.
    Feed(listen::ChangeFeed),
}

impl Call<'_> {
    /// Whose quotas the request counts against (built only by the requests that take a share).
    pub(crate) fn client(&self) -> Option<crate::quota::ClientKey> {
        crate::quota::ClientKey::of(self.principal.as_deref(), self.peer)
    }
}

impl Endpoint {
    /// Runs one request to its outcome.
    pub(crate) async fn dispatch(self: &Arc<Self>, call: Call<'_>) -> Outcome {
        let Some(id) = call.id else {
            if let (Some(session), "notifications/cancelled") = (&call.session, call.method) {
                if let Some(request) = call.params.request_id {
                    session.cancel(request.get()).await;
                }
            }
            // Other notifications (`notifications/initialized`, ...) need no answer.
            return Outcome::Accepted;
        };
        let era = call.version.era();
        let registry = self.registry.load();
        // A method is served only with the capability that announces it. The rare methods'
        // futures are boxed: every request's future is as large as the largest it may become,
        // and it is moved as a whole on every request.
        let result = match (call.method, era) {
            ("initialize", Era::Legacy) => Ok(self.initialize(id, &call)),
            ("server/discover", Era::Modern) => Ok(self.discover(id, &call)),
            ("ping", Era::Legacy) => Ok(self.reply(id, era, &results::Empty {}, None)),
            ("logging/setLevel", Era::Legacy) if registry.has_logging() => {
                Box::pin(self.set_level(id, &call)).await
            }
            ("resources/subscribe" | "resources/unsubscribe", Era::Legacy)
                if registry.has_resources() && call.session.is_some() =>
            {
                Box::pin(self.subscribe(id, &call)).await
            }
            ("tools/list", _) if registry.has_tools() => {
                self.list(id, &call, registry.tool_pages(call.version.era()), "tools")
            }
            ("tools/call", _) if registry.has_tools() => self.call_tool(id, &call).await,
            ("tasks/get" | "tasks/update" | "tasks/cancel", Era::Modern)
                if registry.has_tasks() =>
            {
                Box::pin(self.task_method(id, &call)).await
            }
            ("tasks/get" | "tasks/result" | "tasks/cancel" | "tasks/list", Era::Legacy)
                if registry.has_tasks() =>
            {
                Box::pin(self.legacy_task_method(id, &call)).await
            }
            ("resources/list", _) if registry.has_resources() => {
                self.list(id, &call, &registry.resource_pages, "resources")
            }
            ("resources/templates/list", _) if registry.has_resources() => {
                self.list(id, &call, &registry.template_pages, "resourceTemplates")
            }
            ("resources/read", _) if registry.has_resources() => {
                self.read_resource(id, &call).await
            }
            ("skills/list", _) if !registry.skills().is_empty() => {
                Box::pin(self.list_skills(id, &call)).await
            }
            ("skills/get", _) if !registry.skills().is_empty() => {
                Box::pin(self.get_skill(id, &call)).await
            }
            ("resources/directory/read", _) if !registry.skills().is_empty() => {
                self.read_directory(id, &call)
            }
            ("prompts/list", _) if registry.has_prompts() => {
                self.list(id, &call, &registry.prompt_pages, "prompts")
            }
            ("prompts/get", _) if registry.has_prompts() => self.get_prompt(id, &call).await,
            ("subscriptions/listen", Era::Modern) if self.changes => self.listen(id, &call),
            ("completion/complete", _) if registry.has_completers() => {
                Box::pin(self.complete(id, &call)).await
            }
            (method, _) => Err(RpcError::method_not_found(method)),
        };
        result.unwrap_or_else(Outcome::Error)
    }

    /// What handler parameters read of the server and of the request.
    pub(crate) fn parts<'a>(&'a self, call: &Call<'a>) -> crate::extract::RequestParts<'a> {
        call.request
            .with_states(&self.states)
            .with_keys(&self.state_keys, self.handle_ttl)
    }

    fn reply<R: serde::Serialize>(
        &self,
        id: &RequestId,
        era: Era,
        result: &R,
        cache: Option<CachePolicy>,
    ) -> Outcome {
        Outcome::Reply(self.body(id, era, result, cache))
    }

    /// A success body: for the 2026-07-28 era with `resultType` "complete", the server's
    /// identity and (for cacheable results) `ttlMs` and `cacheScope`.
    fn body<R: serde::Serialize>(
        &self,
        id: &RequestId,
        era: Era,
        result: &R,
        cache: Option<CachePolicy>,
    ) -> Vec<u8> {
        self.stamped_body(id, era, "complete", result, cache)
    }

    /// A success body whose result, in the 2026-07-28 era, is stamped with `resultType`, the
    /// server's identity in `_meta` and the cache hints, as it is written.
    pub(crate) fn stamped_body<R: serde::Serialize>(
        &self,
        id: &RequestId,
        era: Era,
        result_type: &str,
        result: &R,
        cache: Option<CachePolicy>,
    ) -> Vec<u8> {
        let mut out = crate::protocol::result_body(id, result);
        if era == Era::Modern {
            // Drop the envelope's and the result's closing braces; every result is an object.
            out.truncate(out.len() - 2);
            if !out.ends_with(b"{") {
                out.push(b',');
            }
            out.extend_from_slice(br#""resultType":""#);
            out.extend_from_slice(result_type.as_bytes());
            out.extend_from_slice(br#"","_meta":"#);
            out.extend_from_slice(self.server_meta.get().as_bytes());
            if let Some(cache) = cache {
                let scope = match cache.scope {
                    crate::protocol::CacheScope::Public => "public",
                    crate::protocol::CacheScope::Private => "private",
                };
                out.extend_from_slice(
                    format!(r#","ttlMs":{},"cacheScope":"{scope}""#, cache.ttl_ms).as_bytes(),
                );
            }
            out.extend_from_slice(b"}}");
        }
        out
    }

    /// `logging/setLevel`: the session keeps the level; without a session it cannot outlive
    /// the request, and 2025-era requests log at `info` and above.
    async fn set_level(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let level = call
            .params
            .level
            .as_deref()
            .and_then(crate::extract::LogLevel::from_wire)
            .ok_or_else(|| {
                RpcError::invalid_params("`level` must be a log level such as \"info\"")
            })?;
        if let Some(session) = &call.session {
            session.change_log_level(level).await?;
        }
        Ok(self.reply(id, Era::Legacy, &results::Empty {}, None))
    }

    /// `resources/subscribe` and `resources/unsubscribe`, kept per session.
    async fn subscribe(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let uri =
            call.params.uri.as_deref().ok_or_else(|| {
                RpcError::invalid_params("a subscription needs the resource's `uri`")
            })?;
        let session = call.session.as_ref().expect("checked by the method table");
        // Updates of a resource the caller may not read would tell it what it may not see.
        if let Some(scopes) = self.registry.load().resource_scopes(uri) {
            self.permit(call, "resource", uri, scopes, || {
                not_found(uri, Era::Legacy)
            })?;
        }
        session
            .change_subscription(uri, call.method == "resources/subscribe")
            .await?;
        Ok(self.reply(id, Era::Legacy, &results::Empty {}, None))
    }

    /// `subscriptions/listen`: acknowledge what this server can honour, then stream those
    /// changes, each tagged with the subscription (the request's id).
    fn listen(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let requested = call
            .params
            .notifications
            .as_deref()
            .cloned()
            .ok_or_else(|| {
                RpcError::invalid_params("`subscriptions/listen` needs `notifications`")
            })?;
        let registry = self.registry.load();
        // Updates of a resource the caller may not read are not agreed to: they would tell it
        // what it may not see.
        let caller = crate::auth::Caller::of(&call.request);
        let readable = |uri: &String| {
            registry
                .resource_scopes(uri)
                .is_none_or(|scopes| caller.permit(scopes).is_ok())
        };
        let agreed = crate::notifier::SubscriptionFilter {
            tools_list_changed: requested.tools_list_changed && registry.has_tools(),
            prompts_list_changed: requested.prompts_list_changed && registry.has_prompts(),
            resources_list_changed: requested.resources_list_changed && registry.has_resources(),
            resource_subscriptions: if registry.has_resources() {
                let mut uris = requested.resource_subscriptions;
                uris.retain(readable);
                uris
            } else {
                Vec::new()
            },
        };
        let permit = self.streams.take(call.client()).map_err(stream_refused)?;
        let subscription: serde_json::Value =
            serde_json::from_str(id.as_json()).expect("ids are JSON");
        let ack = json!({
            "jsonrpc": "2.0",
            "method": "notifications/subscriptions/acknowledged",
            "params": {
                "_meta": { "io.modelcontextprotocol/subscriptionId": subscription },
                "notifications": agreed,
            },
        });
        let audience = listen::Audience::Listen {
            filter: agreed,
            subscription: id.as_json().into(),
        };
        Ok(Outcome::Feed(listen::ChangeFeed::new(
            &self.notifier,
            audience,
            Some(ack.to_string().into()),
            self.shutdown.clone(),
            Some(self.stream_lifetime),
            permit,
        )))
    }

    /// The version a legacy `initialize` settles on: the client's, if supported, else the
    /// newest legacy one.
    pub(crate) fn negotiate(params: &Params<'_>) -> ProtocolVersion {
        params
            .protocol_version
            .as_deref()
            .and_then(ProtocolVersion::from_wire)
            .filter(|v| v.era() == Era::Legacy)
            .unwrap_or(ProtocolVersion::LATEST_LEGACY)
    }

    /// The server's capabilities as `call`'s caller may see them: without those whose every
    /// handler needs a scope it lacks.
    fn capabilities_for<'a>(&self, all: &'a RawValue, call: &Call<'_>) -> Cow<'a, RawValue> {
        let caller = crate::auth::Caller::of(&call.request);
        let hidden = self.registry.load().hidden_capabilities(caller);
        if hidden.is_empty() {
            return Cow::Borrowed(all);
        }
        let mut visible: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(all.get()).expect("capabilities are an object");
        for key in hidden {
            visible.remove(key);
        }
        Cow::Owned(serde_json::value::to_raw_value(&visible).expect("capabilities serialize"))
    }

    fn initialize(&self, id: &RequestId, call: &Call<'_>) -> Outcome {
        let version = Self::negotiate(call.params);
        let result = InitializeResult {
            protocol_version: version.as_str(),
            capabilities: &self.capabilities_for(&self.legacy_capabilities, call),
            server_info: &self.info,
            instructions: self.instructions.as_deref(),
        };
        self.reply(id, Era::Legacy, &result, None)
    }

    fn discover(&self, id: &RequestId, call: &Call<'_>) -> Outcome {
        let result = DiscoverResult {
            supported_versions: &self.supported_versions,
            capabilities: &self.capabilities_for(&self.capabilities, call),
            instructions: self.instructions.as_deref(),
        };
        self.reply(id, Era::Modern, &result, Some(self.list_cache))
    }

    fn list(
        &self,
        id: &RequestId,
        call: &Call<'_>,
        pages: &Pages,
        key: &'static str,
    ) -> Result<Outcome, RpcError> {
        let caller = crate::auth::Caller::of(&call.request);
        let (entries, next) = pages.page(call.params.cursor.as_deref(), caller)?;
        let result = ListResult {
            key,
            entries: &entries,
            next_cursor: next.as_deref(),
        };
        Ok(self.reply(id, call.version.era(), &result, Some(self.list_cache)))
    }

    async fn call_tool(
        self: &Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let name = call
            .params
            .name
            .as_deref()
            .ok_or_else(|| RpcError::invalid_params("`tools/call` needs the tool's `name`"))?;
        let era = call.version.era();
        let (entry, arguments) = {
            let registry = self.registry.load();
            let entry = registry
                .tool_entry(name)
                .ok_or_else(|| unknown_tool(name))?;
            self.permit(call, "tool", name, entry.def.scopes, || unknown_tool(name))?;
            let arguments =
                crate::offload::cpu_bound(call.size, || Arguments::parse(call.params.arguments))
                    .map_err(|e| RpcError::invalid_params(e.to_string()))?;
            if era == Era::Modern {
                check_mirrored(&registry, call, name, &arguments)?;
            }
            (entry, arguments)
        };
        let tool = entry.def;
        let target = Target {
            method: "tools/call",
            name,
            arguments: call.params.arguments,
            timeout: tool.timeout,
            needs: entry.needs,
            task: tool.task,
        };
        self.run_handler(
            id,
            call,
            target,
            arguments,
            |context| (tool.call)(context),
            move |endpoint: &Endpoint, id: &RequestId, result: crate::ToolResult| {
                if result.is_error {
                    crate::trace::record_tool_error();
                }
                Ok(endpoint.body(id, era, &result.into_reply()?.for_era(era), None))
            },
        )
        .await
    }

    async fn read_resource(
        self: &Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let uri = call.params.uri.as_deref().ok_or_else(|| {
            RpcError::invalid_params("`resources/read` needs the resource's `uri`")
        })?;
        let registry = self.registry.load();
        let entry = registry.resource_entry(uri);
        if entry.is_none() {
            let skill_file = registry.skills().catalog().filter(|c| c.serves(uri));
            if let Some(catalog) = skill_file.cloned() {
                drop(registry);
                return Box::pin(self.read_skill_file(id, call, catalog, uri)).await;
            }
        }
        let (def, needs, arguments) = match entry {
            Some(entry) => (entry.def, entry.needs, Arguments::default()),
            None => registry
                .templates
                .iter()
                .find_map(|t| Some((t, t.template.match_uri(uri)?)))
                .map(|(t, vars)| {
                    let vars = vars.into_iter().map(|(k, v)| (k.into(), v)).collect();
                    (t.def, t.needs, Arguments::from_text(vars))
                })
                .ok_or_else(|| not_found(uri, call.version.era()))?,
        };
        self.permit(call, "resource", uri, def.scopes, || {
            not_found(uri, call.version.era())
        })?;
        let read_target = ReadTarget {
            uri,
            mime_type: def.mime_type,
        };
        let cache = def
            .cache
            .map(|c| CachePolicy {
                ttl_ms: c.ttl_ms,
                scope: c.scope,
            })
            .unwrap_or(self.list_cache);
        let era = call.version.era();
        let requested = uri.to_owned();
        let target = Target {
            method: "resources/read",
            name: uri,
            arguments: None,
            timeout: None,
            needs,
            task: crate::tool::TaskSupport::Forbidden,
        };
        self.run_handler(
            id,
            call,
            target,
            arguments,
            |context| (def.read)(context, &read_target),
            move |endpoint: &Endpoint, id: &RequestId, result: crate::resource::ReadOutcome| {
                let contents = result.map_err(|e| typed(e, |_| not_found(&requested, era)))?;
                Ok(endpoint.body(id, era, &ReadResult { contents }, Some(cache)))
            },
        )
        .await
    }

    async fn get_prompt(
        self: &Arc<Self>,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let name =
            call.params.name.as_deref().ok_or_else(|| {
                RpcError::invalid_params("`prompts/get` needs the prompt's `name`")
            })?;
        let entry = self
            .registry
            .load()
            .prompt_entry(name)
            .ok_or_else(|| unknown_prompt(name))?;
        let prompt = entry.def;
        self.permit(call, "prompt", name, prompt.scopes, || unknown_prompt(name))?;
        let arguments = crate::offload::cpu_bound(call.size, || {
            Arguments::parse_strings(call.params.arguments)
        })
        .map_err(|e| RpcError::invalid_params(e.to_string()))?;
        let era = call.version.era();
        let target = Target {
            method: "prompts/get",
            name,
            arguments: call.params.arguments,
            timeout: None,
            needs: entry.needs,
            task: crate::tool::TaskSupport::Forbidden,
        };
        self.run_handler(
            id,
            call,
            target,
            arguments,
            |context| (prompt.get)(context),
            move |endpoint: &Endpoint, id: &RequestId, result: crate::prompt::GetOutcome| {
                let result = result.map_err(|e| {
                    typed(e, |_| {
                        RpcError::invalid_params(format!("Prompt not found: {}", prompt.name))
                    })
                })?;
                Ok(endpoint.body(id, era, &result, None))
            },
        )
        .await
    }

    async fn complete(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let (Some(reference), Some(argument)) = (
            call.params.reference.as_deref(),
            call.params.argument.as_deref(),
        ) else {
            return Err(RpcError::invalid_params(
                "`completion/complete` needs `ref` and `argument`",
            ));
        };
        let registry = self.registry.load();
        let target = match reference {
            CompletionReference::Prompt { name } => {
                let prompt = registry.prompt(name).ok_or_else(|| unknown_prompt(name))?;
                self.permit(call, "prompt", name, prompt.scopes, || unknown_prompt(name))?;
                CompletionTarget::Prompt(prompt.name)
            }
            CompletionReference::Resource { uri } => {
                let unknown =
                    || RpcError::invalid_params(format!("Unknown resource template: {uri}"));
                let template = registry
                    .templates
                    .iter()
                    .find(|t| t.def.uri == uri)
                    .ok_or_else(unknown)?;
                self.permit(call, "resource template", uri, template.def.scopes, unknown)?;
                CompletionTarget::Resource(template.def.uri)
            }
        };
        let completion = match registry.completer(target, &argument.name) {
            // An argument without a completer has no suggestions.
            None => Default::default(),
            Some(completer) => {
                // The context's arguments are the call's: a `CompletionContext` parameter
                // reads them.
                let arguments = call
                    .params
                    .context
                    .as_ref()
                    .map(|c| {
                        c.arguments
                            .iter()
                            .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut context = crate::extract::CallContext::scoped(
                    Arguments::from_text(arguments),
                    call.version,
                    crate::extract::RequestScope::detached(),
                    self.parts(call),
                );
                let value = argument.value.clone();
                let limit = self.handler_timeout;
                let invocation = Invocation::start(|| (completer.complete)(&mut context, value));
                match limit {
                    Some(limit) => tokio::time::timeout(limit, invocation.finish())
                        .await
                        .unwrap_or_else(|_| {
                            <crate::completion::CompleteOutcome as crate::invocation::Outcome>::timed_out(limit)
                        })?,
                    None => invocation.finish().await?,
                }
            }
        };
        Ok(self.reply(id, call.version.era(), &CompleteResult { completion }, None))
    }
}

impl Endpoint {
    /// Lets the caller use a handler of `kind` needing `scopes`, or refuses as the server's
    /// policy says: a 403 naming the scopes, or `unknown()`, the error for a name that does not
    /// exist.
    fn permit(
        &self,
        call: &Call<'_>,
        kind: &str,
        name: &str,
        scopes: &'static [&'static str],
        unknown: impl FnOnce() -> RpcError,
    ) -> Result<(), RpcError> {
        match crate::auth::Caller::of(&call.request).permit(scopes) {
            Ok(()) => Ok(()),
            Err(_) if self.unpermitted == crate::auth::Unpermitted::NotFound => Err(unknown()),
            Err(_) => Err(crate::auth::insufficient_scope(kind, name, scopes)),
        }
    }
}

fn unknown_tool(name: &str) -> RpcError {
    RpcError::invalid_params(format!("Unknown tool: {name}"))
}

fn unknown_prompt(name: &str) -> RpcError {
    RpcError::invalid_params(format!("Unknown prompt: {name}"))
}

/// The answer to a long-lived stream the server cannot hold now.
pub(crate) fn stream_refused(exhausted: crate::quota::Exhausted) -> RpcError {
    use crate::quota::Exhausted;
    let (status, message) = match exhausted {
        Exhausted::Total => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            "the server holds as many notification streams as it may; retry later",
        ),
        Exhausted::Client => (
            http::StatusCode::TOO_MANY_REQUESTS,
            "this client holds as many notification streams as one client may; close one first",
        ),
    };
    RpcError::new(ErrorCode::INTERNAL_ERROR, message)
        .with_status(status)
        .with_retry_after(std::time::Duration::from_secs(5))
}

/// A handler's error, with "not found" ([`ProtocolError::not_found`]) made specific.
///
/// [`ProtocolError::not_found`]: crate::protocol::ProtocolError::not_found
fn typed(error: RpcError, not_found: impl FnOnce(RpcError) -> RpcError) -> RpcError {
    match error.code {
        ErrorCode::RESOURCE_NOT_FOUND => not_found(error),
        _ => error,
    }
}

/// A resource that does not exist: `-32602` in the 2026-07-28 era, `-32002` before it.
fn not_found(uri: &str, era: Era) -> RpcError {
    let code = match era {
        Era::Modern => ErrorCode::INVALID_PARAMS,
        Era::Legacy => ErrorCode::RESOURCE_NOT_FOUND,
    };
    RpcError::new(code, format!("Resource not found: {uri}")).with_data(json!({ "uri": uri }))
}

/// Builds the `_meta` object that carries the server's identity on 2026-07-28 results.
pub(crate) fn server_meta(info: &crate::protocol::Implementation) -> Box<RawValue> {
    let mut meta = serde_json::Map::new();
    meta.insert(
        crate::protocol::SERVER_INFO_META.into(),
        serde_json::to_value(info).expect("server info serializes"),
    );
    serde_json::value::to_raw_value(&meta).expect("server meta serializes")
}

/// Over HTTP, refuses a call whose `Mcp-Param-*` headers disagree with the arguments the tool
/// mirrors into them (`HeaderMismatch`): a proxy that routed on a header must have seen what the
/// handler acts on.
fn check_mirrored(
    registry: &crate::registry::Registry,
    call: &Call<'_>,
    name: &str,
    arguments: &Arguments<'_>,
) -> Result<(), RpcError> {
    match (call.request.http_headers(), registry.mirrored(name)) {
        (Some(headers), Some(mirrored)) => mirrored.check(headers, arguments),
        _ => Ok(()),
    }
}
