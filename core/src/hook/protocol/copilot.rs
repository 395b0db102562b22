//! GitHub Copilot `preToolUse` hooks: the Copilot SDK's callback shape and
//! Copilot CLI / cloud agent command hooks in `.github/hooks/*.json`.
//!
//! Follows <https://docs.github.com/en/copilot/reference/hooks-configuration>
//! and the Copilot CLI hooks reference
//! (<https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-hooks-reference>;
//! both checked 2026-08 via github/docs `content/copilot/reference/`).
//!
//! - In: `{sessionId?, timestamp, cwd, toolName, toolArgs}` (`toolArgs` an
//!   object, or a JSON string in command hooks), or the VS Code-style
//!   `{hook_event_name: "PreToolUse", session_id, cwd, tool_name,
//!   tool_input}` Copilot CLI also sends.
//! - Out (exit 0): `{"permissionDecision": "allow"|"deny"|"ask",
//!   "permissionDecisionReason"}`; no output is "no decision".
//! - Asking: `ask` in the interactive CLI; a CI run (the cloud agent)
//!   asks nobody, and there a confirm is a deny.
//! - Failure: "hook failures are logged and skipped" (they never block), so
//!   agentgate answers its own failures with a JSON deny.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, first_text, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let input = match m.get("toolArgs") {
        Some(v) => args(Some(v), "toolArgs")?,
        None => args(m.get("tool_input"), "tool_input")?,
    };
    Ok(HookCall {
        call: ToolCall {
            tool: first_text(m, &["toolName", "tool_name"])?,
            input,
            session: first_text(m, &["sessionId", "session_id"])?,
            cwd: PathBuf::from(text(m, "cwd")?),
        },
        event: "preToolUse".into(),
        cannot_ask: None,
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
        "permissionDecision": d,
        "permissionDecisionReason": reason,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_both_shapes_and_string_arguments() {
        let c = parse(
            &object(
                r#"{"timestamp":1,"cwd":"/r","toolName":"bash","toolArgs":"{\"command\":\"ls\"}"}"#,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(c.call.input["command"], "ls");
        let c = parse(
            &object(r#"{"session_id":"s","tool_name":"edit","tool_input":{"path":"a"}}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.session.as_str()),
            ("edit", "s")
        );
        assert!(parse(&object(r#"{"toolArgs": 3}"#).unwrap()).is_err());
        assert!(parse(&object(r#"{"toolArgs": "[1]"}"#).unwrap()).is_err());
    }
}
