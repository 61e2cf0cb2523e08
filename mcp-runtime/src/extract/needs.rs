//! What a handler parameter needs from the transport.

use std::fmt;

/// The set of transport capabilities a handler needs, declared by each parameter type.
///
/// A tool's needs are the union of its parameters' needs; the server's mode follows from the
/// union over every registered handler.
///
/// ```
/// use mcp_runtime::extract::Needs;
///
/// let needs = Needs::NOTHING.union(Needs::RESPONSE_STREAM);
/// assert!(needs.contains(Needs::RESPONSE_STREAM));
/// assert!(!needs.contains(Needs::SESSION));
/// assert!(!needs.requires_state());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Needs(u8);

impl Needs {
    /// Nothing beyond the request itself: served statelessly in every era.
    pub const NOTHING: Self = Self(0);
    /// A response stream for notifications (progress, logging).
    pub const RESPONSE_STREAM: Self = Self(1);
    /// Input from the client (sampling, elicitation, roots).
    pub const CLIENT_INPUT: Self = Self(1 << 1);
    /// A legacy protocol session.
    pub const SESSION: Self = Self(1 << 2);
    /// Sending change notifications (list changes, resource updates) outside any request.
    pub const CHANGES: Self = Self(1 << 3);

    /// Both sets together.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether every need in `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether serving these needs to legacy clients takes a stateful server.
    pub const fn requires_state(self) -> bool {
        self.0 & (Self::CLIENT_INPUT.0 | Self::SESSION.0) != 0
    }
}

impl fmt::Debug for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Self::RESPONSE_STREAM, "RESPONSE_STREAM"),
            (Self::CLIENT_INPUT, "CLIENT_INPUT"),
            (Self::SESSION, "SESSION"),
            (Self::CHANGES, "CHANGES"),
        ];
        let mut set = f.debug_set();
        for (need, name) in names {
            if self.contains(need) {
                set.entry(&format_args!("{name}"));
            }
        }
        set.finish()
    }
}
