//! The skills a server serves, checked once at startup: their entries (`skills/list`,
//! `skills/get`), their files (`resources/read`) and their folders (`resources/directory/read`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use arc_swap::{ArcSwap, ArcSwapOption};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::frontmatter::Frontmatter;
use super::uri::{self, DIRECTORY, SCHEME};
use super::{Body, Skill, Stamp, MAX_BYTES, SKILL_FILE};
use crate::protocol::RpcError;
use crate::Error;

/// The most files one skill may have (SEP-2640's limit, `SKILL.md` included).
const MAX_FILES: usize = 512;

/// The skills a server serves, loaded and checked: what [`Server::skill`](crate::Server::skill)
/// and [`Server::skills_dir`](crate::Server::skills_dir) add up to. Cheap to clone.
///
/// ```
/// use mcp_runtime::skill::{Skill, Skills};
///
/// let skills = Skills::load([Skill::new("greeting")
///     .file("SKILL.md", "---\nname: greeting\ndescription: Greet people warmly\n---\nSay hello.")])
/// .unwrap();
/// assert_eq!(skills.len(), 1);
///
/// // A name that is not the skill's folder is refused, naming the file.
/// let error = Skills::load([Skill::new("greeting")
///     .file("SKILL.md", "---\nname: hello\ndescription: Greet people\n---\n")])
/// .unwrap_err();
/// assert!(error.to_string().contains("skill://greeting/SKILL.md"));
/// ```
#[derive(Clone, Default)]
pub struct Skills(Option<Arc<Catalog>>);

impl fmt::Debug for Skills {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uris = self.0.iter().flat_map(|c| c.skills.iter().map(|s| &s.uri));
        f.debug_list().entries(uris).finish()
    }
}

impl Skills {
    /// Checks `skills` and reads what must be known before serving them: each `SKILL.md`'s
    /// frontmatter, and the digest of every file not read lazily.
    pub fn load(skills: impl IntoIterator<Item = Skill>) -> Result<Self, Error> {
        let mut skills: Vec<Skill> = skills.into_iter().collect();
        if skills.is_empty() {
            return Ok(Self(None));
        }
        skills.sort_by(|a, b| a.path.cmp(&b.path));
        Catalog::build(skills).map(|c| Self(Some(Arc::new(c))))
    }

    /// How many skills there are.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |c| c.skills.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The catalog, when there are skills.
    pub(crate) fn catalog(&self) -> Option<&Arc<Catalog>> {
        self.0.as_ref()
    }
}

/// The SHA-256 digest and size of a file's bytes, as an entry lists them.
#[derive(Debug, Clone)]
struct Print {
    digest: String,
    size: u64,
    /// For a file on disk, its stamp when these bytes were read: a listing reads the file
    /// again once its stamp is different.
    stamp: Option<Stamp>,
}

impl Print {
    fn of(bytes: &[u8], stamp: Option<Stamp>) -> Self {
        Self {
            digest: format!("sha256:{:x}", Sha256::digest(bytes)),
            size: bytes.len() as u64,
            stamp,
        }
    }

    /// Whether both are of the same bytes.
    fn same_bytes(&self, other: &Self) -> bool {
        self.digest == other.digest && self.size == other.size
    }
}

/// One skill.
struct Entry {
    /// The URI of its `SKILL.md`.
    uri: String,
    /// Its `name`, the last segment of its path.
    name: String,
    /// The URIs of its files, sorted: every file below its folder, nested skills' included.
    files: Vec<String>,
    dynamic: bool,
    /// What its `SKILL.md` says now (a `SKILL.md` on disk may change while the server runs).
    frontmatter: ArcSwap<Frontmatter>,
}

/// One file.
struct File {
    body: Body,
    mime_type: &'static str,
    /// Its digest and size as last read (`None` until a lazily read file is first read).
    print: ArcSwapOption<Print>,
    /// The skill whose `SKILL.md` it is.
    skill_md_of: Option<usize>,
}

