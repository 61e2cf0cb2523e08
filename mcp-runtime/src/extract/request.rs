//! What a handler can read of the request that carried its call: the server's state, the
//! caller, the headers and the extensions tower layers set.

use std::sync::OnceLock;

use http::{Extensions, HeaderMap};

use super::{ArgumentError, CallContext, FromCall, Param};
use crate::session::Principal;
use crate::state::States;

/// The server's state and the parts of the request a call was made in. Transports without
/// headers (stdio) have none; a call made outside a request has nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestParts<'a> {
    states: Option<&'a States>,
    keys: Option<(&'a crate::mrtr::StateKeys, std::time::Duration)>,
    headers: Option<&'a HeaderMap>,
    extensions: Option<&'a Extensions>,
    principal: Option<&'a Principal>,
    /// Over a local transport (stdio), where the caller is the user who started the process.
    local: bool,
}

impl<'a> RequestParts<'a> {
    /// Nothing: no state, no headers, no extensions, no caller.
    pub fn new() -> Self {
        Self::default()
    }

    /// With the server's state.
    pub fn with_states(mut self, states: &'a States) -> Self {
        self.states = Some(states);
        self
    }

    /// With the key ring that seals [`Handle`](crate::Handle)s and how long a handle lasts.
    pub fn with_keys(mut self, keys: &'a crate::mrtr::StateKeys, ttl: std::time::Duration) -> Self {
        self.keys = Some((keys, ttl));
        self
    }

    /// The key ring that seals handles, and their lifetime (none outside a server).
    pub(crate) fn keys(&self) -> Option<(&'a crate::mrtr::StateKeys, std::time::Duration)> {
        self.keys
    }

    /// With an HTTP request's headers and extensions (and the [`Principal`] among them).
    pub fn with_http(mut self, headers: &'a HeaderMap, extensions: &'a Extensions) -> Self {
        self.headers = Some(headers);
        self.extensions = Some(extensions);
        self.principal = extensions.get::<Principal>();
        self
    }

    /// With a caller.
    pub fn with_principal(mut self, principal: Option<&'a Principal>) -> Self {
        self.principal = principal;
        self
    }

    /// Made over a local transport (stdio): the caller is whoever started the process, so
    /// handlers' scopes are not asked of it.
    pub(crate) fn local(mut self) -> Self {
        self.local = true;
        self
    }

    /// Whether the call came over a local transport (stdio).
    pub(crate) fn is_local(&self) -> bool {
        self.local
    }

    /// The server's state.
    pub fn states(&self) -> &'a States {
        self.states.unwrap_or(&crate::state::NONE)
    }

    /// The HTTP request's headers, if the call came over HTTP.
    pub(crate) fn http_headers(&self) -> Option<&'a HeaderMap> {
        self.headers
    }

    /// The request's headers (none outside HTTP).
    pub fn headers(&self) -> &'a HeaderMap {
        static EMPTY: OnceLock<HeaderMap> = OnceLock::new();
        self.headers
            .unwrap_or_else(|| EMPTY.get_or_init(HeaderMap::new))
    }

    /// The request's extension of type `T`, set by a tower layer.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&'a T> {
        self.extensions?.get::<T>()
    }

    /// The caller, where the application (or its authorization layer) identified one.
    pub fn principal(&self) -> Option<&'a Principal> {
        self.principal
    }
}

/// A request extension a tower layer set (`request.extensions_mut().insert(value)`), cloned
/// for the handler.
///
/// ```
/// use mcp_runtime::extract::Extension;
/// use mcp_runtime::prelude::*;
///
/// #[derive(Clone)]
/// struct RequestId(u64);
///
/// /// Says which request this is.
/// #[tool]
/// async fn which(Extension(id): Extension<RequestId>) -> String {
///     format!("request {}", id.0)
/// }
/// ```
///
/// A handler taking `Extension<T>` gets a tool error when the request has no `T`;
/// `Option<Extension<T>>` is `None` then.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extension<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromCall for Extension<T> {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        call.request()
            .extension::<T>()
            .cloned()
            .map(Extension)
            .ok_or_else(|| {
                ArgumentError::Unavailable(
                    format!(
                        "the request carries no `{}` extension",
                        std::any::type_name::<T>()
                    )
                    .into(),
                )
            })
    }
}

/// The caller: the [`Principal`] that authorization put into the request. Without one the
/// handler gets a tool error; `Option<Principal>` is `None`.
impl FromCall for Principal {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        call.request()
            .principal()
            .cloned()
            .ok_or(ArgumentError::Unavailable(
                "this request was not authenticated: it has no caller".into(),
            ))
    }
}

/// The request's headers (empty outside HTTP).
impl FromCall for HeaderMap {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(call.request().headers().clone())
    }
}
