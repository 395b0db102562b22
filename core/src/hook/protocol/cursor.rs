//! Cursor agent hooks: `preToolUse`, `beforeShellExecution`,
//! `beforeMCPExecution` and `beforeReadFile` in `.cursor/hooks.json`.
//!
//! Follows <https://cursor.com/docs/hooks> (the hooks reference, checked
//! 2026-08 through copies of it, as cursor.com itself was not reachable:
//! github.com/pcomans/caruso `reference/cursor_hooks.md`, and a contract
//! note verified against Cursor 3.9.16 that quotes the reference field by
//! field), with forum reports on what Cursor honours (forum.cursor.com
//! threads 144244 and 155434: only `deny` acts reliably).
//!
//! - In: `{hook_event_name, conversation_id, generation_id,
//!   workspace_roots, ...}` plus, per event: `preToolUse` `{tool_name
//!   (Shell, Read, Write, StrReplace, Delete, Grep, Task, MCP:<tool>),
//!   tool_input, tool_use_id, cwd}`; `beforeShellExecution` `{command,
//!   cwd}`; `beforeMCPExecution` `{tool_name, tool_input (a JSON string in
//!   older builds), url | command}`; `beforeReadFile` `{file_path,
//!   content}`.
//! - Out (exit 0, flat): `{"permission": "deny", "user_message",
//!   "agent_message"}`.
//! - Asking: none that holds (`ask` is not enforced on `preToolUse` and
//!   blocks without a prompt elsewhere), so a confirm is a deny saying how
//!   to approve.
//! - Failure: Cursor fails open unless an entry sets `"failClosed": true`,
//!   and with it an empty answer counts as a failure and blocks. So
//!   agentgate always answers: `{"permission": "allow"}` for an allow or
//!   no decision (Cursor's own approval rules still apply to what a hook
//!   allows), a JSON deny for its own failures; `agentgate install-hooks
//!   cursor` sets `failClosed` on every entry.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, first_text, mcp_name, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

const EVENTS: &str = "preToolUse, beforeShellExecution, beforeMCPExecution and beforeReadFile";

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hook_event_name")?;
    let missing = |field: &str| HookError::Missing {
        field: field.into(),
        event: event.clone(),
    };
    let (tool, input) = match event.as_str() {
        "preToolUse" => {
            let name = text(m, "tool_name")?;
            let tool = match name.strip_prefix("MCP:") {
                Some(rest) => match rest.split_once(':') {
                    Some((server, tool)) => mcp_name(server, tool),
                    None => mcp_name(&server_of(m)?, rest),
                },
                None => name,
            };
            (tool, args(m.get("tool_input"), "tool_input")?)
        }
        "beforeShellExecution" => {
            let command = text(m, "command")?;
            if command.is_empty() {
                return Err(missing("command"));
            }
            let mut input = Map::new();
            input.insert("command".into(), Value::String(command));
            ("Shell".to_string(), input)
        }
        "beforeMCPExecution" => {
            let name = text(m, "tool_name")?;
            let tool = match name.strip_prefix("MCP:") {
                Some(rest) => match rest.split_once(':') {
                    Some((server, tool)) => mcp_name(server, tool),
                    None => mcp_name(&server_of(m)?, rest),
                },
                None if name.starts_with("mcp__") => name,
                None => mcp_name(&server_of(m)?, &name),
            };
            (tool, args(m.get("tool_input"), "tool_input")?)
        }
        "beforeReadFile" => {
            let path = text(m, "file_path")?;
            if path.is_empty() {
                return Err(missing("file_path"));
            }
            let mut input = Map::new();
            input.insert("file_path".into(), Value::String(path));
            ("Read".to_string(), input)
        }
        _ => {
            return Err(HookError::WrongEvent {
                harness: "cursor",
                event,
                expected: EVENTS,
                hint: "register it under those events in .cursor/hooks.json (`agentgate install-hooks cursor`)",
            });
        }
    };
    let mut cwd = text(m, "cwd")?;
    if cwd.is_empty()
        && let Some(Value::Array(roots)) = m.get("workspace_roots")
        && let Some(Value::String(first)) = roots.first()
    {
        cwd = first.clone();
    }
    Ok(HookCall {
        call: ToolCall {
            tool,
            input,
            session: first_text(m, &["conversation_id", "session_id"])?,
            cwd: PathBuf::from(cwd),
        },
        event,
        cannot_ask: Some(
            "Cursor's hooks cannot ask (an `ask` is not enforced or shows no prompt)".into(),
        ),
    })
}

/// The MCP server a Cursor payload names, when it names one.
fn server_of(m: &Map<String, Value>) -> Result<String, HookError> {
    first_text(m, &["mcp_server_name", "server_name", "server"])
}

pub(super) fn render(decision: Decision, reason: &str) -> Reply {
    match decision {
        Decision::Defer | Decision::Allow => Reply::json(json!({"permission": "allow"})),
        Decision::Deny | Decision::Ask => Reply::json(json!({
            "permission": "deny",
            "user_message": reason,
            "agent_message": reason,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_each_event_into_a_tool_call() {
        let p = |s: &str| parse(&object(s).unwrap());
        let c = p(r#"{"hook_event_name":"beforeShellExecution","command":"ls","cwd":"/r","conversation_id":"c"}"#).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.session.as_str()),
            ("Shell", "c")
        );
        let c = p(r#"{"hook_event_name":"preToolUse","tool_name":"MCP:gmail:delete_email","tool_input":{},"workspace_roots":["/w"]}"#).unwrap();
        assert_eq!(c.call.tool, "mcp__gmail__delete_email");
        assert_eq!(c.call.cwd, PathBuf::from("/w"));
        let c = p(r#"{"hook_event_name":"beforeMCPExecution","tool_name":"query","tool_input":"{\"sql\":\"x\"}","command":"npx s"}"#).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.input["sql"].as_str()),
            ("mcp____query", Some("x"))
        );
        assert!(p(r#"{"hook_event_name":"beforeReadFile"}"#).is_err());
        assert!(p(r#"{"hook_event_name":"afterFileEdit"}"#).is_err());
        // Never silent: with failClosed, no answer would block everything.
        assert_eq!(
            render(Decision::Defer, "").stdout.unwrap(),
            r#"{"permission":"allow"}"#
        );
    }
}
