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
mod hooks;
mod mcp;
mod runtime;
mod toolkit;
