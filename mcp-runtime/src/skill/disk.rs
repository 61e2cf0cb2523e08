//! A skill's file on disk, read on each request without following a symbolic link anywhere
//! below the skills folder: not the file's, and not a folder's on the way to it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use super::MAX_BYTES;

/// A file below a skills folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OnDisk {
    /// The skills folder, as the application gave it (it may itself be reached through a link).
    root: Arc<Path>,
    /// The file's `/`-separated path below it.
    relative: String,
}

/// What the file system says of a file, to tell whether it changed since it was last read
/// without reading it: its size, its modification time and, on Unix, its inode and status
/// change time (which no tool can set back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(unix)]
    changed: (i64, i64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt as _;
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

impl OnDisk {
    /// The file at `relative` (`/`-separated) below the skills folder `root`.
    pub(crate) fn new(root: Arc<Path>, relative: String) -> Self {
        Self { root, relative }
    }

    /// Where the file is.
    pub(crate) fn path(&self) -> PathBuf {
        self.root.join(&self.relative)
    }

    /// The file's stamp now, without reading it (`None` if it cannot be had: the next read
    /// says why).
    pub(crate) fn stamp(&self) -> Option<Stamp> {
        std::fs::symlink_metadata(self.path())
            .ok()
            .map(|meta| Stamp::of(&meta))
    }

    /// The file's bytes and stamp. Refused: a symbolic link at the file or at any folder below
    /// the skills folder on the way to it, something other than a regular file, a file over
    /// [`MAX_BYTES`], and (on Unix) a file swapped for another between the checks and the read.
    pub(crate) fn read(&self) -> Result<(Bytes, Stamp), String> {
        let mut path = self.root.to_path_buf();
        let segments: Vec<&str> = self.relative.split('/').collect();
        let mut checked = None;
        for (i, segment) in segments.iter().enumerate() {
            path.push(segment);
            let meta = std::fs::symlink_metadata(&path).map_err(|e| e.to_string())?;
            let last = i + 1 == segments.len();
            if meta.file_type().is_symlink() {
                return Err(format!("`{}` is a symbolic link", path.display()));
            }
            if !last && !meta.is_dir() {
                return Err(format!("`{}` is no longer a folder", path.display()));
            }
            if last {
                if !meta.is_file() {
                    return Err("no longer a regular file".into());
                }
                if meta.len() > MAX_BYTES {
                    return Err(format!("{} bytes, over the 16 MiB limit", meta.len()));
                }
                checked = Some(meta);
            }
        }
        let checked = checked.expect("a path has a last segment");
        let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        let opened = file.metadata().map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            // A folder on the way swapped for a link after the checks: another file opened.
            if (opened.dev(), opened.ino()) != (checked.dev(), checked.ino()) {
                return Err("the file was replaced while it was read".into());
            }
        }
        #[cfg(not(unix))]
        let _ = checked;
        let mut bytes = Vec::with_capacity(opened.len().min(MAX_BYTES) as usize);
        // One byte over the limit, if the file grew since it was checked, is enough for the
        // check every skill file's bytes get (`Body::read`, and a skill's total at startup).
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        Ok((Bytes::from(bytes), Stamp::of(&opened)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("mcp-disk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("skill/docs")).unwrap();
        std::fs::write(root.join("skill/docs/a.md"), "inside").unwrap();
        root
    }

    #[test]
    fn reads_a_file_and_stamps_it() {
        let root = scratch("read");
        let file = OnDisk::new(Arc::from(root.as_path()), "skill/docs/a.md".into());
        let (bytes, stamp) = file.read().unwrap();
        assert_eq!(&bytes[..], b"inside");
        assert_eq!(file.stamp(), Some(stamp));
        std::fs::write(root.join("skill/docs/a.md"), "changed").unwrap();
        assert_ne!(file.stamp(), Some(stamp), "a rewrite changes the stamp");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_on_the_way_that_became_a_link_is_not_followed() {
        let root = scratch("link");
        let outside = root.with_extension("outside");
        let _ = std::fs::remove_dir_all(&outside);
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("a.md"), "secret").unwrap();
        let file = OnDisk::new(Arc::from(root.as_path()), "skill/docs/a.md".into());
        std::fs::remove_dir_all(root.join("skill/docs")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("skill/docs")).unwrap();
        let error = file.read().unwrap_err();
        assert!(error.contains("symbolic link"), "{error}");
        // The skills folder itself may be reached through a link.
        let linked_root = root.with_extension("root-link");
        let _ = std::fs::remove_file(&linked_root);
        std::os::unix::fs::symlink(&root, &linked_root).unwrap();
        std::fs::remove_file(root.join("skill/docs")).unwrap();
        std::fs::create_dir_all(root.join("skill/docs")).unwrap();
        std::fs::write(root.join("skill/docs/a.md"), "inside").unwrap();
        let through = OnDisk::new(Arc::from(linked_root.as_path()), "skill/docs/a.md".into());
        assert_eq!(&through.read().unwrap().0[..], b"inside");
        for path in [&root, &outside] {
            std::fs::remove_dir_all(path).unwrap();
        }
        std::fs::remove_file(&linked_root).unwrap();
    }
}
