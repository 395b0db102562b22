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
mod targets;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::decide::{Answer, Decider, Probe};
use crate::policy::PolicyStore;
use crate::policy::schema::{context_attrs, is_tool_action};
use crate::request::{Req, RequestError};
use crate::vocab::Verdict;
use crate::vocab::{Principal, Resource};
use audience::{Audience, least_private};
pub use catalog::Certain;
use catalog::{DESTINATION_ARGS, ToolCatalog, guess_action};
pub use targets::patch_paths;
use targets::{describe_args, entity_id, is_file_action, targets_of, tool_resource};

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

impl Judged {
    /// Which of the call's targets decided, in words, when it has more
    /// than one (` (edit a.yml, which it may write)`); empty otherwise.
    pub fn decided_by(&self, mapped: &Mapped) -> String {
        if mapped.targets.len() <= 1 {
            return String::new();
        }
        let may = if self.target.possible {
            ", which it may write"
        } else {
            ""
        };
        format!(" ({}{may})", self.target.what)
    }
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
    let typed = is_tool_action(&store.schema, tool);
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

/// The actions every call of `tool` makes at least one request of, for
/// each way the catalog can map the tool whatever its arguments (see
/// [`ToolCatalog::ways`]); a tool the schema declares as an action of its
/// own (`tools import`) makes only that one. A way with no certain action is
/// an empty list.
pub fn certain_actions(store: &PolicyStore, tool: &str) -> Vec<Vec<Certain>> {
    let tool = tool.trim();
    if is_tool_action(&store.schema, tool) {
        return vec![vec![Certain {
            action: tool.to_string(),
            on_tool: false,
        }]];
    }
    ToolCatalog::new(&store.config).ways(tool)
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
