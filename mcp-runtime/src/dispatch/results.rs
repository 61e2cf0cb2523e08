//! Result bodies of both eras. (Modern results are stamped with `resultType`, the server's
//! identity in `_meta`, and for cacheable results `ttlMs` and `cacheScope`, as they are written:
//! see `Endpoint::body`.)

use serde::Serialize;
use serde_json::value::RawValue;

use crate::completion::Completion;
use crate::protocol::{Implementation, ResourceContents};

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
pub(super) struct ListResult<'a, E: ?Sized = RawValue> {
    pub(super) key: &'static str,
    pub(super) entries: &'a E,
    pub(super) next_cursor: Option<&'a str>,
}

impl<E: Serialize + ?Sized> Serialize for ListResult<'_, E> {
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