/// A direct child of a folder, as `resources/directory/read` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Child {
    uri: String,
    name: String,
    mime_type: &'static str,
}

/// The checked skills.
pub(crate) struct Catalog {
    /// Sorted by path.
    skills: Vec<Entry>,
    by_uri: HashMap<String, usize>,
    files: HashMap<String, File>,
    /// Each folder's direct children, sorted by URI.
    folders: HashMap<String, Vec<Child>>,
}

/// What `SKILL.md` resources look like in `resources/list`.
pub(crate) struct Listed<'a> {
    pub(crate) uri: &'a str,
    pub(crate) name: &'a str,
    pub(crate) description: String,
    pub(crate) size: Option<u64>,
}

impl Catalog {
    fn build(skills: Vec<Skill>) -> Result<Self, Error> {
        let mut catalog = Self {
            skills: Vec::with_capacity(skills.len()),
            by_uri: HashMap::new(),
            files: HashMap::new(),
            folders: HashMap::new(),
        };
        let mut folders: BTreeMap<String, BTreeMap<String, Child>> = BTreeMap::new();
        let mut roots = Vec::with_capacity(skills.len());
        for skill in skills {
            let (root, entry) = catalog.add(skill, &mut folders)?;
            if catalog.by_uri.contains_key(&entry.uri) {
                return Err(invalid(&entry.uri, "two skills are served at this path"));
            }
            catalog
                .by_uri
                .insert(entry.uri.clone(), catalog.skills.len());
            catalog.skills.push(entry);
            roots.push(root);
        }
        // A skill's files are every file below its folder, a nested skill's included.
        let mut all: Vec<&String> = catalog.files.keys().collect();
        all.sort();
        for (entry, root) in catalog.skills.iter_mut().zip(&roots) {
            let prefix = format!("{root}/");
            entry.files = all
                .iter()
                .filter(|uri| uri.starts_with(&prefix))
                .map(|uri| uri.to_string())
                .collect();
            if entry.files.len() > MAX_FILES {
                return Err(invalid(
                    &entry.uri,
                    &format!(
                        "the skill has {} files; a skill has at most {MAX_FILES}",
                        entry.files.len()
                    ),
                ));
            }
            let known: u64 = entry
                .files
                .iter()
                .filter_map(|uri| catalog.files[uri].print.load().as_ref().map(|p| p.size))
                .sum();
            if known > MAX_BYTES {
                return Err(invalid(
                    &entry.uri,
                    &format!("the skill's files hold {known} bytes; a skill holds at most 16 MiB"),
                ));
            }
        }
        for (index, entry) in catalog.skills.iter().enumerate() {
            if let Some(file) = catalog.files.get_mut(&entry.uri) {
                file.skill_md_of = Some(index);
            }
        }
        catalog.folders = folders
            .into_iter()
            .map(|(folder, children)| (folder, children.into_values().collect()))
            .collect();
        Ok(catalog)
    }

