//! Protocol revisions and the era each belongs to.

use std::fmt;

/// A revision of the Model Context Protocol that this runtime speaks.
///
/// ```
/// use mcp_runtime::protocol::{Era, ProtocolVersion};
///
/// let v: ProtocolVersion = "2025-06-18".parse().unwrap();
/// assert_eq!(v.era(), Era::Legacy);
/// assert_eq!(ProtocolVersion::LATEST.as_str(), "2026-07-28");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `2025-03-26`: the first revision with Streamable HTTP.
    V2025_03_26,
    /// `2025-06-18`: structured tool output, elicitation, `MCP-Protocol-Version` header.
    V2025_06_18,
    /// `2025-11-25`: the last revision with the `initialize` handshake.
    V2025_11_25,
    /// `2026-07-28`: the stateless revision (per-request `_meta`, `server/discover`).
    V2026_07_28,
}

/// The two protocol eras served side by side on one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// The 2025 revisions: `initialize` handshake, optional sessions.
    Legacy,
    /// The 2026-07-28 revision and later: stateless, `_meta` on every request.
    Modern,
}

impl ProtocolVersion {
    /// Every revision this runtime speaks, oldest first.
    pub const ALL: [ProtocolVersion; 4] = [
        Self::V2025_03_26,
        Self::V2025_06_18,
        Self::V2025_11_25,
        Self::V2026_07_28,
    ];

    /// The newest revision.
    pub const LATEST: ProtocolVersion = Self::V2026_07_28;

    /// The newest revision of the legacy era, offered to a client asking for an unknown version.
    pub const LATEST_LEGACY: ProtocolVersion = Self::V2025_11_25;

    /// The version assumed for a legacy request without an `MCP-Protocol-Version` header.
    pub const DEFAULT_LEGACY: ProtocolVersion = Self::V2025_03_26;

    /// The wire form, such as `"2025-06-18"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// The era this revision belongs to.
    pub const fn era(self) -> Era {
        match self {
            Self::V2026_07_28 => Era::Modern,
            _ => Era::Legacy,
        }
    }

    /// Parses the wire form; `None` for a revision this runtime does not speak.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The wire forms of every supported revision of `era`, newest first.
    pub fn supported(era: Option<Era>) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .rev()
            .filter(move |v| era.is_none_or(|e| v.era() == e))
            .map(Self::as_str)
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown protocol revision.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unsupported protocol version `{0}`")]
pub struct UnknownVersion(pub String);

impl std::str::FromStr for ProtocolVersion {
    type Err = UnknownVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_wire(s).ok_or_else(|| UnknownVersion(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms_round_trip() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::from_wire(v.as_str()), Some(v));
        }
        assert_eq!(ProtocolVersion::from_wire("2024-11-05"), None);
    }

    #[test]
    fn supported_lists_newest_first_per_era() {
        let legacy: Vec<_> = ProtocolVersion::supported(Some(Era::Legacy)).collect();
        assert_eq!(legacy, ["2025-11-25", "2025-06-18", "2025-03-26"]);
        let modern: Vec<_> = ProtocolVersion::supported(Some(Era::Modern)).collect();
        assert_eq!(modern, ["2026-07-28"]);
    }
}
