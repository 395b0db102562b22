//! OpenAI Codex CLI `PreToolUse` command hooks.
//!
//! Follows <https://developers.openai.com/codex/hooks> (checked 2026-08)
//! and Codex's own parser, `codex-rs/hooks/src/engine/output_parser.rs`
//! and `codex-rs/hooks/src/events/pre_tool_use.rs` (github.com/openai/codex,
//! read 2026-08).
//!
//! - In: `{session_id, turn_id, transcript_path, cwd, hook_event_name:
//!   "PreToolUse", model, permission_mode, tool_name, tool_input,
//!   tool_use_id}`. Shell calls arrive as `Bash` `{command}`, file edits as
//!   `apply_patch` `{command: "*** Begin Patch ..."}`, MCP tools as
//!   `mcp__<server>__<tool>` with their arguments.
//! - Out (exit 0): a deny is `{"hookSpecificOutput": {"hookEventName":
//!   "PreToolUse", "permissionDecision": "deny",
//!   "permissionDecisionReason": "<non-empty>"}}`. No output is "no
//!   decision".
//! - Asking: none from this hook. Codex rejects `ask` (and `allow` without
//!   `updatedInput`) as unsupported, marks the hook failed and runs the
//!   call, so agentgate never sends either: a confirm is a deny saying how
//!   to approve, and an allow is no output (Codex's approvals still apply).
//! - Failure: Codex runs the call when a hook crashes, times out or prints
//!   what it cannot parse (openai/codex#41979), and a deny with an empty
//!   reason is invalid; agentgate answers its own failures with a deny
//!   whose reason is never empty.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hook_event_name")?;
    if !event.is_empty() && event != "PreToolUse" {
        return Err(HookError::WrongEvent {
            harness: "codex",
            event,
            expected: "PreToolUse",
            hint: "register it under [[hooks.PreToolUse]] (or \"PreToolUse\" in .codex/hooks.json)",
        });
    }
    let mut input = args(m.get("tool_input"), "tool_input")?;
    // Older shell tools pass the command as argv (`["bash", "-lc", "..."]`):
    // judge the line the shell runs.
    if let Some(Value::Array(argv)) = input.get("command") {
        let words: Vec<&str> = argv.iter().filter_map(Value::as_str).collect();
        let line = match words.as_slice() {
            [sh, flag, script] if flag.starts_with('-') && flag.ends_with('c') && is_shell(sh) => {
                script.to_string()
            }
            _ => words.join(" "),
        };
        input.insert("command".into(), Value::String(line));
    }
    Ok(HookCall {
        call: ToolCall {
            tool: text(m, "tool_name")?,
            input,
            session: text(m, "session_id")?,
            cwd: PathBuf::from(text(m, "cwd")?),
        },
        event: "PreToolUse".into(),
        cannot_ask: Some(
            "Codex's PreToolUse hook cannot ask (it treats `ask` as an error and runs the call)"
                .into(),
        ),
    })
}

fn is_shell(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "bash" | "sh" | "zsh" | "dash")
}

pub(super) fn render(decision: Decision, reason: &str) -> Reply {
    match decision {
        Decision::Defer | Decision::Allow => Reply::silent(),
        Decision::Deny | Decision::Ask => {
            let reason = if reason.trim().is_empty() {
                "agentgate denies this call"
            } else {
                reason
            };
            Reply::json(json!({
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": "deny",
                    "permissionDecisionReason": reason,
                }
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_shell_argv_and_never_answers_ask_or_an_empty_reason() {
        let c = parse(&object(r#"{"hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["bash","-lc","rm -rf x"]}}"#).unwrap()).unwrap();
        assert_eq!(c.call.input["command"], "rm -rf x");
        assert!(c.cannot_ask.is_some());
        let a = render(Decision::Ask, "");
        let out = a.stdout.unwrap();
        assert!(
            out.contains("\"deny\"") && out.contains("agentgate denies"),
            "{out}"
        );
        assert_eq!(render(Decision::Allow, "x"), Reply::silent());
        assert!(parse(&object(r#"{"hook_event_name":"Stop"}"#).unwrap()).is_err());
    }
}
