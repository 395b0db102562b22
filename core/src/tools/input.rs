//! A tool's arguments as `context.input`, typed by the schema. When the
//! schema declares an action named after the tool with an `input` record
//! (`agentgate tools import` writes such declarations from an MCP
//! `tools/list` answer), the arguments are shaped to it: attributes the
//! record does not declare are dropped (no policy can read them), and a
//! missing required argument or a value of the wrong type is an error, so
//! the call is denied rather than judged on a guess.

use cedar_policy::Schema;
use cedar_policy_core::validator::types::Type;
use serde_json::{Map, Value};

use crate::vocab::action_uid;

/// The arguments shaped to the `input` type of `action`'s context
/// (`{}` when the context declares no `input`).
pub fn shaped(
    schema: &Schema,
    action: &str,
    args: &Map<String, Value>,
) -> Result<Value, InputError> {
    let Some(uid) = action_uid(action) else {
        return Ok(Value::Object(Map::new()));
    };
    let Some(Type::Record { attrs, .. }) = schema.as_ref().context_type(uid.as_ref()) else {
        return Ok(Value::Object(Map::new()));
    };
    let Some((_, input)) = attrs.iter().find(|(k, _)| k.as_str() == "input") else {
        return Ok(Value::Object(Map::new()));
    };
    shape(
        &Value::Object(args.clone()),
        &input.attr_type,
        "the arguments",
    )
}

fn shape(v: &Value, t: &Type, at: &str) -> Result<Value, InputError> {
    let wrong = |want: &'static str| InputError::Type {
        at: at.to_string(),
        want,
        got: kind(v),
    };
    match t {
        Type::Bool(_) => v
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| wrong("a boolean")),
        Type::Long => v
            .as_i64()
            .map(|n| Value::Number(n.into()))
            .ok_or_else(|| wrong("an integer")),
        Type::String => v
            .as_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| wrong("a string")),
        Type::Set { element_type } => {
            let items = v.as_array().ok_or_else(|| wrong("an array"))?;
            match element_type {
                Some(e) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| shape(x, e, &format!("{at}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                None => Err(InputError::Untyped { at: at.to_string() }),
            }
        }
        Type::Record { attrs, .. } => {
            let m = v.as_object().ok_or_else(|| wrong("an object"))?;
            let mut out = Map::new();
            for (name, a) in attrs.iter() {
                let name = name.as_str();
                match m.get(name) {
                    Some(Value::Null) | None if a.is_required => {
                        return Err(InputError::Missing {
                            at: at.to_string(),
                            name: name.to_string(),
                        });
                    }
                    Some(Value::Null) | None => {}
                    Some(x) => {
                        out.insert(
                            name.to_string(),
                            shape(x, &a.attr_type, &format!("`{name}`"))?,
                        );
                    }
                }
            }
            Ok(Value::Object(out))
        }
        other => Err(InputError::Unreadable {
            at: at.to_string(),
            ty: other.to_string(),
        }),
    }
}

/// Arguments that do not fit the tool's declared input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A value of the wrong type.
    #[error("{at} should be {want}, not {got}")]
    Type {
        /// Where.
        at: String,
        /// The declared type.
        want: &'static str,
        /// What it is.
        got: &'static str,
    },
    /// A required argument is missing.
    #[error("{at} lack `{name}`, which the schema requires")]
    Missing {
        /// Where.
        at: String,
        /// The argument.
        name: String,
    },
    /// A set whose elements the schema does not type.
    #[error("{at}: the schema gives its elements no type")]
    Untyped {
        /// Where.
        at: String,
    },
    /// A type no argument can be read as (an entity, an extension value).
    #[error("{at}: a {ty} in the schema cannot be read from tool arguments")]
    Unreadable {
        /// Where.
        at: String,
        /// The type.
        ty: String,
    },
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
