//! agentgate-core: the domain of agentgate, with no network and no terminal.
//!
//! - [`policy`]: the policy store (config, schema, policies with ids and
//!   locations, the built-in floor), validation and lints;
//! - [`request`]: the one request builder every caller shares;
//! - [`decide`]: allow / deny / confirm and who must sign off;
//! - [`testing`]: policy test suites (agentgate's TOML and Cedar's formats);
//! - [`format`]: formatting policy files without losing comments;
//! - [`init`]: scaffolding a repository.

// Diagnostics are returned on cold paths only; boxing them would make every
// construction site noisier for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod catalog;
pub mod codeowners;
pub mod command;
pub mod config;
pub mod decide;
pub mod decision_log;
pub mod diag;
pub mod format;
pub mod gate;
pub mod git;
pub mod hook;
pub mod identity;
pub mod init;
pub mod policy;
pub mod request;
pub mod signoff;
pub mod source;
pub mod testing;
pub mod tools;
pub mod tree;
