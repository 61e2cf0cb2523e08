//! [`Server`]: configure, build and serve an MCP endpoint.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

use crate::completion::CompleterDef;
use crate::dispatch::server_meta;
use crate::dispatch::ResponseMode;
use crate::endpoint::Endpoint;
use crate::mrtr::StateKeys;
use crate::prompt::PromptDef;
use crate::protocol::{CachePolicy, CacheScope, Implementation, ProtocolVersion};
use crate::registry::{Definitions, Registry};
use crate::resource::ResourceDef;
use crate::tool::ToolDef;
use crate::transport::http::guard::{HostGuard, LOOPBACK_HOSTS};
use crate::Error;

/// The default limit on a request body: 4 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// How long a client may take to send a request's headers (and how long a keep-alive
/// connection may sit idle) before the connection is closed: 15 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a client may take to send a request body before it is answered 408: 30 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default number of items on one page of a list result.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// How long in-flight calls may run on after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a legacy session that made no request after `initialize` lives: 60 s.
pub const DEFAULT_UNUSED_SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a [`Handle`](crate::Handle) stays valid unless the server says otherwise: a day.
pub const DEFAULT_HANDLE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How many legacy sessions one client (its principal, else its address) may hold: 256.
pub const DEFAULT_SESSIONS_PER_CLIENT: usize = 256;

/// How many calls one legacy session may have in flight: 64.
pub const DEFAULT_CALLS_PER_SESSION: usize = 64;

/// How many resources one legacy session may subscribe to: 256.
pub const DEFAULT_SUBSCRIPTIONS_PER_SESSION: usize = 256;

/// How long a session call waiting for the client's answer waits for a client to come back to
/// its stream after the last one left: 10 s.
pub const DEFAULT_RESUME_GRACE: Duration = Duration::from_secs(10);

/// How many connections one client address may hold: 256 (or half the connection cap, if less).
pub const DEFAULT_CONNECTIONS_PER_CLIENT: usize = 256;

/// How long a response may wait for a client that does not read it: 30 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// How many long-lived notification streams one client may hold: 64.
pub const DEFAULT_STREAMS_PER_CLIENT: usize = 64;

/// How long a `subscriptions/listen` stream lasts before it closes (the client listens again):
/// one hour.
pub const DEFAULT_STREAM_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The default path of the MCP endpoint.
pub const DEFAULT_PATH: &str = "/mcp";

/// How the server serves 2025-era clients. (2026-07-28 clients are always served
/// statelessly.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No sessions: any replica can serve any request; `GET` and `DELETE` answer 405.
    Stateless,
    /// Sessions (`Mcp-Session-Id`), so that handlers can ask 2025-era clients for input and keep
    /// per-session state.
    Stateful,
}

#[derive(Debug, Clone)]
enum Hosts {
    /// Loopback names, unless `serve` binds a non-loopback address.
    Default,
    Any,
    List(Vec<String>),
}

