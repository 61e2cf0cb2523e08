//! Result bodies of both eras. Modern results gain a [`Stamp`]: `resultType`, the server's
//! identity in `_meta`, and for cacheable results `ttlMs` and `cacheScope`.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::protocol::{CachePolicy, Implementation};

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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListToolsResult<'a> {
    pub(super) tools: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next_cursor: Option<&'a str>,
}
