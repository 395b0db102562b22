//! The decision log: every `check` and hook decision appended as one JSON
//! line to the file `[log] decisions` names.
//!
//! Each line goes to the file in one `write` on a descriptor opened with
//! `O_APPEND`, so concurrent hooks (one process per tool call) never
//! interleave or lose lines: the kernel moves the offset to the end and
//! writes the line as one operation. A line that cannot be written whole is
//! reported, never continued by a second write that could interleave.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::decide::Answer;
use crate::policy::PolicyStore;
use crate::request::Req;
use crate::vocab::Principal;

/// Where the log of a repository is, if the config names one.
pub fn path(root: &Path, configured: Option<&str>) -> Option<PathBuf> {
    let p = configured?.trim();
    if p.is_empty() {
        return None;
    }
    let p = Path::new(p);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    })
}

/// RFC 3339 UTC time with milliseconds.
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    // Whole milliseconds, as the log has always written them.
    let ms = now.as_millisecond();
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| format!("{t:.3}"))
        .unwrap_or_else(|_| now.to_string())
}

/// A decision could not be logged (the decision stands).
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The entry could not be serialised.
    #[error("cannot serialise the decision: {0}")]
    Serialise(#[from] serde_json::Error),
    /// The log's directory could not be created.
    #[error("cannot create {}: {source}", dir.display())]
    CreateDir {
        /// The directory.
        dir: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The log could not be opened or written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The log.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Only part of the line was written.
    #[error("short write to {} ({written} of {len} bytes); the line is incomplete", path.display())]
    Short {
        /// The log.
        path: std::path::PathBuf,
        /// Bytes written.
        written: usize,
        /// Bytes of the line.
        len: usize,
    },
}

/// Append `entry` as one line. Creates the file (and its directory).
pub fn append(path: &Path, entry: &Value) -> Result<(), LogError> {
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| LogError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    let write_err = |source| LogError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(write_err)?;
    let written = file.write(&line).map_err(write_err)?;
    if written != line.len() {
        return Err(LogError::Short {
            path: path.to_path_buf(),
            written,
            len: line.len(),
        });
    }
    Ok(())
}

/// Append one decision to the log `store`'s config names (nothing when it
/// names none). `source` is `check` or `hook <harness>`.
pub fn record(
    store: &PolicyStore,
    root: &Path,
    source: &str,
    session: &str,
    tool: Option<&str>,
    req: &Req,
    answer: &Answer,
) -> Result<(), LogError> {
    let Some(path) = path(root, store.config.log.decisions.as_deref()) else {
        return Ok(());
    };
    let agent = match &req.principal {
        Principal::Agent(a) => Some(a.as_str()),
        _ => None,
    };
    let entry = json!({
        "time": now_rfc3339(),
        "source": source,
        "agent": agent,
        "session": session,
        "tool": tool,
        "request": {
            "principal": req.principal.uid_text(),
            "action": req.action,
            "resource": req.resource.uid_text(),
            "context": Value::Object(answer.context.clone()),
        },
        "decision": answer.decision,
        "policies": answer.policies,
    });
    append(&path, &entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/log.jsonl");
        append(&p, &serde_json::json!({"a": 1})).unwrap();
        append(&p, &serde_json::json!({"b": "x\ny"})).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"b\":\"x\\ny\"}\n");
        assert!(now_rfc3339().ends_with('Z'));
        assert_eq!(now_rfc3339().len(), "2026-11-25T13:18:41.123Z".len());
    }
}
