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
//! - MCP tools: Copilot CLI registers them as `<server>-<tool>` (the
//!   server's key in its MCP config, a dash, the tool's own name; not in
//!   Copilot's docs, reported in github/copilot-sdk#869 and #861, e.g.
//!   `github-mcp-server-list_pull_requests`). See [`mcp_tool_name`].

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, first_text, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;
use crate::tools::catalog::ToolCatalog;

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

/// `tool` as `mcp__<server>__<tool>` when it is Copilot's name for an MCP
/// tool the catalog knows. Server keys and tool names may both hold dashes
/// (`github-mcp-server`, `send-mail`), so the name is split at the dash
/// where the catalog names the tool: the rightmost such dash first (server
/// keys hold dashes more often than tool names). A name the catalog knows
/// as it is (Copilot's own tools) stays, and so does one no split makes
/// known: the verbs in its name still decide, as for any unknown tool.
pub(super) fn mcp_tool_name(catalog: &ToolCatalog, tool: &str) -> Option<String> {
    if tool.starts_with("mcp__") || !catalog.actions_for_name(tool).is_empty() {
        return None;
    }
    tool.char_indices()
        .rev()
        .filter(|&(i, c)| c == '-' && i > 0 && i + 1 < tool.len())
        .map(|(i, _)| super::fields::mcp_name(&tool[..i], &tool[i + 1..]))
        .find(|name| !catalog.actions_for_name(name).is_empty())
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

    #[test]
    fn dashed_mcp_names_split_where_the_catalog_knows_the_tool() {
        let catalog = ToolCatalog::new(&crate::policy::config::Config::default());
        let name = |t: &str| mcp_tool_name(&catalog, t);
        // Dashes in the server's key, in the tool's name, or both.
        assert_eq!(
            name("github-mcp-server-create_or_update_file").as_deref(),
            Some("mcp__github-mcp-server__create_or_update_file")
        );
        assert_eq!(
            name("ms365-send-mail").as_deref(),
            Some("mcp__ms365__send-mail")
        );
        assert_eq!(
            name("my-gmail-send-mail").as_deref(),
            Some("mcp__my-gmail__send-mail")
        );
        // Copilot's own tools, names already in MCP form, unknown tools and
        // dashes at the ends stay as they are.
        for t in [
            "edit",
            "bash",
            "mcp__gmail__delete_email",
            "my-server-list_items",
            "-write_file",
            "write_file-",
            "-",
        ] {
            assert_eq!(name(t), None, "{t}");
        }
    }
}
