//! The integration tests, one binary (so `tests/it/common` compiles once):
//! each module runs the real `agentgate` binary on real git repositories,
//! real HTTP servers and real MCP peers made in temporary directories.

mod common;

mod audit;
mod cedar_oracle;
mod diff;
mod fuzz;
mod gate;
mod gate_soundness;
mod github;
mod github_adoption;
mod harnesses;
mod hooks;
mod install;
mod install_hooks;
mod mcp;
mod runtime;
mod shortcuts;
mod toolkit;
