//! Tool calls as requests: what an agent's tool call does, judged by its
//! arguments, for every harness hook and the MCP proxy alike.
//!
//! ```text
//! tool call -> catalog rule (or the verbs in its name) -> targets
//!           -> one request per target (the one request builder) -> Cedar
//!           -> the most serious answer (deny over confirm over allow)
//! ```
//!
//! A call acts on one or more *targets*: a shell command line is a `run` of
//! its `Command` and an `edit` of every path it writes; a mail is a `post`
//! to each recipient (and a `share` of each attachment); a bulk deletion is
//! a `remove` of each message. Files are the same `File` entities the gate
//! judges, resolved where the OS would write them, so a protected path is
//! protected whichever tool writes it. Who can see a post comes from the
//! `[audience]` lists, never from the agent's arguments. Where the schema
//! declares an action named after the tool (`agentgate tools import`), the
//! requests use it and carry the arguments, typed, as `context.input`.

pub mod args;
pub mod audience;
pub mod catalog;
pub mod import;
pub mod input;
pub mod paths;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::decide::{Answer, Decider, Probe};
use crate::policy::PolicyStore;
use crate::policy::schema::{context_attrs, has_action};
use crate::request::{Req, RequestError};
use crate::vocab::Verdict;
use crate::vocab::{FileKind, Principal, Resource};
use audience::{Audience, least_private};
use catalog::{DESTINATION_ARGS, ToolCatalog, guess_action};

/// At most this many requests for one call; a call with more targets (a
/// bulk deletion of thousands) cannot be judged target by target.
pub const MAX_TARGETS: usize = 1000;

/// One tool call, harness-neutral.
#[derive(Debug, Clone, Default)]
pub struct ToolCall {
    /// The tool's name as the harness gives it (`Bash`, `mcp__slack__post`).
    pub tool: String,
    /// Its arguments.
    pub input: Map<String, Value>,
    /// The harness session (`""` when unknown).
    pub session: String,
    /// The directory the agent works in (relative paths start here).
    pub cwd: PathBuf,
}

/// A call cannot be turned into requests: it is denied, with the reason.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MapError {
    /// The payload names no tool.
    #[error("the call names no tool")]
    NoTool,
    /// The arguments that say what the call acts on are missing.
    #[error("{tool} call without {what}: cannot tell what it would do")]
    Missing {
        /// The tool.
        tool: String,
        /// What is missing.
        what: String,
    },
    /// Too many targets to judge one by one.
    #[error(
        "{tool} call acts on {count} targets, more than the {MAX_TARGETS} agentgate judges one by one"
    )]
    TooMany {
        /// The tool.
        tool: String,
        /// How many.
        count: usize,
    },
    /// The arguments do not fit the tool's typed input in the schema.
    #[error("{tool} call: {source}")]
    Input {
        /// The tool.
        tool: String,
        /// What does not fit.
        source: input::InputError,
    },
}

/// One request a call makes.
#[derive(Debug, Clone)]
pub struct Target {
    /// The request the policies judge.
    pub req: Req,
    /// Only possibly acted on (a path argument of a program agentgate does
    /// not know): a deny asks instead, since the call may not touch it.
    pub possible: bool,
    /// A short description (`edit .github/workflows/ci.yml`).
    pub what: String,
}

/// What a tool call is, for policies and for people.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// Every request the call makes, the main one first.
    pub targets: Vec<Target>,
    /// A one-line description (`run git push --force`).
    pub summary: String,
}

/// The answer to a whole call: the most serious of its targets' answers.
#[derive(Debug, Clone)]
pub struct Judged {
    /// allow, confirm or deny.
    pub verdict: Verdict,
    /// The answer of the target that decided it.
    pub answer: Answer,
    /// That target.
    pub target: Target,
}

