//! Where a policy set is read from: a directory on disk (`validate`, `test`,
//! `check`, hooks) or a git tree at some commit (the gate, `diff`). Both are
//! addressed by repository-relative paths with `/` separators.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Reading a file or listing a directory of a tree failed.
#[derive(Debug, Error)]
pub enum TreeError {
    /// An I/O error on disk.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A git object could not be read (missing, corrupt, or the wrong kind).
    #[error("cannot read {path} from git: {message}")]
    Git {
        /// The path that failed.
        path: String,
        /// What git said.
        message: String,
    },
}

/// A read-only view of repository files.
pub trait Tree {
    /// Where the files come from, for messages ("work tree /x", "commit abc").
    fn label(&self) -> String;

    /// The prefix shown before paths in diagnostics (`""` for the work tree,
    /// `"abc1234:"` for a commit), so users can tell which version is meant.
    fn display_prefix(&self) -> String {
        String::new()
    }

    /// The contents of the file at `path`, or `None` if nothing is there.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, TreeError>;

    /// Every regular file under `dir` (recursively), as repository-relative
    /// paths sorted bytewise. An absent directory lists as empty.
    fn list(&self, dir: &str) -> Result<Vec<String>, TreeError>;
}

/// Files in a directory on disk.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
}

impl DirTree {
    /// A tree rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> DirTree {
        DirTree { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, rel: &str) -> PathBuf {
        if rel.is_empty() || rel == "." {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }
}

impl Tree for DirTree {
    fn label(&self) -> String {
        format!("directory {}", self.root.display())
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, TreeError> {
        let full = self.path(path);
        match std::fs::read(&full) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(TreeError::Io {
                path: full.display().to_string(),
                source,
            }),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, TreeError> {
        let mut out = Vec::new();
        let start = self.path(dir);
        if !start.is_dir() {
            return Ok(out);
        }
        let prefix = dir.trim_end_matches('/');
        let mut stack = vec![(start, prefix.to_string())];
        while let Some((abs, rel)) = stack.pop() {
            let entries = std::fs::read_dir(&abs).map_err(|source| TreeError::Io {
                path: abs.display().to_string(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| TreeError::Io {
                    path: abs.display().to_string(),
                    source,
                })?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let child_rel = if rel.is_empty() || rel == "." {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let ft = entry.file_type().map_err(|source| TreeError::Io {
                    path: entry.path().display().to_string(),
                    source,
                })?;
                if ft.is_dir() {
                    stack.push((entry.path(), child_rel));
                } else if ft.is_file() || (ft.is_symlink() && entry.path().is_file()) {
                    out.push(child_rel);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_tree_lists_recursively_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("p/sub")).unwrap();
        std::fs::write(dir.path().join("p/b.cedar"), "x").unwrap();
        std::fs::write(dir.path().join("p/a.cedar"), "y").unwrap();
        std::fs::write(dir.path().join("p/sub/c.cedar"), "z").unwrap();
        let t = DirTree::new(dir.path());
        assert_eq!(
            t.list("p").unwrap(),
            vec!["p/a.cedar", "p/b.cedar", "p/sub/c.cedar"]
        );
        assert_eq!(t.read("p/a.cedar").unwrap().unwrap(), b"y");
        assert!(t.read("nope").unwrap().is_none());
        assert!(t.list("missing").unwrap().is_empty());
    }
}
