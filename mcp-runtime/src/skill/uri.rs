//! `skill://` URIs: a skill's path and its files' paths, checked and written as URI segments.

/// The scheme every skill is served under.
pub(crate) const SCHEME: &str = "skill://";

/// The MIME type of a directory resource.
pub(crate) const DIRECTORY: &str = "inode/directory";

/// Splits a `/`-separated path into its segments, refusing empty, `.` and `..` segments and
/// backslashes (a path must name a place inside the skill, the same on every system).
pub(crate) fn segments(path: &str) -> Result<Vec<&str>, String> {
    if path.is_empty() {
        return Err("`` is empty".into());
    }
    path.split('/')
        .map(|segment| match segment {
            "" => Err(format!("`{path}` has an empty segment")),
            "." | ".." => Err(format!("`{path}` has a `{segment}` segment")),
            s if s.contains('\\') => Err(format!("`{path}` has a backslash")),
            s if s.chars().any(char::is_control) => {
                Err(format!("`{path}` has a control character"))
            }
            s => Ok(s),
        })
        .collect()
}

/// A segment as it appears in a URI: what RFC 3986 allows in a path segment (or, for the first
/// segment of a skill's path, in the authority's `reg-name`) as it is, anything else
/// percent-encoded (so a file named `a b.md` is `a%20b.md`).
pub(crate) fn encode(segment: &str, authority: bool) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let allowed = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=".contains(&byte)
            || (!authority && b":@".contains(&byte));
        if allowed {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The MIME type of a file, from its extension.
pub(crate) fn mime_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "md" | "markdown" => "text/markdown",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" | "mjs" => "text/javascript",
        "ts" => "text/x-typescript",
        "py" => "text/x-python",
        "rs" => "text/x-rust",
        "sh" | "bash" => "text/x-shellscript",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_skill() {
        assert_eq!(segments("a/b.md").unwrap(), ["a", "b.md"]);
        for bad in ["", "/a", "a/", "a//b", "../a", "a/./b", "a\\b", "a/\u{7}"] {
            assert!(segments(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn segments_are_percent_encoded_where_uris_need_it() {
        assert_eq!(encode("eu-invoice_2.md", false), "eu-invoice_2.md");
        assert_eq!(encode("a b#?%.md", false), "a%20b%23%3F%25.md");
        assert_eq!(encode("é", false), "%C3%A9");
        assert_eq!(encode("a:b@c", false), "a:b@c");
        assert_eq!(encode("a:b@c", true), "a%3Ab%40c");
    }

    #[test]
    fn mime_types_follow_the_extension() {
        assert_eq!(mime_type("SKILL.md"), "text/markdown");
        assert_eq!(mime_type("scripts/extract.PY"), "text/x-python");
        assert_eq!(mime_type("Makefile"), "application/octet-stream");
    }
}
