//! agentgate: git-native policy-as-code for AI agents.
//!
//! This binary is a thin clap front end; the domain lives in agentgate-core
//! (and agentgate-github). Each subcommand is one module under `cmd/`.

// Diagnostics travel on cold error paths only (see agentgate-core).
#![allow(clippy::result_large_err)]

mod cmd;
mod exit;
mod output;
mod repo;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    output::install_miette_hook();
    let code = cmd::run(cli);
    ExitCode::from(code as u8)
}
