//! Merging agentgate's hook entries into a harness's settings document:
//! find the object or list a key path names (creating what is missing,
//! refusing what has another type), and put one entry per event there,
//! updating an entry that runs the same command instead of adding a second
//! one. Everything else in the document stays as it was.

use std::path::Path;

use super::InstallError;
use super::json_doc::Doc;

/// The object at `key` of `doc`, created empty when missing.
pub(super) fn object_at<'a>(
    doc: &'a mut Doc,
    key: &str,
    at: &str,
    file: &Path,
) -> Result<&'a mut Doc, InstallError> {
    if doc.get(key).is_none() {
        doc.set(key, Doc::Object(Vec::new()));
    }
    match doc.get_mut(key) {
        Some(v @ Doc::Object(_)) => Ok(v),
        _ => Err(InstallError::WrongType {
            path: file.to_path_buf(),
            at: at.to_string(),
            expected: "an object",
        }),
    }
}

/// The list at `key` of `doc`, created empty when missing.
fn list_at<'a>(
    doc: &'a mut Doc,
    key: &str,
    at: &str,
    file: &Path,
) -> Result<&'a mut Vec<Doc>, InstallError> {
    if doc.get(key).is_none() {
        doc.set(key, Doc::Array(Vec::new()));
    }
    match doc.get_mut(key) {
        Some(Doc::Array(items)) => Ok(items),
        _ => Err(InstallError::WrongType {
            path: file.to_path_buf(),
            at: at.to_string(),
            expected: "a list",
        }),
    }
}

/// Copy every key of `ours` into `entry` (which keeps its other keys).
fn update(entry: &mut Doc, ours: &Doc) {
    if let Doc::Object(keys) = ours {
        for (k, v) in keys {
            entry.set(k, v.clone());
        }
    }
}

/// Whether `entry` runs `command` under `key`.
fn runs(entry: &Doc, key: &str, command: &str) -> bool {
    entry.get(key).and_then(Doc::as_str) == Some(command)
}

/// A flat list of entries under `hooks.<event>` (Copilot, Cursor, Windsurf,
/// Kiro): update the entry whose `key` runs `command`, or add `ours`;
/// later entries running the same command are dropped.
pub(super) fn flat(
    hooks: &mut Doc,
    event: &str,
    key: &str,
    command: &str,
    ours: &Doc,
    file: &Path,
) -> Result<(), InstallError> {
    let list = list_at(hooks, event, &format!("hooks.{event}"), file)?;
    let mut found = false;
    list.retain_mut(|entry| {
        if !runs(entry, key, command) {
            return true;
        }
        if found {
            return false;
        }
        found = true;
        update(entry, ours);
        true
    });
    if !found {
        list.push(ours.clone());
    }
    Ok(())
}

/// Matcher groups under `hooks.<event>`, each with its own `hooks` list
/// (Claude Code, Gemini CLI, Codex): update our hook where a group has it,
/// or add a group holding it. Later copies are dropped, and a group left
/// empty by that goes too.
pub(super) fn grouped(
    hooks: &mut Doc,
    event: &str,
    group: &Doc,
    ours: &Doc,
    command: &str,
    file: &Path,
) -> Result<(), InstallError> {
    let list = list_at(hooks, event, &format!("hooks.{event}"), file)?;
    let mut found = false;
    list.retain_mut(|g| {
        let Some(Doc::Array(inner)) = g.get_mut("hooks") else {
            return true;
        };
        let before = inner.len();
        inner.retain_mut(|h| {
            if !runs(h, "command", command) {
                return true;
            }
            if found {
                return false;
            }
            found = true;
            update(h, ours);
            true
        });
        !(inner.is_empty() && before > 0)
    });
    if !found {
        let mut g = group.clone();
        g.set("hooks", Doc::Array(vec![ours.clone()]));
        list.push(g);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_updated_not_repeated() {
        let f = Path::new("x.json");
        let mut hooks = Doc::parse(
            r#"{"e": [{"command": "other"}, {"command": "ag", "timeout": 5, "mine": 1}, {"command": "ag"}]}"#,
        )
        .unwrap();
        let ours = Doc::object([("command", Doc::text("ag")), ("timeout", Doc::int(30))]);
        flat(&mut hooks, "e", "command", "ag", &ours, f).unwrap();
        assert_eq!(
            hooks,
            Doc::parse(
                r#"{"e": [{"command": "other"}, {"command": "ag", "timeout": 30, "mine": 1}]}"#
            )
            .unwrap()
        );
        let mut bad = Doc::parse(r#"{"e": {}}"#).unwrap();
        assert!(matches!(
            flat(&mut bad, "e", "command", "ag", &ours, f),
            Err(InstallError::WrongType { .. })
        ));
        let mut g = Doc::parse(r#"{"E": [{"matcher": "Bash", "hooks": [{"command": "x"}]}, {"hooks": [{"command": "ag"}]}]}"#).unwrap();
        let group = Doc::object([("matcher", Doc::text("*"))]);
        grouped(&mut g, "E", &group, &ours, "ag", f).unwrap();
        grouped(&mut g, "E", &group, &ours, "ag", f).unwrap();
        assert_eq!(
            g,
            Doc::parse(r#"{"E": [{"matcher": "Bash", "hooks": [{"command": "x"}]}, {"hooks": [{"command": "ag", "timeout": 30}]}]}"#).unwrap()
        );
    }
}
