//! Merge queue groups. A group is the base branch plus one or more queued
//! pull requests, merged by GitHub's queue into commits of its own. Those
//! commits are GitHub's machinery, not anyone's work: judging them as
//! authored would make the maintainer who queued an agent's pull request
//! its "author" (and so unable to approve it), and would let one pull
//! request's approvals cover another's changes. So a group is judged as
//! GitHub's queue builds it:
//!
//! 1. its pull requests are the queue's own entries (GitHub's GraphQL
//!    `mergeQueue`, never the queue ref's name or a commit message), those
//!    whose entry commit lies in `base..head`, and the group's head must be
//!    one of them;
//! 2. each pull request must pass on its own, with its own approvals, under
//!    the policies of the group's base;
//! 3. every path the group changes (`base` to `head`) must be one a pull
//!    request of the group changed and was judged for; a path no pull
//!    request touched (content the queue's merges carried from elsewhere)
//!    blocks the group.

use std::collections::BTreeSet;

use agentgate_core::gate::GateReport;
use agentgate_core::git::changes::Differ;
use agentgate_core::git::{ObjectId, Repo, walk};

use crate::env::RunnerEnv;
use crate::fetch::{self, Want};
use crate::pull::Ctx;
use crate::queries;
use crate::runner::RunError;

/// A group, resolved.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its base commit.
    pub base: String,
    /// Its head commit.
    pub head: String,
    /// Its pull requests, in queue order.
    pub pulls: Vec<u64>,
}

/// Why a group cannot be judged.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// The group's head is no entry of the queue.
    #[error(
        "merge group head {head} is not an entry of {branch}'s merge queue as GitHub lists it ({entries} entries); nothing vouches for what it holds"
    )]
    NotQueued {
        /// The head.
        head: String,
        /// The base branch.
        branch: String,
        /// How many entries GitHub listed.
        entries: usize,
    },
    /// Paths the group changes that none of its pull requests changed.
    #[error(
        "the merge group changes {} path(s) that none of its pull requests changed, so no judgement covers them: {}",
        paths.len(),
        paths.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
    )]
    Unattributed {
        /// The paths.
        paths: Vec<String>,
    },
    /// The group's head and its branch share no history.
    #[error("merge group head {head} shares no history with branch {branch}")]
    Unrelated {
        /// The head.
        head: String,
        /// The base branch.
        branch: String,
    },
    /// Git could not answer.
    #[error(transparent)]
    Git(#[from] agentgate_core::git::GitError),
}

/// Find the group's base and its pull requests. `base` is the event's
/// `merge_group.base_sha` when it has one; a relayed group's base is where
/// its head meets the base branch's tip (as GitHub reports the branch).
pub async fn resolve(
    cx: &Ctx<'_>,
    branch: &str,
    base: Option<String>,
    head: &str,
    head_ref: &str,
    log: &mut Vec<String>,
) -> Result<Group, RunError> {
    let (env, opts, api) = (cx.env, cx.opts, cx.api);
    // Where the group starts: the event's word for a direct merge_group
    // run, else where its head meets the branch's tip as GitHub reports it.
    let (start, given) = match base {
        Some(b) => (b, true),
        None => (queries::branch_tip(api, branch).await?, false),
    };
    if !opts.no_fetch {
        let wants = [
            Want {
                commit: head.to_string(),
                refspec: format!("+{head_ref}:refs/remotes/agentgate/queue"),
            },
            Want {
                commit: start.clone(),
                refspec: format!("+refs/heads/{branch}:refs/remotes/agentgate/base"),
            },
        ];
        for f in fetch::ensure(&env.workspace, &wants)? {
            log.push(format!("fetched {f}"));
        }
    }
    let repo = Repo::open(&env.workspace).map_err(GroupError::from)?;
    let head_id = repo.resolve(head).map_err(GroupError::from)?;
    let start_id = repo.resolve(&start).map_err(GroupError::from)?;
    let base_id = if given {
        start_id
    } else {
        repo.merge_base(head_id, start_id)
            .map_err(GroupError::from)?
            .ok_or(GroupError::Unrelated {
                head: head_id.to_string(),
                branch: branch.to_string(),
            })?
    };
    let in_range: BTreeSet<String> = walk::range(&repo, base_id, head_id)
        .map_err(GroupError::from)?
        .iter()
        .map(ObjectId::to_string)
        .collect();
    let entries = queries::merge_queue(api, branch).await?;
    if !entries.iter().any(|e| {
        e.head_commit
            .parse::<ObjectId>()
            .is_ok_and(|c| c == head_id)
    }) {
        return Err(GroupError::NotQueued {
            head: head_id.to_string(),
            branch: branch.to_string(),
            entries: entries.len(),
        }
        .into());
    }
    let mut pulls = Vec::new();
    for e in &entries {
        if in_range.contains(&e.head_commit) && !pulls.contains(&e.number) {
            pulls.push(e.number);
        }
    }
    Ok(Group {
        base: base_id.to_string(),
        head: head_id.to_string(),
        pulls,
    })
}

/// The paths the group changes that none of `judged` changed.
pub fn unattributed(
    env: &RunnerEnv,
    group: &Group,
    judged: &[&GateReport],
) -> Result<Vec<String>, GroupError> {
    let repo = Repo::open(&env.workspace)?;
    let (base, head) = (repo.resolve(&group.base)?, repo.resolve(&group.head)?);
    let covered: BTreeSet<&str> = judged
        .iter()
        .flat_map(|r| r.commits.iter())
        .flat_map(|c| c.changes.iter())
        .map(|c| c.path.as_str())
        .collect();
    let mut out: Vec<String> = Differ::new()
        .between(&repo, base, head)?
        .into_iter()
        .map(|c| c.path)
        .filter(|p| !covered.contains(p.as_str()))
        .collect();
    out.dedup();
    Ok(out)
}
