//! Writing a wiring file atomically: the new text goes to a temporary file
//! beside the target, is flushed to disk, takes the target's permissions,
//! and replaces the target in one rename, so a harness reading the file
//! sees the old version or the new one, never half of either. A target
//! that is a symbolic link is written where the link points.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::InstallError;

/// Where a write to `path` really lands (links followed).
pub(super) fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Replace `path` with `text`; `mode` is the permission bits of a new file
/// (an existing file keeps its own).
pub(super) fn atomic_write(path: &Path, text: &str, mode: u32) -> Result<(), InstallError> {
    let target = real_path(path);
    let io = |source: std::io::Error| InstallError::Io {
        path: target.clone(),
        source,
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentgate-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    let perms = match std::fs::metadata(&target) {
        Ok(m) => Some(m.permissions()),
        Err(_) => new_file_permissions(mode),
    };
    if let Some(p) = perms {
        std::fs::set_permissions(tmp.path(), p).map_err(io)?;
    }
    tmp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions(mode: u32) -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn new_file_permissions(_mode: u32) -> Option<std::fs::Permissions> {
    // No mode bits elsewhere: a new file keeps the default.
    None
}
