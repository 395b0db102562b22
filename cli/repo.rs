//! Finding the repository a command works on: `--repo`, else the nearest
//! directory upwards holding `agentgate.toml`, else the enclosing git work
//! tree, else the current directory.

use std::path::{Path, PathBuf};

pub use agentgate_core::policy::config::find_config_dir;

/// The repository root for `explicit` (from `--repo`) or `start`.
pub fn find_root(explicit: Option<&Path>, start: &Path) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = find_config_dir(start) {
        return p;
    }
    let mut cur = Some(start);
    while let Some(dir) = cur {
        if dir.join(".git").exists() {
            return dir.to_path_buf();
        }
        cur = dir.parent();
    }
    start.to_path_buf()
}
