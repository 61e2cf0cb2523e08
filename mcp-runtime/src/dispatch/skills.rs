//! The skills extension's methods (`skills/list`, `skills/get`, `resources/directory/read`) and
//! reading a skill's file with `resources/read`.

use std::sync::Arc;

use serde_json::json;

use super::results::{ListResult, ReadResult};
use super::{Call, Outcome};
use crate::endpoint::Endpoint;
use crate::protocol::{RequestId, RpcError};
use crate::skill::Catalog;

impl Endpoint {
    /// The catalog of the server's skills (the method table calls these methods only when there
    /// are skills).
    fn catalog(&self) -> Arc<Catalog> {
        let registry = self.registry.load();
        registry
            .skills()
            .catalog()
            .expect("checked by the method table")
            .clone()
    }

    /// `skills/list`: a page of skill entries, with the list cache hints.
    pub(super) async fn list_skills(
        &self,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let (entries, next) = self
            .catalog()
            .list(call.params.cursor.as_deref(), self.page_size)
            .await?;
        let result = ListResult {
            key: "skills",
            entries: &entries,
            next_cursor: next.as_deref(),
        };
        Ok(self.reply(id, call.version.era(), &result, Some(self.list_cache)))
    }

    /// `skills/get`: one skill's entry, by the URI of its `SKILL.md`.
    pub(super) async fn get_skill(
        &self,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let uri = call.params.uri.as_deref().ok_or_else(|| {
            RpcError::invalid_params("`skills/get` needs the `uri` of the skill's SKILL.md")
        })?;
        let skill = self.catalog().get(uri).await?;
        let result = json!({ "skill": skill });
        Ok(self.reply(id, call.version.era(), &result, Some(self.list_cache)))
    }

    /// `resources/directory/read`: a page of a skill folder's direct children.
    pub(super) fn read_directory(
        &self,
        id: &RequestId,
        call: &Call<'_>,
    ) -> Result<Outcome, RpcError> {
        let uri = call.params.uri.as_deref().ok_or_else(|| {
            RpcError::invalid_params("`resources/directory/read` needs the directory's `uri`")
        })?;
        let catalog = self.catalog();
        let (children, next) =
            catalog.folder(uri, call.params.cursor.as_deref(), self.page_size)?;
        let result = ListResult {
            key: "resources",
            entries: children,
            next_cursor: next.as_deref(),
        };
        Ok(self.reply(id, call.version.era(), &result, Some(self.list_cache)))
    }

    /// `resources/read` of a skill's file.
    pub(super) async fn read_skill_file(
        &self,
        id: &RequestId,
        call: &Call<'_>,
        catalog: Arc<Catalog>,
        uri: &str,
    ) -> Result<Outcome, RpcError> {
        let contents = catalog
            .read(uri)
            .await
            .expect("the caller checked that the catalog serves the URI")?;
        let result = ReadResult { contents };
        Ok(self.reply(id, call.version.era(), &result, Some(self.list_cache)))
    }
}