/// Map a tool call by `agent` to requests.
pub fn map(
    store: &PolicyStore,
    root: Option<&Path>,
    agent: &str,
    call: &ToolCall,
) -> Result<Mapped, MapError> {
    let tool = call.tool.trim();
    if tool.is_empty() {
        return Err(MapError::NoTool);
    }
    let catalog = ToolCatalog::new(&store.config);
    let mut raw: Vec<(String, Resource, bool, String)> = Vec::new();
    let missing = |what: &str| MapError::Missing {
        tool: tool.to_string(),
        what: what.to_string(),
    };
    match catalog.find(tool, &call.input) {
        Some(rule) => {
            for t in &rule.targets {
                let before = raw.len();
                targets_of(t, call, root, &mut raw);
                if raw.len() == before {
                    if !t.optional {
                        return Err(missing(&describe_args(t)));
                    }
                    // An optional target with no arguments acts on the tool.
                    if !is_file_action(&t.action) && t.file.is_empty() {
                        raw.push((
                            t.action.clone(),
                            tool_resource(tool),
                            false,
                            format!("{} via {tool}", t.action),
                        ));
                    }
                }
            }
            if raw.is_empty() {
                raw.push((
                    "call".into(),
                    tool_resource(tool),
                    false,
                    format!("call {tool}"),
                ));
            }
        }
        None => {
            let action = guess_action(tool);
            if action == "post" {
                let (server, _) = crate::vocab::split_tool(tool);
                let kind = if server.is_empty() {
                    "chat".to_string()
                } else {
                    server
                };
                for a in DESTINATION_ARGS {
                    for v in args::values(&call.input, a) {
                        let name = format!("{kind}:{v}");
                        raw.push((
                            action.into(),
                            Resource::entity("Channel", &name),
                            false,
                            format!("post to {name}"),
                        ));
                    }
                }
            }
            if raw.is_empty() {
                raw.push((
                    action.into(),
                    tool_resource(tool),
                    false,
                    format!("{action} via tool {tool}"),
                ));
            }
        }
    }
    // One request per distinct (action, resource); certain beats possible.
    let mut seen: Vec<(String, Resource, bool, String)> = Vec::new();
    for r in raw {
        match seen.iter_mut().find(|s| s.0 == r.0 && s.1 == r.1) {
            Some(s) => s.2 &= r.2,
            None => seen.push(r),
        }
    }
    if seen.len() > MAX_TARGETS {
        return Err(MapError::TooMany {
            tool: tool.to_string(),
            count: seen.len(),
        });
    }

    // Who sees it: the destinations' audience, never the agent's claim.
    let audience = Audience::new(&store.config.audience);
    let destinations: Vec<&'static str> = seen
        .iter()
        .filter_map(|(_, r, _, _)| match r {
            Resource::Entity(uid) if uid.starts_with("Channel::") || uid.starts_with("Item::") => {
                Some(audience.of(&entity_id(uid)))
            }
            _ => None,
        })
        .collect();
    let visibility = if destinations.is_empty() {
        ""
    } else {
        least_private(destinations.iter().copied())
    };

    // A tool the schema declares as an action of its own (`tools import`):
    // its requests use it and carry the arguments, typed.
    let typed = has_action(&store.schema, tool);
    let input = if typed {
        Some(
            input::shaped(&store.schema, tool, &call.input).map_err(|source| MapError::Input {
                tool: tool.to_string(),
                source,
            })?,
        )
    } else {
        None
    };

    let summary = summarize(tool, &seen);
    let targets = seen
        .into_iter()
        .map(|(action, resource, possible, what)| {
            let action = if typed { tool.to_string() } else { action };
            let declared = context_attrs(&store.schema, &action);
            let mut context = Map::new();
            let mut put = |k: &str, v: Value| {
                if declared.iter().any(|d| d == k) {
                    context.insert(k.to_string(), v);
                }
            };
            put("session", json!(call.session));
            put("tool", json!(tool));
            put("visibility", json!(visibility));
            if let Some(i) = &input {
                put("input", i.clone());
            }
            Target {
                req: Req {
                    principal: Principal::Agent(agent.to_string()),
                    action,
                    resource,
                    context,
                    signoff: Vec::new(),
                },
                possible,
                what,
            }
        })
        .collect();
    Ok(Mapped { targets, summary })
}

/// Judge every target of a call; the most serious answer decides (deny
/// over confirm over allow; the first of equals). A possible target's deny
/// asks instead.
pub fn decide(decider: &Decider<'_>, mapped: &Mapped) -> Result<Judged, RequestError> {
    let rank = |v: Verdict| match v {
        Verdict::Allow => 0,
        Verdict::Confirm => 1,
        Verdict::Deny => 2,
    };
    let mut worst: Option<Judged> = None;
    for t in &mapped.targets {
        let answer = decider.answer(&t.req, Probe::Off)?;
        let verdict = match answer.decision {
            Verdict::Deny if t.possible => Verdict::Confirm,
            v => v,
        };
        if worst
            .as_ref()
            .is_none_or(|w| rank(verdict) > rank(w.verdict))
        {
            worst = Some(Judged {
                verdict,
                answer,
                target: t.clone(),
            });
        }
    }
    worst.ok_or_else(|| {
        RequestError::Syntax(crate::vocab::SyntaxError(
            "the call makes no request".into(),
        ))
    })
}

fn tool_resource(tool: &str) -> Resource {
    Resource::entity("Tool", tool)
}

fn is_file_action(action: &str) -> bool {
    matches!(action, "read")
}

/// The id of an entity uid text (`Channel::"slack:#x"` -> `slack:#x`).
fn entity_id(uid: &str) -> String {
    uid.parse::<cedar_policy::EntityUid>()
        .map(|u| u.id().unescaped().to_string())
        .unwrap_or_default()
}

fn describe_args(t: &crate::policy::config::TargetRule) -> String {
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
fn targets_of(
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
    let has_resource = !(t.file.is_empty()
        && t.repo_file.is_empty()
        && t.patch.is_empty()
        && t.command.is_empty()
        && t.url.is_empty()
        && t.query.is_empty()
        && t.channel.is_none()
        && t.item.is_none());
    if !has_resource {
        raw.push((
            action.to_string(),
            tool_resource(&call.tool),
            false,
            format!("{action} via tool {}", call.tool),
        ));
    }
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

fn summarize(tool: &str, targets: &[(String, Resource, bool, String)]) -> String {
    match targets {
        [] => format!("call {tool}"),
        [(_, _, _, what)] => format!("{what} (tool {tool})"),
        [(_, _, _, what), rest @ ..] => {
            format!("{what} and {} more (tool {tool})", rest.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_name_their_paths() {
        let p = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-x\n+y\n*** Add File: .github/workflows/x.yml\n+on: push\n*** Delete File: CODEOWNERS\n*** Update File: old.rs\n*** Move to: new.rs\n*** End Patch";
        assert_eq!(
            patch_paths(p),
            [
                "src/a.rs",
                ".github/workflows/x.yml",
                "CODEOWNERS",
                "old.rs",
                "new.rs"
            ]
        );
        let d = "diff --git a/x b/x\n--- a/policies/acl.cedar\n+++ b/policies/acl.cedar\n@@ -1 +1 @@\n--- /dev/null\n+++ b/new.txt";
        assert_eq!(patch_paths(d), ["policies/acl.cedar", "new.txt"]);
    }
}
