//! Template variables that are safe to use as file-system paths: [`PathSegment`] and
//! [`RelativePath`].
//!
//! A template variable is percent-decoded before a handler sees it, so `files://{name}` matched
//! against `files://..%2F..%2Fetc%2Fpasswd` gives `name = "../../etc/passwd"`. A `String`
//! parameter takes that as it is; these types refuse it, so a handler that joins the value onto
//! a directory cannot be walked out of it.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, Deserializer};

/// Why a value is not a safe path.
fn unsafe_segment(segment: &str) -> Option<&'static str> {
    match segment {
        "" => Some("is empty"),
        "." | ".." => Some("is `.` or `..`"),
        _ if segment.contains('/') => Some("contains `/`"),
        _ if segment.contains('\\') => Some("contains `\\`"),
        _ if segment.chars().any(char::is_control) => Some("contains a control character"),
        _ if segment.contains(':') => Some("contains `:` (a drive or stream name)"),
        _ => None,
    }
}

/// One path segment: a name that stays inside the directory it is joined to.
///
/// Refused: empty, `.` or `..`, and any `/`, `\`, `:`, NUL or other control character (after
/// percent-decoding). A refused value answers the request with invalid params (`-32602`).
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::resource::PathSegment;
///
/// /// A file of the notes folder.
/// #[resource("notes://{name}")]
/// fn note_file(name: PathSegment) -> Result<String, String> {
///     // `name` cannot be `..` or hold a `/`: joining it keeps the read inside `notes/`.
///     let path = std::path::Path::new("notes").join(name.as_str());
///     std::fs::read_to_string(path).map_err(|e| e.to_string())
/// }
///
/// assert!("report.md".parse::<PathSegment>().is_ok());
/// assert!("../secret".parse::<PathSegment>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathSegment(String);

/// A relative path of [`PathSegment`]s separated by `/`: for `{+path}` variables that may span
/// folders but must stay below the folder they are joined to.
///
/// Refused: a leading `/`, an empty segment (`a//b`, a trailing `/`), and any segment a
/// [`PathSegment`] refuses (`..` included).
///
/// ```
/// use mcp_runtime::resource::RelativePath;
///
/// let path: RelativePath = "docs/guide/intro.md".parse().unwrap();
/// assert_eq!(path.segments().count(), 3);
/// for bad in ["/etc/passwd", "docs/../../etc", "a//b", "a\\b", "a\0b"] {
///     assert!(bad.parse::<RelativePath>().is_err(), "{bad}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelativePath(String);

/// Why a value is not a [`PathSegment`] or [`RelativePath`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a safe path: {reason}")]
pub struct UnsafePath {
    value: String,
    reason: String,
}

impl UnsafePath {
    fn new(value: &str, reason: impl Into<String>) -> Self {
        // Long values are cut: the error is shown to the model.
        let mut shown: String = value.chars().take(64).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        Self {
            value: shown.escape_debug().to_string(),
            reason: reason.into(),
        }
    }
}

impl std::str::FromStr for PathSegment {
    type Err = UnsafePath;

    fn from_str(value: &str) -> Result<Self, UnsafePath> {
        match unsafe_segment(value) {
            Some(reason) => Err(UnsafePath::new(value, reason)),
            None => Ok(Self(value.to_owned())),
        }
    }
}

impl std::str::FromStr for RelativePath {
    type Err = UnsafePath;

    fn from_str(value: &str) -> Result<Self, UnsafePath> {
        if value.starts_with('/') {
            return Err(UnsafePath::new(value, "starts with `/`"));
        }
        for segment in value.split('/') {
            if let Some(reason) = unsafe_segment(segment) {
                let reason = format!("the segment `{}` {reason}", segment.escape_debug());
                return Err(UnsafePath::new(value, reason));
            }
        }
        Ok(Self(value.to_owned()))
    }
}

macro_rules! path_type {
    ($ty:ident, $description:literal) => {
        impl $ty {
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<std::path::Path> for $ty {
            fn as_ref(&self) -> &std::path::Path {
                self.0.as_ref()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = Cow::<str>::deserialize(d)?;
                text.parse().map_err(de::Error::custom)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({"type": "string", "description": $description})
            }

            fn inline_schema() -> bool {
                true
            }
        }
    };
}

path_type!(
    PathSegment,
    "One path segment: not empty, not `.` or `..`, without `/`, `\\`, `:` or control characters."
);
path_type!(
    RelativePath,
    "A relative path: segments separated by `/`, none empty, `.` or `..`, without `\\`, `:` or control characters."
);

impl RelativePath {
    /// The path's segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_refuse_what_leaves_a_folder() {
        for good in ["a", "report.md", "ünïcode", "...", "a b", ".hidden"] {
            assert!(good.parse::<PathSegment>().is_ok(), "{good}");
        }
        for bad in [
            "", ".", "..", "a/b", "../x", "a\\b", "a\0", "\n", "C:", "x\u{7f}",
        ] {
            assert!(bad.parse::<PathSegment>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn relative_paths_stay_below() {
        assert!("a/b/c.txt".parse::<RelativePath>().is_ok());
        for bad in ["", "/a", "a/", "a//b", "a/../b", "./a", "a/\0", "..\\x"] {
            assert!(bad.parse::<RelativePath>().is_err(), "{bad:?}");
        }
        let error = "../../etc/passwd".parse::<RelativePath>().unwrap_err();
        assert!(error.to_string().contains("`..`"), "{error}");
    }

    #[test]
    fn deserialize_checks_too() {
        assert!(serde_json::from_str::<PathSegment>(r#""..""#).is_err());
        assert_eq!(
            serde_json::from_str::<PathSegment>(r#""ok""#)
                .unwrap()
                .as_str(),
            "ok"
        );
    }
}
