//! Resources: static URIs and URI templates, what `#[resource]` expands to, and reading them.

mod contents;
mod path;
mod template;

pub use contents::IntoContents;
pub use path::{PathSegment, RelativePath, UnsafePath};
pub use template::{TemplateError, UriTemplate};

use serde::Serialize;

use crate::extract::{CallContext, Param};
use crate::invocation::Invocation;
use crate::protocol::{CacheScope, ResourceContents, RpcError};
use crate::schema::InputSchema;
use crate::tool::Location;

/// Who a resource or content item is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The human user.
    User,
    /// The model.
    Assistant,
}

/// Hints about a resource, sent as `annotations`.
///
/// ```
/// use mcp_runtime::resource::{ResourceAnnotations, Role};
///
/// const HINTS: ResourceAnnotations = ResourceAnnotations::NONE.audience(&[Role::User]).priority(0.5);
/// assert_eq!(HINTS.priority, Some(0.5));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ResourceAnnotations {
    /// Who the resource is for.
    #[serde(skip_serializing_if = "<[Role]>::is_empty")]
    pub audience: &'static [Role],
    /// How important it is, from 0 (least) to 1 (most).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
}

impl ResourceAnnotations {
    /// No hints.
    pub const NONE: Self = Self {
        audience: &[],
        priority: None,
    };

    /// With an audience.
    pub const fn audience(mut self, audience: &'static [Role]) -> Self {
        self.audience = audience;
        self
    }

    /// With a priority, from 0 to 1.
    pub const fn priority(mut self, priority: f64) -> Self {
        self.priority = Some(priority);
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.audience.is_empty() && self.priority.is_none()
    }
}

/// How long a 2026-07-28 client may cache what a resource read returns.
///
/// ```
/// use mcp_runtime::protocol::CacheScope;
/// use mcp_runtime::resource::ReadCache;
///
/// const CACHE: ReadCache = ReadCache { ttl_ms: 60_000, scope: CacheScope::Private };
/// # let _ = CACHE;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCache {
    /// Milliseconds the contents stay fresh.
    pub ttl_ms: u64,
    /// Who may share them.
    pub scope: CacheScope,
}

/// What reading a resource produces.
pub type ReadOutcome = Result<Vec<ResourceContents>, RpcError>;

/// Resolves a read's parameters (the template variables) and starts it.
pub type ReadFn = fn(&mut CallContext<'_>, &ReadTarget<'_>) -> Invocation<ReadOutcome>;

/// The resource being read: its URI and the MIME type its definition declares.
#[derive(Debug, Clone, Copy)]
pub struct ReadTarget<'a> {
    /// The URI the client asked for.
    pub uri: &'a str,
    /// The declared MIME type.
    pub mime_type: Option<&'static str>,
}

/// Everything the runtime knows about one resource or resource template: what `#[resource]`
/// expands to (reach it as `name::resource()`), and what you build by hand to register one
/// without the macro.
///
/// A `uri` containing `{` is an RFC 6570 template: its variables are the read's arguments.
///
/// ```
/// use mcp_runtime::invocation::Invocation;
/// use mcp_runtime::resource::{IntoContents, ResourceDef};
///
/// static MOTD: ResourceDef = ResourceDef::new("motd://today", "motd", |_, target| {
///     Invocation::Ready("Be kind.".into_contents(target))
/// })
/// .description("The message of the day.")
/// .mime_type("text/plain");
///
/// let server = mcp_runtime::Server::new().resource(&MOTD);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct ResourceDef {
    pub(crate) uri: &'static str,
    pub(crate) name: &'static str,
    pub(crate) title: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) mime_type: Option<&'static str>,
    pub(crate) annotations: ResourceAnnotations,
    pub(crate) size: Option<u64>,
    pub(crate) cache: Option<ReadCache>,
    pub(crate) scopes: &'static [&'static str],
    pub(crate) icons: &'static [crate::Icon],
    pub(crate) params: &'static [Param],
    pub(crate) arguments: fn(&mut InputSchema<'_>),
    pub(crate) read: ReadFn,
    pub(crate) location: Location,
}

impl ResourceDef {
    /// The resource (or template) at `uri`, named `name`, that `read` reads.
    #[track_caller]
    pub const fn new(uri: &'static str, name: &'static str, read: ReadFn) -> Self {
        Self {
            uri,
            name,
            title: None,
            description: None,
            mime_type: None,
            annotations: ResourceAnnotations::NONE,
            size: None,
            cache: None,
            scopes: &[],
            icons: &[],
            params: &[],
            arguments: |_| {},
            read,
            location: Location::caller(),
        }
    }

    /// With the MIME type of its contents.
    pub const fn mime_type(mut self, mime_type: &'static str) -> Self {
        self.mime_type = Some(mime_type);
        self
    }

    /// With audience and priority hints.
    pub const fn annotations(mut self, annotations: ResourceAnnotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// With its size in bytes.
    pub const fn size(mut self, bytes: u64) -> Self {
        self.size = Some(bytes);
        self
    }

    /// With cache hints for reads (the server's default otherwise).
    pub const fn cache(mut self, cache: ReadCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// With what describes the parameters (checked against the template's variables).
    pub const fn arguments(mut self, describe: fn(&mut InputSchema<'_>)) -> Self {
        self.arguments = describe;
        self
    }

    /// The URI or URI template.
    pub const fn uri(&self) -> &'static str {
        self.uri
    }

    /// Whether the URI is a template.
    pub fn is_template(&self) -> bool {
        self.uri.contains('{')
    }
}

crate::descriptor::builders!(ResourceDef, described);

inventory::collect!(ResourceDef);
