//! A list result split into pages of pre-serialized JSON, and the cursors between them.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::auth::Caller;
use crate::protocol::RpcError;

/// An entry of a list, and the scopes a caller needs to see it.
pub(crate) trait Listed: Serialize {
    /// The scopes a caller needs to see (and use) the entry.
    fn scopes(&self) -> &'static [&'static str];
}

/// The entries of one list method (`tools/list`, `prompts/list`, ...), serialized once.
#[derive(Debug)]
pub(crate) struct Pages {
    /// What a caller who may see every entry gets.
    pages: Vec<Box<RawValue>>,
    /// Every entry alone with the scopes it needs, when some entry needs one: a caller who
    /// lacks one gets pages made of what it may see.
    scoped: Option<Vec<(Box<RawValue>, &'static [&'static str])>>,
    size: usize,
}

impl Pages {
    /// Serializes `entries` into pages of `size`.
    pub(crate) fn new<T: Listed>(entries: &[T], size: usize) -> Self {
        let size = size.max(1);
        let raw = |value| serde_json::value::to_raw_value(value).expect("list entries serialize");
        let mut pages: Vec<Box<RawValue>> = entries.chunks(size).map(raw).collect();
        if pages.is_empty() {
            pages.push(RawValue::from_string("[]".into()).expect("valid JSON"));
        }
        let scoped = entries.iter().any(|e| !e.scopes().is_empty()).then(|| {
            entries
                .iter()
                .map(|e| {
                    (
                        serde_json::value::to_raw_value(e).expect("list entries serialize"),
                        e.scopes(),
                    )
                })
                .collect()
        });
        Self {
            pages,
            scoped,
            size,
        }
    }

    /// The page a cursor points at, of what `caller` may see, and the cursor of the next page
    /// if there is one.
    ///
    /// Cursors are opaque to clients; a cursor this server did not issue is `-32602`.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
        caller: Caller<'_>,
    ) -> Result<(Cow<'_, RawValue>, Option<String>), RpcError> {
        let visible = match &self.scoped {
            Some(entries) if entries.iter().any(|(_, s)| caller.permit(s).is_err()) => entries,
            _ => {
                let (index, next) = Self::index(cursor, self.pages.len())?;
                return Ok((Cow::Borrowed(&*self.pages[index]), next));
            }
        };
        // Rare (a caller short of a scope): the caller's pages are made on the spot.
        let visible: Vec<&RawValue> = visible
            .iter()
            .filter(|(_, scopes)| caller.permit(scopes).is_ok())
            .map(|(entry, _)| &**entry)
            .collect();
        let count = visible.len().div_ceil(self.size).max(1);
        let (index, next) = Self::index(cursor, count)?;
        let page = visible.chunks(self.size).nth(index).unwrap_or_default();
        let page = serde_json::value::to_raw_value(page).expect("raw values serialize");
        Ok((Cow::Owned(page), next))
    }

    /// The index a cursor names among `count` pages, and the next page's cursor.
    pub(crate) fn index(
        cursor: Option<&str>,
        count: usize,
    ) -> Result<(usize, Option<String>), RpcError> {
        let index = match cursor {
            None => 0,
            // Only a cursor this server issued: `+1` and `01` are not `1`.
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|&i| i > 0 && i < count && i.to_string() == c)
                .ok_or_else(|| RpcError::invalid_params(format!("invalid cursor `{c}`")))?,
        };
        let next = (index + 1 < count).then(|| (index + 1).to_string());
        Ok((index, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_cursors_the_server_issues_are_taken() {
        assert_eq!(Pages::index(None, 3).unwrap(), (0, Some("1".into())));
        assert_eq!(Pages::index(Some("1"), 3).unwrap(), (1, Some("2".into())));
        assert_eq!(Pages::index(Some("2"), 3).unwrap(), (2, None));
        for cursor in ["0", "3", "+1", "01", " 1", "1 ", "-1", "x", ""] {
            let error = Pages::index(Some(cursor), 3).unwrap_err();
            assert_eq!(
                error.code,
                crate::protocol::ErrorCode::INVALID_PARAMS,
                "{cursor:?}"
            );
        }
    }
}
