//! What the gate found: the verdict, every change that needs sign-off, the
//! judged commits and the sign-offs that count. Serialised as the gate's
//! JSON report (its shape is documented in the README).

use std::collections::BTreeMap;

use serde::Serialize;

use super::identity::AgentHit;
use super::signoff::SignOffs;
use crate::git::Person;
use crate::git::changes::Change;

/// pass or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateVerdict {
    /// Nothing needs more sign-off.
    Pass,
    /// Something does.
    Block,
}

/// One judged commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitReport {
    /// Full id.
    pub id: String,
    /// First line of the message.
    pub subject: String,
    /// Author.
    pub author: Person,
    /// Agents involved, and how each was recognised.
    pub agents: Vec<AgentHit>,
    /// When no agent is involved: the human it is judged as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    /// Paths it changes.
    pub changes: Vec<Change>,
    /// How many (principal, path) requests were denied.
    pub blocked: usize,
}

/// A change that needs sign-off (or can never be made).
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    /// Commit id.
    pub commit: String,
    /// Path.
    pub path: String,
    /// create / modify / delete.
    pub action: String,
    /// The agent it was judged as (`null` for a human's commit).
    pub agent: Option<String>,
    /// The human it was judged as, for a human's commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    /// `File.kind`.
    pub kind: String,
    /// For the create half of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For the delete half of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// A merge carries this version from outside the range (judged as the
    /// merge's change, relative to the base).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// The policies that denied it (empty: no permit applied).
    pub policies: Vec<String>,
    /// Whose sign-off would allow it: team names, `a+b`, or `*` (any
    /// eligible human). Empty: no sign-off would.
    pub signoff_from: Vec<String>,
    /// Policies whose evaluation failed for this request (a `forbid` that
    /// errors counts as applying).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::decide::PolicyError>,
}

/// Counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Commits in the range.
    pub commits: usize,
    /// Of which involve an agent.
    pub agent_commits: usize,
    /// Changed paths over all commits.
    pub changes: usize,
    /// Requests evaluated (a change times each principal).
    pub requests: usize,
    /// Requests denied.
    pub blocked: usize,
}

/// Where a policy is and what it is for.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    /// `file:line` or `<built-in floor>`.
    pub location: String,
    /// Its intent comment.
    pub intent: Option<String>,
}

/// The gate's answer.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// pass or block.
    pub verdict: GateVerdict,
    /// Base commit id.
    pub base: String,
    /// Head commit id.
    pub head: String,
    /// The commit policies, schema and config were read from.
    pub policy_commit: String,
    /// Counts.
    pub summary: Summary,
    /// Every change that needs sign-off.
    pub blocked: Vec<Blocked>,
    /// Sign-offs that count, and reviews that do not (with why).
    pub signoffs: SignOffs,
    /// The judged commits, oldest first.
    pub commits: Vec<CommitReport>,
    /// The policies named in `blocked`.
    pub policies: BTreeMap<String, PolicyRef>,
    /// Whether the range changes the policy set's files (policy directory,
    /// schema, config).
    pub policy_files_changed: bool,
}