    /// Checks one skill and adds its files and folders; returns its folder's URI and its entry.
    fn add(
        &mut self,
        skill: Skill,
        folders: &mut BTreeMap<String, BTreeMap<String, Child>>,
    ) -> Result<(String, Entry), Error> {
        let label = skill.path.clone();
        let segments = uri::segments(&skill.path)
            .map_err(|e| invalid(&label, &format!("a skill path {e}")))?;
        let name = *segments.last().expect("a path has a segment");
        let root = format!(
            "{SCHEME}{}",
            segments
                .iter()
                .enumerate()
                .map(|(i, s)| uri::encode(s, i == 0))
                .collect::<Vec<_>>()
                .join("/")
        );
        let skill_md = format!("{root}/{SKILL_FILE}");
        // Where a file is, for errors: on disk for a folder's skill, its URI for a skill in code.
        let place = |inside: &str, file_uri: &str| match &skill.folder {
            Some(folder) => folder.join(inside).display().to_string(),
            None => file_uri.to_owned(),
        };
        crate::skill::frontmatter::check_name(name).map_err(|e| {
            invalid(
                &place(SKILL_FILE, &skill_md),
                &format!("the skill's folder `{name}` is not a skill name: {e}"),
            )
        })?;
        let mut frontmatter = None;
        for (inside, body) in skill.files {
            let file_segments =
                uri::segments(&inside).map_err(|e| invalid(&skill_md, &format!("a file {e}")))?;
            let encoded: Vec<String> = file_segments
                .iter()
                .map(|s| uri::encode(s, false))
                .collect();
            let file_uri = format!("{root}/{}", encoded.join("/"));
            let place = place(&inside, &file_uri);
            // A nested skill's files are its own and the skill's around it: the same file twice.
            let shared = match self.files.get(&file_uri) {
                Some(existing) if existing.body.same_file(&body) => true,
                Some(_) => return Err(invalid(&place, "the file is given twice")),
                None => false,
            };
            if shared && inside != SKILL_FILE {
                continue;
            }
            let print = match &body {
                Body::Read(_) if inside == SKILL_FILE => {
                    return Err(invalid(
                        &place,
                        "a SKILL.md is given with `Skill::file`: its frontmatter is the skill's listing",
                    ));
                }
                Body::Read(_) => None,
                Body::Bytes(bytes) => Some((bytes.clone(), None)),
                Body::Disk(file) => {
                    let (bytes, stamp) = file.read().map_err(|e| invalid(&place, &e))?;
                    Some((bytes, Some(stamp)))
                }
            };
            if inside == SKILL_FILE {
                let bytes = print.as_ref().map(|(b, _)| &b[..]).unwrap_or_default();
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| invalid(&place, "a SKILL.md is UTF-8 text"))?;
                let parsed = Frontmatter::parse(text).map_err(|e| invalid(&place, &e))?;
                if parsed.name != name {
                    return Err(invalid(
                        &place,
                        &format!(
                            "its `name` is `{}`, but the skill's folder is `{name}`; they must be the same",
                            parsed.name
                        ),
                    ));
                }
                frontmatter = Some(parsed);
            }
            // Every folder from the skill's own down to the file's, each a child of the one above.
            let mut parent = root.clone();
            for (depth, segment) in encoded.iter().enumerate() {
                let child_uri = format!("{parent}/{segment}");
                let is_file = depth + 1 == encoded.len();
                let child = Child {
                    uri: child_uri.clone(),
                    name: file_segments[depth].to_owned(),
                    mime_type: if is_file {
                        uri::mime_type(&inside)
                    } else {
                        DIRECTORY
                    },
                };
                folders
                    .entry(parent)
                    .or_default()
                    .entry(child_uri.clone())
                    .or_insert(child);
                parent = child_uri;
            }
            if shared {
                continue;
            }
            self.files.insert(
                file_uri,
                File {
                    print: ArcSwapOption::from_pointee(print.map(|(b, s)| Print::of(&b, s))),
                    mime_type: uri::mime_type(&inside),
                    body,
                    skill_md_of: None,
                },
            );
        }
        let frontmatter = frontmatter.ok_or_else(|| {
            invalid(
                &place(SKILL_FILE, &skill_md),
                "the skill has no SKILL.md at its root",
            )
        })?;
        let entry = Entry {
            uri: skill_md,
            name: name.to_owned(),
            files: Vec::new(),
            dynamic: skill.dynamic,
            frontmatter: ArcSwap::from_pointee(frontmatter),
        };
        Ok((root, entry))
    }

    /// The `SKILL.md` resources, for `resources/list`.
    pub(crate) fn listed(&self) -> Vec<Listed<'_>> {
        self.skills
            .iter()
            .map(|entry| Listed {
                uri: &entry.uri,
                name: &entry.name,
                description: entry.frontmatter.load().description.clone(),
                size: self.files[&entry.uri].print.load().as_ref().map(|p| p.size),
            })
            .collect()
    }

    /// Whether `uri` is one of the skills' files.
    pub(crate) fn serves(&self, uri: &str) -> bool {
        self.files.contains_key(uri)
    }

    /// Reads the file at `uri` now, as `resources/read` returns it (`None`: no such file).
    pub(crate) async fn read(&self, uri: &str) -> Option<crate::resource::ReadOutcome> {
        let file = self.files.get(uri)?;
        let read = self.fetch(uri, file).await;
        Some(read.and_then(|(bytes, _)| {
            use crate::resource::{IntoContents, ReadTarget};
            let target = ReadTarget {
                uri,
                mime_type: Some(file.mime_type),
            };
            // Text when it is UTF-8, a base64 blob otherwise.
            match String::from_utf8(bytes.to_vec()) {
                Ok(text) => text.into_contents(&target),
                Err(binary) => binary.into_bytes().into_contents(&target),
            }
        }))
    }

    /// The page of skill entries `cursor` points at, and the next page's cursor. An entry whose
    /// files cannot be read now is left out (the error is logged): a listing may be partial.
    pub(crate) async fn list(
        &self,
        cursor: Option<&str>,
        page_size: usize,
    ) -> Result<(Vec<Value>, Option<String>), RpcError> {
        let (range, next) = page(cursor, self.skills.len(), page_size)?;
        let entries = self.entries(range).await.into_iter().flatten().collect();
        Ok((entries, next))
    }

    /// The entry of the skill whose `SKILL.md` is at `uri`: `-32602` if there is none.
    pub(crate) async fn get(&self, uri: &str) -> Result<Value, RpcError> {
        let index = *self.by_uri.get(uri).ok_or_else(|| {
            RpcError::invalid_params(format!("Unknown skill: {uri}")).with_data(json!({"uri": uri}))
        })?;
        let mut entries = self.entries(index..index + 1).await;
        entries.pop().expect("one skill, one entry")
    }

    /// The page of `uri`'s direct children `cursor` points at: `-32602` if `uri` is not a folder.
    pub(crate) fn folder(
        &self,
        uri: &str,
        cursor: Option<&str>,
        page_size: usize,
    ) -> Result<(&[Child], Option<String>), RpcError> {
        let Some(children) = self.folders.get(uri) else {
            let reason = if self.files.contains_key(uri) {
                format!("Not a directory: {uri}")
            } else {
                format!("Directory not found: {uri}")
            };
            return Err(RpcError::invalid_params(reason).with_data(json!({"uri": uri})));
        };
        let (range, next) = page(cursor, children.len(), page_size)?;
        Ok((&children[range], next))
    }

    /// The entries of the skills in `range`: each its URI, its frontmatter, and its files'
    /// digests and sizes (or `"dynamic"`), reading the files not read yet and the files on disk
    /// that changed since they were last read; an error for a skill whose file cannot be read.
    async fn entries(&self, range: std::ops::Range<usize>) -> Vec<Result<Value, RpcError>> {
        let skills = &self.skills[range];
        let files: Vec<&String> = skills
            .iter()
            .filter(|entry| !entry.dynamic)
            .flat_map(|entry| &entry.files)
            .collect();
        let mut prints = self.current(&files).await.into_iter();
        let mut entries = Vec::with_capacity(skills.len());
        for entry in skills {
            let resources = if entry.dynamic {
                Ok(Value::from("dynamic"))
            } else {
                let prints: Vec<_> = prints.by_ref().take(entry.files.len()).collect();
                self.resources(&entry.files, prints).await
            };
            // After the reads: a changed `SKILL.md` has its frontmatter read again.
            entries.push(resources.map(|resources| {
                json!({
                    "uri": entry.uri,
                    "frontmatter": entry.frontmatter.load().fields,
                    "resources": resources,
                })
            }));
        }
        entries
    }

    /// A skill's `resources`: each file's URI, digest and size, from `prints` where they hold
    /// and from a read of the file where they do not.
    async fn resources(
        &self,
        files: &[String],
        prints: Vec<Option<Arc<Print>>>,
    ) -> Result<Value, RpcError> {
        let mut resources = Vec::with_capacity(files.len());
        for (uri, print) in files.iter().zip(prints) {
            let print = match print {
                Some(print) => print,
                None => self.fetch(uri, &self.files[uri]).await?.1,
            };
            resources.push(json!({"uri": uri, "digest": print.digest, "size": print.size}));
        }
        Ok(Value::Array(resources))
    }

    /// The prints of `files` that still hold: `None` for a file not read yet, and for a file on
    /// disk whose stamp changed since it was read (the stamps of all of them are taken on one
    /// blocking task).
    async fn current(&self, files: &[&String]) -> Vec<Option<Arc<Print>>> {
        let mut prints: Vec<Option<Arc<Print>>> = files
            .iter()
            .map(|uri| self.files[*uri].print.load_full())
            .collect();
        let on_disk: Vec<_> = files
            .iter()
            .zip(&prints)
            .enumerate()
            .filter_map(|(i, (uri, print))| match (&self.files[*uri].body, print) {
                (Body::Disk(file), Some(print)) => Some((i, file.clone(), print.stamp)),
                _ => None,
            })
            .collect();
        if on_disk.is_empty() {
            return prints;
        }
        let stale = tokio::task::spawn_blocking(move || {
            on_disk
                .into_iter()
                .filter(|(_, file, stamp)| file.stamp() != *stamp)
                .map(|(i, ..)| i)
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for i in stale {
            prints[i] = None;
        }
        prints
    }

    /// Reads a file, and records its digest: a file that changed since it was last read is
    /// listed as it is now (and a changed `SKILL.md`'s frontmatter read again), so a client that
    /// finds a mismatch gets the current digests from `skills/get`.
    async fn fetch(&self, uri: &str, file: &File) -> Result<(Bytes, Arc<Print>), RpcError> {
        let (bytes, stamp) = file.body.read().await.map_err(|reason| {
            tracing::warn!(uri, %reason, "could not read a skill file");
            RpcError::internal(format!("could not read {uri}"))
        })?;
        let print = Arc::new(Print::of(&bytes, stamp));
        let before = file.print.swap(Some(print.clone()));
        let changed = before.is_some_and(|b| !b.same_bytes(&print));
        if let (true, Some(index)) = (changed, file.skill_md_of) {
            let entry = &self.skills[index];
            let parsed = std::str::from_utf8(&bytes)
                .map_err(|_| "it is not UTF-8".to_owned())
                .and_then(Frontmatter::parse)
                .and_then(|f| match f.name == entry.name {
                    true => Ok(f),
                    false => Err(format!("its `name` is no longer `{}`", entry.name)),
                });
            match parsed {
                Ok(frontmatter) => entry.frontmatter.store(Arc::new(frontmatter)),
                Err(reason) => tracing::warn!(
                    uri,
                    %reason,
                    "a SKILL.md changed and is no longer valid; listings keep its previous frontmatter"
                ),
            }
        }
        Ok((bytes, print))
    }
}

/// The range of `count` items the page `cursor` names, and the next page's cursor (cursors are
/// page numbers, as for every list; one the server did not issue is `-32602`).
fn page(
    cursor: Option<&str>,
    count: usize,
    size: usize,
) -> Result<(std::ops::Range<usize>, Option<String>), RpcError> {
    let size = size.max(1);
    let (index, next) = crate::registry::Pages::index(cursor, count.div_ceil(size).max(1))?;
    let start = index * size;
    Ok((start..count.min(start + size), next))
}

/// A skill that cannot be served, and why.
fn invalid(place: &str, reason: &str) -> Error {
    Error::Config(format!("skill `{place}`: {reason}"))
}
