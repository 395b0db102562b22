//! agentgate-github: run the gate for a GitHub pull request (or merge queue
//! group) from a workflow, with facts from GitHub's REST API (octocrab):
//! the pull request, the accounts linked to its commits, reviews, team
//! membership; and report where GitHub users look: a check run, the job
//! summary, one PR comment updated in place, and action outputs.
//!
//! The commit list and the changes come from git (agentgate-core), never
//! from the API: the API caps listings at 250 commits and only supplies
//! account links.

pub mod api;
pub mod env;
pub mod event;
pub mod facts;
pub mod fetch;
pub mod outputs;
mod publish;
pub mod queries;
pub mod runner;

pub use runner::{CommentMode, Options, Outcome, RunError, Verdict, run};
