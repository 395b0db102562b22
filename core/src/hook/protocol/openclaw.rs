//! OpenClaw plugin hooks, through the agentgate plugin
//! (`integrations/openclaw`), which passes each hook's event and context
//! to `agentgate hook openclaw` and returns the answer as the hook's
//! result.
//!
//! Follows OpenClaw's plugin hook documentation: `docs/plugins/hooks/tool-policy.md`,
//! `docs/plugins/hooks/messages.md` and `docs/plugins/hooks/reference.md`
//! (<https://docs.openclaw.ai/plugins/hooks>; github.com/openclaw/openclaw,
//! checked 2026-08), and `docs/cli/mcp.md` for MCP tool names.
//!
//! - In: `{"hook": "before_tool_call", "event": {toolName, params,
//!   toolCallId, runId, derivedPaths}, "ctx": {agentId, sessionKey,
//!   sessionId, ...}, "cwd"}`, or `{"hook": "message_sending", "event":
//!   {to, content, metadata}, "ctx": {channelId, accountId,
//!   conversationId}, "cwd"}`. MCP tools are `<server>__<tool>` in
//!   OpenClaw and become `mcp__<server>__<tool>`; an outbound message is
//!   the `message` tool's `send` (`{channel, target, message}`), so one
//!   catalog rule judges both.
//! - Out (the hook's result, as JSON): `before_tool_call`: `{"block": true,
//!   "blockReason"}`, or `{"requireApproval": {title, description,
//!   severity, timeoutMs, allowedDecisions}}`, or `{}` (no decision: a
//!   plugin cannot grant past OpenClaw's own approvals). `message_sending`:
//!   `{"cancel": true, "cancelReason"}` or `{}`.
//! - Asking: `requireApproval` for a tool call (an approval nobody answers
//!   in time is denied, and "allow-always" is not offered, so no answer
//!   outlives the call); a message can only be cancelled, so a confirm
//!   there is a cancel.
//! - Failure: a `before_tool_call` handler that throws or times out blocks
//!   the call; `message_sending` failures are only logged, so the plugin
//!   cancels on any failure itself. agentgate answers its own failures
//!   with a block (and, when it cannot tell which hook asked, a cancel).

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, first_text, mcp_name, sub, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

/// How long an approval waits before OpenClaw denies it (the plugin's
/// `approvalTimeoutMs` overrides it).
pub const APPROVAL_TIMEOUT_MS: u64 = 120_000;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let hook = text(m, "hook")?;
    let event = sub(m, "event", "event")?.cloned().unwrap_or_default();
    let ctx = sub(m, "ctx", "ctx")?.cloned().unwrap_or_default();
    let cwd = PathBuf::from(text(m, "cwd")?);
    let session = first_text(&ctx, &["sessionKey", "sessionId"])?;
    match hook.as_str() {
        "before_tool_call" => {
            let name = text(&event, "toolName")?;
            let tool = match name.split_once("__") {
                Some((server, tool)) if !name.starts_with("mcp__") && !server.is_empty() => {
                    mcp_name(server, tool)
                }
                _ => name,
            };
            Ok(HookCall {
                call: ToolCall {
                    tool,
                    input: args(event.get("params"), "event.params")?,
                    session,
                    cwd,
                },
                event: hook,
                cannot_ask: None,
            })
        }
        "message_sending" => {
            let to = text(&event, "to")?;
            if to.is_empty() {
                return Err(HookError::Missing {
                    field: "event.to".into(),
                    event: hook,
                });
            }
            let mut channel = text(&ctx, "channelId")?;
            if channel.is_empty()
                && let Some(meta) = sub(&event, "metadata", "event.metadata")?
            {
                channel = text(meta, "channel")?;
            }
            let mut input = Map::new();
            input.insert("action".into(), json!("send"));
            input.insert("channel".into(), json!(channel));
            input.insert("target".into(), json!(to));
            input.insert("message".into(), json!(text(&event, "content")?));
            Ok(HookCall {
                call: ToolCall {
                    tool: "message".into(),
                    input,
                    session,
                    cwd,
                },
                event: hook,
                cannot_ask: Some(
                    "OpenClaw's message_sending hook cannot ask (it can only cancel the message)"
                        .into(),
                ),
            })
        }
        _ => Err(HookError::WrongEvent {
            harness: "openclaw",
            event: hook,
            expected: "before_tool_call and message_sending",
            hint: "use the agentgate OpenClaw plugin (integrations/openclaw), which sends those",
        }),
    }
}

/// At most `max` characters of `s` (OpenClaw caps approval titles and
/// descriptions).
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max.saturating_sub(1)) {
        Some((at, _)) if s.chars().count() > max => format!("{}…", &s[..at]),
        _ => s.to_string(),
    }
}

pub(super) fn render(event: Option<&str>, decision: Decision, reason: &str) -> Reply {
    let block = matches!(decision, Decision::Deny | Decision::Ask);
    match event {
        Some("message_sending") if block => {
            Reply::json(json!({"cancel": true, "cancelReason": reason}))
        }
        Some("before_tool_call") if decision == Decision::Ask => Reply::json(json!({
            "requireApproval": {
                "title": "agentgate: a human must confirm this call",
                "description": clip(reason, 512),
                "severity": "warning",
                "timeoutMs": APPROVAL_TIMEOUT_MS,
                "allowedDecisions": ["allow-once", "deny"],
            }
        })),
        Some("before_tool_call") if block => {
            Reply::json(json!({"block": true, "blockReason": reason}))
        }
        Some("before_tool_call" | "message_sending") => Reply::json(json!({})),
        // Unknown or unreadable: block whichever hook asked.
        _ => Reply::json(json!({
            "block": true,
            "blockReason": reason,
            "cancel": true,
            "cancelReason": reason,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_tool_calls_and_outbound_messages() {
        let p = |s: &str| parse(&object(s).unwrap());
        let c = p(r#"{"hook":"before_tool_call","event":{"toolName":"gmail__batch_delete_emails","params":{"messageIds":["1"]}},"ctx":{"sessionKey":"k"},"cwd":"/r"}"#).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.session.as_str()),
            ("mcp__gmail__batch_delete_emails", "k")
        );
        let c = p(r##"{"hook":"message_sending","event":{"to":"#general","content":"hi"},"ctx":{"channelId":"slack"}}"##).unwrap();
        assert_eq!(
            (c.call.tool.as_str(), c.call.input["target"].as_str()),
            ("message", Some("#general"))
        );
        assert!(c.cannot_ask.is_some());
        assert!(p(r#"{"hook":"after_tool_call"}"#).is_err());
        assert!(p(r#"{"hook":"message_sending","event":{}}"#).is_err());
    }

    #[test]
    fn answers_in_the_hooks_result_shapes() {
        let a = render(Some("before_tool_call"), Decision::Ask, &"x".repeat(600));
        let v: Value = serde_json::from_str(&a.stdout.unwrap()).unwrap();
        assert_eq!(
            v["requireApproval"]["description"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            512
        );
        assert_eq!(
            render(Some("message_sending"), Decision::Defer, "")
                .stdout
                .unwrap(),
            "{}"
        );
        let v: Value =
            serde_json::from_str(&render(None, Decision::Deny, "r").stdout.unwrap()).unwrap();
        assert_eq!(
            (v["block"].as_bool(), v["cancel"].as_bool()),
            (Some(true), Some(true))
        );
    }
}
