//! Loading the Cedar schema (`.cedarschema` or Cedar's JSON schema format)
//! and checking it defines the vocabulary agentgate itself relies on.

use std::sync::Arc;

use cedar_policy::Schema;
use cedar_policy_core::validator::types::Type;

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Severity};
pub use crate::vocab::{action_uid, cedar_string};

/// The shipped schema (what `agentgate init` writes).
pub const BUILTIN_TEXT: &str = include_str!("../../../schemas/agentgate.cedarschema");
/// The shipped schema in Cedar's JSON schema format, which Cedar reads
/// several times faster than the `.cedarschema` grammar. A test keeps it
/// equal to [`BUILTIN_TEXT`]. Every hook process parses the schema, so this
/// is most of a hook's latency.
const BUILTIN_JSON: &str = include_str!("../../builtin-schema.json");

/// Whether `text` is the shipped schema (line endings aside).
fn is_builtin(text: &str) -> bool {
    text == BUILTIN_TEXT || (text.contains('\r') && text.replace("\r\n", "\n") == BUILTIN_TEXT)
}

/// Parse a schema. Warnings (e.g. shadowed names) are returned alongside.
pub fn parse_schema(source: &Arc<SourceFile>) -> Result<(Schema, Vec<Diag>), Vec<Diag>> {
    if is_builtin(&source.text)
        && let Ok(schema) = Schema::from_json_str(BUILTIN_JSON)
    {
        return Ok((schema, Vec::new()));
    }
    if source.name.ends_with(".json") {
        return Schema::from_json_str(&source.text)
            .map(|s| (s, Vec::new()))
            .map_err(|e| {
                vec![Diag::from_miette(
                    &e,
                    Severity::Error,
                    Code::CedarSchema,
                    Some(source),
                )]
            });
    }
    match Schema::from_cedarschema_str(&source.text) {
        Ok((schema, warnings)) => {
            let warnings = warnings
                .map(|w| Diag::from_miette(&w, Severity::Warning, Code::CedarSchema, Some(source)))
                .collect();
            Ok((schema, warnings))
        }
        Err(e) => Err(vec![Diag::from_miette(
            &e,
            Severity::Error,
            Code::CedarSchema,
            Some(source),
        )]),
    }
}

