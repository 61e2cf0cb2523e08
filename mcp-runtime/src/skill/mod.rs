//! Skills: folders of instructions (a `SKILL.md` and the files it refers to) that teach an agent a
//! workflow, served through the `io.modelcontextprotocol/skills` extension (SEP-2640).
//!
//! Each file of a skill is a resource, `skill://<skill-path>/<file-path>`, read with
//! `resources/read`; `skills/list` and `skills/get` give each skill's frontmatter and the SHA-256
//! digest and size of every file; `resources/directory/read` lists a skill's folders. A skill
//! comes from a folder on disk ([`Server::skills_dir`](crate::Server::skills_dir)) or from code
//! ([`Skill`], [`Server::skill`](crate::Server::skill)), and is checked when the server starts:
//! a `SKILL.md` without valid frontmatter, a `name` that differs from the skill's folder, or a
//! skill over 512 files or 16 MiB stops the server with an error naming the file.
//!
//! ```
//! use mcp_runtime::skill::Skill;
//!
//! let skill = Skill::new("acme/billing/refunds")
//!     .file("SKILL.md", "---\nname: refunds\ndescription: Process refund requests\n---\nSee references/policy.md.\n")
//!     .file_with("references/policy.md", || async {
//!         // Read when a client asks for it (from a database, say), not at startup.
//!         Ok::<_, std::io::Error>("Refunds within 30 days.")
//!     });
//! let server = mcp_runtime::Server::new().skill(skill);
//! # let _ = server;
//! ```

mod catalog;
mod disk;
mod folder;
mod frontmatter;
mod uri;

pub(crate) use catalog::Catalog;
pub use catalog::Skills;
pub(crate) use folder::scan as scan_folder;

use disk::{OnDisk, Stamp};

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;

/// The extension's identifier, under `capabilities.extensions`.
pub(crate) const SKILLS_EXTENSION: &str = "io.modelcontextprotocol/skills";

/// The file every skill has at its root.
pub const SKILL_FILE: &str = "SKILL.md";

/// Reads a file of a skill built in code, when a client asks for it.
type Reader = Arc<dyn Fn() -> BoxFuture<'static, Result<Bytes, String>> + Send + Sync>;

/// Where a file's bytes come from.
#[derive(Clone)]
pub(crate) enum Body {
    /// Given when the skill was built.
    Bytes(Bytes),
    /// A file on disk, read on each request.
    Disk(OnDisk),
    /// The application's reader, called on each request.
    Read(Reader),
}

/// The most bytes one skill's files may hold together (SEP-2640's limit), and so the most one
/// file may hold when it is read.
pub(crate) const MAX_BYTES: u64 = 16 * 1024 * 1024;

impl Body {
    /// The file's current bytes, and for a file on disk its stamp. A file on disk that became
    /// a symbolic link (or is reached through one below the skills folder) or something other
    /// than a file since the server started is not read, nor is a file over [`MAX_BYTES`].
    pub(crate) async fn read(&self) -> Result<(Bytes, Option<Stamp>), String> {
        let (bytes, stamp) = match self {
            Self::Bytes(bytes) => (bytes.clone(), None),
            Self::Disk(file) => {
                let file = file.clone();
                let (bytes, stamp) = tokio::task::spawn_blocking(move || file.read())
                    .await
                    .map_err(|e| e.to_string())??;
                (bytes, Some(stamp))
            }
            Self::Read(read) => (read().await?, None),
        };
        match bytes.len() as u64 > MAX_BYTES {
            true => Err(format!("{} bytes, over the 16 MiB limit", bytes.len())),
            false => Ok((bytes, stamp)),
        }
    }

    /// Whether both are the same file on disk (a nested skill's files belong to the skill
    /// around it too).
    fn same_file(&self, other: &Self) -> bool {
        matches!((self, other), (Self::Disk(a), Self::Disk(b)) if a == b)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Disk(file) => write!(f, "Disk({})", file.path().display()),
            Self::Read(_) => f.write_str("Read(..)"),
        }
    }
}

/// A skill built in code: its path in the server's skill namespace and its files.
///
/// The path is one or more `/`-separated segments whose last is the skill's `name`
/// (`git-workflow`, `acme/billing/refunds`); the files are given by their path inside the skill.
/// `SKILL.md` is given with [`file`](Self::file), because its frontmatter is the skill's entry in
/// listings and is checked at startup; other files may be read lazily with
/// [`file_with`](Self::file_with).
///
/// ```
/// use mcp_runtime::skill::Skill;
///
/// let skill = Skill::new("git-workflow")
///     .file("SKILL.md", "---\nname: git-workflow\ndescription: Branch and commit conventions\n---\n")
///     .file("templates/commit.txt", "type(scope): summary");
/// # let _ = skill;
/// ```
#[derive(Debug, Clone)]
pub struct Skill {
    pub(crate) path: String,
    pub(crate) files: Vec<(String, Body)>,
    pub(crate) dynamic: bool,
    /// Where the skill came from, for errors: its folder, or `None` for a skill built in code.
    pub(crate) folder: Option<PathBuf>,
}

impl Skill {
    /// A skill at `path` (for example `acme/billing/refunds`), without files yet.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            files: Vec::new(),
            dynamic: false,
            folder: None,
        }
    }

    /// With a file whose contents are known now (`&'static str`, `String`, `Vec<u8>`, [`Bytes`]).
    pub fn file(mut self, path: impl Into<String>, contents: impl Into<Bytes>) -> Self {
        self.files.push((path.into(), Body::Bytes(contents.into())));
        self
    }

    /// With a file that `read` produces each time a client reads it (and when the server first
    /// works out the file's digest for a listing). An error is logged and answered as an
    /// internal error.
    pub fn file_with<F, Fut, B, E>(mut self, path: impl Into<String>, read: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: fmt::Display,
    {
        let reader: Reader = Arc::new(move || {
            let read = read();
            Box::pin(async move { read.await.map(Into::into).map_err(|e| e.to_string()) })
        });
        self.files.push((path.into(), Body::Read(reader)));
        self
    }

    /// Marks the skill's content as generated on each read: its entry then lists no digests
    /// (`"resources": "dynamic"`), and hosts may decline to load it.
    pub fn dynamic(mut self) -> Self {
        self.dynamic = true;
        self
    }

    /// The skill's path in the server's skill namespace.
    pub fn path(&self) -> &str {
        &self.path
    }
}