/// An MCP server: its tools, identity and transport settings.
///
/// Build one with [`Server::from_registry`] (every `#[tool]` in the program) or [`Server::new`]
/// (only what you add), then [`serve`](Server::serve) it, mount its [`router`](Server::router)
/// in an axum app, or test it with [`TestClient`](crate::testing::TestClient).
///
/// ```no_run
/// use mcp_runtime::prelude::*;
///
/// /// Adds two integers.
/// #[tool]
/// async fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), mcp_runtime::Error> {
///     Server::from_registry().name("calc").serve("127.0.0.1:8080").await
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Server {
    defs: Definitions,
    skills: Vec<crate::skill::Skill>,
    skill_folders: Vec<std::path::PathBuf>,
    info: Implementation,
    instructions: Option<String>,
    hosts: Hosts,
    origins: Vec<String>,
    trust_forwarded_host: bool,
    body_limit: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    page_size: usize,
    list_cache: CachePolicy,
    path: String,
    response_mode: ResponseMode,
    handler_timeout: Option<Duration>,
    state_keys: Option<StateKeys>,
    state_ttl: Duration,
    forced_mode: Option<Mode>,
    session_store: Option<Arc<dyn crate::session::SessionStore>>,
    #[cfg(feature = "redis")]
    store: Option<crate::store::RedisStore>,
    session_idle: Duration,
    unused_session_timeout: Duration,
    max_sessions: usize,
    sessions_per_client: usize,
    calls_per_session: usize,
    subscriptions_per_session: usize,
    input_timeout: Duration,
    resume_grace: Duration,
    max_connections: Option<usize>,
    connections_per_client: Option<usize>,
    write_timeout: Duration,
    max_streams: Option<usize>,
    streams_per_client: usize,
    stream_lifetime: Duration,
    notifier: crate::Notifier,
    announces_changes: bool,
    tool_set: Option<crate::ToolSet>,
    states: crate::state::States,
    handle_ttl: Duration,
    task_limits: crate::task::TaskLimits,
    webhook_policy: crate::webhook::WebhookPolicy,
    oauth: Option<crate::auth::OAuth>,
    unpermitted: crate::auth::Unpermitted,
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// A server with no tools.
    pub fn new() -> Self {
        Self {
            defs: Definitions::default(),
            skills: Vec::new(),
            skill_folders: Vec::new(),
            info: Implementation {
                name: "mcp-server".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                title: None,
                icons: Vec::new(),
            },
            instructions: None,
            hosts: Hosts::Default,
            origins: Vec::new(),
            trust_forwarded_host: false,
            body_limit: DEFAULT_BODY_LIMIT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            page_size: DEFAULT_PAGE_SIZE,
            list_cache: CachePolicy {
                ttl_ms: 0,
                scope: CacheScope::Public,
            },
            path: DEFAULT_PATH.into(),
            response_mode: ResponseMode::Auto,
            handler_timeout: None,
            state_keys: None,
            state_ttl: Duration::from_secs(600),
            forced_mode: None,
            session_store: None,
            #[cfg(feature = "redis")]
            store: None,
            session_idle: Duration::from_secs(30 * 60),
            unused_session_timeout: DEFAULT_UNUSED_SESSION_TIMEOUT,
            max_sessions: 10_000,
            sessions_per_client: DEFAULT_SESSIONS_PER_CLIENT,
            calls_per_session: DEFAULT_CALLS_PER_SESSION,
            subscriptions_per_session: DEFAULT_SUBSCRIPTIONS_PER_SESSION,
            input_timeout: Duration::from_secs(60),
            resume_grace: DEFAULT_RESUME_GRACE,
            max_connections: None,
            connections_per_client: None,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            max_streams: None,
            streams_per_client: DEFAULT_STREAMS_PER_CLIENT,
            stream_lifetime: DEFAULT_STREAM_LIFETIME,
            notifier: crate::Notifier::default(),
            announces_changes: false,
            tool_set: None,
            states: crate::state::States::new(),
            handle_ttl: DEFAULT_HANDLE_TTL,
            task_limits: crate::task::TaskLimits {
                ttl: crate::task::DEFAULT_TASK_TTL,
                max: crate::task::DEFAULT_MAX_TASKS,
                per_client: crate::task::DEFAULT_TASKS_PER_CLIENT,
            },
            webhook_policy: crate::webhook::WebhookPolicy::default(),
            oauth: None,
            unpermitted: crate::auth::Unpermitted::InsufficientScope,
        }
    }

    /// Makes the HTTP endpoint an OAuth 2.1 resource server: every request needs a bearer
    /// token the authorization server issued for this server (checked as [`OAuth`] says),
    /// and the token's subject, client, scopes and claims become the request's
    /// [`Principal`](crate::auth::Principal). Handlers declaring `scopes` are called and listed
    /// only for callers granted them. The protected resource metadata (RFC 9728) is served at
    /// `/.well-known/oauth-protected-resource` followed by the resource's path, and at the root.
    /// (stdio is local: its caller is whoever started the process, as the specification says.)
    ///
    /// [`OAuth`]: crate::auth::OAuth
    ///
    /// ```
    /// use mcp_runtime::auth::OAuth;
    ///
    /// let server = mcp_runtime::Server::new()
    ///     .oauth(OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp"));
    /// # let _ = server;
    /// ```
    pub fn oauth(mut self, oauth: crate::auth::OAuth) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// What a handler answers a caller who lacks one of the scopes it declares (default: a
    /// `403 insufficient_scope` naming them, so the client can step up;
    /// [`Unpermitted::NotFound`](crate::auth::Unpermitted::NotFound) answers as if it did not
    /// exist). Either way it is not listed to that caller.
    ///
    /// ```
    /// use mcp_runtime::auth::Unpermitted;
    ///
    /// let server = mcp_runtime::Server::new().unpermitted(Unpermitted::NotFound);
    /// # let _ = server;
    /// ```
    pub fn unpermitted(mut self, answer: crate::auth::Unpermitted) -> Self {
        self.unpermitted = answer;
        self
    }

    /// What webhooks tasks may push their status changes to (a client asks with `delivery` on
    /// the `tools/call`): by default `https` URLs on public addresses only, checked on every
    /// address a host name resolves to, with bounded attempts, payloads and deliveries in
    /// flight ([`WebhookPolicy`](crate::webhook::WebhookPolicy)).
    ///
    /// ```
    /// use mcp_runtime::webhook::WebhookPolicy;
    ///
    /// // A receiver on this machine, for development.
    /// let policy = WebhookPolicy { allow_http: true, allow_private: true, ..WebhookPolicy::default() };
    /// let server = mcp_runtime::Server::new().webhook_policy(policy);
    /// # let _ = server;
    /// ```
    pub fn webhook_policy(mut self, policy: crate::webhook::WebhookPolicy) -> Self {
        self.webhook_policy = policy;
        self
    }

    /// How long a task and its result are kept, from its creation (default
    /// [`DEFAULT_TASK_TTL`](crate::task::DEFAULT_TASK_TTL)): clients read it as `ttlMs`. A task
    /// still running then is stopped.
    ///
    /// ```
    /// let server = mcp_runtime::Server::new().task_ttl(std::time::Duration::from_secs(600));
    /// # let _ = server;
    /// ```
    pub fn task_ttl(mut self, ttl: Duration) -> Self {
        self.task_limits.ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How many tasks the server keeps, running or finished until their time to live ends: `max`
    /// in all (then `503` with `Retry-After`), `per_client` for one client, by principal or
    /// else by address (then `429`). Defaults: [`DEFAULT_MAX_TASKS`] and
    /// [`DEFAULT_TASKS_PER_CLIENT`].
    ///
    /// [`DEFAULT_MAX_TASKS`]: crate::task::DEFAULT_MAX_TASKS
    /// [`DEFAULT_TASKS_PER_CLIENT`]: crate::task::DEFAULT_TASKS_PER_CLIENT
    ///
    /// ```
    /// let server = mcp_runtime::Server::new().task_limits(1_000, 50);
    /// # let _ = server;
    /// ```
    pub fn task_limits(mut self, max: usize, per_client: usize) -> Self {
        self.task_limits.max = max;
        self.task_limits.per_client = per_client;
        self
    }

    /// How long a [`Handle`](crate::Handle) the handlers issue stays valid (default
    /// [`DEFAULT_HANDLE_TTL`]).
    pub fn handle_ttl(mut self, ttl: Duration) -> Self {
        self.handle_ttl = ttl;
        self
    }

    /// Gives the handlers a value: every handler that takes a [`State<T>`](crate::State)
    /// parameter of its type gets it (shared, not copied: put a pool, a client or an
    /// `Arc<Mutex<..>>` here). One value per type; a second of the same type replaces the
    /// first. A server whose handlers take a `State<T>` it was not given does not start.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    ///
    /// struct Greeting(String);
    ///
    /// /// Greets.
    /// #[tool]
    /// async fn greet(greeting: State<Greeting>, name: String) -> String {
    ///     format!("{}, {name}!", greeting.0)
    /// }
    ///
    /// let server = Server::new().tool(greet::tool()).state(Greeting("Hello".into()));
    /// assert!(server.router().is_ok());
    /// let bare = Server::new().tool(greet::tool());
    /// assert!(bare.router().unwrap_err().to_string().contains("Greeting"));
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.states.insert(Arc::new(value));
        self
    }

    /// Like [`state`](Self::state), for a value already shared.
    pub fn shared_state<T: Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.states.insert(value);
        self
    }

    /// A handle that changes the tools while the server runs (see [`ToolSet`](crate::ToolSet));
    /// the server then advertises `tools.listChanged`.
    pub fn tool_set(&mut self) -> crate::ToolSet {
        self.announces_changes = true;
        self.tool_set.get_or_insert_with(Default::default).clone()
    }

    /// A handle that tells clients about changes (list changes, resource updates); the server
    /// then advertises `listChanged` and resource subscriptions. Handlers can also take a
    /// [`Notifier`](crate::Notifier) parameter.
    pub fn notifier(&mut self) -> crate::Notifier {
        self.announces_changes = true;
        self.notifier.clone()
    }

    /// The mode the handlers' parameters call for: stateful if any needs client input or a
    /// session (see [`Registry::stateful_because`]), unless forced.
    pub fn mode(&self) -> Mode {
        if let Some(mode) = self.forced_mode {
            return mode;
        }
        let params = self
            .defs
            .tools
            .iter()
            .flat_map(|d| d.params)
            .chain(self.defs.prompts.iter().flat_map(|d| d.params))
            .chain(self.defs.resources.iter().flat_map(|d| d.params))
            .chain(self.defs.completers.iter().flat_map(|d| d.params));
        let stateful = params.into_iter().any(|p| p.kind().needs.requires_state());
        if stateful {
            Mode::Stateful
        } else {
            Mode::Stateless
        }
    }

    /// Forces a mode. Forcing [`Mode::Stateless`] while a handler needs client input or a
    /// session is a startup error naming them.
    pub fn force_mode(mut self, mode: Mode) -> Self {
        self.forced_mode = Some(mode);
        self
    }

    /// How long a legacy session may stay idle before it ends (default 30 minutes).
    pub fn session_idle_timeout(mut self, idle: Duration) -> Self {
        self.session_idle = idle;
        self
    }

    /// The most legacy sessions open at once (default 10,000); `initialize` beyond it gets 503
    /// with `Retry-After`.
    pub fn max_sessions(mut self, sessions: usize) -> Self {
        self.max_sessions = sessions;
        self
    }

    /// How many legacy sessions one client may hold at once (default
    /// [`DEFAULT_SESSIONS_PER_CLIENT`]): `initialize` beyond it gets 429 with `Retry-After`. A
    /// client is its [`Principal`](crate::session::Principal) when the application sets one,
    /// else its address (an IPv6 address by its /64 network). A [`router`](Server::router) the
    /// application serves knows addresses only through axum's `ConnectInfo`
    /// (`into_make_service_with_connect_info`); without it or a principal, only the server-wide
    /// caps apply. The same holds for [`streams_per_client`](Server::streams_per_client).
    pub fn sessions_per_client(mut self, sessions: usize) -> Self {
        self.sessions_per_client = sessions;
        self
    }

    /// How long a legacy session that made no request after `initialize` (and its
    /// `notifications/initialized`) lives (default [`DEFAULT_UNUSED_SESSION_TIMEOUT`]). When the
    /// server is full, unused sessions older than 10 s give their place to new ones.
    pub fn unused_session_timeout(mut self, limit: Duration) -> Self {
        self.unused_session_timeout = limit;
        self
    }

    /// How many calls one legacy session may have in flight (default
    /// [`DEFAULT_CALLS_PER_SESSION`]); one more gets 429 with `Retry-After`.
    pub fn calls_per_session(mut self, calls: usize) -> Self {
        self.calls_per_session = calls;
        self
    }

    /// How many resources one legacy session may subscribe to (default
    /// [`DEFAULT_SUBSCRIPTIONS_PER_SESSION`]).
    pub fn subscriptions_per_session(mut self, subscriptions: usize) -> Self {
        self.subscriptions_per_session = subscriptions;
        self
    }

    /// How long a session call waiting for a 2025-era client's answer keeps waiting once no
    /// client is connected to its stream (default [`DEFAULT_RESUME_GRACE`], or twice the delay
    /// the client was told to come back after, if longer). Then the call is cancelled: the
    /// client left without seeing the question.
    pub fn resume_grace(mut self, grace: Duration) -> Self {
        self.resume_grace = grace;
        self
    }

    /// The most connections served at once (default: the process's descriptor limit, less 64
    /// kept for the server's own files). A connection beyond it is answered 503 with
    /// `Retry-After` and closed; the server goes on accepting. Applies to
    /// [`bind`](Server::bind) and [`serve`](Server::serve).
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = Some(connections);
        self
    }

    /// The most connections one client address may hold at once (default: 256, or half of
    /// [`max_connections`](Server::max_connections) if that is less; an IPv6 address counts by
    /// its /64 network). One more is answered 429 with `Retry-After` and closed. Raise it for a
    /// server behind a proxy, where every connection comes from the proxy's address. Applies to
    /// [`bind`](Server::bind) and [`serve`](Server::serve).
    pub fn connections_per_client(mut self, connections: usize) -> Self {
        self.connections_per_client = Some(connections);
        self
    }

    /// How long a response may wait for a client that does not read it (default
    /// [`DEFAULT_WRITE_TIMEOUT`]): the connection is closed when no byte of it could be written
    /// for this long. Applies to [`bind`](Server::bind) and [`serve`](Server::serve).
    pub fn write_timeout(mut self, limit: Duration) -> Self {
        self.write_timeout = limit;
        self
    }

    /// The most long-lived notification streams (`subscriptions/listen`, session `GET`) open at
    /// once (default: three quarters of [`max_connections`](Server::max_connections), so that
    /// ordinary requests always find a connection; 10,000 for a mounted router). One more gets
    /// 503 with `Retry-After`.
    pub fn max_streams(mut self, streams: usize) -> Self {
        self.max_streams = Some(streams);
        self
    }

    /// How many long-lived notification streams one client may hold (default
    /// [`DEFAULT_STREAMS_PER_CLIENT`]); one more gets 429.
    pub fn streams_per_client(mut self, streams: usize) -> Self {
        self.streams_per_client = streams;
        self
    }

    /// How long a `subscriptions/listen` stream lasts (default [`DEFAULT_STREAM_LIFETIME`]);
    /// then it ends with its closing result and the client listens again.
    pub fn stream_lifetime(mut self, lifetime: Duration) -> Self {
        self.stream_lifetime = lifetime;
        self
    }

    /// Where legacy sessions are kept (default: [`MemoryStore`](crate::session::MemoryStore)).
    pub fn session_store(mut self, store: impl crate::session::SessionStore) -> Self {
        self.session_store = Some(Arc::new(store));
        self
    }

    /// Shares what this server's processes must share through `store` (feature `redis`): see
    /// [`RedisStore`](crate::store::RedisStore) for what is shared.
    #[cfg(feature = "redis")]
    pub fn store(mut self, store: crate::store::RedisStore) -> Self {
        self.store = Some(store);
        self
    }

    /// How long a request to a 2025-era client (sampling, elicitation, roots) waits for its
    /// answer before the handler gets [`InputError::TimedOut`](crate::extract::InputError)
    /// (default 60 s).
    pub fn input_timeout(mut self, limit: Duration) -> Self {
        self.input_timeout = limit;
        self
    }

    /// A server with every `#[tool]`, `#[resource]`, `#[prompt]` and `#[complete]` linked into
    /// the program.
    pub fn from_registry() -> Self {
        Self {
            defs: Definitions::collected(),
            ..Self::new()
        }
    }

    /// Adds a tool by hand (see [`ToolDef`]).
    pub fn tool(mut self, tool: &'static ToolDef) -> Self {
        self.defs.tools.push(tool);
        self
    }

    /// Adds a resource or resource template by hand (see [`ResourceDef`]).
    pub fn resource(mut self, resource: &'static ResourceDef) -> Self {
        self.defs.resources.push(resource);
        self
    }

    /// Adds a prompt by hand (see [`PromptDef`]).
    pub fn prompt(mut self, prompt: &'static PromptDef) -> Self {
        self.defs.prompts.push(prompt);
        self
    }

    /// Adds a completer by hand (see [`CompleterDef`]).
    pub fn completer(mut self, completer: &'static CompleterDef) -> Self {
        self.defs.completers.push(completer);
        self
    }

    /// Serves a skill built in code (see [`Skill`](crate::skill::Skill)), through the
    /// `io.modelcontextprotocol/skills` extension.
    pub fn skill(mut self, skill: crate::skill::Skill) -> Self {
        self.skills.push(skill);
        self
    }

    /// Serves every skill in the folder `path`: each folder below it that holds a `SKILL.md` is
    /// a skill, at `skill://<its path below the folder>/SKILL.md`, with every file below it. The
    /// folder is read when the server starts, and each file again when a client reads it; a
    /// skill that breaks a rule of the Agent Skills format stops the server with an error naming
    /// the file (see [`skill`](crate::skill)).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_runtime::Error> {
    /// mcp_runtime::Server::new()
    ///     .skills_dir("skills")
    ///     .serve("127.0.0.1:8080")
    ///     .await
    /// # }
    /// ```
    pub fn skills_dir(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.skill_folders.push(path.into());
        self
    }

    /// The server's name, reported to clients.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.info.name = name.into();
        self
    }

    /// The server's version, reported to clients.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.info.version = version.into();
        self
    }

    /// A human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// An icon a client may show for the server (2025-11-25 onwards); call again for more
    /// (sizes, themes). Checked when the server starts, as handlers' icons are.
    ///
    /// ```
    /// use mcp_runtime::{Icon, Server};
    ///
    /// let server = Server::new()
    ///     .name("notes")
    ///     .icon(Icon::new("https://example.com/notes.svg").sizes(&["any"]));
    /// ```
    pub fn icon(mut self, icon: crate::Icon) -> Self {
        self.info.icons.push(icon);
        self
    }

    /// Instructions for the client's model on how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Allows requests whose `Host` is one of `hosts` (`name` for any port, `name:port` for one),
    /// instead of the loopback default.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts = Hosts::List(
            hosts
                .into_iter()
                .map(|h| h.into().to_ascii_lowercase())
                .collect(),
        );
        self
    }

    /// Accepts any `Host` (for servers behind a proxy that checks it). `Origin` is still
    /// checked, and more strictly: with any host allowed, a browser's `Origin` must be one of
    /// [`allowed_origins`](Server::allowed_origins) (a request without `Origin`, from a program
    /// rather than a web page, passes).
    pub fn allow_any_host(mut self) -> Self {
        self.hosts = Hosts::Any;
        self
    }

    /// Allows browser requests from these exact origins (`https://app.example.com`), besides
    /// origins on an allowed host.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Checks `X-Forwarded-Host` instead of `Host`: only behind a proxy that sets it.
    pub fn trust_forwarded_host(mut self, trust: bool) -> Self {
        self.trust_forwarded_host = trust;
        self
    }

    /// The largest request body accepted (default 4 MiB); larger ones get HTTP 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a client may take to send a request's line and headers (default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`]); the clock starts when the server begins reading them,
    /// so a keep-alive connection idle for this long is closed too. Applies to
    /// [`bind`](Server::bind) and [`serve`](Server::serve); a router you mount yourself is
    /// served by your own listener's settings.
    pub fn header_read_timeout(mut self, limit: Duration) -> Self {
        self.header_read_timeout = limit;
        self
    }

    /// How long a client may take to send a request body once its headers arrived (default
    /// [`DEFAULT_BODY_READ_TIMEOUT`]); a slower body is answered HTTP 408.
    pub fn body_read_timeout(mut self, limit: Duration) -> Self {
        self.body_read_timeout = limit;
        self
    }

    /// How many items a list result holds before it continues on the next page (default 100).
    pub fn page_size(mut self, items: usize) -> Self {
        self.page_size = items;
        self
    }

    /// How long 2026-07-28 clients may cache list and discovery results, and who may share them
    /// (default: `0`, public).
    pub fn list_cache(mut self, ttl: Duration, scope: CacheScope) -> Self {
        self.list_cache = CachePolicy {
            ttl_ms: u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX),
            scope,
        };
        self
    }

    /// How handler responses are framed (default: JSON unless the handler sends a
    /// notification first).
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        self.response_mode = mode;
        self
    }

    /// The time limit of every handler that sets none of its own (default: none). A tool past
    /// its limit is stopped and returns an `isError` result.
    pub fn handler_timeout(mut self, limit: Duration) -> Self {
        self.handler_timeout = Some(limit);
        self
    }

    /// The keys that seal multi round-trip request state, newest first (default: one random
    /// key per process). Replicas behind one load balancer must share them.
    pub fn request_state_keys(mut self, keys: StateKeys) -> Self {
        self.state_keys = Some(keys);
        self
    }

    /// How long a client may take to answer an `input_required` result (default 10 minutes).
    pub fn request_state_ttl(mut self, ttl: Duration) -> Self {
        self.state_ttl = ttl;
        self
    }

    /// The path of the MCP endpoint (default `/mcp`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The path of the MCP endpoint.
    pub(crate) fn mount_path(&self) -> &str {
        &self.path
    }

    /// Builds the endpoint to serve at `place`; `connections` is the connection cap when the
    /// server runs its own listener.
    fn build(
        mut self,
        place: Place<'_>,
        connections: Option<usize>,
    ) -> Result<(Arc<Endpoint>, String), Error> {
        let bound = match place {
            Place::Tcp(addr) => Some(addr),
            _ => None,
        };
        if self.page_size == 0 {
            return Err(Error::Config("the page size must be at least 1".into()));
        }
        if !self.path.starts_with('/') {
            return Err(Error::Config(format!(
                "the path `{}` must start with `/`",
                self.path
            )));
        }
        let mode = self.mode();
        let mut skills = std::mem::take(&mut self.skills);
        for folder in &self.skill_folders {
            skills.extend(crate::skill::scan_folder(folder)?);
        }
        self.defs.skills = crate::skill::Skills::load(skills)?;
        let registry = Registry::build(self.defs.clone(), self.page_size)?;
        registry.check_states(&self.states)?;
        crate::icon::check_all(&self.info.icons)
            .map_err(|reason| Error::Config(format!("the server's icons: {reason}")))?;
        if mode == Mode::Stateless && !registry.stateful_because().is_empty() {
            return Err(Error::Config(format!(
                "the server is forced stateless, but 2025-era clients could not be served: {}",
                registry.stateful_because().join("; ")
            )));
        }
        let changes =
            self.announces_changes || registry.needs().contains(crate::extract::Needs::CHANGES);
        let mut capabilities = registry.capabilities();
        if changes {
            for (kind, value) in capabilities.iter_mut() {
                if matches!(kind.as_str(), "tools" | "prompts" | "resources") {
                    value["listChanged"] = true.into();
                }
                if kind == "resources" {
                    value["subscribe"] = true.into();
                }
            }
        }
        let mut legacy_capabilities = capabilities.clone();
        if mode == Mode::Stateful {
            if let Some(resources) = legacy_capabilities.get_mut("resources") {
                resources["subscribe"] = true.into();
            }
        }
        if registry.has_tasks() {
            // The 2025-11-25 tasks: `tools/call` with `task`, listing and cancelling.
            legacy_capabilities.insert(
                "tasks".into(),
                serde_json::json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}),
            );
            capabilities.insert(
                "extensions".into(),
                serde_json::json!({ crate::protocol::TASKS_EXTENSION: {} }),
            );
        }
        if !registry.skills().is_empty() {
            // Both eras: `skills/list`, `skills/get` and `resources/directory/read`.
            for capabilities in [&mut capabilities, &mut legacy_capabilities] {
                capabilities
                    .entry("extensions")
                    .or_insert_with(|| serde_json::json!({}))[crate::skill::SKILLS_EXTENSION] =
                    serde_json::json!({ "directoryRead": true });
            }
        }
        let sessions = (mode == Mode::Stateful).then(|| {
            let store: Box<dyn crate::session::SessionStore> = match self.session_store {
                Some(store) => Box::new(SharedStore(store)),
                None => Box::new(crate::session::MemoryStore::new()),
            };
            let sessions = crate::session::Sessions::new(
                store,
                crate::session::SessionLimits {
                    idle_timeout: self.session_idle,
                    unused_timeout: self.unused_session_timeout,
                    max_sessions: self.max_sessions,
                    per_client: self.sessions_per_client,
                    calls_per_session: self.calls_per_session,
                    subscriptions_per_session: self.subscriptions_per_session,
                },
            );
            #[cfg(feature = "redis")]
            let sessions = match &self.store {
                Some(shared) => sessions.shared_through(shared.clone()),
                None => sessions,
            };
            Arc::new(sessions)
        });
        let hosts = match self.hosts {
            Hosts::Any => None,
            Hosts::List(list) => Some(list),
            Hosts::Default if bound.is_some_and(|a| !a.ip().is_loopback()) => None,
            Hosts::Default => Some(LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect()),
        };
        if let Some(warning) = exposure_warning(bound, hosts.is_some(), !self.origins.is_empty()) {
            tracing::warn!("{warning}");
        }
        let max_streams = self.max_streams.unwrap_or(match connections {
            Some(connections) => connections - connections / 4,
            None => 10_000,
        });
        let registry = Arc::new(arc_swap::ArcSwap::from_pointee(registry));
        if let Some(tool_set) = &self.tool_set {
            tool_set.attach(
                registry.clone(),
                self.defs,
                self.page_size,
                mode == Mode::Stateless,
                self.notifier.clone(),
                self.states.clone(),
            );
        }
        let shutdown = tokio_util::sync::CancellationToken::new();
        let tasks = crate::task::Tasks::new(self.task_limits);
        #[cfg(feature = "redis")]
        let tasks = match &self.store {
            Some(store) => tasks.shared_through(store.clone()),
            None => tasks,
        };
        let tasks = Arc::new(tasks);
        #[cfg(feature = "redis")]
        if let Some(store) = &self.store {
            store.start(&self.notifier, sessions.clone(), &tasks, shutdown.clone())?;
        }
        let auth = self
            .oauth
            .map(crate::auth::ResourceServer::new)
            .transpose()?;
        let endpoint = Endpoint {
            registry,
            server_meta: server_meta(&self.info),
            info: self.info,
            instructions: self.instructions,
            capabilities: serde_json::value::to_raw_value(&capabilities)
                .expect("capabilities serialize"),
            legacy_capabilities: serde_json::value::to_raw_value(&legacy_capabilities)
                .expect("capabilities serialize"),
            supported_versions: ProtocolVersion::supported(None).collect(),
            list_cache: self.list_cache,
            page_size: self.page_size,
            message_limit: self.body_limit,
            handler_timeout: self.handler_timeout,
            state_keys: self.state_keys.unwrap_or_else(StateKeys::random),
            state_ttl: self.state_ttl,
            input_timeout: self.input_timeout,
            sessions,
            notifier: self.notifier,
            changes,
            shutdown,
            streams: crate::quota::Budget::new(max_streams, self.streams_per_client),
            stream_lifetime: self.stream_lifetime,
            states: self.states,
            handle_ttl: self.handle_ttl,
            tasks,
            webhooks: crate::webhook::Webhooks::new(self.webhook_policy),
            http: crate::transport::http::Settings {
                guard: HostGuard::new(hosts, self.origins, self.trust_forwarded_host),
                body_read_timeout: self.body_read_timeout,
                response_mode: self.response_mode,
                resume_grace: self.resume_grace,
                auth,
            },
            unpermitted: self.unpermitted,
        };
        summarize(&endpoint, place, &self.path, mode);
        Ok((Arc::new(endpoint), self.path))
    }

    /// An axum [`Router`](axum::Router) serving the endpoint, to mount in an existing app.
    ///
    /// Fails if the registry is invalid (duplicate or invalid tool names, bad schemas).
    ///
    /// ```
    /// let app = axum::Router::new().merge(mcp_runtime::Server::new().router().unwrap());
    /// # let _ = app;
    /// ```
    pub fn router(self) -> Result<axum::Router, Error> {
        let (endpoint, path) = self.build(Place::Router, None)?;
        Ok(crate::transport::http::router(endpoint, &path))
    }

    /// Binds `addr` and returns the listening server, whose address is known before it runs
    /// (bind port 0 to let the OS choose).
    pub async fn bind(
        self,
        addr: impl ToSocketAddrs + std::fmt::Display,
    ) -> Result<Listening, Error> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr()?;
        let limits = self.connection_limits();
        let (endpoint, path) = self.build(Place::Tcp(local), Some(limits.max_connections))?;
        Ok(Listening {
            listener,
            limits,
            endpoint,
            local,
            path,
        })
    }

    /// The limits of the connections this server accepts itself (TCP or a Unix socket).
    fn connection_limits(&self) -> crate::transport::http::connections::ConnectionLimits {
        let max_connections = self
            .max_connections
            .unwrap_or_else(crate::transport::http::connections::default_max_connections);
        crate::transport::http::connections::ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            write_timeout: self.write_timeout,
            max_connections,
            per_client: self
                .connections_per_client
                .unwrap_or((max_connections / 2).clamp(1, DEFAULT_CONNECTIONS_PER_CLIENT)),
        }
    }

    /// Binds a Unix domain socket at `path` for the same Streamable HTTP endpoint, reachable
    /// only by the socket's owner (mode 0600, created so that it never has wider permissions).
    /// A stale socket file left by a server that died is replaced; the file is removed when the
    /// server stops. The `Host` allow-list is the loopback one (what local clients send).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_runtime::Error> {
    /// mcp_runtime::Server::from_registry()
    ///     .bind_unix("/run/user/1000/notes.sock")
    ///     .await?
    ///     .run()
    ///     .await
    /// # }
    /// ```
    #[cfg(unix)]
    pub async fn bind_unix(
        self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<crate::UnixListening, Error> {
        let path = path.as_ref().to_owned();
        let listener =
            crate::transport::unix::bind_private(&path).map_err(|source| Error::Bind {
                addr: path.display().to_string(),
                source,
            })?;
        let limits = self.connection_limits();
        let (endpoint, mount) = self.build(Place::Unix(&path), Some(limits.max_connections))?;
        Ok(crate::UnixListening {
            listener,
            path,
            endpoint,
            mount,
            limits,
        })
    }

    /// Serves the handlers on standard input and output (newline-delimited JSON-RPC) for a
    /// client that started this process, until the input ends or Ctrl-C/SIGTERM; in-flight
    /// calls then get [`SHUTDOWN_GRACE`] to finish. Clients of both eras are served as over
    /// HTTP (a 2025-era client is one session). Nothing but protocol messages is written to
    /// standard output: send logs to standard error.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_runtime::Error> {
    /// mcp_runtime::Server::from_registry().serve_stdio().await
    /// # }
    /// ```
    pub async fn serve_stdio(self) -> Result<(), Error> {
        let (endpoint, _) = self.build(Place::Stdio, None)?;
        crate::transport::stdio::serve(
            endpoint,
            crate::transport::stdio::stdin(),
            crate::transport::stdio::Output::<tokio::io::Stdout>::Stdout,
            shutdown_signal(),
        )
        .await
    }

    /// Serves the stdio protocol on any pair of streams (a pipe, a socket, an in-memory duplex
    /// in tests) until `input` ends or `shutdown` completes.
    pub async fn serve_io(
        self,
        input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
        output: impl tokio::io::AsyncWrite + Unpin + Send + 'static,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (endpoint, _) = self.build(Place::Stdio, None)?;
        let output = crate::transport::stdio::Output::Stream(output);
        crate::transport::stdio::serve(endpoint, input, output, shutdown).await
    }

    /// Serves the endpoint on `addr` until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn serve(self, addr: impl ToSocketAddrs + std::fmt::Display) -> Result<(), Error> {
        self.bind(addr).await?.run().await
    }
}

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Listening {
    listener: TcpListener,
    limits: crate::transport::http::connections::ConnectionLimits,
    endpoint: Arc<crate::endpoint::Endpoint>,
    local: SocketAddr,
    path: String,
}

