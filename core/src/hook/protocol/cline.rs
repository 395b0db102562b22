//! Cline `PreToolUse` hook scripts (`.clinerules/hooks/PreToolUse`), in
//! both of Cline's implementations: the VS Code extension's and the Cline
//! SDK / CLI's file hooks.
//!
//! Follows <https://docs.cline.bot/features/hooks/hook-reference> (checked
//! 2026-08) and Cline's source (github.com/cline/cline, 2026-08-22:
//! `apps/vscode/src/core/hooks/hook-factory.ts` and
//! `sdk/packages/core/src/hooks/hook-file-hooks.ts`).
//!
//! - In: `{clineVersion, hookName: "PreToolUse", timestamp, taskId,
//!   workspaceRoots, userId, preToolUse: {toolName, parameters}}`; the SDK
//!   sends `hookName: "tool_call"` with `tool_call: {id, name, input}` as
//!   well. `use_mcp_tool` `{server_name, tool_name, arguments}` becomes
//!   `mcp__<server>__<tool>` with its arguments.
//! - Out (stdout JSON, honoured whatever the exit status):
//!   `{"cancel": true, "errorMessage", "contextModification"}` blocks;
//!   `{"cancel": false}` leaves the call to Cline.
//! - Asking: none (the SDK's `review` is parsed but nothing acts on it), so
//!   a confirm is a cancel saying how to approve.
//! - Failure: a hook that crashes, times out or prints no JSON lets the
//!   tool run, and there is no fail-closed setting for file hooks;
//!   agentgate answers its own failures with `cancel: true`.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, mcp_name, sub, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hookName")?;
    if !matches!(event.as_str(), "" | "PreToolUse" | "tool_call") {
        return Err(HookError::WrongEvent {
            harness: "cline",
            event,
            expected: "PreToolUse",
            hint: "install it as the PreToolUse hook script (`agentgate install-hooks cline`)",
        });
    }
    let (mut tool, mut input) = match sub(m, "preToolUse", "preToolUse")? {
        Some(p) => (
            text(p, "toolName")?,
            args(p.get("parameters"), "preToolUse.parameters")?,
        ),
        None => match sub(m, "tool_call", "tool_call")? {
            Some(t) => (text(t, "name")?, args(t.get("input"), "tool_call.input")?),
            None => {
                return Err(HookError::Missing {
                    field: "preToolUse".into(),
                    event: "PreToolUse".into(),
                });
            }
        },
    };
    if tool == "use_mcp_tool" {
        let server = text(&input, "server_name")?;
        let name = text(&input, "tool_name")?;
        input = args(input.get("arguments"), "preToolUse.parameters.arguments")?;
        tool = mcp_name(&server, &name);
    }
    let cwd = match m.get("workspaceRoots") {
        Some(Value::Array(roots)) => roots.first().and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    Ok(HookCall {
        call: ToolCall {
            tool,
            input,
            session: text(m, "taskId")?,
            cwd: PathBuf::from(cwd),
        },
        event: "PreToolUse".into(),
        cannot_ask: Some("Cline's hooks cannot ask (they can only cancel)".into()),
    })
}

pub(super) fn render(decision: Decision, reason: &str) -> Reply {
    match decision {
        Decision::Defer | Decision::Allow => Reply::json(json!({"cancel": false})),
        Decision::Deny | Decision::Ask => Reply::json(json!({
            "cancel": true,
            "errorMessage": reason,
            "contextModification": reason,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_both_implementations_and_mcp_calls() {
        let p = |s: &str| parse(&object(s).unwrap());
        let c = p(r#"{"hookName":"PreToolUse","taskId":"t","workspaceRoots":["/w"],"preToolUse":{"toolName":"use_mcp_tool","parameters":{"server_name":"gmail","tool_name":"delete_email","arguments":"{\"id\":\"1\"}"}}}"#).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.input["id"].as_str()),
            ("mcp__gmail__delete_email", Some("1"))
        );
        assert_eq!(c.call.cwd, PathBuf::from("/w"));
        let c = p(r#"{"hookName":"tool_call","tool_call":{"id":"1","name":"run_commands","input":{"commands":["ls"]}}}"#).unwrap();
        assert_eq!(c.call.tool, "run_commands");
        assert!(p(r#"{"hookName":"PreToolUse"}"#).is_err());
        assert!(p(r#"{"hookName":"TaskStart"}"#).is_err());
    }
}
