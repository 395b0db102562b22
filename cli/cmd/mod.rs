//! The subcommands: argument definitions and dispatch. Each module turns its
//! arguments into calls to agentgate-core and prints the result.

mod audit;
mod check;
mod diff;
mod fmt;
mod gate;
mod github;
mod hook;
mod init;
mod test;
mod tools;
mod validate;

use std::path::{Path, PathBuf};

use agentgate_core::diag::Diags;
use agentgate_core::file_tree::DirTree;
use agentgate_core::policy::PolicyStore;
use clap::{Parser, Subcommand};

use crate::exit::Exit;
use crate::repo;

/// Git-native policy-as-code for AI agents: Cedar policies in the
/// repository decide what agents may change and do.
#[derive(Debug, Parser)]
#[command(name = "agentgate", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Repository root (default: nearest directory upwards with
    /// agentgate.toml, else the git work tree, else the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    repo: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and strictly validate the policies against the schema, with lints.
    Validate(validate::Args),
    /// Format policy files (cedar-policy-formatter); --check lists unformatted files.
    Fmt(fmt::Args),
    /// Run policy test suites (agentgate TOML, cedar run-tests JSON, cedar-integration-tests JSON).
    Test(test::Args),
    /// Answer allow / deny / confirm for one request.
    Check(check::Args),
    /// Scaffold config, schema, reference policies and tests into a repository.
    Init(init::Args),
    /// Judge the agent commits of base..head against the base commit's policies.
    Gate(gate::Args),
    /// Show, and prove, what a policy change grants: OLD and NEW revisions (or directories).
    Diff(diff::Args),
    /// List agent commits in history that touched protected paths.
    Audit(audit::Args),
    /// Gate a pull request inside GitHub Actions (reviews, accounts, teams, check run).
    Github(github::Args),
    /// Answer an agent harness's pre-tool-use hook: allow, deny or ask.
    Hook(hook::Args),
    /// Work with the tool catalog: `tools import` types an MCP server's tools.
    Tools(tools::Args),
}

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Exit {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let ctx = Ctx {
        root: repo::find_root(cli.repo.as_deref(), &cwd),
        explicit_repo: cli.repo.is_some(),
        cwd,
    };
    match cli.command {
        Command::Validate(a) => validate::run(&ctx, a),
        Command::Fmt(a) => fmt::run(&ctx, a),
        Command::Test(a) => test::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Init(a) => init::run(&ctx, a),
        Command::Gate(a) => gate::run(&ctx, a),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::Github(a) => github::run(&ctx, a),
        Command::Hook(a) => hook::run(&ctx, a),
        Command::Tools(a) => tools::run(&ctx, a),
    }
}

/// Where a command runs.
pub struct Ctx {
    /// The repository root.
    pub root: PathBuf,
    /// Whether `--repo` was given.
    pub explicit_repo: bool,
    /// The current directory.
    pub cwd: PathBuf,
}

impl Ctx {
    /// Load the policy store from the work tree.
    pub fn load_store(&self) -> Result<PolicyStore, Diags> {
        PolicyStore::load(&DirTree::new(&self.root))
    }

    /// A path relative to the current directory when possible, for display.
    pub fn show(&self, p: &Path) -> String {
        p.strip_prefix(&self.cwd).unwrap_or(p).display().to_string()
    }
}
