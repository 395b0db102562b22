//! `agentgate github`: the gate inside a GitHub Actions job, driven by the
//! runner's environment (see agentgate-github).

use agentgate_github::env::RunnerEnv;
use agentgate_github::{CommentMode, Options, Prover, run as run_github};
use clap::ValueEnum;
use serde_json::json;

use super::Ctx;
use crate::exit::Exit;
use crate::output::{self, Format};

/// When to comment on the pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Comment {
    /// When blocked, and to keep an earlier comment up to date.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// GitHub token (default: INPUT_TOKEN, then GITHUB_TOKEN). Prefer the
    /// environment: a flag shows in process listings.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// The config file in the base tree (default agentgate.toml).
    #[arg(long, value_name = "PATH")]
    config: Option<String>,
    /// When to comment on the pull request (default: the config's
    /// `github.comment`, else auto).
    #[arg(long, value_enum)]
    comment: Option<Comment>,
    /// Do not fetch missing commits (`refs/pull/N/head`, the base).
    #[arg(long)]
    no_fetch: bool,
    /// The proof of what a policy edit grants: `report` proves when cvc5 is
    /// installed and otherwise says it was skipped; `defer` publishes
    /// nothing when the range edits the policies and cvc5 is missing, and
    /// writes the output `needs-prover=true` (exit 0) so the caller can
    /// install cvc5 and run again; `skip` never proves.
    #[arg(long, value_enum, default_value = "report")]
    prover: ProverArg,
    /// What to print on stdout (the job log): text, json or markdown.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// `--prover`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProverArg {
    /// Prove when cvc5 is installed; otherwise the report says it was skipped.
    Report,
    /// Publish nothing and ask for cvc5 when the range edits the policies.
    Defer,
    /// Never prove.
    Skip,
}

pub fn run(_ctx: &Ctx, args: Args) -> Exit {
    let env = match RunnerEnv::from_env(args.token) {
        Ok(e) => e,
        Err(e) => {
            errln!("::error title=agentgate::{}", escape(&e.to_string()));
            errln!("error: {} (the gate blocks: an error is never a pass)", e);
            return Exit::Input;
        }
    };
    let opts = Options {
        config: args.config,
        comment: args.comment.map(|c| match c {
            Comment::Auto => CommentMode::Auto,
            Comment::Always => CommentMode::Always,
            Comment::Never => CommentMode::Never,
        }),
        no_fetch: args.no_fetch,
        prover: match args.prover {
            ProverArg::Report => Prover::Report,
            ProverArg::Defer => Prover::Defer,
            ProverArg::Skip => Prover::Skip,
        },
    };
    // A panic is a block like any other failure, with a clear message.
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_github(&env, &opts)
    })) {
        Ok(o) => o,
        Err(_) => {
            errln!(
                "::error title=agentgate::agentgate failed internally (a bug: please report it); the merge is blocked"
            );
            return Exit::Input;
        }
    };
    for line in &outcome.log {
        errln!("agentgate: {line}");
    }
    let verdict = outcome.verdict.map_or("deferred", |v| v.as_str());
    match args.format {
        Format::Json => output::print_json(&json!({
            "verdict": verdict,
            "error": outcome.error,
            "help": outcome.help,
            "report": outcome.report(),
            "impact": outcome.impact(),
            "pulls": outcome.pulls,
            "group": outcome.group,
            "needs_prover": outcome.needs_prover,
            "log": outcome.log,
        })),
        Format::Markdown => out!("{}", outcome.markdown),
        Format::Text | Format::Junit => {
            for p in &outcome.pulls {
                if outcome.pulls.len() > 1 {
                    outln!("pull request #{}: {}", p.number, p.verdict);
                }
                out!(
                    "{}",
                    agentgate_report::gate::render(&p.report, p.impact.as_ref(), Format::Text)
                );
            }
            if outcome.needs_prover {
                outln!(
                    "deferred: the range edits the policies and cvc5 is not installed; install it and run again"
                );
            }
        }
    }
    if let Some(e) = &outcome.error {
        // A workflow command: GitHub shows it as an error annotation.
        errln!("::error title=agentgate::{}", escape(e));
        errln!("error: {e} (the gate blocks: an error is never a pass)");
        if let Some(h) = &outcome.help {
            errln!("help: {h}");
        }
    }
    match outcome.exit_code() {
        0 => Exit::Ok,
        1 => Exit::No,
        _ => Exit::Input,
    }
}

/// Escape a workflow command's message (`%`, CR, LF).
fn escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}
