//! `agentgate hook <harness>`: answer an agent harness's pre-tool-use hook
//! (payload on stdin, answer on stdout, or on stderr with exit 2 for the
//! harnesses that read exit statuses) from the repository's policies.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use agentgate_core::hook::{self, Decision, Harness, Reply, render};

use super::Ctx;
use crate::exit::Exit;

/// The harness that calls the hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HarnessArg {
    /// Claude Code `PreToolUse` (.claude/settings.json).
    ClaudeCode,
    /// GitHub Copilot SDK / CLI / cloud agent `preToolUse` (.github/hooks/*.json).
    Copilot,
    /// OpenAI Codex CLI `PreToolUse` (.codex/hooks.json).
    Codex,
    /// Google Gemini CLI `BeforeTool` (.gemini/settings.json).
    Gemini,
    /// Cursor `preToolUse`, `beforeShellExecution`, `beforeMCPExecution`, `beforeReadFile` (.cursor/hooks.json).
    Cursor,
    /// Windsurf Cascade `pre_run_command`, `pre_write_code`, `pre_read_code`, `pre_mcp_tool_use` (.windsurf/hooks.json).
    Windsurf,
    /// Kiro CLI `preToolUse` (.kiro/agents/<name>.json).
    Kiro,
    /// Cline `PreToolUse` hook script (.clinerules/hooks/PreToolUse).
    Cline,
    /// OpenClaw `before_tool_call` / `message_sending`, through the agentgate plugin.
    Openclaw,
}

impl HarnessArg {
    /// The harness the argument names.
    pub fn harness(self) -> Harness {
        match self {
            HarnessArg::ClaudeCode => Harness::ClaudeCode,
            HarnessArg::Copilot => Harness::Copilot,
            HarnessArg::Codex => Harness::Codex,
            HarnessArg::Gemini => Harness::Gemini,
            HarnessArg::Cursor => Harness::Cursor,
            HarnessArg::Windsurf => Harness::Windsurf,
            HarnessArg::Kiro => Harness::Kiro,
            HarnessArg::Cline => Harness::Cline,
            HarnessArg::Openclaw => Harness::OpenClaw,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which harness calls the hook.
    #[arg(value_enum)]
    harness: HarnessArg,
    /// The agent id the tool calls are judged as (default: the harness's
    /// name; `gemini-cli` for Gemini).
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
}

/// Print the answer in the harness's form. The exit status follows the
/// protocols: 0 with the JSON answer (deny included, so the harness reads
/// the reason), or 2 with the reason on stderr where the harness reads
/// exit statuses (Windsurf, Kiro).
fn reply(a: &Reply) -> Exit {
    if let Some(out) = &a.stdout {
        outln!("{out}");
    }
    if let Some(err) = &a.stderr {
        errln!("{err}");
    }
    if a.block { Exit::Input } else { Exit::Ok }
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let harness = args.harness.harness();
    let mut payload = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut payload) {
        return reply(&render(
            harness,
            None,
            Decision::Deny,
            &format!("agentgate denies this because it cannot read the hook payload: {e}"),
        ));
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
            reply(&render(harness, o.event.as_deref(), o.decision, &o.reason))
        }
        Err(_) => reply(&render(
            harness,
            None,
            Decision::Deny,
            "agentgate denies this because it failed internally (a bug: please report it)",
        )),
    }
}
