//! The wire formats of the harnesses agentgate hooks into: what each sends
//! on stdin and what it expects back.
//!
//! - Claude Code `PreToolUse`: `{session_id, cwd, hook_event_name,
//!   tool_name, tool_input, ...}` in; `{"hookSpecificOutput":
//!   {"hookEventName": "PreToolUse", "permissionDecision":
//!   "allow"|"deny"|"ask", "permissionDecisionReason"}}` out, exit 0.
//! - GitHub Copilot SDK / CLI `preToolUse`: `{timestamp, cwd, toolName,
//!   toolArgs}` in (`toolArgs` an object, or a JSON string in command
//!   hooks); `{"permissionDecision", "permissionDecisionReason"}` out.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::tools::ToolCall;

/// A hook payload cannot be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct HookError(pub String);

/// A payload, read: the tool call and what the harness says about who can
/// answer a question.
#[derive(Debug, Clone)]
pub struct HookCall {
    /// The tool call.
    pub call: ToolCall,
    /// Claude Code's `permission_mode` (`default`, `bypassPermissions`,
    /// `dontAsk`, ...), when given.
    pub permission_mode: Option<String>,
}

/// A harness agentgate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Harness {
    /// Claude Code's `PreToolUse` command hook.
    ClaudeCode,
    /// The GitHub Copilot SDK's `preToolUse` hook (and Copilot CLI command
    /// hooks, which share its shape).
    Copilot,
}

impl Harness {
    /// The name used on the command line and in the decision log.
    pub fn name(self) -> &'static str {
        match self {
            Harness::ClaudeCode => "claude-code",
            Harness::Copilot => "copilot",
        }
    }

    /// The agent id a harness's calls are judged as by default.
    pub fn default_agent(self) -> &'static str {
        match self {
            Harness::ClaudeCode => "claude-code",
            Harness::Copilot => "copilot",
        }
    }
}

/// What the hook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let the call run without asking.
    Allow,
    /// Block it; the reason goes to the agent.
    Deny,
    /// Ask the human first.
    Ask,
    /// Say nothing: the harness's own permission rules decide.
    Defer,
}

impl Decision {
    /// The wire value (`None` for defer).
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Decision::Allow => Some("allow"),
            Decision::Deny => Some("deny"),
            Decision::Ask => Some("ask"),
            Decision::Defer => None,
        }
    }
}

fn object(text: &str) -> Result<Map<String, Value>, HookError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(HookError("the hook payload is not a JSON object".into())),
        Err(e) => Err(HookError(format!("the hook payload is not JSON: {e}"))),
    }
}

fn text_field(m: &Map<String, Value>, key: &str) -> String {
    m.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn args(v: Option<&Value>, key: &str) -> Result<Map<String, Value>, HookError> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        // Copilot CLI command hooks pass the arguments as a JSON string.
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(HookError(format!(
                "`{key}` is a string but not a JSON object"
            ))),
        },
        Some(_) => Err(HookError(format!("`{key}` is not an object"))),
    }
}

/// Read a payload into a tool call.
pub fn parse(harness: Harness, text: &str) -> Result<HookCall, HookError> {
    let m = object(text)?;
    let cwd = PathBuf::from(text_field(&m, "cwd"));
    match harness {
        Harness::ClaudeCode => {
            let event = text_field(&m, "hook_event_name");
            if !event.is_empty() && event != "PreToolUse" {
                return Err(HookError(format!(
                    "`agentgate hook claude-code` answers PreToolUse events, not {event}: register it under \"PreToolUse\" in settings.json"
                )));
            }
            let mode = text_field(&m, "permission_mode");
            Ok(HookCall {
                call: ToolCall {
                    tool: text_field(&m, "tool_name"),
                    input: args(m.get("tool_input"), "tool_input")?,
                    session: text_field(&m, "session_id"),
                    cwd,
                },
                permission_mode: (!mode.is_empty()).then_some(mode),
            })
        }
        Harness::Copilot => {
            // Copilot CLI also sends a VS Code-style payload: tool_name and
            // tool_input, snake_case.
            let tool = match text_field(&m, "toolName") {
                t if t.is_empty() => text_field(&m, "tool_name"),
                t => t,
            };
            let input = match m.get("toolArgs") {
                Some(v) => args(Some(v), "toolArgs")?,
                None => args(m.get("tool_input"), "tool_input")?,
            };
            let session = match text_field(&m, "sessionId") {
                s if s.is_empty() => text_field(&m, "session_id"),
                s => s,
            };
            Ok(HookCall {
                call: ToolCall {
                    tool,
                    input,
                    session,
                    cwd,
                },
                permission_mode: None,
            })
        }
    }
}

/// The answer in the harness's shape (`None`: print nothing, for defer).
pub fn render(harness: Harness, decision: Decision, reason: &str) -> Option<Value> {
    let d = decision.as_str()?;
    Some(match harness {
        Harness::ClaudeCode => json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": d,
                "permissionDecisionReason": reason,
            }
        }),
        Harness::Copilot => json!({
            "permissionDecision": d,
            "permissionDecisionReason": reason,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse() {
        let c = parse(
            Harness::ClaudeCode,
            r#"{"session_id":"abc","cwd":"/r","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#,
        )
        .unwrap();
        let c = c.call;
        assert_eq!((c.tool.as_str(), c.session.as_str()), ("Bash", "abc"));
        let c = parse(
            Harness::Copilot,
            r#"{"timestamp":1,"cwd":"/r","toolName":"bash","toolArgs":"{\"command\":\"ls\"}"}"#,
        )
        .unwrap()
        .call;
        assert_eq!(c.input["command"], "ls");
        assert!(parse(Harness::ClaudeCode, "not json").is_err());
        assert!(parse(Harness::ClaudeCode, r#"{"hook_event_name":"PostToolUse"}"#).is_err());
        assert!(parse(Harness::Copilot, r#"{"toolArgs": 3}"#).is_err());
    }
}
