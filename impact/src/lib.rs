//! agentgate-impact: when a change edits the policies, the reviewers' real
//! question is what agents can now do that they could not before. This
//! crate answers it twice:
//!
//! - **concretely** ([`concrete`]): both policy sets are asked about every
//!   path of both trees, every agent and human the catalog and configs
//!   know, every action that applies to files, with and without each
//!   sign-off and confirmation, and about every test-suite case; the
//!   answers that changed are grouped into sentences ("Agent copilot may
//!   now modify 14 files under .github/ without sign-off");
//! - **symbolically** ([`proof`]): Cedar's symbolic compiler and cvc5 decide,
//!   for every request environment of the schema, whether the new set allows
//!   anything the old does not, over all possible requests and entities.
//!
//! Policies, schema and config come from each side's tree: a git revision
//! (as the gate reads them, as objects) or a directory.

pub mod concrete;
pub mod proof;
mod side;

use std::time::Duration;

use agentgate_core::diag::Diags;
use agentgate_core::git::Repo;
use serde::Serialize;
use thiserror::Error;

pub use side::Side;

/// Why a comparison could not be made.
#[derive(Debug, Error)]
pub enum ImpactError {
    /// A side's policies are unusable.
    #[error("the policies of {side} cannot be used:\n{diags}")]
    Policies {
        /// Which side.
        side: String,
        /// What is wrong.
        diags: Diags,
    },
    /// Git could not give a side.
    #[error("{0}")]
    Git(#[from] agentgate_core::git::GitError),
    /// A file could not be read.
    #[error("{0}")]
    Read(String),
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run the symbolic proof.
    pub prove: bool,
    /// Why not, when `prove` is false (shown in the report).
    pub skipped_because: Option<String>,
    /// Per solver query.
    pub solver_timeout: Duration,
    /// Most paths judged concretely.
    pub max_paths: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            prove: true,
            skipped_because: None,
            solver_timeout: Duration::from_secs(30),
            max_paths: 20_000,
        }
    }
}

/// Overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Something is granted that was not (concretely or by the proof).
    Widening,
    /// Only less is granted.
    Narrowing,
    /// No change found.
    Unchanged,
}

/// Where a side came from.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// `commit abc1234` or `directory /x`.
    pub label: String,
    /// The commit, when from git.
    pub commit: Option<String>,
    /// Policies in the set (the floor included).
    pub policies: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// widening / narrowing / unchanged.
    pub verdict: Verdict,
    /// The old side.
    pub old: SideInfo,
    /// The new side.
    pub new: SideInfo,
    /// Changed answers on the real request universe and the test cases.
    pub concrete: concrete::Concrete,
    /// The symbolic proof.
    pub proof: proof::Proof,
}

impl SideInfo {
    fn of(side: &Side) -> SideInfo {
        SideInfo {
            label: side.label.clone(),
            commit: side.commit.clone(),
            policies: side.store.policies.policies().count(),
        }
    }
}

/// Compare two sides.
pub fn compare(old: &Side, new: &Side, opts: &Options) -> Impact {
    let concrete = concrete::compare(old, new, opts.max_paths);
    let proof = if opts.prove {
        proof::prove(old, new, opts.solver_timeout)
    } else {
        proof::Proof {
            status: proof::Status::Skipped,
            message: opts
                .skipped_because
                .clone()
                .unwrap_or_else(|| "no proof asked for (--no-prove)".into()),
            envs: Vec::new(),
        }
    };
    let widened = !concrete.widened.is_empty()
        || concrete
            .cases
            .iter()
            .any(|c| c.direction == concrete::Direction::Widening)
        || proof.status == proof::Status::Widening;
    let narrowed = !concrete.narrowed.is_empty()
        || concrete
            .cases
            .iter()
            .any(|c| c.direction == concrete::Direction::Narrowing)
        || proof
            .envs
            .iter()
            .any(|e| e.narrowing == proof::Outcome::Found);
    Impact {
        verdict: if widened {
            Verdict::Widening
        } else if narrowed {
            Verdict::Narrowing
        } else {
            Verdict::Unchanged
        },
        old: SideInfo::of(old),
        new: SideInfo::of(new),
        concrete,
        proof,
    }
}

/// Compare the policies of two revisions of `repo` (git objects only).
pub fn between_revs(
    repo: &Repo,
    old: &str,
    new: &str,
    opts: &Options,
) -> Result<Impact, ImpactError> {
    let a = repo.resolve(old)?;
    let b = repo.resolve(new)?;
    let old = Side::load(&repo.tree_at(a)?, Some(a.to_string()))?;
    let new = Side::load(&repo.tree_at(b)?, Some(b.to_string()))?;
    Ok(compare(&old, &new, opts))
}

/// The impact section of a gate run over `base..head` (when the range
/// changes the policy files): the report, or why there is none. Either way
/// it only informs; it never changes the gate's verdict.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum GateImpact {
    /// The comparison of base's and head's policies.
    Report(Box<Impact>),
    /// Why there is none (e.g. the head's policies do not parse).
    Error {
        /// What went wrong.
        error: String,
    },
}

/// The impact section of a gate run over `base..head`: base's policies are
/// the ones the gate already loaded (`base_store`), head's are read from
/// the same repository.
pub fn for_gate(
    repo: &Repo,
    base_store: &agentgate_core::policy::PolicyStore,
    base: agentgate_core::git::ObjectId,
    head: agentgate_core::git::ObjectId,
    opts: &Options,
) -> GateImpact {
    let result = (|| -> Result<Impact, ImpactError> {
        let old = Side::with_store(
            &repo.tree_at(base)?,
            Some(base.to_string()),
            base_store.clone(),
        )?;
        let new = Side::load(&repo.tree_at(head)?, Some(head.to_string()))?;
        Ok(compare(&old, &new, opts))
    })();
    match result {
        Ok(i) => GateImpact::Report(Box::new(i)),
        Err(e) => GateImpact::Error {
            error: e.to_string(),
        },
    }
}
