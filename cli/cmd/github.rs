//! `agentgate github`: the gate inside a GitHub Actions job, driven by the
//! runner's environment (see agentgate-github).

use agentgate_github::env::RunnerEnv;
use agentgate_github::{CommentMode, Options, run as run_github};
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
    /// What to print on stdout (the job log): text, json or markdown.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(_ctx: &Ctx, args: Args) -> Exit {
    let env = match RunnerEnv::from_env(args.token) {
        Ok(e) => e,
        Err(e) => {
            errln!("::error title=agentgate::{}", escape(&e.0));
            errln!("error: {} (the gate blocks: an error is never a pass)", e.0);
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
    match args.format {
        Format::Json => output::print_json(&json!({
            "verdict": outcome.verdict.as_str(),
            "error": outcome.error,
            "help": outcome.help,
            "report": outcome.report,
            "impact": outcome.impact,
            "log": outcome.log,
        })),
        Format::Markdown => out!("{}", outcome.markdown),
        Format::Text | Format::Junit => {
            if let Some(r) = &outcome.report {
                out!(
                    "{}",
                    agentgate_report::gate::render(r, outcome.impact.as_ref(), Format::Text)
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
