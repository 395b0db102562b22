//! `agentgate init`: scaffold config, schema, reference policies and their
//! test suites into a repository. The files are the ones this repository
//! ships and dogfoods (compiled in), so what `init` writes passes `validate`
//! and `test` at once. It never overwrites: if any target exists, nothing is
//! written.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// The files `init` writes: (path, contents).
pub const FILES: &[(&str, &str)] = &[
    (
        "agentgate.toml",
        include_str!("../../examples/init/agentgate.toml"),
    ),
    (
        "schemas/agentgate.cedarschema",
        include_str!("../../schemas/agentgate.cedarschema"),
    ),
    (
        "policies/repository.cedar",
        include_str!("../../policies/repository.cedar"),
    ),
    (
        "policies/acl.cedar",
        include_str!("../../policies/acl.cedar"),
    ),
    (
        "policies/runtime.cedar",
        include_str!("../../policies/runtime.cedar"),
    ),
    (
        "tests/policies/reference.toml",
        include_str!("../../tests/policies/reference.toml"),
    ),
    (
        "tests/policies/incidents.toml",
        include_str!("../../tests/policies/incidents.toml"),
    ),
];

/// `init` could not scaffold.
#[derive(Debug, Error)]
pub enum InitError {
    /// The target directory is missing.
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    /// Some targets exist; nothing was written.
    #[error("refusing to overwrite existing files (nothing was written): {}", .0.join(", "))]
    Exists(Vec<String>),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Write the scaffold into `dir`; returns the paths written.
pub fn init(dir: &Path) -> Result<Vec<String>, InitError> {
    if !dir.is_dir() {
        return Err(InitError::NotADirectory(dir.to_path_buf()));
    }
    let existing: Vec<String> = FILES
        .iter()
        .filter(|(p, _)| dir.join(p).symlink_metadata().is_ok())
        .map(|(p, _)| p.to_string())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    let mut written = Vec::new();
    for (rel, contents) in FILES {
        let path = dir.join(rel);
        let io = |source| InitError::Io {
            path: rel.to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // create_new: a file appearing since the check is still never
        // overwritten.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io)?;
        std::io::Write::write_all(&mut f, contents.as_bytes()).map_err(io)?;
        written.push(rel.to_string());
    }
    Ok(written)
}
