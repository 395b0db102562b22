//! The sections of `agentgate.toml` beyond the policy set's paths: agent
//! identities, the decision log, the gate, GitHub, the hooks, the tool
//! catalog and who sees which destination.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An agent identity added by the repository (same shape as the built-in
/// catalog's entries).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Catalog id: becomes `Agent::"<id>"`.
    pub id: String,
    /// Who makes it (`Agent.vendor`).
    #[serde(default)]
    pub vendor: String,
    /// Human-readable name.
    #[serde(default)]
    pub name: String,
    /// Account logins (GitHub), compared case-insensitively.
    #[serde(default)]
    pub logins: Vec<String>,
    /// Commit e-mail addresses (author, committer, co-author trailers),
    /// compared case-insensitively.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Exact author/committer/co-author names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Suffixes of author/committer names, e.g. `" (aider)"`.
    #[serde(default)]
    pub name_suffixes: Vec<String>,
    /// Trailers that mark the agent: `"Key"` (any value) or `"Key: value"`
    /// (value compared case-insensitively as a prefix).
    #[serde(default)]
    pub trailers: Vec<String>,
    /// Substrings of the commit message that mark the agent.
    #[serde(default)]
    pub message_markers: Vec<String>,
    /// Prefixes of the commit subject that mark the agent.
    #[serde(default)]
    pub subject_prefixes: Vec<String>,
    /// Prefixes of author/committer/co-author names, e.g. `"aider ("`
    /// (aider names its co-author `aider (<model>)`).
    #[serde(default)]
    pub name_prefixes: Vec<String>,
    /// `ai` (an AI agent; the default) or `automation` (dependency bots,
    /// CI accounts): `Agent.kind`, so policies and the audit can treat
    /// them apart.
    #[serde(default)]
    pub kind: AgentKind,
}

/// What kind of non-human an agent is.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum AgentKind {
    /// An AI agent (also what an unknown bot or tool is taken for: a rule
    /// that is stricter for AI then applies to it).
    #[default]
    Ai,
    /// Automation that is not AI: dependency updaters, CI accounts.
    Automation,
}

impl AgentKind {
    /// `ai` or `automation` (the `Agent.kind` attribute value).
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::Ai => "ai",
            AgentKind::Automation => "automation",
        }
    }
}

/// Where decisions of `check` and the hooks are appended.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// JSON-lines file, relative to the repository root (or absolute).
    pub decisions: Option<String>,
}

/// Gate settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// More paths for the built-in floor (a directory ends with `/`).
    #[serde(default)]
    pub protect: Vec<String>,
}

/// How a commit that links to no GitHub account is judged.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Unlinked {
    /// As an agent's commit (the safe default).
    #[default]
    Agent,
    /// By its git identity alone.
    Git,
}

/// Settings for `agentgate github`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    /// Cedar team name -> GitHub team `org/slug` whose members belong to it.
    #[serde(default)]
    pub teams: BTreeMap<String, String>,
    /// How commits linked to no GitHub account are judged.
    #[serde(default)]
    pub unlinked_commits: Unlinked,
    /// Post (and update) a PR comment with the report.
    #[serde(default)]
    pub comment: Option<bool>,
}

/// What a hook answers when the policies allow.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OnAllow {
    /// No decision (the default): the harness's own permission rules still
    /// apply, so wiring agentgate in never lets an agent do more.
    #[default]
    Defer,
    /// `allow`: the harness skips its own permission prompt for whatever
    /// the policies allow (gives up the harness's own prompts).
    Allow,
}

/// What a hook answers when the policies need a human to confirm.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OnConfirm {
    /// Ask, where the harness can (the default); deny where nobody can
    /// answer (Claude Code's `bypassPermissions` and `dontAsk`, a CI run).
    #[default]
    Ask,
    /// Always deny, saying how to approve (for unattended runs).
    Deny,
}

/// One tool catalog entry (the shape of `core/tools.toml`'s `[[tool]]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ToolRule {
    /// Globs on the tool name, case-insensitive.
    pub names: Vec<String>,
    /// Argument path -> globs one of its values must match (`*`: present).
    #[serde(default)]
    pub when: BTreeMap<String, Vec<String>>,
    /// What the call acts on (one request per value found).
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetRule>,
}

/// One kind of thing a tool call acts on.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TargetRule {
    /// The Cedar action.
    pub action: String,
    /// Arguments holding local file paths.
    #[serde(default)]
    pub file: Vec<String>,
    /// Arguments holding paths in a remote repository.
    #[serde(default)]
    pub repo_file: Vec<String>,
    /// Arguments holding a shell command line.
    #[serde(default)]
    pub command: Vec<String>,
    /// Arguments holding a patch.
    #[serde(default)]
    pub patch: Vec<String>,
    /// Arguments holding a URL.
    #[serde(default)]
    pub url: Vec<String>,
    /// Arguments holding a search query.
    #[serde(default)]
    pub query: Vec<String>,
    /// A `Channel` kind, named from `args` or `template`.
    #[serde(default)]
    pub channel: Option<String>,
    /// An `Item` kind, named from `args` or `template`.
    #[serde(default)]
    pub item: Option<String>,
    /// Arguments naming channels or items.
    #[serde(default)]
    pub args: Vec<String>,
    /// A name built from arguments: `{owner}/{repo}`, `{a|b}` for either.
    #[serde(default)]
    pub template: Option<String>,
    /// Characters to split values on.
    #[serde(default)]
    pub split: Option<String>,
    /// The call may lack these arguments.
    #[serde(default)]
    pub optional: bool,
}

/// Destinations whose audience is known, as globs on `kind:name`
/// (`slack:#team-*`, `email:*@example.com`, `github:acme/*`), compared
/// case-insensitively. The first list that names a destination gives its
/// visibility; a destination none names is "" (not private).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceConfig {
    /// Only the team sees these.
    #[serde(default)]
    pub private: Vec<String>,
    /// The organisation sees these.
    #[serde(default)]
    pub internal: Vec<String>,
    /// Anyone sees these.
    #[serde(default)]
    pub public: Vec<String>,
}

/// Settings for `agentgate hook`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    /// Tool name (exact, or a glob such as `mcp__gmail__*`) -> the action
    /// it is (`post`, `remove`, `set_permissions`, `call`, ...). Overrides
    /// the guess agentgate makes from the tool's name.
    #[serde(default)]
    pub tools: BTreeMap<String, String>,
    /// What an allow becomes: `defer` (default) or `allow`.
    #[serde(default)]
    pub on_allow: OnAllow,
    /// What a confirm becomes: `ask` (default, deny where nobody can
    /// answer) or `deny`.
    #[serde(default)]
    pub on_confirm: OnConfirm,
}

impl HookConfig {
    /// The action `[hook.tools]` gives `tool`: an exact entry first, then
    /// the first glob (in key order) that matches.
    pub fn action_for(&self, tool: &str) -> Option<String> {
        if let Some(a) = self.tools.get(tool) {
            return Some(a.clone());
        }
        self.tools
            .iter()
            .filter(|(pattern, _)| pattern.contains(['*', '?', '[']))
            .find(|(pattern, _)| {
                globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(tool))
            })
            .map(|(_, action)| action.clone())
    }
}
