//! The tool catalog: which rule a tool call falls under. Built in from
//! `core/tools.toml` (data, since tool names change faster than releases)
//! and extended by the repository's `[[tools]]` entries (and the older
//! `[hook.tools]` name-to-action map), which come first. A tool no rule
//! matches is judged by the verbs in its name.

use std::sync::OnceLock;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args;
use crate::policy::config::{Config, TargetRule, ToolRule};

/// The built-in catalog's source text.
pub const BUILTIN_TOOLS: &str = include_str!("../../tools.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolsFile {
    tool: Vec<ToolRule>,
}

/// A rule with its name globs compiled.
struct Compiled {
    rule: ToolRule,
    names: Vec<GlobMatcher>,
    when: Vec<(String, Vec<GlobMatcher>)>,
}

impl Compiled {
    fn new(rule: ToolRule) -> Compiled {
        let glob = |g: &str| {
            Glob::new(&g.to_lowercase())
                .ok()
                .map(|g| g.compile_matcher())
        };
        let names = rule.names.iter().filter_map(|n| glob(n)).collect();
        let when = rule
            .when
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().filter_map(|g| glob(g)).collect()))
            .collect();
        Compiled { rule, names, when }
    }

    fn matches(&self, name: &str, input: &Map<String, Value>) -> bool {
        self.names.iter().any(|g| g.is_match(name))
            && self.when.iter().all(|(path, globs)| {
                args::values(input, path)
                    .iter()
                    .any(|v| globs.iter().any(|g| g.is_match(v.to_lowercase())))
            })
    }
}

fn builtin() -> &'static [Compiled] {
    static BUILTIN: OnceLock<Vec<Compiled>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        // Compiled in and covered by a test: a parse failure is a build
        // defect, caught there; here it leaves only the verb guess.
        toml::from_str::<ToolsFile>(BUILTIN_TOOLS)
            .map(|f| f.tool.into_iter().map(Compiled::new).collect())
            .unwrap_or_default()
    })
}

/// The catalog in force for one repository.
pub struct ToolCatalog {
    own: Vec<Compiled>,
}

impl ToolCatalog {
    /// The built-in catalog behind the repository's own entries.
    pub fn new(config: &Config) -> ToolCatalog {
        let mut own: Vec<Compiled> = config.tools.iter().cloned().map(Compiled::new).collect();
        // `[hook.tools]`: exact names first, then globs, each "the action it
        // is", on the Tool itself.
        let mut legacy: Vec<(&String, &String)> = config.hook.tools.iter().collect();
        legacy.sort_by_key(|(k, _)| k.contains(['*', '?', '[']));
        for (name, action) in legacy {
            own.push(Compiled::new(ToolRule {
                names: vec![name.clone()],
                when: Default::default(),
                targets: vec![TargetRule {
                    action: action.clone(),
                    ..TargetRule::default()
                }],
            }));
        }
        ToolCatalog { own }
    }

    /// The first rule for this call: the repository's, then the built-in.
    pub fn find(&self, tool: &str, input: &Map<String, Value>) -> Option<&ToolRule> {
        let name = tool.to_lowercase();
        self.own
            .iter()
            .chain(builtin().iter())
            .find(|c| c.matches(&name, input))
            .map(|c| &c.rule)
    }
}

impl ToolCatalog {
    /// Every action the rules for this name can give (whatever the
    /// arguments), in order: what `tools import` places the tool's own
    /// action in.
    pub fn actions_for_name(&self, tool: &str) -> Vec<String> {
        let name = tool.to_lowercase();
        let mut out: Vec<String> = Vec::new();
        for c in self.own.iter().chain(builtin().iter()) {
            if c.names.iter().any(|g| g.is_match(&name)) {
                for t in &c.rule.targets {
                    if !out.contains(&t.action) {
                        out.push(t.action.clone());
                    }
                }
            }
        }
        out
    }
}

/// An action every call mapped one way makes (see [`ToolCatalog::ways`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certain {
    /// The action.
    pub action: String,
    /// Whether it always acts on the `Tool` itself, whatever the
    /// arguments (else on what they name).
    pub on_tool: bool,
}

impl ToolCatalog {
    /// Every way calls of `tool` can be mapped, whatever their arguments,
    /// each with the actions *every* call mapped that way makes at least one
    /// request of (or is denied for lacking the arguments to name it): the
    /// rules the name reaches, in order, up to the first with no `when`
    /// (arguments can satisfy any `when`, and nothing after an unconditional
    /// rule is ever reached), then the verbs in the name if every such rule
    /// has a `when`. A way with no certain action is an empty list. What
    /// the MCP proxy asks the policies to hide a tool no call of which could
    /// ever be allowed.
    pub fn ways(&self, tool: &str) -> Vec<Vec<Certain>> {
        let name = tool.to_lowercase();
        let mut out = Vec::new();
        for c in self.own.iter().chain(builtin().iter()) {
            if !c.names.iter().any(|g| g.is_match(&name)) {
                continue;
            }
            let mut certain: Vec<Certain> = Vec::new();
            for t in &c.rule.targets {
                // A required target makes its requests or fails the call; an
                // optional one with nothing to name acts on the Tool itself,
                // except a file (or read) target, which then makes none.
                let always = !t.optional
                    || (!super::targets::is_file_action(&t.action) && t.file.is_empty());
                let c = Certain {
                    action: t.action.clone(),
                    on_tool: !super::targets::names_a_resource(t),
                };
                if always && !certain.contains(&c) {
                    certain.push(c);
                }
            }
            out.push(certain);
            if c.when.is_empty() {
                return out;
            }
        }
        // The verbs: a post names the channels its arguments give, if any;
        // anything else acts on the Tool.
        let action = guess_action(tool);
        out.push(vec![Certain {
            action: action.to_string(),
            on_tool: action != "post",
        }]);
        out
    }
}

