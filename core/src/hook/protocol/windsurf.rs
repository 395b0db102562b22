//! Windsurf (Cascade) hooks: `pre_run_command`, `pre_write_code`,
//! `pre_read_code` and `pre_mcp_tool_use` in `.windsurf/hooks.json`.
//!
//! Follows <https://docs.windsurf.com/windsurf/cascade/hooks> (checked
//! 2026-08; also published as docs.devin.ai/desktop/cascade/hooks).
//!
//! - In: `{agent_action_name, trajectory_id, execution_id, timestamp,
//!   tool_info}`, where `tool_info` is `{command_line, cwd}` for a command,
//!   `{file_path, edits}` for a write, `{file_path}` for a read, and
//!   `{mcp_server_name, mcp_tool_name, mcp_tool_arguments}` for an MCP
//!   tool (which becomes `mcp__<server>__<tool>`). The tool catalog knows
//!   the first three by their action names.
//! - Out: the exit status. 0 lets the action run; 2 blocks it, and stderr
//!   (the reason) is shown to Cascade. There is no JSON answer.
//! - Asking: none, so a confirm is a block saying how to approve.
//! - Failure: any exit but 2 lets the action run, and there is no
//!   fail-closed setting; agentgate exits 2 on its own failures.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::HookCall;
use super::fields::{args, mcp_name, sub, text};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "agent_action_name")?;
    let info = sub(m, "tool_info", "tool_info")?
        .cloned()
        .unwrap_or_default();
    let (tool, input) = match event.as_str() {
        "pre_run_command" | "pre_write_code" | "pre_read_code" => (event.clone(), info.clone()),
        "pre_mcp_tool_use" => (
            mcp_name(
                &text(&info, "mcp_server_name")?,
                &text(&info, "mcp_tool_name")?,
            ),
            args(
                info.get("mcp_tool_arguments"),
                "tool_info.mcp_tool_arguments",
            )?,
        ),
        _ => {
            return Err(HookError::WrongEvent {
                harness: "windsurf",
                event,
                expected: "pre_run_command, pre_write_code, pre_read_code and pre_mcp_tool_use",
                hint: "register it under those actions in .windsurf/hooks.json (`agentgate install-hooks windsurf`)",
            });
        }
    };
    Ok(HookCall {
        call: ToolCall {
            tool,
            input,
            session: text(m, "trajectory_id")?,
            cwd: PathBuf::from(text(&info, "cwd")?),
        },
        event,
        cannot_ask: Some("Windsurf's hooks cannot ask (they can only block)".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::super::{Decision, Reply};
    use super::*;

    #[test]
    fn reads_the_four_actions_and_blocks_by_exit_status() {
        let p = |s: &str| parse(&object(s).unwrap());
        let c = p(r#"{"agent_action_name":"pre_run_command","trajectory_id":"t","tool_info":{"command_line":"ls","cwd":"/r"}}"#).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.cwd.to_str()),
            ("pre_run_command", Some("/r"))
        );
        let c = p(r#"{"agent_action_name":"pre_mcp_tool_use","tool_info":{"mcp_server_name":"slack","mcp_tool_name":"post_message","mcp_tool_arguments":{"channel":"C1"}}}"#).unwrap();
        assert_eq!(c.call.tool, "mcp__slack__post_message");
        assert!(p(r#"{"agent_action_name":"post_write_code"}"#).is_err());
        assert!(p(r#"{"agent_action_name":"pre_run_command","tool_info":"x"}"#).is_err());
        let a = Reply::by_exit_status(Decision::Deny, "no");
        assert!(a.block && a.stdout.is_none());
    }
}
