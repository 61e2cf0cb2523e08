//! A list result split into pages of pre-serialized JSON, and the cursors between them.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::protocol::RpcError;

/// The entries of one list method (`tools/list`, `prompts/list`, ...), serialized once.
#[derive(Debug)]
pub(crate) struct Pages {
    pages: Vec<Box<RawValue>>,
}

impl Pages {
    /// Serializes `entries` into pages of `size`.
    pub(crate) fn new<T: Serialize>(entries: &[T], size: usize) -> Self {
        let mut pages: Vec<Box<RawValue>> = entries
            .chunks(size.max(1))
            .map(|page| serde_json::value::to_raw_value(page).expect("list entries serialize"))
            .collect();
        if pages.is_empty() {
            pages.push(RawValue::from_string("[]".into()).expect("valid JSON"));
        }
        Self { pages }
    }

    /// The page a cursor points at, and the cursor of the next page if there is one.
    ///
    /// Cursors are opaque to clients; a cursor this server did not issue is `-32602`.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
    ) -> Result<(&RawValue, Option<String>), RpcError> {
        let index = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|&i| i > 0 && i < self.pages.len())
                .ok_or_else(|| RpcError::invalid_params(format!("invalid cursor `{c}`")))?,
        };
        let next = (index + 1 < self.pages.len()).then(|| (index + 1).to_string());
        Ok((&self.pages[index], next))
    }
}
