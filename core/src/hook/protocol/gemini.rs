//! Google Gemini CLI `BeforeTool` command hooks.
//!
//! Follows <https://geminicli.com/docs/hooks/reference/> (the repository's
//! `docs/hooks/reference.md`, github.com/google-gemini/gemini-cli, checked
//! 2026-08-21) and the scheduler's handling of a hook `ask`
//! (google-gemini/gemini-cli#21146, merged 2026-03-21).
//!
//! - In: `{session_id, transcript_path, cwd, hook_event_name: "BeforeTool",
//!   timestamp, tool_name, tool_input, mcp_context?}`; `mcp_context` names
//!   the MCP server and tool (`{server_name, tool_name, ...}`), which become
//!   `mcp__<server>__<tool>`. `web_fetch` carries its URLs inside `prompt`;
//!   they are read out as `urls`.
//! - Out (exit 0, top level): `{"decision": "deny"|"ask"|"allow", "reason",
//!   "systemMessage"}`; no output is "no decision". `allow` does not skip
//!   Gemini's own confirmation.
//! - Asking: `decision: "ask"` prompts in an interactive session; a CI run
//!   asks nobody, and there a confirm is a deny.
//! - Failure: a hook that times out or exits other than 0 or 2 only warns,
//!   so agentgate answers its own failures with a JSON deny.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::fields::{args, first_text, mcp_name, sub, text};
use super::{Decision, HookCall, Reply};
use crate::hook::HookError;
use crate::tools::ToolCall;

pub(super) fn parse(m: &Map<String, Value>) -> Result<HookCall, HookError> {
    let event = text(m, "hook_event_name")?;
    if !event.is_empty() && event != "BeforeTool" {
        return Err(HookError::WrongEvent {
            harness: "gemini",
            event,
            expected: "BeforeTool",
            hint: "register it under \"BeforeTool\" in .gemini/settings.json",
        });
    }
    let mut tool = text(m, "tool_name")?;
    if let Some(mcp) = sub(m, "mcp_context", "mcp_context")? {
        let server = text(mcp, "server_name")?;
        let name = first_text(mcp, &["tool_name", "name"])?;
        if !name.is_empty() {
            tool = mcp_name(&server, &name);
        }
    }
    let mut input = args(m.get("tool_input"), "tool_input")?;
    if tool == "web_fetch" && !input.contains_key("url") && !input.contains_key("urls") {
        let prompt = text(&input, "prompt")?;
        let urls: Vec<Value> = urls_in(&prompt).into_iter().map(Value::String).collect();
        input.insert("urls".into(), Value::Array(urls));
    }
    Ok(HookCall {
        call: ToolCall {
            tool,
            input,
            session: text(m, "session_id")?,
            cwd: PathBuf::from(text(m, "cwd")?),
        },
        event: "BeforeTool".into(),
        cannot_ask: None,
    })
}

/// The `http://` and `https://` URLs in a text, as Gemini's `web_fetch`
/// finds them in its prompt (up to whitespace, without trailing
/// punctuation).
fn urls_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        for scheme in ["https://", "http://"] {
            if let Some(at) = word.find(scheme) {
                let url = word[at..].trim_end_matches(|c: char| {
                    matches!(c, '.' | ',' | ';' | ':' | ')' | ']' | '>' | '"' | '\'')
                });
                if !out.iter().any(|u| u == url) {
                    out.push(url.to_string());
                }
                break;
            }
        }
    }
    out
}

pub(super) fn render(decision: Decision, reason: &str) -> Reply {
    match decision {
        Decision::Defer => Reply::silent(),
        Decision::Allow => Reply::json(json!({"decision": "allow", "reason": reason})),
        Decision::Ask => Reply::json(json!({
            "decision": "ask",
            "reason": reason,
            "systemMessage": reason,
        })),
        Decision::Deny => Reply::json(json!({"decision": "deny", "reason": reason})),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::object;
    use super::*;

    #[test]
    fn reads_mcp_context_and_the_urls_of_a_fetch() {
        let c = parse(&object(r#"{"hook_event_name":"BeforeTool","tool_name":"mcp_gmail_delete_email","tool_input":{"id":"1"},"mcp_context":{"server_name":"gmail","tool_name":"delete_email"}}"#).unwrap()).unwrap();
        assert_eq!(c.call.tool, "mcp__gmail__delete_email");
        let c = parse(&object(r#"{"tool_name":"web_fetch","tool_input":{"prompt":"Summarise https://a.test/x, and (http://b.test/y)."}}"#).unwrap()).unwrap();
        assert_eq!(
            c.call.input["urls"],
            json!(["https://a.test/x", "http://b.test/y"])
        );
        assert!(parse(&object(r#"{"hook_event_name":"AfterTool"}"#).unwrap()).is_err());
    }
}
