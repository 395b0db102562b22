//! agentgate-github: run the gate for a GitHub pull request, a merge queue
//! group, or the pull requests a relayed review points at, from a workflow,
//! with facts from GitHub's API (octocrab): the pull request, the accounts
//! linked to its commits, reviews (from accounts that can push), team
//! membership, merge queue entries; and report where GitHub users look: a
//! check run, the job summary, one PR comment updated in place, and action
//! outputs.
//!
//! The commit list and the changes come from git (agentgate-core), never
//! from the API: the API caps listings at 250 commits and only supplies
//! account links.

pub mod access;
pub mod api;
pub mod env;
pub mod event;
pub mod facts;
pub mod fetch;
pub mod group;
pub mod outputs;
mod publish;
pub mod pull;
pub mod queries;
pub mod runner;

pub use runner::{CommentMode, Options, Outcome, Prover, RunError, Verdict, run};
