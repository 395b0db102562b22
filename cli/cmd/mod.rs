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
mod install_hooks;
mod mcp;
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

/// What every command's exit status means.
const EXIT_CODES: &str = "\
Exit codes:
  0  success: valid, formatted, tests passed, allow, pass
  1  the policy said no: deny, block, failed tests, a widening policy change, audit findings
  2  usage or input error (never a pass): bad flag, invalid file, unusable policies, git error
  3  confirm: a human must confirm first";

/// Git-native policy-as-code for AI agents: Cedar policies in the
/// repository decide what agents may change and do.
#[derive(Debug, Parser)]
#[command(
    name = "agentgate",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:
  agentgate init && agentgate validate && agentgate test
  agentgate check --principal agent:copilot --action modify --resource .github/workflows/ci.yml
  agentgate gate --base origin/main --head HEAD
  echo '{...PreToolUse payload...}' | agentgate hook claude-code

Exit codes: 0 success/allow/pass, 1 deny/block/failed, 2 usage or input error (never a pass), 3 confirm.
More: `agentgate <command> --help`, and README.md."
)]
pub struct Cli {
    /// Repository root (default: the outermost git work tree above the
    /// current directory holding an agentgate.toml, else the git work tree,
    /// else the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    repo: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and strictly validate the policies against the schema, with lints.
    #[command(after_help = format!("Example:\n  agentgate validate --format json\n\n{EXIT_CODES}"))]
    Validate(validate::Args),
    /// Format policy files (cedar-policy-formatter); --check lists unformatted files.
    #[command(after_help = format!("Example:\n  agentgate fmt --check\n\n{EXIT_CODES}"))]
    Fmt(fmt::Args),
    /// Run policy test suites (agentgate TOML, cedar run-tests JSON, cedar-integration-tests JSON).
    #[command(after_help = format!("Examples:\n  agentgate test --min-coverage 100\n  agentgate test tests/policies/incidents.toml --format junit > junit.xml\n\n{EXIT_CODES}"))]
    Test(test::Args),
    /// Answer allow / deny / confirm for one request.
    #[command(after_help = format!("Examples:\n  agentgate check --principal agent:copilot --action modify --resource .github/workflows/ci.yml\n  agentgate check --principal agent:bot --action post --resource 'Channel::\"slack:#general\"'\n  printf '%s\\n' '{{\"principal\":\"agent:x\",\"action\":\"run\",\"resource\":\"Command::\\\"git push -f\\\"\"}}' | agentgate check --stdin --format json\n\n{EXIT_CODES}"))]
    Check(check::Args),
    /// Scaffold config, schema, reference policies and tests into a repository.
    #[command(after_help = format!("Examples:\n  agentgate init\n  agentgate init --under .agentgate\n\n{EXIT_CODES}"))]
    Init(init::Args),
    /// Judge the agent commits of base..head against the base commit's policies.
    #[command(after_help = format!("Examples:\n  agentgate gate --base origin/main --head HEAD\n  agentgate gate --base refs/remotes/origin/main --head pr --signoffs reviews.json --format markdown\n\n{EXIT_CODES}"))]
    Gate(gate::Args),
    /// Show, and prove, what a policy change grants: OLD and NEW revisions (or directories).
    #[command(after_help = format!("Examples:\n  agentgate diff origin/main HEAD\n  agentgate diff --old-dir ../before --new-dir . --no-prove\n\n{EXIT_CODES}"))]
    Diff(diff::Args),
    /// List agent commits in history that touched protected paths.
    #[command(after_help = format!("Examples:\n  agentgate audit --since '3 months ago'\n  agentgate audit --all --format json\n\n{EXIT_CODES}"))]
    Audit(audit::Args),
    /// Gate a pull request inside GitHub Actions (reviews, accounts, teams, check run).
    #[command(after_help = format!("Run by action.yml in a workflow; see README \"The GitHub Action\".\n\n{EXIT_CODES}"))]
    Github(github::Args),
    /// Answer an agent harness's pre-tool-use hook: allow, deny or ask.
    #[command(
        after_help = "Examples:\n  agentgate install-hooks claude-code    # writes the wiring below into .claude/settings.json\n  {\"hooks\": {\"PreToolUse\": [{\"matcher\": \"*\", \"hooks\": [{\"type\": \"command\", \"command\": \"agentgate hook claude-code\"}]}]}}\n\nThe hook answers in the harness's own form: JSON on stdout with exit 0, or (Windsurf, Kiro) the reason on stderr with exit 2 to block; nothing, or the harness's neutral answer, leaves the call to the harness. Its own failures always block."
    )]
    Hook(hook::Args),
    /// Wire `agentgate hook` into a harness: write or merge its settings file.
    #[command(after_help = format!("Examples:\n  agentgate install-hooks claude-code\n  agentgate install-hooks cursor --repo ../app\n  agentgate install-hooks kiro --file .kiro/agents/dev.json\n  agentgate install-hooks openclaw --plugin-dir ~/src/agentgate/integrations/openclaw\n\nOther settings in the file are kept; a file that cannot be parsed is left alone (exit 2); running it twice leaves one entry.\n\n{EXIT_CODES}"))]
    InstallHooks(install_hooks::Args),
    /// Proxy an MCP server: the policies judge every tool call, for any MCP client.
    #[command(
        after_help = "Examples:\n  agentgate mcp --agent claude-code --name github -- npx -y @modelcontextprotocol/server-github\n  agentgate mcp --upstream https://mcp.example.com/mcp --listen 127.0.0.1:8931\n\nAllowed calls reach the server; denied ones never do (the client gets a tool result with isError naming the policies); a call to confirm is put to the human (MCP elicitation) and denied if nobody confirms. Exits 2 if the server cannot start."
    )]
    Mcp(mcp::Args),
    /// Work with the tool catalog: `tools import` types an MCP server's tools.
    Tools(tools::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  agentgate completions bash > ~/.local/share/bash-completion/completions/agentgate"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    #[command(after_help = "Example:\n  agentgate man > ~/.local/share/man/man1/agentgate.1")]
    Man,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
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
        Command::InstallHooks(a) => install_hooks::run(&ctx, a),
        Command::Mcp(a) => mcp::run(&ctx, a),
        Command::Tools(a) => tools::run(&ctx, a),
        Command::Completions(a) => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "agentgate", &mut out);
            out!("{}", String::from_utf8_lossy(&out));
            Exit::Ok
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => {
                    out!("{}", String::from_utf8_lossy(&out));
                    Exit::Ok
                }
                Err(e) => {
                    errln!("error: cannot render the manual page: {e}");
                    Exit::Input
                }
            }
        }
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
