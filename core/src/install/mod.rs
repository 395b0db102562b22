//! `agentgate install-hooks`: wire `agentgate hook <harness>` into a
//! harness by writing or merging its own settings file.
//!
//! ```text
//! harness -> its wiring file (wiring.rs) -> read and parse what is there
//!         -> merge one entry per event (merge.rs), keeping everything else
//!         -> unchanged? nothing written : atomic write (write.rs)
//! ```
//!
//! A file that cannot be parsed is never overwritten: the command stops
//! and says so. Running it twice leaves one entry per event. Where the
//! harness has a fail-closed setting (Cursor's `failClosed`) it is turned
//! on, and every entry carries a timeout where the harness has one.

pub mod json_doc;
mod merge;
mod wiring;
mod write;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::hook::Harness;
use json_doc::{Doc, indent_of};

/// How long a harness waits for the hook, in seconds (agentgate answers
/// in milliseconds; the margin covers a cold start on a loaded machine).
pub const TIMEOUT_SECS: u64 = 30;

/// What to install, beyond the harness.
#[derive(Debug, Clone)]
pub struct Options {
    /// The command the wiring runs (`agentgate`, or a path to it).
    pub command: String,
    /// The file to write instead of the harness's usual one.
    pub file: Option<PathBuf>,
    /// The home directory (OpenClaw's configuration lives under it).
    pub home: Option<PathBuf>,
    /// OpenClaw's configuration file, when the environment names it
    /// (`OPENCLAW_CONFIG_PATH`, or `openclaw.json` in `OPENCLAW_STATE_DIR`).
    pub openclaw_config: Option<PathBuf>,
    /// OpenClaw: the agentgate plugin's directory, added to the plugin
    /// load paths.
    pub plugin_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            command: "agentgate".into(),
            file: None,
            home: None,
            openclaw_config: None,
            plugin_dir: None,
        }
    }
}

/// What was installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The file written (or found already wired).
    pub path: PathBuf,
    /// Whether it changed.
    pub changed: bool,
    /// The events wired.
    pub events: Vec<&'static str>,
    /// What the user should know about this harness's wiring.
    pub notes: Vec<String>,
}

/// The wiring cannot be installed; nothing was written.
#[derive(Debug, Error)]
pub enum InstallError {
    /// The file is there but is not JSON agentgate can read.
    #[error(
        "{path} is not valid JSON ({error}); agentgate does not overwrite a file it cannot read: fix it, or add the entry by hand (see README, `agentgate install-hooks`)"
    )]
    Unparsable {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        error: String,
    },
    /// A key the wiring goes under holds something else.
    #[error(
        "`{at}` in {path} is not {expected}; agentgate does not overwrite it: fix it, or add the entry by hand"
    )]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The key path (`hooks.PreToolUse`).
        at: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A hook script that is not agentgate's is already there.
    #[error(
        "{path} already exists and is not agentgate's; the harness runs one script per hook, so agentgate does not replace it: add `{command}` to it yourself"
    )]
    ForeignScript {
        /// The script.
        path: PathBuf,
        /// What to add.
        command: String,
    },
    /// OpenClaw's configuration lives in the home directory, which is not
    /// known.
    #[error(
        "no home directory is known (HOME and OPENCLAW_HOME are unset); pass --file with OpenClaw's config path"
    )]
    NoHome,
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The command line the wiring runs: `<command> hook <harness>`, the
/// command quoted for a shell when it needs it.
pub fn hook_command(command: &str, harness: Harness) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c);
    let program = if !command.is_empty() && command.chars().all(safe) {
        command.to_string()
    } else {
        format!("'{}'", command.replace('\'', r"'\''"))
    };
    format!("{program} hook {}", harness.name())
}

/// Install the wiring for `harness` into the repository at `repo`.
pub fn install(harness: Harness, repo: &Path, opts: &Options) -> Result<Installed, InstallError> {
    let plan = wiring::plan(harness, repo, opts)?;
    let path = plan.path;
    match plan.kind {
        wiring::Kind::Script(text) => install_script(&path, &text, plan.events, plan.notes),
        wiring::Kind::Json { fresh, merge } => {
            let old = match std::fs::read_to_string(write::real_path(&path)) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => return Err(InstallError::Io { path, source }),
            };
            let (mut doc, indent) = match &old {
                Some(text) if !text.trim().is_empty() => {
                    let doc = Doc::parse(text).map_err(|e| InstallError::Unparsable {
                        path: path.clone(),
                        error: e.to_string(),
                    })?;
                    if !matches!(doc, Doc::Object(_)) {
                        return Err(InstallError::WrongType {
                            path,
                            at: "the top level".into(),
                            expected: "an object",
                        });
                    }
                    (doc, indent_of(text))
                }
                _ => (fresh, "  ".to_string()),
            };
            merge(&mut doc, &path)?;
            let text = doc.to_pretty(&indent);
            let changed = old.as_deref() != Some(text.as_str());
            if changed {
                write::atomic_write(&path, &text, 0o644)?;
            }
            Ok(Installed {
                path,
                changed,
                events: plan.events,
                notes: plan.notes,
            })
        }
    }
}

fn install_script(
    path: &Path,
    text: &str,
    events: Vec<&'static str>,
    notes: Vec<String>,
) -> Result<Installed, InstallError> {
    let io = |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    };
    let old = match std::fs::read_to_string(write::real_path(path)) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(io(source)),
    };
    if let Some(old) = &old
        && old != text
    {
        return Err(InstallError::ForeignScript {
            path: path.to_path_buf(),
            command: wiring::script_command(text),
        });
    }
    let changed = old.is_none() || !executable(path);
    if changed {
        write::atomic_write(path, text, 0o755)?;
        make_executable(path).map_err(io)?;
    }
    Ok(Installed {
        path: path.to_path_buf(),
        changed,
        events,
        notes,
    })
}

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 == 0o111)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut p = std::fs::metadata(path)?.permissions();
    p.set_mode(p.mode() | 0o755);
    std::fs::set_permissions(path, p)
}

#[cfg(not(unix))]
fn executable(_path: &Path) -> bool {
    true
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_quoted_only_when_they_need_it() {
        assert_eq!(
            hook_command("agentgate", Harness::Codex),
            "agentgate hook codex"
        );
        assert_eq!(
            hook_command("/opt/my tools/agentgate", Harness::Cursor),
            "'/opt/my tools/agentgate' hook cursor"
        );
        assert_eq!(hook_command("it's", Harness::Kiro), r"'it'\''s' hook kiro");
    }
}
