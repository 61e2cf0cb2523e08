//! Errors of building and starting a server.

use std::io;

use crate::tool::Location;

/// Why a server could not be built or served.
///
/// Each variant names the handler and its source location where one is at fault. Its `Debug`
/// form is its sentence too, because that is what `main` prints when it returns the error:
///
/// ```
/// let error = mcp_runtime::Error::Config("the page size must be at least 1".into());
/// assert_eq!(format!("{error:?}"), format!("{error}"));
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two handlers of one kind share a name (or two resources a URI).
    #[error("duplicate name `{name}`: defined at {first} and at {second}")]
    Duplicate {
        /// The shared name.
        name: &'static str,
        /// One definition.
        first: Location,
        /// The other definition.
        second: Location,
    },
    /// A tool's or prompt's name breaks the naming rules.
    #[error("invalid name `{name}` at {location}: {reason}")]
    InvalidName {
        /// The name.
        name: &'static str,
        /// Where the tool is defined.
        location: Location,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A handler's schema, parameters or URI template are unusable.
    #[error("`{name}` at {location}: {reason}")]
    InvalidSchema {
        /// The tool.
        name: &'static str,
        /// Where the tool is defined.
        location: Location,
        /// What is wrong.
        reason: String,
    },
    /// A completer names a prompt argument or template variable that does not exist.
    #[error("the completer at {location} completes `{argument}`, which no registered prompt or resource template has")]
    UnknownCompletionTarget {
        /// The argument.
        argument: &'static str,
        /// Where the completer is defined.
        location: Location,
    },
    /// A handler needs something the server was not given (a `State<T>` parameter without
    /// `Server::state`).
    #[error("{kind} `{name}` at {location}: {reason}")]
    Unprovided {
        /// `tool`, `resource`, `prompt`.
        kind: &'static str,
        /// The handler's name (a resource's URI).
        name: &'static str,
        /// Where the handler is defined.
        location: Location,
        /// What is missing.
        reason: String,
    },
    /// The configuration is inconsistent.
    #[error("invalid server configuration: {0}")]
    Config(String),
    /// The listening socket could not be opened.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: io::Error,
    },
    /// Serving failed.
    #[error("server error: {0}")]
    Io(#[from] io::Error),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