/// The words of a tool's name: `chat_postMessage` -> chat, post, message;
/// `send-mail` -> send, mail; `deleteEmails` -> delete, emails. The
/// `mcp__server__` prefix is not part of it.
pub fn words(tool: &str) -> Vec<String> {
    let (_, name) = crate::vocab::split_tool(tool);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The action a tool of no known rule is, from the verbs in its name.
pub fn guess_action(tool: &str) -> &'static str {
    let words = words(tool);
    let has = |list: &[&str]| {
        words.iter().any(|w| {
            list.contains(&w.as_str()) || list.iter().any(|l| w.strip_suffix('s') == Some(l))
        })
    };
    if has(&[
        "permission",
        "collaborator",
        "acl",
        "grant",
        "revoke",
        "invite",
        "visibility",
        "access",
        "privacy",
        "role",
        "restriction",
        "owner",
        "ownership",
        "admin",
        "sharing",
        "unshare",
        "member",
    ]) && !has(&["list", "get", "read", "search", "view", "check", "fetch"])
    {
        "set_permissions"
    } else if has(&[
        "delete", "remove", "trash", "purge", "destroy", "drop", "erase", "wipe", "archive",
        "unlink", "clear", "empty", "expunge", "truncate", "kill", "ban", "kick",
    ]) {
        "remove"
    } else if has(&[
        "post",
        "send",
        "reply",
        "comment",
        "publish",
        "share",
        "tweet",
        "message",
        "notify",
        "broadcast",
        "email",
        "mail",
        "forward",
        "announce",
        "respond",
        "dm",
        "chat",
        "say",
        "tell",
        "submit",
    ]) && !has(&[
        "list", "get", "read", "search", "draft", "view", "history", "fetch",
    ]) {
        "post"
    } else {
        "call"
    }
}

/// Arguments that name where a message goes, for a post no rule describes.
pub const DESTINATION_ARGS: &[&str] = &[
    "channel",
    "channel_id",
    "channelId",
    "channel_name",
    "chat_id",
    "chatId",
    "conversation_id",
    "room",
    "room_id",
    "to",
    "to[]",
    "cc",
    "cc[]",
    "bcc",
    "bcc[]",
    "recipient",
    "recipients",
    "recipients[]",
    "email",
    "user_id",
    "userId",
    "thread_id",
    "space",
    "topic",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_every_glob_compiles() {
        let file: ToolsFile = toml::from_str(BUILTIN_TOOLS).expect("tools.toml parses");
        for rule in &file.tool {
            assert!(!rule.targets.is_empty(), "{:?} has no target", rule.names);
            for n in &rule.names {
                Glob::new(n).unwrap_or_else(|e| panic!("{n}: {e}"));
            }
        }
        assert_eq!(builtin().len(), file.tool.len());
    }

    #[test]
    fn names_split_on_case_underscores_and_dashes() {
        assert_eq!(
            words("mcp__slack__chat_postMessage"),
            ["chat", "post", "message"]
        );
        assert_eq!(words("mcp__ms__send-mail"), ["send", "mail"]);
        assert_eq!(
            words("deleteEmailsInBulk"),
            ["delete", "emails", "in", "bulk"]
        );
        assert_eq!(words("API-post-page"), ["api", "post", "page"]);
    }

    #[test]
    fn ways_name_the_actions_every_call_makes() {
        let catalog = ToolCatalog::new(&Config::default());
        let on = |action: &str, on_tool: bool| Certain {
            action: action.into(),
            on_tool,
        };
        // Unconditional rule: one way.
        assert_eq!(
            catalog.ways("mcp__github__add_collaborator"),
            [[on("set_permissions", false)]]
        );
        // Conditional rules, then the verbs in the name.
        assert_eq!(
            catalog.ways("mcp__github__update_repository"),
            [
                vec![on("set_permissions", false)],
                vec![on("set_permissions", false)],
                vec![on("call", true)]
            ]
        );
        // Optional file targets make nothing certain.
        assert_eq!(
            catalog.ways("mcp__fs__read_text_file"),
            [Vec::<Certain>::new()]
        );
        // No rule: the verbs.
        assert_eq!(
            catalog.ways("mcp__x__deleteEverything"),
            [[on("remove", true)]]
        );
        assert_eq!(catalog.ways("mcp__x__sendNote"), [[on("post", false)]]);
    }

    #[test]
    fn verbs_in_names_guess_the_action() {
        for (tool, want) in [
            ("mcp__slack__chat_postMessage", "post"),
            ("mcp__x__sendEmail", "post"),
            ("mcp__x__deleteEmails", "remove"),
            ("mcp__x__trash-message", "remove"),
            ("mcp__gh__addCollaborator", "set_permissions"),
            ("mcp__gh__set_repo_visibility", "set_permissions"),
            ("mcp__gh__list_collaborators", "call"),
            ("mcp__x__get_messages", "call"),
            ("mcp__x__draft_email", "call"),
            ("TodoWrite", "call"),
        ] {
            assert_eq!(guess_action(tool), want, "{tool}");
        }
    }
}
