//! Who may call: the [`Principal`] every request is bound to, and an OAuth 2.1 resource server
//! ([`OAuth`]) that establishes it from bearer tokens and checks the scopes handlers declare.

mod principal;

pub use principal::Principal;
mod scopes;

pub(crate) use resource::insufficient_scope as scope_challenge;
pub use scopes::Unpermitted;
pub(crate) use scopes::{insufficient_scope, Caller};
mod resource;

pub(crate) use resource::ResourceServer;
mod algorithm;
mod authenticator;
#[cfg(test)]
mod authorization_server;
mod claims;
mod config;
mod discovery;
mod fetch;
mod flight;
mod introspection;
mod jwk;
mod jwt;
mod keys;
mod rejection;
mod verified;

pub use algorithm::Algorithm;
pub use config::{ConfigError, OAuth};
