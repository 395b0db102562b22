//! The gate (DESIGN §4): judge every commit of `base..head` against the
//! policies of the base commit, and block the merge until the right humans
//! have signed off.
//!
//! ```text
//! (base, head) -> policy set + config from the BASE tree (git objects)
//!              -> commits in base..head -> per commit: identities + changed paths
//!              -> requests (principal x action x File) -> Cedar -> per-path verdicts
//!              -> what merges carry -> sign-offs -> report -> exit code
//! ```
//!
//! [`Session`] is the one way in: the CLI opens one and judges it with
//! [`Offline`] facts, a forge adapter opens one, gathers what its forge
//! knows, and judges it with its own [`Forge`].

pub mod carried;
mod findings;
mod forge;
pub mod identity;
mod judge;
mod session;
pub mod signoff;

use std::path::Path;

use gix::ObjectId;
use thiserror::Error;

use crate::diag::Diags;
use crate::git::{GitError, short};
use crate::request::RequestError;

pub use findings::{Blocked, CommitReport, GateReport, GateVerdict, PolicyRef, Summary};
pub use forge::{CommitFacts, Forge, Offline};
pub use judge::{Judge, principals};
pub use session::{Revs, Session, load_store};

/// Why the gate could not decide. Every variant is a block (exit 2).
#[derive(Debug, Error)]
pub enum GateError {
    /// Git could not give what the gate needs.
    #[error("{0}")]
    Git(#[from] GitError),
    /// The policies at the policy commit are unusable.
    #[error("the policies at {commit} cannot be used:\n{diags}")]
    Policies {
        /// The commit they were read from.
        commit: String,
        /// What is wrong with them.
        diags: Diags,
    },
    /// The reviews cannot be put in order.
    #[error("{0}")]
    Reviews(#[from] crate::gate::signoff::ReviewTimeError),
    /// A worker judging commits panicked (a bug): nothing it judged can be
    /// trusted, so the gate blocks.
    #[error("a worker judging commits failed internally (a bug: please report it)")]
    WorkerPanicked,
    /// A request could not be built or evaluated.
    #[error("cannot evaluate {what}: {source}")]
    Request {
        /// Which change.
        what: String,
        /// Why.
        source: RequestError,
    },
}

/// What to judge: the range, and where its policies are.
#[derive(Debug, Clone, Default)]
pub struct GateInput {
    /// Base revision: commits it has are not judged.
    pub base: String,
    /// Head revision.
    pub head: String,
    /// Where to read policies, schema and config (default: `base`). Must
    /// not come from the change under review.
    pub policy_rev: Option<String>,
    /// Where the config is in the policy commit's tree (default
    /// `agentgate.toml`).
    pub config_path: Option<String>,
}

/// Run the gate on the repository at `path` with what `forge` knows.
pub fn run(path: &Path, input: &GateInput, forge: &dyn Forge) -> Result<GateReport, GateError> {
    Session::open(path, input)?.judge(forge)
}

/// A commit id shortened for display (7 hex digits).
pub fn short_id(id: &str) -> String {
    match id.parse::<ObjectId>() {
        Ok(o) => short(&o),
        Err(_) => id.chars().take(7).collect(),
    }
}