impl Listening {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The endpoint's URL, such as `http://127.0.0.1:8080/mcp`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.local, self.path)
    }

    /// Runs until Ctrl-C or SIGTERM.
    pub async fn run(self) -> Result<(), Error> {
        self.run_until(shutdown_signal()).await
    }

    /// Runs until `shutdown` completes, then stops accepting, ends the long-lived streams
    /// (`subscriptions/listen` with its closing result, session `GET` streams with a `retry:`
    /// hint), and lets in-flight calls finish for up to [`SHUTDOWN_GRACE`].
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        crate::transport::http::connections::run_until(
            self.listener,
            self.endpoint,
            self.path,
            self.limits,
            shutdown,
        )
        .await;
        Ok(())
    }
}

/// What the startup log says when a server is reachable from other hosts without a `Host`
/// allow-list: nothing but the network stands between it and any program that can reach it.
fn exposure_warning(
    bound: Option<SocketAddr>,
    host_list: bool,
    origin_list: bool,
) -> Option<String> {
    if host_list {
        return None;
    }
    let origins = if origin_list {
        "browsers only from the listed origins"
    } else {
        "no browser origin (none is listed)"
    };
    Some(match bound {
        Some(addr) if !addr.ip().is_loopback() => format!(
            "serving on {addr}, reachable from other hosts, with no Host allow-list: any Host \
             is accepted and {origins}, but any program that reaches this address can call \
             every tool unless a layer in front authenticates it; set Server::allowed_hosts or \
             authenticate callers"
        ),
        Some(addr) => format!(
            "serving on {addr} with no Host allow-list (Server::allow_any_host): any Host is \
             accepted, {origins}"
        ),
        None => format!(
            "mounted with no Host allow-list (Server::allow_any_host): any Host is accepted, \
             {origins}; unless the application authenticates callers, whoever reaches it can \
             call every tool"
        ),
    })
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// A store shared with the application (it may keep a handle to observe sessions).
#[derive(Debug)]
struct SharedStore(Arc<dyn crate::session::SessionStore>);

impl crate::session::SessionStore for SharedStore {
    fn insert(&self, session: Arc<crate::session::SessionData>) {
        self.0.insert(session);
    }
    fn get(&self, id: &str) -> Option<Arc<crate::session::SessionData>> {
        self.0.get(id)
    }
    fn remove(&self, id: &str) -> Option<Arc<crate::session::SessionData>> {
        self.0.remove(id)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn remove_where(&self, expired: &dyn Fn(&crate::session::SessionData) -> bool) -> usize {
        self.0.remove_where(expired)
    }
    fn for_each(&self, visit: &dyn Fn(&crate::session::SessionData)) {
        self.0.for_each(visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_log_says_when_other_hosts_can_call() {
        let open: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let warning = exposure_warning(Some(open), false, false).unwrap();
        assert!(warning.contains("reachable from other hosts"), "{warning}");
        assert!(warning.contains("allowed_hosts"), "{warning}");
        assert!(exposure_warning(Some(open), true, false).is_none());
        assert!(exposure_warning(Some(local), true, false).is_none());
        assert!(!exposure_warning(Some(local), false, true)
            .unwrap()
            .contains("reachable from other hosts"));
        assert!(exposure_warning(None, false, false).is_some());
    }
}

/// Where a server is about to serve, for its startup summary.
#[derive(Debug, Clone, Copy)]
enum Place<'a> {
    /// Its own TCP listener.
    Tcp(SocketAddr),
    /// Its own Unix domain socket.
    Unix(&'a std::path::Path),
    /// Standard input and output (or another pair of streams).
    Stdio,
    /// A router the application mounts.
    Router,
}

/// Logs, once, what the server is about to serve: where, which revisions, its mode and why,
/// and how many tools, resources and prompts (at INFO; the fields are structured too).
fn summarize(endpoint: &Endpoint, place: Place<'_>, path: &str, mode: Mode) {
    let at = match place {
        Place::Tcp(addr) => format!("http://{addr}{path}"),
        Place::Unix(socket) => format!("http+unix://{}{path}", socket.display()),
        Place::Stdio => "stdio".to_owned(),
        Place::Router => format!("{path} (a mounted router)"),
    };
    let registry = endpoint.registry.load();
    let counts = registry.counts();
    let why = match mode {
        Mode::Stateless => "stateless: no handler needs client input or a session".to_owned(),
        Mode::Stateful if registry.stateful_because().is_empty() => {
            "stateful: chosen by the server's settings".to_owned()
        }
        Mode::Stateful => {
            let reasons = registry.stateful_because();
            let shown = reasons
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            match reasons.len() - reasons.len().min(2) {
                0 => format!("stateful, 2025-era clients get sessions: {shown}"),
                more => format!("stateful, 2025-era clients get sessions: {shown}; {more} more"),
            }
        }
    };
    tracing::info!(
        "{} {} serving MCP at {at} with {counts}; revisions {}; {why}",
        endpoint.info.name,
        endpoint.info.version,
        endpoint.supported_versions.join(", "),
    );
}
