//! The context of a request: every field the caller left out gets its
//! default (no sign-off, not confirmed, the type's empty value; a
//! command's flags from its text), and plain JSON values become Cedar values
//! directly when they can.

use std::sync::Arc;

use cedar_policy::{Context, EntityUid, RestrictedExpression};
use cedar_policy_core::validator::types::{EntityKind, Type};
use serde_json::{Map, Value, json};

use super::{Builder, Req, RequestError, shell, syntax};
use crate::vocab::{Resource, Signer, action_uid, parse_uid, uid};

impl Builder<'_> {
    /// Which context field does not fit the action's declared context, in
    /// words (Cedar's own message elides the context).
    pub(super) fn context_mismatch(
        &self,
        action: &EntityUid,
        ctx: &Map<String, Value>,
    ) -> Option<String> {
        let Some(Type::Record { attrs, .. }) = self.schema().as_ref().context_type(action.as_ref())
        else {
            return None;
        };
        for (k, v) in ctx {
            let Some((_, a)) = attrs.iter().find(|(n, _)| n.as_str() == k) else {
                return Some(format!("`{k}` is not a context field of this action"));
            };
            let fits = match &*a.attr_type {
                Type::Bool(_) => v.is_boolean(),
                Type::Long => v.is_i64(),
                Type::String => v.is_string(),
                Type::Set { .. } => v.is_array(),
                Type::Record { .. } => v.is_object(),
                _ => true,
            };
            if !fits {
                return Some(format!("`{k}` should be of type {}", a.attr_type));
            }
        }
        None
    }

    pub(super) fn action_has_signoff(&self, action: &str) -> bool {
        matches!(
            self.context_type(action).as_deref(),
            Some(Type::Record { attrs, .. }) if attrs.iter().any(|(k, _)| k.as_str() == "signoff")
        )
    }

    pub(super) fn context_type(&self, action: &str) -> Option<Arc<Type>> {
        let uid = action_uid(action)?;
        self.schema()
            .as_ref()
            .context_type(uid.as_ref())
            .map(|t| Arc::new(t.clone()))
    }

    pub(super) fn fill_context(
        &self,
        req: &Req,
        action: &EntityUid,
    ) -> Result<Map<String, Value>, RequestError> {
        let mut ctx = req.context.clone();
        let Some(Type::Record { attrs, .. }) = self.schema().as_ref().context_type(action.as_ref())
        else {
            return Ok(ctx);
        };
        let command = match (&req.resource, req.action.as_str()) {
            (Resource::Entity(uid), _) if uid.starts_with("Command::") => {
                parse_uid(uid, "resource")
                    .ok()
                    .map(|u| shell::analyze(u.id().unescaped()))
            }
            _ => None,
        };
        for (name, attr) in attrs.iter() {
            let name = name.as_str();
            if ctx.contains_key(name) || !attr.is_required {
                continue;
            }
            let value = match (name, &command) {
                ("signoff", _) if is_entity(&attr.attr_type, "SignOff") => {
                    json!({"__entity": {"type": "SignOff", "id": signoff_id(&req.signoff)}})
                }
                ("approvals", _) if matches!(*attr.attr_type, Type::Long) => {
                    json!(req.signoff.len())
                }
                ("force_push", Some(c)) => json!(c.force_push),
                ("recursive_delete", Some(c)) => json!(c.recursive_delete),
                ("pipe_to_shell", Some(c)) => json!(c.pipe_to_shell),
                ("elevated", Some(c)) => json!(c.elevated),
                ("changes_permissions", Some(c)) => json!(c.changes_permissions),
                _ => default_value(&attr.attr_type).ok_or_else(|| {
                    syntax(format!(
                        "context field `{name}` of action `{}` has no default (its type is {}); give it in the request's context",
                        req.action, attr.attr_type
                    ))
                })?,
            };
            ctx.insert(name.to_string(), value);
        }
        Ok(ctx)
    }
}

/// A context of plain values (booleans, integers, strings, entity refs in
/// `{"__entity": ...}` form, sets and records of those) as Cedar values;
/// `None` for anything else.
pub(super) fn direct_context(ctx: &Map<String, Value>) -> Option<Context> {
    fn value(v: &Value) -> Option<RestrictedExpression> {
        Some(match v {
            Value::Bool(b) => RestrictedExpression::new_bool(*b),
            Value::Number(n) => RestrictedExpression::new_long(n.as_i64()?),
            Value::String(s) => RestrictedExpression::new_string(s.clone()),
            Value::Array(items) => {
                RestrictedExpression::new_set(items.iter().map(value).collect::<Option<Vec<_>>>()?)
            }
            Value::Object(m) if m.contains_key("__extn") || m.contains_key("__expr") => {
                return None;
            }
            Value::Object(m) if m.contains_key("__entity") => {
                let e = m.get("__entity")?;
                let uid = uid(e.get("type")?.as_str()?, e.get("id")?.as_str()?).ok()?;
                RestrictedExpression::new_entity_uid(uid)
            }
            Value::Object(m) => RestrictedExpression::new_record(
                m.iter()
                    .map(|(k, v)| Some((k.clone(), value(v)?)))
                    .collect::<Option<Vec<_>>>()?,
            )
            .ok()?,
            Value::Null => return None,
        })
    }
    let pairs = ctx
        .iter()
        .map(|(k, v)| Some((k.clone(), value(v)?)))
        .collect::<Option<Vec<_>>>()?;
    Context::from_pairs(pairs).ok()
}

/// The SignOff entity id for a set of signers (deterministic, so equal
/// signer sets share one entity).
pub(super) fn signoff_id(signers: &[Signer]) -> String {
    let mut keys: Vec<String> = signers.iter().map(Signer::key).collect();
    keys.sort();
    keys.dedup();
    keys.join(",")
}

fn is_entity(t: &Type, name: &str) -> bool {
    match t {
        Type::Entity(EntityKind::Entity(lub)) => lub
            .get_single_entity()
            .is_some_and(|e| e.to_string() == name),
        _ => false,
    }
}

/// The empty value of a schema type; `None` for entities and extension
/// types, which have no meaningful empty value.
fn default_value(t: &Type) -> Option<Value> {
    Some(match t {
        Type::Bool(_) => json!(false),
        Type::Long => json!(0),
        Type::String => json!(""),
        Type::Set { .. } => json!([]),
        Type::Record { attrs, .. } => {
            let mut m = Map::new();
            for (k, a) in attrs.iter() {
                if a.is_required {
                    m.insert(k.to_string(), default_value(&a.attr_type)?);
                }
            }
            Value::Object(m)
        }
        _ => return None,
    })
}
