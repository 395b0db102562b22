//! Reading payload fields the way every harness protocol needs them: the
//! payload as an object (a UTF-8 byte-order mark stripped: Cursor's agent
//! on Windows sends one), text fields that are text or absent, argument
//! objects that arrive as objects or as JSON strings, and MCP tool names in
//! the one spelling the tool catalog knows (`mcp__<server>__<tool>`).

use serde_json::{Map, Value};

use crate::hook::HookError;

/// The payload as a JSON object.
pub(super) fn object(text: &str) -> Result<Map<String, Value>, HookError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(HookError::NotObject),
        Err(e) => Err(HookError::NotJson(e.to_string())),
    }
}

/// A text field: `""` when absent or null, an error when it is something
/// else (a tool name that is a number is not a tool agentgate can judge).
pub(super) fn text(m: &Map<String, Value>, key: &str) -> Result<String, HookError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(HookError::NotText { field: key.into() }),
    }
}

/// The first of `keys` that holds non-empty text.
pub(super) fn first_text(m: &Map<String, Value>, keys: &[&str]) -> Result<String, HookError> {
    for k in keys {
        let v = text(m, k)?;
        if !v.is_empty() {
            return Ok(v);
        }
    }
    Ok(String::new())
}

/// An object field (`field` names it in errors).
pub(super) fn sub<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, HookError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(HookError::NotAnObject {
            field: field.into(),
        }),
    }
}

/// Tool arguments: an object, a JSON string holding one (Copilot CLI
/// command hooks, Cursor's MCP events, Cline's `use_mcp_tool`), or nothing.
pub(super) fn args(v: Option<&Value>, field: &str) -> Result<Map<String, Value>, HookError> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(HookError::StringNotAnObject {
                field: field.into(),
            }),
        },
        Some(_) => Err(HookError::NotAnObject {
            field: field.into(),
        }),
    }
}

/// An MCP tool in the catalog's spelling. A server agentgate is not told
/// stays empty (`mcp____query`), so rules for any server still match and
/// nothing pretends to know which server it was.
pub(super) fn mcp_name(server: &str, tool: &str) -> String {
    format!("mcp__{}__{}", server.trim(), tool.trim())
}
