//! Icons for tools, resources, prompts and the server itself (2025-11-25 onwards): what a
//! client may show beside a name in its user interface.

use serde::Serialize;

/// One icon: an `https://` (or `http://`) URL or a `data:image/...` URI, with optional MIME
/// type, sizes and theme. Built in a `const`, so a handler's attribute can name it:
/// `#[tool(icons = [NOTES_ICON])]`. A plain string in the attribute is an icon too (its MIME
/// type taken from the file extension).
///
/// ```
/// use mcp_runtime::{Icon, IconTheme};
///
/// const NOTES_ICON: Icon = Icon::new("https://example.com/notes-dark.png")
///     .mime_type("image/png")
///     .sizes(&["48x48", "96x96"])
///     .theme(IconTheme::Dark);
/// assert_eq!(NOTES_ICON.src(), "https://example.com/notes-dark.png");
/// let json = serde_json::to_value(NOTES_ICON).unwrap();
/// assert_eq!(json["sizes"][1], "96x96");
/// assert_eq!(json["theme"], "dark");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    src: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sizes: &'static [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    theme: Option<IconTheme>,
}

/// The background an icon is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IconTheme {
    /// For a light background.
    Light,
    /// For a dark background.
    Dark,
}

impl Icon {
    /// An icon at `src`: an `https://` or `http://` URL, or a `data:image/...;base64,...` URI.
    pub const fn new(src: &'static str) -> Self {
        Self {
            src,
            mime_type: None,
            sizes: &[],
            theme: None,
        }
    }

    /// With its MIME type (`image/png`, `image/svg+xml`...), when the URL does not tell.
    pub const fn mime_type(mut self, mime_type: &'static str) -> Self {
        self.mime_type = Some(mime_type);
        self
    }

    /// With the sizes it can be shown at: `"48x48"`, or `"any"` for a scalable image.
    pub const fn sizes(mut self, sizes: &'static [&'static str]) -> Self {
        self.sizes = sizes;
        self
    }

    /// Drawn for a light or a dark background.
    pub const fn theme(mut self, theme: IconTheme) -> Self {
        self.theme = Some(theme);
        self
    }

    /// Where the image is.
    pub const fn src(&self) -> &'static str {
        self.src
    }

    /// Checks what the server can check before it starts: the source's scheme, the MIME type
    /// and the sizes' form.
    pub(crate) fn check(&self) -> Result<(), String> {
        let src = self.src;
        let scheme_ok = src.starts_with("https://")
            || src.starts_with("http://")
            || (src.starts_with("data:image/") && src.contains(";base64,"));
        if !scheme_ok || src.chars().any(char::is_whitespace) {
            return Err(format!(
                "the icon `{src}` is not an https:// (or http://) URL or a \
                 data:image/...;base64,... URI"
            ));
        }
        if let Some(mime) = self.mime_type.filter(|m| !m.starts_with("image/")) {
            return Err(format!(
                "the icon `{src}` has the MIME type `{mime}`, not an image/ type"
            ));
        }
        let size_ok = |s: &&str| {
            *s == "any"
                || s.split_once('x').is_some_and(|(w, h)| {
                    [w, h]
                        .iter()
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
        };
        if let Some(bad) = self.sizes.iter().find(|s| !size_ok(s)) {
            return Err(format!(
                "the icon `{src}` has the size `{bad}`: sizes are `WxH` (`48x48`) or `any`"
            ));
        }
        Ok(())
    }
}

/// Checks every icon of a handler or of the server.
pub(crate) fn check_all(icons: &[Icon]) -> Result<(), String> {
    icons.iter().try_for_each(Icon::check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_types_and_sizes_are_checked() {
        for good in [
            Icon::new("https://example.com/a.png").sizes(&["48x48", "any"]),
            Icon::new("http://localhost:8080/a.svg").mime_type("image/svg+xml"),
            Icon::new("data:image/png;base64,iVBORw0KGgo="),
        ] {
            assert_eq!(good.check(), Ok(()), "{good:?}");
        }
        for (bad, reason) in [
            (Icon::new("file:///etc/passwd"), "not an https://"),
            (Icon::new("javascript:alert(1)"), "not an https://"),
            (Icon::new("data:text/html;base64,PGI+"), "not an https://"),
            (Icon::new("https://example.com/a b.png"), "not an https://"),
            (
                Icon::new("https://e.com/a").mime_type("text/html"),
                "not an image/",
            ),
            (Icon::new("https://e.com/a").sizes(&["48"]), "WxH"),
            (Icon::new("https://e.com/a").sizes(&["48xx"]), "WxH"),
        ] {
            let error = bad.check().unwrap_err();
            assert!(error.contains(reason), "{bad:?}: {error}");
        }
        assert!(check_all(&[Icon::new("https://e.com/a"), Icon::new("ftp://x")]).is_err());
    }
}
