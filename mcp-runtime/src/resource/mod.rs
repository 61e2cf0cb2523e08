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
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
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

    pub(crate) fn is_empty(&self) -> bool {
        self.audience.is_empty() && self.priority.is_none()
    }
}

/// How long a 2026-07-28 client may cache what a resource read returns.
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
/// expands to, and what you build by hand to register one without the macro.
///
/// A `uri` containing `{` is an RFC 6570 template: its variables are the read's arguments.
///
/// ```
/// use mcp_runtime::invocation::Invocation;
/// use mcp_runtime::resource::{IntoContents, ResourceAnnotations, ResourceDef};
/// use mcp_runtime::tool::Location;
///
/// static MOTD: ResourceDef = ResourceDef {
///     uri: "motd://today",
///     name: "motd",
///     title: None,
///     description: Some("The message of the day."),
///     mime_type: Some("text/plain"),
///     annotations: ResourceAnnotations::NONE,
///     size: None,
///     cache: None,
///     params: &[],
///     arguments: |_| {},
///     read: |_, target| Invocation::Ready("Be kind.".into_contents(target)),
///     location: Location { file: file!(), line: line!() },
/// };
///
/// let server = mcp_runtime::Server::new().resource(&MOTD);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct ResourceDef {
    /// The URI, or URI template.
    pub uri: &'static str,
    /// A programmatic name.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What the resource is (the doc comment, for `#[resource]`).
    pub description: Option<&'static str>,
    /// The MIME type of its contents.
    pub mime_type: Option<&'static str>,
    /// Audience and priority hints.
    pub annotations: ResourceAnnotations,
    /// The size in bytes, where known.
    pub size: Option<u64>,
    /// Cache hints for reads (the server's default when `None`).
    pub cache: Option<ReadCache>,
    /// The parameters, in order (their needs decide the server's mode).
    pub params: &'static [Param],
    /// Describes the parameters (used to check them against the template's variables).
    pub arguments: fn(&mut InputSchema<'_>),
    /// Reads the resource.
    pub read: ReadFn,
    /// Where the resource was defined.
    pub location: Location,
}

impl ResourceDef {
    /// Whether the URI is a template.
    pub fn is_template(&self) -> bool {
        self.uri.contains('{')
    }
}

inventory::collect!(ResourceDef);
