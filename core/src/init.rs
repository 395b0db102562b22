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
    /// `--under` is no directory of the repository.
    #[error("--under {given:?}: {why}")]
    Under {
        /// What was given.
        given: String,
        /// Why not.
        why: crate::policy::config::PathError,
    },
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Write the scaffold into `dir`; returns the paths written. With `under`
/// (a directory relative to `dir`), the policies, schema and suites go
/// there and the config (which stays at the top level, where agentgate
/// looks for it) and the policies name them there.
pub fn init(dir: &Path, under: Option<&str>) -> Result<Vec<String>, InitError> {
    if !dir.is_dir() {
        return Err(InitError::NotADirectory(dir.to_path_buf()));
    }
    let under = match under {
        None => String::new(),
        Some(u) => crate::policy::config::normalize_path(u).map_err(|why| InitError::Under {
            given: u.to_string(),
            why,
        })?,
    };
    let files: Vec<(String, String)> = FILES.iter().map(|(p, c)| placed(p, c, &under)).collect();
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| dir.join(p).symlink_metadata().is_ok())
        .map(|(p, _)| p.clone())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    let mut written = Vec::new();
    for (rel, contents) in &files {
        let path = dir.join(rel);
        let io = |source| InitError::Io {
            path: rel.clone(),
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
        written.push(rel.clone());
    }
    Ok(written)
}

/// Where a scaffold file goes, and its text, for `under` ("" = the top
/// level). The config stays at the top level and points under; every
/// other file moves under, and the paths the policies and suites name
/// move with them.
fn placed(rel: &str, contents: &str, under: &str) -> (String, String) {
    if under.is_empty() {
        return (rel.to_string(), contents.to_string());
    }
    let moved = |t: &str| {
        t.replace("\"policies/", &format!("\"{under}/policies/"))
            .replace(
                "\"schemas/agentgate.cedarschema\"",
                &format!("\"{under}/schemas/agentgate.cedarschema\""),
            )
    };
    if rel == crate::policy::config::CONFIG_FILE {
        let text = contents
            .replace(
                "policies = \"policies\"",
                &format!("policies = \"{under}/policies\""),
            )
            .replace(
                "schema = \"schemas/agentgate.cedarschema\"",
                &format!("schema = \"{under}/schemas/agentgate.cedarschema\""),
            )
            .replace(
                "tests = \"tests/policies\"",
                &format!("tests = \"{under}/tests/policies\""),
            );
        return (rel.to_string(), text);
    }
    (format!("{under}/{rel}"), moved(contents))
}
