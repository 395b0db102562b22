//! agentgate-core: the domain of agentgate, with no network and no terminal.
//!
//! Where things are, from the bottom up (each layer uses only those below):
//!
//! - [`vocab`]: the shared vocabulary: principals, resources, sign-offs,
//!   verdicts, Cedar uids;
//! - [`diag`]: located diagnostics (file, line, snippet) for every input
//!   error;
//! - [`file_tree`]: where files are read from: a directory or a commit;
//! - [`policy`]: the policy store (config, schema, policies with ids and
//!   locations, the built-in floor, the agent catalog, CODEOWNERS),
//!   validation, lints and the formatter;
//! - [`request`]: the one request builder every caller shares (context
//!   defaults, entities, shell analysis);
//! - [`decide`]: allow / deny / confirm and who must sign off;
//! - [`git`]: reading a repository as git objects (revisions, ranges,
//!   changes, trees);
//! - [`gate`]: judging a range of commits (identities, sign-offs, merges,
//!   the report), with the facts a forge supplies through [`gate::Forge`];
//!   [`audit`] walks history with the same judge;
//! - [`tools`]: tool calls as requests (the tool catalog), for [`hook`]
//!   and the MCP proxy; [`decision_log`] records what was decided;
//! - [`testing`]: policy test suites (agentgate's TOML, gate scenarios,
//!   Cedar's formats); [`init`]: scaffolding a repository; [`install`]:
//!   wiring the hook into a harness's settings.

// Diagnostics are returned on cold paths only; boxing them would make every
// construction site noisier for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod decide;
pub mod decision_log;
pub mod diag;
pub mod file_tree;
pub mod gate;
pub mod git;
pub mod hook;
pub mod init;
pub mod install;
pub mod policy;
pub mod request;
pub mod testing;
pub mod tools;
pub mod vocab;

pub use decide::{Answer, Decider, Probe};
pub use gate::{GateReport, GateVerdict};
pub use policy::PolicyStore;
pub use request::{Builder, Req};
pub use vocab::{FileKind, Principal, Resource, Signer, Verdict};