/// Parse a schema made of `main` and more fragments (`schemas` in the
/// config), as one schema.
pub fn parse_schema_with(
    main: &Arc<SourceFile>,
    extra: &[Arc<SourceFile>],
) -> Result<(Schema, Vec<Diag>), Vec<Diag>> {
    if extra.is_empty() {
        return parse_schema(main);
    }
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut fragments = Vec::new();
    for src in std::iter::once(main).chain(extra) {
        let parsed = if is_builtin(&src.text) {
            cedar_policy::SchemaFragment::from_json_str(BUILTIN_JSON)
                .map_err(|e| Diag::from_miette(&e, Severity::Error, Code::CedarSchema, Some(src)))
        } else if src.name.ends_with(".json") {
            cedar_policy::SchemaFragment::from_json_str(&src.text)
                .map_err(|e| Diag::from_miette(&e, Severity::Error, Code::CedarSchema, Some(src)))
        } else {
            cedar_policy::SchemaFragment::from_cedarschema_str(&src.text)
                .map(|(f, w)| {
                    warnings.extend(w.map(|w| {
                        Diag::from_miette(&w, Severity::Warning, Code::CedarSchema, Some(src))
                    }));
                    f
                })
                .map_err(|e| Diag::from_miette(&e, Severity::Error, Code::CedarSchema, Some(src)))
        };
        match parsed {
            Ok(f) => fragments.push(f),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Schema::from_schema_fragments(fragments)
        .map(|s| (s, warnings))
        .map_err(|e| {
            vec![
                Diag::from_miette(&e, Severity::Error, Code::CedarSchema, Some(main)).with_help(
                    "the schema files in `schema` and `schemas` must combine into one schema",
                ),
            ]
        })
}

/// Entity types every agentgate schema must define.
pub const REQUIRED_TYPES: &[&str] = &["Team", "Human", "Agent", "SignOff", "Dir", "File"];
/// Gate actions every agentgate schema must define, in group `change`.
pub const GATE_ACTIONS: &[&str] = &["create", "modify", "delete"];
/// Context attributes the gate fills for its actions.
pub const GATE_CONTEXT: &[&str] = &["signoff", "approvals"];

/// The actions of the shipped schema: agentgate's own vocabulary (a test
/// keeps the list equal to the schema). A tool that shares a name with one
/// (OpenClaw's `write`, Copilot's `create` and `edit`) is a tool the
/// catalog maps, never an action of its own (see [`is_tool_action`]).
pub const VOCAB_ACTIONS: &[&str] = &[
    "write",
    "change",
    "create",
    "modify",
    "delete",
    "runtime",
    "irreversible",
    "communicate",
    "read",
    "edit",
    "run",
    "fetch",
    "search",
    "call",
    "post",
    "share",
    "remove",
    "set_permissions",
];

/// Whether the schema declares `tool` as an action of its own, with typed
/// input (`agentgate tools import`): an action by that name that is not
/// one of agentgate's own.
pub fn is_tool_action(schema: &Schema, tool: &str) -> bool {
    !VOCAB_ACTIONS.contains(&tool) && has_action(schema, tool)
}

/// Whether the schema defines an action with this id.
pub fn has_action(schema: &Schema, id: &str) -> bool {
    action_uid(id).is_some_and(|uid| schema.actions().any(|a| *a == uid))
}

/// Whether the schema gives entity type `ty` an attribute `attr`.
pub fn has_entity_attr(schema: &Schema, ty: &str, attr: &str) -> bool {
    let Ok(name) = ty.parse::<cedar_policy::EntityTypeName>() else {
        return false;
    };
    schema
        .as_ref()
        .get_entity_type(name.as_ref())
        .is_some_and(|t| t.attr(attr).is_some())
}

/// Names of the attributes of an action's context record (empty when the
/// action is unknown).
pub fn context_attrs(schema: &Schema, action: &str) -> Vec<String> {
    let Some(uid) = action_uid(action) else {
        return Vec::new();
    };
    match schema.as_ref().context_type(uid.as_ref()) {
        Some(Type::Record { attrs, .. }) => attrs.iter().map(|(k, _)| k.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Check that the schema speaks agentgate's vocabulary; each gap is an error
/// naming what is missing.
pub fn check_vocabulary(schema: &Schema, source: &Arc<SourceFile>) -> Vec<Diag> {
    let mut out = Vec::new();
    let types: Vec<String> = schema.entity_types().map(|t| t.to_string()).collect();
    for t in REQUIRED_TYPES {
        if !types.iter().any(|x| x == t) {
            out.push(
                Diag::error(
                    Code::SchemaVocabulary,
                    format!("the schema does not define entity type `{t}`, which agentgate builds for every request"),
                )
                .in_file(source)
                .with_help("start from the schema `agentgate init` writes, and add to it"),
            );
        }
    }
    let change = action_uid("change");
    let action_entities = schema.action_entities().ok();
    for a in GATE_ACTIONS {
        if !has_action(schema, a) {
            out.push(
                Diag::error(
                    Code::SchemaVocabulary,
                    format!("the schema does not define action `{a}`, which the gate asks about"),
                )
                .in_file(source)
                .with_help("declare: action create, modify, delete in [change] appliesTo { ... }"),
            );
            continue;
        }
        let in_change = match (action_uid(a), &change, &action_entities) {
            (Some(uid), Some(change), Some(ents)) => ents.is_ancestor_of(change, &uid),
            _ => false,
        };
        if !in_change {
            out.push(
                Diag::error(
                    Code::SchemaVocabulary,
                    format!("action `{a}` is not in the action group `change`"),
                )
                .in_file(source)
                .with_help("declare: action change; action create, modify, delete in [change] ..."),
            );
        }
        let ctx = context_attrs(schema, a);
        for field in GATE_CONTEXT {
            if !ctx.iter().any(|c| c == field) {
                out.push(
                    Diag::error(
                        Code::SchemaVocabulary,
                        format!(
                            "the context of action `{a}` lacks `{field}`, which the gate fills"
                        ),
                    )
                    .in_file(source),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `core/builtin-schema.json` is the shipped schema, converted by
    /// Cedar. Regenerate with `AGENTGATE_BLESS=1 cargo test -p
    /// agentgate-core builtin_json`.
    #[test]
    fn the_vocabulary_is_the_shipped_schemas_actions() {
        let schema = Schema::from_json_str(BUILTIN_JSON).unwrap();
        let mut shipped: Vec<String> = schema
            .actions()
            .map(|a| a.id().unescaped().to_string())
            .collect();
        shipped.sort();
        let mut listed: Vec<String> = VOCAB_ACTIONS.iter().map(|a| a.to_string()).collect();
        listed.sort();
        assert_eq!(shipped, listed);
        assert!(!is_tool_action(&schema, "write"));
    }

    #[test]
    fn builtin_json_is_the_shipped_schema() {
        let (frag, warnings) =
            cedar_policy::SchemaFragment::from_cedarschema_str(BUILTIN_TEXT).unwrap();
        assert_eq!(warnings.count(), 0);
        let want: serde_json::Value =
            serde_json::from_str(&frag.to_json_string().unwrap()).unwrap();
        if std::env::var_os("AGENTGATE_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/builtin-schema.json");
            std::fs::write(path, serde_json::to_string_pretty(&want).unwrap() + "\n").unwrap();
            return;
        }
        let got: serde_json::Value = serde_json::from_str(BUILTIN_JSON).unwrap();
        assert!(
            got == want,
            "core/builtin-schema.json is stale: AGENTGATE_BLESS=1 cargo test -p agentgate-core builtin_json"
        );
        // And the fast path is taken for the shipped text, in either line ending.
        assert!(is_builtin(BUILTIN_TEXT));
        assert!(is_builtin(&BUILTIN_TEXT.replace('\n', "\r\n")));
        assert!(!is_builtin(&format!("{BUILTIN_TEXT}\nentity Extra;\n")));
    }

    #[test]
    fn cedar_strings_escape() {
        assert_eq!(cedar_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(cedar_string("x\u{1}"), "\"x\\u{1}\"");
        // Whatever the text, the uid it makes parses back to the same id.
        for id in [
            "sed -i 's/a/b/' f",
            "tab\there",
            "ünï\u{301}code",
            "a\"b\\c",
        ] {
            let uid: cedar_policy::EntityUid =
                format!("Command::{}", cedar_string(id)).parse().unwrap();
            assert_eq!(uid.id().unescaped(), id);
        }
    }

    #[test]
    fn shipped_schema_has_vocabulary() {
        let src = SourceFile::new(
            "schemas/agentgate.cedarschema",
            include_str!("../../../schemas/agentgate.cedarschema"),
        );
        let (schema, warnings) = parse_schema(&src).unwrap();
        assert!(warnings.is_empty());
        assert!(check_vocabulary(&schema, &src).is_empty());
        assert!(context_attrs(&schema, "post").contains(&"visibility".to_string()));
    }

    #[test]
    fn missing_vocabulary_is_named() {
        let src = SourceFile::new(
            "s.cedarschema",
            "entity User; action view appliesTo { principal: User, resource: User };",
        );
        let (schema, _) = parse_schema(&src).unwrap();
        let errs = check_vocabulary(&schema, &src);
        assert!(errs.iter().any(|d| d.message.contains("`Agent`")));
        assert!(errs.iter().any(|d| d.message.contains("`modify`")));
    }
}
