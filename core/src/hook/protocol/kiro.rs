//! Kiro CLI `preToolUse` hooks in an agent configuration
//! (`.kiro/agents/<name>.json`).
//!
//! Follows <https://kiro.dev/docs/cli/hooks> (checked 2026-08; the same
//! text as `docs/hooks.md` in github.com/aws/amazon-q-developer-cli, from
//! which Kiro CLI descends).
//!
//! - In: `{hook_event_name: "preToolUse", cwd, tool_name, tool_input}`:
//!   `execute_bash` `{command}`, `fs_write` `{command, path, ...}`,
//!   `fs_read` `{operations: [{path}]}`, and MCP tools as
//!   `@<server>/<tool>` (which become `mcp__<server>__<tool>`).
//! - Out: exit 0 lets the tool run; exit 2 blocks it and returns stderr
//!   (the reason) to the model. There is no JSON answer.
//! - Asking: none, so a confirm is a block saying how to approve.
//! - Failure: any other exit only warns and the tool runs, and there is no
//!   fail-closed setting; agentgate exits 2 on its own failures.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::HookCall;
use super::fields::{args, mcp_name, text};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hook_event_name")?;
    if !event.is_empty() && event != "preToolUse" {
        return Err(HookError::WrongEvent {
            harness: "kiro",
            event,
            expected: "preToolUse",
            hint: "register it under \"preToolUse\" in the agent's hooks (`agentgate install-hooks kiro`)",
        });
    }
    let name = text(m, "tool_name")?;
    let tool = match name.strip_prefix('@').and_then(|r| r.split_once('/')) {
        Some((server, tool)) => mcp_name(server, tool),
        None => name,
    };
    Ok(HookCall {
        call: ToolCall {
            tool,
            input: args(m.get("tool_input"), "tool_input")?,
            session: String::new(),
            cwd: PathBuf::from(text(m, "cwd")?),
        },
        event: "preToolUse".into(),
        cannot_ask: Some("Kiro's hooks cannot ask (they can only block)".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::super::{Decision, Reply};
    use super::*;

    #[test]
    fn reads_mcp_names_and_blocks_by_exit_status() {
        let c = parse(&object(r#"{"hook_event_name":"preToolUse","cwd":"/r","tool_name":"@postgres/query","tool_input":{"sql":"x"}}"#).unwrap()).unwrap();
        assert_eq!(c.call.tool, "mcp__postgres__query");
        assert!(parse(&object(r#"{"hook_event_name":"postToolUse"}"#).unwrap()).is_err());
        assert!(Reply::by_exit_status(Decision::Ask, "r").block);
    }
}
