//! What one catalog rule makes of a call's arguments: files (where the OS
//! would write them, directories with their files), repository paths of
//! remote writes, command lines with every path they write, patches with
//! their paths, URLs, queries, channels and items.

use std::path::{Path, PathBuf};

use super::{ToolCall, args, paths};
use crate::vocab::{FileKind, Resource};

pub(super) fn tool_resource(tool: &str) -> Resource {
    Resource::entity("Tool", tool)
}

pub(super) fn is_file_action(action: &str) -> bool {
    matches!(action, "read")
}

/// The id of an entity uid text (`Channel::"slack:#x"` -> `slack:#x`).
pub(super) fn entity_id(uid: &str) -> String {
    uid.parse::<cedar_policy::EntityUid>()
        .map(|u| u.id().unescaped().to_string())
        .unwrap_or_default()
}

pub(super) fn describe_args(t: &crate::policy::config::TargetRule) -> String {
    let names: Vec<&String> = t
        .file
        .iter()
        .chain(&t.repo_file)
        .chain(&t.command)
        .chain(&t.patch)
        .chain(&t.url)
        .chain(&t.query)
        .chain(&t.args)
        .collect();
    let kind = if !t.command.is_empty() {
        "a command"
    } else if !t.file.is_empty() || !t.repo_file.is_empty() || !t.patch.is_empty() {
        "a file path"
    } else if !t.url.is_empty() {
        "a URL"
    } else if !t.query.is_empty() {
        "a query"
    } else if t.channel.is_some() {
        "a destination"
    } else {
        "what it acts on"
    };
    match (&t.template, names.is_empty()) {
        (Some(tpl), _) => format!("{kind} ({tpl})"),
        (None, false) => format!(
            "{kind} (argument {})",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, true) => kind.to_string(),
    }
}

/// Every value of `names` in the call's arguments.
fn all_values(call: &ToolCall, names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        for v in args::values(&call.input, n) {
            if !v.trim().is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// The targets one rule target makes, appended to `raw` as (action,
/// resource, possible, description).
pub(super) fn targets_of(
    t: &crate::policy::config::TargetRule,
    call: &ToolCall,
    root: Option<&Path>,
    raw: &mut Vec<(String, Resource, bool, String)>,
) {
    let action = t.action.as_str();
    let file = |raw: &mut Vec<_>, action: &str, rel: String, possible: bool| {
        let expand = action != "read";
        let all = if expand {
            paths::touched(root, &rel)
        } else {
            vec![rel]
        };
        for p in all {
            if p.is_empty() {
                continue;
            }
            let what = format!("{action} {p}");
            raw.push((
                action.to_string(),
                Resource::File {
                    path: p,
                    kind: FileKind::File,
                },
                possible,
                what,
            ));
        }
    };
    for given in all_values(call, &t.file) {
        file(
            raw,
            action,
            paths::file_path(root, &call.cwd, &given),
            false,
        );
    }
    for given in all_values(call, &t.repo_file) {
        let p = paths::repo_path(&given);
        if !p.is_empty() {
            file(raw, action, p, false);
        }
    }
    for text in all_values(call, &t.patch) {
        for p in patch_paths(&text) {
            file(raw, action, paths::file_path(root, &call.cwd, &p), false);
        }
    }
    for line in all_values(call, &t.command) {
        raw.push((
            action.to_string(),
            Resource::entity("Command", &line),
            false,
            format!("run `{line}`"),
        ));
        for w in crate::request::shell::analyze(&line).writes {
            let rel = paths::file_path(root, &call.cwd, &w.path);
            // A possible write counts where it names something real or a
            // path: an unknown program's plain words are not files.
            let real = root
                .map(|r| r.join(&rel))
                .unwrap_or_else(|| PathBuf::from(&rel));
            if w.certain || w.path.contains('/') || std::fs::symlink_metadata(&real).is_ok() {
                // What a command writes is an edit of that file.
                file(raw, "edit", rel, !w.certain);
            }
        }
    }
    for u in all_values(call, &t.url) {
        raw.push((
            action.to_string(),
            Resource::entity("Url", &u),
            false,
            format!("{action} {u}"),
        ));
    }
    for q in all_values(call, &t.query) {
        raw.push((
            action.to_string(),
            Resource::entity("Query", &q),
            false,
            format!("{action} {q:?}"),
        ));
    }
    let named = |kind: &str| -> Vec<String> {
        let mut names = match &t.template {
            Some(tpl) => args::template(&call.input, tpl).into_iter().collect(),
            None => all_values(call, &t.args),
        };
        if let Some(seps) = &t.split {
            names = names
                .iter()
                .flat_map(|n| n.split(|c| seps.contains(c)).map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect();
        }
        names.into_iter().map(|n| format!("{kind}:{n}")).collect()
    };
    if let Some(kind) = &t.channel {
        for name in named(kind) {
            raw.push((
                action.to_string(),
                Resource::entity("Channel", &name),
                false,
                format!("{action} to {name}"),
            ));
        }
    }
    if let Some(kind) = &t.item {
        for name in named(kind) {
            raw.push((
                action.to_string(),
                Resource::entity("Item", &name),
                false,
                format!("{action} {name}"),
            ));
        }
    }
    if !names_a_resource(t) {
        raw.push((
            action.to_string(),
            tool_resource(&call.tool),
            false,
            format!("{action} via tool {}", call.tool),
        ));
    }
}

/// Whether a target names what it acts on (a file, command, URL, query,
/// channel or item) rather than acting on the `Tool` itself.
pub(super) fn names_a_resource(t: &crate::policy::config::TargetRule) -> bool {
    !(t.file.is_empty()
        && t.repo_file.is_empty()
        && t.patch.is_empty()
        && t.command.is_empty()
        && t.url.is_empty()
        && t.query.is_empty()
        && t.channel.is_none()
        && t.item.is_none())
}

/// The paths a patch writes: `*** Add File:`, `*** Update File:`, `***
/// Delete File:`, `*** Move to:` (the apply_patch format) and `--- a/x` /
/// `+++ b/x` (unified diffs).
pub fn patch_paths(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let l = line.trim_end();
        let p = [
            "*** Add File: ",
            "*** Update File: ",
            "*** Delete File: ",
            "*** Move to: ",
        ]
        .iter()
        .find_map(|pre| l.strip_prefix(pre))
        .or_else(|| {
            ["--- ", "+++ "].iter().find_map(|pre| {
                l.strip_prefix(pre).map(|rest| {
                    let rest = rest.split('\t').next().unwrap_or(rest);
                    rest.strip_prefix("a/")
                        .or_else(|| rest.strip_prefix("b/"))
                        .unwrap_or(rest)
                })
            })
        });
        if let Some(p) = p {
            let p = p.trim();
            if !p.is_empty() && p != "/dev/null" && !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}
