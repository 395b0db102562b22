//! agentgate: git-native policy-as-code for AI agents.
//!
//! This binary is a thin clap front end; the domain lives in agentgate-core
//! (and agentgate-github). Each subcommand is one module under `cmd/`.

// Diagnostics travel on cold error paths only (see agentgate-core).
#![allow(clippy::result_large_err)]

#[macro_use]
mod output;
mod cmd;
mod exit;
mod repo;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the platform's allocator: a gate or audit run makes
/// millions of small, short-lived allocations (object buffers, paths,
/// requests), where glibc's malloc cost ~10% of the CPU, and musl's (the
/// static Linux release) is slower still.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    output::install_miette_hook();
    // A bug must not turn into an exit code a caller does not expect (101):
    // a panic is reported and exits 2, which no caller takes for a pass.
    match std::panic::catch_unwind(|| cmd::run(cli)) {
        Ok(code) => ExitCode::from(code as u8),
        Err(_) => {
            errln!(
                "agentgate: internal error (a bug; please report it with the command that caused it); nothing was decided"
            );
            ExitCode::from(exit::Exit::Input as u8)
        }
    }
}
