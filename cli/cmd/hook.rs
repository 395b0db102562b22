//! `agentgate hook <harness>`: answer an agent harness's pre-tool-use hook
//! (payload on stdin, answer on stdout) from the repository's policies.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use agentgate_core::hook::{self, Decision, Harness, render};

use super::Ctx;
use crate::exit::Exit;

/// The harness that calls the hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HarnessArg {
    /// Claude Code `PreToolUse` (register under "PreToolUse" in settings.json).
    ClaudeCode,
    /// GitHub Copilot SDK / CLI `preToolUse`.
    Copilot,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which harness calls the hook.
    #[arg(value_enum)]
    harness: HarnessArg,
    /// The agent id the tool calls are judged as (default: claude-code, or
    /// copilot).
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
}

/// Print the answer; the exit status follows the hook protocols: 0 with a
/// JSON answer (deny included, so the harness reads the reason).
fn answer(harness: Harness, decision: Decision, reason: &str) -> Exit {
    if let Some(v) = render(harness, decision, reason) {
        match serde_json::to_string(&v) {
            Ok(s) => outln!("{s}"),
            Err(_) => {
                // Exit 2 blocks the call in Claude Code, with stderr as the reason.
                errln!("{reason}");
                return Exit::Input;
            }
        }
    }
    Exit::Ok
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let harness = match args.harness {
        HarnessArg::ClaudeCode => Harness::ClaudeCode,
        HarnessArg::Copilot => Harness::Copilot,
    };
    let mut payload = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut payload) {
        return answer(
            harness,
            Decision::Deny,
            &format!("agentgate denies this because it cannot read the hook payload: {e}"),
        );
    }
    // A panic must not become a non-blocking error (which lets the call
    // run): it is a deny like any other failure.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        hook::run(
            harness,
            &payload,
            args.agent.as_deref(),
            ctx.explicit_repo.then_some(ctx.root.as_path()),
            &ctx.cwd,
        )
    }));
    match outcome {
        Ok(o) => {
            if let Some(e) = &o.log_error {
                errln!("agentgate: decision log: {e}");
            }
            answer(harness, o.decision, &o.reason)
        }
        Err(_) => answer(
            harness,
            Decision::Deny,
            "agentgate denies this because it failed internally (a bug: please report it)",
        ),
    }
}
