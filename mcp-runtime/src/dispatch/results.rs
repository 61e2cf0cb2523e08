//! Result bodies of both eras. Modern results gain a [`Stamp`]: `resultType`, the server's
//! identity in `_meta`, and for cacheable results `ttlMs` and `cacheScope`.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::completion::Completion;
use crate::protocol::{CachePolicy, Implementation, ResourceContents};

#[derive(Serialize)]
pub(super) struct Stamped<'a, R> {
    #[serde(flatten)]
    pub(super) result: &'a R,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(super) stamp: Option<Stamp<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Stamp<'a> {
    pub(super) result_type: &'static str,
    #[serde(rename = "_meta")]
    pub(super) meta: &'a RawValue,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(super) cache: Option<CachePolicy>,
}

#[derive(Serialize)]
pub(super) struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InitializeResult<'a> {
    pub(super) protocol_version: &'a str,
    pub(super) capabilities: &'a RawValue,
    pub(super) server_info: &'a Implementation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) instructions: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DiscoverResult<'a> {
    pub(super) supported_versions: &'a [&'static str],
    pub(super) capabilities: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) instructions: Option<&'a str>,
}

/// One page of a list method: `{"<key>": [...], "nextCursor": ...}`.
pub(super) struct ListResult<'a> {
    pub(super) key: &'static str,
    pub(super) entries: &'a RawValue,
    pub(super) next_cursor: Option<&'a str>,
}

impl Serialize for ListResult<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.key, self.entries)?;
        if let Some(next) = self.next_cursor {
            map.serialize_entry("nextCursor", next)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
pub(super) struct ReadResult {
    pub(super) contents: Vec<ResourceContents>,
}

#[derive(Serialize)]
pub(super) struct CompleteResult {
    pub(super) completion: Completion,
}
