//! The wire formats of the harnesses agentgate hooks into: what each sends
//! on stdin and what it expects back. One module per harness, each citing
//! the documentation it follows; this module names the harnesses and
//! routes a payload to its reader and a decision to its writer.
//!
//! Every reader turns the harness's payload into the same [`ToolCall`]
//! (tool names and arguments the tool catalog knows, MCP tools as
//! `mcp__<server>__<tool>`), and says whether anyone can be asked. Every
//! writer answers in the harness's own form, and answers a decision the
//! harness cannot express (an `ask` where nobody can be asked) as a block:
//! the writers never let a call through that agentgate did not mean to.

mod claude_code;
mod cline;
mod codex;
mod copilot;
mod cursor;
mod fields;
mod gemini;
mod kiro;
mod openclaw;
mod windsurf;

use crate::hook::HookError;
use crate::policy::config::Config;
use crate::tools::ToolCall;
use crate::tools::catalog::ToolCatalog;

/// A harness agentgate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Harness {
    /// Claude Code's `PreToolUse` command hook.
    ClaudeCode,
    /// The GitHub Copilot SDK's `preToolUse` hook (and Copilot CLI command
    /// hooks, which share its shape).
    Copilot,
    /// OpenAI Codex CLI's `PreToolUse` command hook.
    Codex,
    /// Google Gemini CLI's `BeforeTool` command hook.
    Gemini,
    /// Cursor's `preToolUse`, `beforeShellExecution`, `beforeMCPExecution`
    /// and `beforeReadFile` hooks.
    Cursor,
    /// Windsurf Cascade's `pre_run_command`, `pre_write_code`,
    /// `pre_read_code` and `pre_mcp_tool_use` hooks.
    Windsurf,
    /// Kiro CLI's `preToolUse` agent hook.
    Kiro,
    /// Cline's `PreToolUse` hook script.
    Cline,
    /// OpenClaw's `before_tool_call` and `message_sending` plugin hooks,
    /// through the agentgate plugin (integrations/openclaw).
    OpenClaw,
}

impl Harness {
    /// Every harness, in the order the README lists them.
    pub const ALL: [Harness; 9] = [
        Harness::ClaudeCode,
        Harness::Copilot,
        Harness::Codex,
        Harness::Gemini,
        Harness::Cursor,
        Harness::Windsurf,
        Harness::Kiro,
        Harness::Cline,
        Harness::OpenClaw,
    ];

    /// The name used on the command line and in the decision log.
    pub fn name(self) -> &'static str {
        match self {
            Harness::ClaudeCode => "claude-code",
            Harness::Copilot => "copilot",
            Harness::Codex => "codex",
            Harness::Gemini => "gemini",
            Harness::Cursor => "cursor",
            Harness::Windsurf => "windsurf",
            Harness::Kiro => "kiro",
            Harness::Cline => "cline",
            Harness::OpenClaw => "openclaw",
        }
    }

    /// The hooks it answers and the file that wires them in.
    pub fn hooks(self) -> &'static str {
        match self {
            Harness::ClaudeCode => "Claude Code `PreToolUse` (.claude/settings.json)",
            Harness::Copilot => {
                "GitHub Copilot SDK / CLI / cloud agent `preToolUse` (.github/hooks/*.json)"
            }
            Harness::Codex => "OpenAI Codex CLI `PreToolUse` (.codex/hooks.json)",
            Harness::Gemini => "Google Gemini CLI `BeforeTool` (.gemini/settings.json)",
            Harness::Cursor => {
                "Cursor `preToolUse`, `beforeShellExecution`, `beforeMCPExecution`, `beforeReadFile` (.cursor/hooks.json)"
            }
            Harness::Windsurf => {
                "Windsurf Cascade `pre_run_command`, `pre_write_code`, `pre_read_code`, `pre_mcp_tool_use` (.windsurf/hooks.json)"
            }
            Harness::Kiro => "Kiro CLI `preToolUse` (.kiro/agents/<name>.json)",
            Harness::Cline => "Cline `PreToolUse` hook script (.clinerules/hooks/PreToolUse)",
            Harness::OpenClaw => {
                "OpenClaw `before_tool_call` / `message_sending`, through the agentgate plugin"
            }
        }
    }

    /// The harness a command-line name names.
    pub fn from_name(name: &str) -> Option<Harness> {
        Harness::ALL.into_iter().find(|h| h.name() == name)
    }

    /// The agent id a harness's calls are judged as by default.
    pub fn default_agent(self) -> &'static str {
        match self {
            Harness::Gemini => "gemini-cli",
            other => other.name(),
        }
    }
}

/// A payload, read: the tool call and who can answer a question about it.
#[derive(Debug, Clone)]
pub struct HookCall {
    /// The tool call.
    pub call: ToolCall,
    /// The event that asked (`PreToolUse`, `beforeReadFile`,
    /// `message_sending`, ...): some harnesses answer each in its own form.
    pub event: String,
    /// Why nobody can be asked to confirm this call, when nobody can: the
    /// harness has no way to ask from this hook, or runs in a mode that
    /// asks nobody. A confirm then becomes a deny that says how to approve.
    pub cannot_ask: Option<String>,
}

