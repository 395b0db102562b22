//! Make sure the commits to judge are in the runner's clone: fetch the pull
//! request's head (`refs/pull/N/head`) and the base when they are missing.
//!
//! This is the one place agentgate runs the `git` program rather than gix:
//! the runner's clone carries the credentials `actions/checkout` configured
//! for git (an `http.extraheader`), and fetching over HTTPS with gix would
//! pull in a whole HTTP transport to do what git on the runner already does.
//! A fetch only transfers objects; nothing fetched is checked out or run,
//! and hooks never run on fetch.

use std::path::Path;
use std::process::Command;

use agentgate_core::git::Repo;

/// What to fetch: a commit that must end up present, and the refspec that
/// brings it.
#[derive(Debug, Clone)]
pub struct Want {
    /// Commit id that must be present.
    pub commit: String,
    /// What to ask the remote for (a ref or the commit id itself).
    pub refspec: String,
}

/// Whether `commit` is in the repository at `workspace`.
fn present(workspace: &Path, commit: &str) -> bool {
    Repo::open(workspace)
        .and_then(|r| r.resolve(commit))
        .is_ok_and(|id| id.to_string().eq_ignore_ascii_case(commit))
}

/// Fetch what is missing from `origin`. Returns the refspecs fetched.
pub fn ensure(workspace: &Path, wants: &[Want]) -> Result<Vec<String>, FetchError> {
    let missing: Vec<&Want> = wants
        .iter()
        .filter(|w| !present(workspace, &w.commit))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(workspace).args([
        "-c",
        "core.hooksPath=/dev/null",
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-recurse-submodules",
        "origin",
    ]);
    for w in &missing {
        cmd.arg(&w.refspec);
    }
    let out = cmd.output().map_err(FetchError::Spawn)?;
    if !out.status.success() {
        return Err(FetchError::Failed {
            refspecs: missing
                .iter()
                .map(|w| w.refspec.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    for w in &missing {
        if !present(workspace, &w.commit) {
            return Err(FetchError::StillMissing {
                commit: w.commit.clone(),
                refspec: w.refspec.clone(),
            });
        }
    }
    Ok(missing.iter().map(|w| w.refspec.clone()).collect())
}

/// The missing commits could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// `git` could not be run.
    #[error("cannot run git to fetch the missing commits: {0}")]
    Spawn(std::io::Error),
    /// `git fetch` failed.
    #[error("`git fetch origin {refspecs}` failed: {stderr}")]
    Failed {
        /// What was asked for.
        refspecs: String,
        /// What git said.
        stderr: String,
    },
    /// The fetch succeeded but did not bring the commit.
    #[error("commit {commit} is still missing after `git fetch origin {refspec}`")]
    StillMissing {
        /// The commit.
        commit: String,
        /// What was fetched.
        refspec: String,
    },
}
