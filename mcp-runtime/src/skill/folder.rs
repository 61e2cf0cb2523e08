//! Skills from a folder on disk: every folder below the root that holds a `SKILL.md` is a skill,
//! and every file below that folder is one of its files, read from disk on each request.

use std::path::Path;

use super::{Body, OnDisk, Skill, SKILL_FILE};
use crate::Error;

/// The skills below `root`, sorted by path. Hidden files and folders (`.git`, `.DS_Store`) are
/// left out; a symbolic link, a name that is not UTF-8 or a `SKILL.md` at the root itself is an
/// error naming it.
pub(crate) fn scan(root: &Path) -> Result<Vec<Skill>, Error> {
    let config = |path: &Path, reason: &str| {
        Error::Config(format!("skills folder `{}`: {reason}", path.display()))
    };
    if !root.is_dir() {
        return Err(config(root, "not a folder"));
    }
    if root.join(SKILL_FILE).exists() {
        return Err(config(
            &root.join(SKILL_FILE),
            "a skill needs a folder of its own, named after it; the root holds skill folders",
        ));
    }
    // Every file below the root, by its `/`-separated path relative to the root.
    let mut files: Vec<String> = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((folder, relative)) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| config(&folder, &e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| config(&folder, &e.to_string()))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                return Err(config(&path, "the name is not UTF-8"));
            };
            if name.starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|e| config(&path, &e.to_string()))?;
            let child = if relative.is_empty() {
                name
            } else {
                format!("{relative}/{name}")
            };
            if kind.is_symlink() {
                return Err(config(&path, "symbolic links are not served"));
            } else if kind.is_dir() {
                pending.push((path, child));
            } else if kind.is_file() {
                files.push(child);
            }
        }
    }
    files.sort();
    let skill_folders = files
        .iter()
        .filter_map(|f| f.strip_suffix(&format!("/{SKILL_FILE}")))
        .map(str::to_owned);
    let shared_root: std::sync::Arc<Path> = std::sync::Arc::from(root);
    let skills = skill_folders
        .map(|folder| {
            let prefix = format!("{folder}/");
            let mut skill = Skill::new(folder.clone());
            skill.folder = Some(root.join(&folder));
            skill.files = files
                .iter()
                .filter_map(|f| f.strip_prefix(&prefix))
                .map(|inside| {
                    let file = OnDisk::new(shared_root.clone(), format!("{folder}/{inside}"));
                    (inside.to_owned(), Body::Disk(file))
                })
                .collect();
            skill
        })
        .collect();
    Ok(skills)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!("mcp-skills-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }

    #[test]
    fn every_folder_with_a_skill_md_is_a_skill_with_every_file_below_it() {
        let root = scratch("scan");
        write(&root, "README.md", "not a skill");
        write(&root, "git/SKILL.md", "s");
        write(&root, "acme/billing/refunds/SKILL.md", "s");
        write(&root, "acme/billing/refunds/examples/email.md", "e");
        write(&root, "acme/billing/refunds/.DS_Store", "hidden");
        write(&root, "acme/billing/refunds/deep/SKILL.md", "nested");
        write(&root, "acme/notes.md", "outside every skill");
        let skills = scan(&root).unwrap();
        let paths: Vec<_> = skills.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            ["acme/billing/refunds", "acme/billing/refunds/deep", "git"]
        );
        let files: Vec<_> = skills[0].files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(files, ["SKILL.md", "deep/SKILL.md", "examples/email.md"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn refuses_a_root_skill_a_missing_folder_and_links() {
        let root = scratch("refuse");
        write(&root, "SKILL.md", "s");
        assert!(scan(&root)
            .unwrap_err()
            .to_string()
            .contains("folder of its own"));
        std::fs::remove_file(root.join("SKILL.md")).unwrap();
        assert!(scan(&root.join("missing"))
            .unwrap_err()
            .to_string()
            .contains("not a folder"));
        #[cfg(unix)]
        {
            write(&root, "a/SKILL.md", "s");
            std::os::unix::fs::symlink("/etc/passwd", root.join("a/passwd")).unwrap();
            let error = scan(&root).unwrap_err().to_string();
            assert!(
                error.contains("symbolic links") && error.contains("passwd"),
                "{error}"
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