/// What the hook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let the call run without asking (only where the config says so).
    Allow,
    /// Block it; the reason goes to the agent.
    Deny,
    /// Ask the human first.
    Ask,
    /// No decision: the harness's own permission rules decide.
    Defer,
}

/// The answer in the harness's form: what to print where, and whether to
/// exit with the status that blocks (2) instead of 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// One line of JSON (or nothing) on stdout.
    pub stdout: Option<String>,
    /// Text on stderr (the reason, for harnesses that read it there).
    pub stderr: Option<String>,
    /// Exit 2: the status every exit-code harness reads as "block".
    pub block: bool,
}

impl Reply {
    /// Nothing at all, exit 0.
    pub(crate) fn silent() -> Reply {
        Reply::default()
    }

    /// One JSON value on stdout, exit 0.
    pub(crate) fn json(v: serde_json::Value) -> Reply {
        Reply {
            stdout: Some(v.to_string()),
            ..Reply::default()
        }
    }

    /// The whole answer of a harness that reads only the exit status
    /// (Windsurf, Kiro): nothing to let the call run, exit 2 with the
    /// reason on stderr to block it (an `ask` too: they cannot ask).
    pub(crate) fn by_exit_status(decision: Decision, reason: &str) -> Reply {
        match decision {
            Decision::Defer | Decision::Allow => Reply::silent(),
            Decision::Deny | Decision::Ask => Reply::exit_block(reason),
        }
    }

    /// The reason on stderr, exit 2.
    pub(crate) fn exit_block(reason: &str) -> Reply {
        Reply {
            stdout: None,
            stderr: Some(reason.to_string()),
            block: true,
        }
    }
}

/// Read a payload into a tool call.
pub fn parse(harness: Harness, text: &str) -> Result<HookCall, HookError> {
    let m = fields::object(text)?;
    match harness {
        Harness::ClaudeCode => claude_code::parse(&m),
        Harness::Copilot => copilot::parse(&m),
        Harness::Codex => codex::parse(&m),
        Harness::Gemini => gemini::parse(&m),
        Harness::Cursor => cursor::parse(&m),
        Harness::Windsurf => windsurf::parse(&m),
        Harness::Kiro => kiro::parse(&m),
        Harness::Cline => cline::parse(&m),
        Harness::OpenClaw => openclaw::parse(&m),
    }
}

/// The tool as the catalog knows it, where the harness's name for it needs
/// the catalog to be read (Copilot's `<server>-<tool>` MCP names); `None`
/// keeps the name the payload gave.
pub fn known_tool_name(harness: Harness, config: &Config, tool: &str) -> Option<String> {
    match harness {
        Harness::Copilot => copilot::mcp_tool_name(&ToolCatalog::new(config), tool),
        _ => None,
    }
}

/// The answer in the harness's form. `event` is the event that asked, when
/// the payload could be read (a payload that could not be read is answered
/// in a form that blocks whichever event sent it).
pub fn render(harness: Harness, event: Option<&str>, decision: Decision, reason: &str) -> Reply {
    match harness {
        Harness::ClaudeCode => claude_code::render(decision, reason),
        Harness::Copilot => copilot::render(decision, reason),
        Harness::Codex => codex::render(decision, reason),
        Harness::Gemini => gemini::render(decision, reason),
        Harness::Cursor => cursor::render(decision, reason),
        Harness::Windsurf | Harness::Kiro => Reply::by_exit_status(decision, reason),
        Harness::Cline => cline::render(decision, reason),
        Harness::OpenClaw => openclaw::render(event, decision, reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_harness_blocks_a_deny() {
        for h in Harness::ALL {
            assert_eq!(Harness::from_name(h.name()), Some(h));
            // A deny is never silent and never exit 0 without a JSON block.
            let a = render(h, None, Decision::Deny, "no");
            assert!(a.block || a.stdout.is_some(), "{h:?}: {a:?}");
            // An ask a harness cannot express is a block too.
            let a = render(h, None, Decision::Ask, "why");
            assert!(a.block || a.stdout.is_some(), "{h:?}: {a:?}");
        }
        assert_eq!(Harness::from_name("claude"), None);
        // A byte-order mark before the JSON is not an error.
        let c = parse(
            Harness::Cursor,
            "\u{feff}{\"hook_event_name\":\"beforeShellExecution\",\"command\":\"ls\"}",
        );
        assert!(c.is_ok(), "{c:?}");
    }

    #[test]
    fn every_reader_refuses_what_is_not_an_object() {
        for h in Harness::ALL {
            assert!(matches!(parse(h, "not json"), Err(HookError::NotJson(_))));
            assert_eq!(parse(h, "[1]").err(), Some(HookError::NotObject));
        }
    }
}
