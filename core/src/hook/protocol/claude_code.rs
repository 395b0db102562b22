//! Claude Code `PreToolUse` command hooks.
//!
//! Follows <https://code.claude.com/docs/en/hooks> (hooks reference;
//! checked 2026-08-22 against the docs mirror github.com/ericbuess/claude-code-docs,
//! `docs/hooks.md` and `docs/permission-modes.md`).
//!
//! - In: `{session_id, transcript_path, cwd, permission_mode,
//!   hook_event_name: "PreToolUse", tool_name, tool_input, tool_use_id}`;
//!   MCP tools are already `mcp__<server>__<tool>`.
//! - Out (exit 0): `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
//!   "permissionDecision": "allow"|"deny"|"ask", "permissionDecisionReason"}}`;
//!   no output is "no decision" (Claude Code's own permission rules apply).
//! - Asking: `ask` prompts, except in permission modes that ask nobody
//!   (`bypassPermissions`, `dontAsk`): there a confirm is a deny.
//! - Failure: a timed-out or crashed hook does not block in Claude Code, so
//!   agentgate answers its own failures with a JSON deny, never an error
//!   exit.

use serde_json::{Map, Value, json};

use super::fields::{args, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;
use std::path::PathBuf;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hook_event_name")?;
    if !event.is_empty() && event != "PreToolUse" {
        return Err(HookError::WrongEvent {
            harness: "claude-code",
            event,
            expected: "PreToolUse",
            hint: "register it under \"PreToolUse\" in .claude/settings.json",
        });
    }
    let mode = text(m, "permission_mode")?;
    let cannot_ask = matches!(mode.as_str(), "bypassPermissions" | "dontAsk")
        .then(|| format!("the harness runs in permission mode `{mode}`, which asks nobody"));
    Ok(HookCall {
        call: ToolCall {
            tool: text(m, "tool_name")?,
            input: args(m.get("tool_input"), "tool_input")?,
            session: text(m, "session_id")?,
            cwd: PathBuf::from(text(m, "cwd")?),
        },
        event: "PreToolUse".into(),
        cannot_ask,
    })
}

pub(super) fn render(decision: Decision, reason: &str) -> Reply {
    let d = match decision {
        Decision::Defer => return Reply::silent(),
        Decision::Allow => "allow",
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    };
    Reply::json(json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": d,
            "permissionDecisionReason": reason,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_pre_tool_use_and_the_modes_that_ask_nobody() {
        let c = parse(&object(r#"{"session_id":"abc","cwd":"/r","hook_event_name":"PreToolUse","permission_mode":"dontAsk","tool_name":"Bash","tool_input":{"command":"ls"}}"#).unwrap()).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.session.as_str()),
            ("Bash", "abc")
        );
        assert!(c.cannot_ask.unwrap().contains("dontAsk"));
        let e = parse(&object(r#"{"hook_event_name":"PostToolUse"}"#).unwrap()).unwrap_err();
        assert!(matches!(e, HookError::WrongEvent { .. }), "{e}");
        assert!(parse(&object(r#"{"tool_name":3}"#).unwrap()).is_err());
        assert_eq!(render(Decision::Defer, "x"), Reply::silent());
    }
}
