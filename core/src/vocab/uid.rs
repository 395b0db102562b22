//! Cedar uids from agentgate's names: `Type::"id"` without parsing the id,
//! and Cedar string literals for generated policy text.

use std::collections::HashMap;

use cedar_policy::{EntityId, EntityTypeName, EntityUid};

use super::SyntaxError;

/// `Type::"id"` as a uid. The type name is parsed once per thread and
/// type; the id needs no parsing at all.
pub fn uid(ty: &str, id: &str) -> Result<EntityUid, SyntaxError> {
    thread_local! {
        static TYPES: std::cell::RefCell<HashMap<String, EntityTypeName>> = std::cell::RefCell::new(HashMap::new());
    }
    let name = TYPES.with(|cache| {
        if let Some(n) = cache.borrow().get(ty) {
            return Ok(n.clone());
        }
        let n: EntityTypeName = ty
            .parse()
            .map_err(|e| SyntaxError(format!("`{ty}` is not an entity type name: {e}")))?;
        cache.borrow_mut().insert(ty.to_string(), n.clone());
        Ok(n)
    })?;
    Ok(EntityUid::from_type_name_and_id(name, EntityId::new(id)))
}

/// Parse uid text (`Url::"https://x"`); `what` names it in the error.
pub fn parse_uid(text: &str, what: &str) -> Result<EntityUid, SyntaxError> {
    text.parse::<EntityUid>()
        .map_err(|e| SyntaxError(format!("{what} `{text}` is not a Cedar entity uid: {e}")))
}

/// The `Action::"<id>"` uid.
pub fn action_uid(id: &str) -> Option<EntityUid> {
    uid("Action", id).ok()
}

/// A Cedar string literal for `s`, quoted and escaped.
pub fn cedar_string(s: &str) -> String {
    // Cedar prints (and, for entity uids given as text, requires) ids in
    // this normal form: Rust's `escape_debug`, which its parser reads back.
    format!("\"{}\"", s.escape_debug())
}
