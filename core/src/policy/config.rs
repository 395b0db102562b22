//! `agentgate.toml`: where the policy set lives, who is in which team, extra
//! agent identities, the decision log and gate settings. Every key is
//! optional; unknown keys are errors with file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Diags};

/// The config file's name, at the repository root.
pub const CONFIG_FILE: &str = "agentgate.toml";
/// Default policy directory.
pub const DEFAULT_POLICIES: &str = "policies";
/// Default schema file.
pub const DEFAULT_SCHEMA: &str = "schemas/agentgate.cedarschema";
/// Default directory of policy test suites.
pub const DEFAULT_TESTS: &str = "tests/policies";

/// The parsed configuration, with defaults filled in and paths normalised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory holding the `.cedar` policy files (searched recursively).
    #[serde(default = "default_policies")]
    pub policies: String,
    /// The Cedar schema (`.cedarschema`, or Cedar JSON schema `.json`).
    #[serde(default = "default_schema")]
    pub schema: String,
    /// More schema fragments, read with `schema` as one schema: typed tool
    /// actions written by `agentgate tools import`, say.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Directory of test suites run by `agentgate test` without arguments.
    #[serde(default = "default_tests")]
    pub tests: String,
    /// Teams: `name = ["login", "agent-id", "team:other-team", ...]`.
    #[serde(default)]
    pub teams: BTreeMap<String, Vec<String>>,
    /// Agent identities beyond the built-in catalog.
    #[serde(default)]
    pub agents: Vec<AgentConfig>,
    /// Decision log for `check` and the hooks.
    #[serde(default)]
    pub log: LogConfig,
    /// Gate settings.
    #[serde(default)]
    pub gate: GateConfig,
    /// GitHub settings for `agentgate github`.
    #[serde(default)]
    pub github: GithubConfig,
    /// Settings for the harness hooks (`agentgate hook`).
    #[serde(default)]
    pub hook: HookConfig,
    /// The repository's own tool catalog entries (before the built-in
    /// ones): which action a tool call is and what it acts on.
    #[serde(default)]
    pub tools: Vec<ToolRule>,
    /// Who can see what is posted where: destinations known to be private,
    /// internal or public. Anything no list names is not private.
    #[serde(default)]
    pub audience: AudienceConfig,
    /// Where this config was read from (not a key: set by the loader).
    #[serde(skip, default = "default_config_path")]
    pub config_path: String,
}

fn default_config_path() -> String {
    CONFIG_FILE.into()
}

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

fn default_policies() -> String {
    DEFAULT_POLICIES.into()
}
fn default_schema() -> String {
    DEFAULT_SCHEMA.into()
}
fn default_tests() -> String {
    DEFAULT_TESTS.into()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policies: default_policies(),
            schema: default_schema(),
            tests: default_tests(),
            schemas: Vec::new(),
            teams: BTreeMap::new(),
            agents: Vec::new(),
            log: LogConfig::default(),
            gate: GateConfig::default(),
            github: GithubConfig::default(),
            hook: HookConfig::default(),
            tools: Vec::new(),
            audience: AudienceConfig::default(),
            config_path: default_config_path(),
        }
    }
}

/// The repository whose policies govern `start`: the outermost directory
/// at or above it that is a git work tree's top level (has `.git`) and
/// holds an `agentgate.toml`; without one, the outermost directory above
/// it holding an `agentgate.toml`. Outermost, never nearest: an
/// `agentgate.toml` (or a `.git` next to one) that an agent writes into a
/// subdirectory it works in never replaces the repository's own.
pub fn find_config_dir(start: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut in_git: Option<&std::path::Path> = None;
    let mut any: Option<&std::path::Path> = None;
    let mut cur = Some(start);
    while let Some(dir) = cur {
        if dir.join(CONFIG_FILE).is_file() {
            any = Some(dir);
            if dir.join(".git").exists() {
                in_git = Some(dir);
            }
        }
        cur = dir.parent();
    }
    in_git.or(any).map(std::path::Path::to_path_buf)
}

/// Prefix that marks a nested team in a team's member list.
pub const TEAM_PREFIX: &str = "team:";

impl Config {
    /// Parse and check a config file's text. Every error found is
    /// returned, each located at the key it is about.
    pub fn parse(source: &Arc<SourceFile>) -> Result<Config, Diags> {
        let mut config: Config = toml::from_str(&source.text).map_err(|e| {
            let d = Diag::error(Code::Config, e.message().to_string()).with_help(
                "see the README's `agentgate.toml` section for every key and its meaning",
            );
            Diags::from(match e.span() {
                Some(span) => d.at(source, span),
                None => d.in_file(source),
            })
        })?;
        let spans = KeySpans::new(&source.text);
        let mut errors = Vec::new();
        let mut at = |path: &[Step<'_>], message: String| {
            let d = Diag::error(Code::Config, message);
            errors.push(match spans.find(path) {
                Some(span) => d.at(source, span),
                None => d.in_file(source),
            });
        };
        use Step::{Index, Key};
        for (key, value) in [
            ("policies", &mut config.policies),
            ("schema", &mut config.schema),
            ("tests", &mut config.tests),
        ] {
            match normalize_path(value) {
                Ok(n) => *value = n,
                Err(why) => at(&[Key(key)], format!("`{key}` = {value:?}: {why}")),
            }
        }
        for (i, p) in config.schemas.iter_mut().enumerate() {
            match normalize_path(p) {
                Ok(n) => *p = n,
                Err(why) => at(
                    &[Key("schemas"), Index(i)],
                    format!("schemas: {p:?}: {why}"),
                ),
            }
        }
        for (i, p) in config.gate.protect.iter_mut().enumerate() {
            let dir = p.ends_with('/');
            match normalize_path(p) {
                Ok(mut n) => {
                    if dir && !n.is_empty() {
                        n.push('/');
                    }
                    *p = n;
                }
                Err(why) => at(
                    &[Key("gate"), Key("protect"), Index(i)],
                    format!("[gate] protect: {p:?}: {why}"),
                ),
            }
        }
        for (team, message) in config.team_errors() {
            at(&[Key("teams"), Key(&team)], message);
        }
        for (i, a) in config.agents.iter().enumerate() {
            if a.id.trim().is_empty() {
                at(
                    &[Key("agents"), Index(i)],
                    "an [[agents]] entry has an empty `id`".into(),
                );
            }
        }
        for (pattern, action) in &config.hook.tools {
            let key = [Key("hook"), Key("tools"), Key(pattern)];
            if let Err(e) = globset::Glob::new(pattern) {
                at(
                    &key,
                    format!("[hook.tools] {pattern:?} is not a valid glob: {e}"),
                );
            }
            if action.trim().is_empty() || action.contains(['"', ':']) {
                at(
                    &key,
                    format!(
                        "[hook.tools] {pattern:?} = {action:?}: expected an action id such as \"post\" or \"remove\""
                    ),
                );
            }
        }
        for (i, rule) in config.tools.iter().enumerate() {
            for (j, name) in rule.names.iter().enumerate() {
                if let Err(e) = globset::Glob::new(name) {
                    at(
                        &[Key("tools"), Index(i), Key("names"), Index(j)],
                        format!("[[tools]] name {name:?} is not a valid glob: {e}"),
                    );
                }
            }
            for (j, t) in rule.targets.iter().enumerate() {
                if t.action.trim().is_empty() || t.action.contains(['"', ':']) {
                    at(
                        &[
                            Key("tools"),
                            Index(i),
                            Key("target"),
                            Index(j),
                            Key("action"),
                        ],
                        format!(
                            "[[tools]] {:?}: target action {:?} is not an action id such as \"post\"",
                            rule.names, t.action
                        ),
                    );
                }
            }
        }
        for (list, globs) in [
            ("private", &config.audience.private),
            ("internal", &config.audience.internal),
            ("public", &config.audience.public),
        ] {
            for (i, g) in globs.iter().enumerate() {
                if let Err(e) = globset::Glob::new(g) {
                    at(
                        &[Key("audience"), Key(list), Index(i)],
                        format!("[audience] {list}: {g:?} is not a valid glob: {e}"),
                    );
                }
            }
        }
        for (team, slug) in &config.github.teams {
            if slug.split('/').count() != 2 || slug.starts_with('/') || slug.ends_with('/') {
                at(
                    &[Key("github"), Key("teams"), Key(team)],
                    format!("[github.teams] {team} = {slug:?}: expected \"org/team-slug\""),
                );
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(Diags(errors))
        }
    }

    /// Every problem with `[teams]`, by team.
    fn team_errors(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, members) in &self.teams {
            if name.is_empty() {
                out.push((name.clone(), "a team name is empty".into()));
            }
            for m in members {
                if let Some(t) = m.strip_prefix(TEAM_PREFIX) {
                    if !self.teams.contains_key(t) {
                        out.push((
                            name.clone(),
                            format!("team `{name}` includes `{m}`, but no team `{t}` is defined"),
                        ));
                    }
                } else if m.trim().is_empty() {
                    out.push((name.clone(), format!("team `{name}` has an empty member")));
                }
            }
        }
        // Nested teams must not form a cycle: Cedar's hierarchy would be
        // meaningless and every member would be in every team of the cycle.
        for start in self.teams.keys() {
            let mut seen = BTreeSet::new();
            let mut stack = vec![start.as_str()];
            'walk: while let Some(t) = stack.pop() {
                for m in self.teams.get(t).into_iter().flatten() {
                    if let Some(sub) = m.strip_prefix(TEAM_PREFIX) {
                        if sub == start {
                            out.push((
                                start.clone(),
                                format!("team `{start}` contains itself through nested teams"),
                            ));
                            break 'walk;
                        }
                        if seen.insert(sub) {
                            stack.push(sub);
                        }
                    }
                }
            }
        }
        out
    }

    /// Teams that list `member` directly (a login, compared
    /// case-insensitively, or an agent id).
    pub fn teams_of(&self, member: &str) -> Vec<&str> {
        self.teams
            .iter()
            .filter(|(_, ms)| {
                ms.iter()
                    .any(|m| !m.starts_with(TEAM_PREFIX) && m.eq_ignore_ascii_case(member))
            })
            .map(|(t, _)| t.as_str())
            .collect()
    }

    /// Teams that include team `team` as a nested team.
    pub fn parent_teams(&self, team: &str) -> Vec<&str> {
        self.teams
            .iter()
            .filter(|(_, ms)| ms.iter().any(|m| m.strip_prefix(TEAM_PREFIX) == Some(team)))
            .map(|(t, _)| t.as_str())
            .collect()
    }

    /// Direct and nested members of `team` that are logins or agent ids.
    pub fn members(&self, team: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack = vec![team.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(t) = stack.pop() {
            if !seen.insert(t.clone()) {
                continue;
            }
            for m in self.teams.get(&t).into_iter().flatten() {
                match m.strip_prefix(TEAM_PREFIX) {
                    Some(sub) => stack.push(sub.to_string()),
                    None => {
                        out.insert(m.to_ascii_lowercase());
                    }
                }
            }
        }
        out
    }

    /// What the built-in floor protects: agentgate's own files (policy
    /// directory, schema, config, any file named `agentgate.toml`, the
    /// decision log), the files that wire it into harnesses and CI
    /// (workflows, hook settings, MCP server lists), CODEOWNERS, `.git/`
    /// (hooks and config run code), and `[gate] protect`.
    pub fn floor_entries(&self) -> Vec<Protected> {
        let mut out = vec![
            Protected::Dir(dir_path(&self.policies)),
            Protected::FileOrDir(self.schema.clone()),
            Protected::FileOrDir(CONFIG_FILE.to_string()),
            Protected::FileOrDir(self.config_path.clone()),
            Protected::Name(CONFIG_FILE.to_string()),
            Protected::Dir(".github/workflows/".to_string()),
            Protected::Dir(".github/hooks/".to_string()),
            Protected::Name("CODEOWNERS".to_string()),
            Protected::Like(".claude/settings*.json".to_string()),
            Protected::Dir(".claude/hooks/".to_string()),
            Protected::FileOrDir(".mcp.json".to_string()),
            Protected::Dir(".cursor/".to_string()),
            Protected::Dir(".gemini/".to_string()),
            Protected::Dir(".codex/".to_string()),
            Protected::Dir(".windsurf/".to_string()),
            Protected::Dir(".kiro/".to_string()),
            Protected::Dir(".clinerules/hooks/".to_string()),
            Protected::Dir(".cline/".to_string()),
            Protected::FileOrDir(".vscode/mcp.json".to_string()),
            Protected::Dir(".git/".to_string()),
        ];
        for extra in &self.schemas {
            out.push(Protected::FileOrDir(extra.clone()));
        }
        if let Some(log) = &self.log.decisions
            && let Ok(rel) = normalize_path(log)
            && !rel.is_empty()
        {
            out.push(Protected::FileOrDir(rel));
        }
        for p in &self.gate.protect {
            out.push(if p.is_empty() || p.ends_with('/') {
                Protected::Dir(p.clone())
            } else {
                Protected::FileOrDir(p.clone())
            });
        }
        let mut seen = BTreeSet::new();
        out.retain(|p| seen.insert(p.clone()));
        out
    }
}

/// One thing the built-in floor protects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protected {
    /// Everything under a directory (`a/b/`).
    Dir(String),
    /// The file of that name and everything under a directory of that name
    /// (people write `deploy` for either).
    FileOrDir(String),
    /// Any file with this name, anywhere.
    Name(String),
    /// Any path matching a Cedar `like` pattern (`*` is any text).
    Like(String),
}

/// A repository directory as a `Dir` id: `a/b` -> `a/b/`, `` -> ``.
pub fn dir_path(p: &str) -> String {
    if p.is_empty() || p.ends_with('/') {
        p.to_string()
    } else {
        format!("{p}/")
    }
}

/// Normalise a repository-relative path from config: strip `./` and trailing
/// `/`, reject absolute paths and `..`.
pub fn normalize_path(p: &str) -> Result<String, PathError> {
    if p.starts_with('/') || p.contains('\\') || (p.len() > 1 && p.as_bytes()[1] == b':') {
        return Err(PathError::NotRelative);
    }
    let mut parts = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(PathError::DotDot),
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// A path in the config that cannot be a repository path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Absolute, or with `\` separators.
    #[error("must be a path relative to the repository root, with `/` separators")]
    NotRelative,
    /// Climbs out with `..`.
    #[error("must not contain `..`")]
    DotDot,
}

/// One step of a path into a TOML document: a key or an array index.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where keys are in a TOML document, for pointing a semantic error at the
/// line it is about (`[github.teams] maintainers`, not `[teams]
/// maintainers`).
struct KeySpans<'i> {
    doc: Option<toml::Spanned<toml::de::DeTable<'i>>>,
}

impl<'i> KeySpans<'i> {
    fn new(text: &'i str) -> KeySpans<'i> {
        KeySpans {
            doc: toml::de::DeTable::parse(text).ok(),
        }
    }

    /// The span of the last key of `path` (or of the array element it
    /// ends with).
    fn find(&self, path: &[Step<'_>]) -> Option<std::ops::Range<usize>> {
        use toml::de::DeValue;
        let mut table = self.doc.as_ref()?.get_ref();
        let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
        let mut span = None;
        for step in path {
            match (step, value) {
                (Step::Key(k), None) => {
                    let (key, v) = table.iter().find(|(key, _)| key.get_ref().as_ref() == *k)?;
                    span = Some(key.span());
                    value = Some(v);
                }
                (Step::Key(k), Some(v)) => {
                    let DeValue::Table(t) = v.get_ref() else {
                        return span;
                    };
                    table = t;
                    let (key, v) = table.iter().find(|(key, _)| key.get_ref().as_ref() == *k)?;
                    span = Some(key.span());
                    value = Some(v);
                }
                (Step::Index(i), Some(v)) => {
                    let DeValue::Array(a) = v.get_ref() else {
                        return span;
                    };
                    let item = a.get(*i)?;
                    span = Some(item.span());
                    value = Some(item);
                }
                (Step::Index(_), None) => return span,
            }
        }
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config, or its first error.
    fn parse(text: &str) -> Result<Config, Diag> {
        Config::parse(&SourceFile::new("agentgate.toml", text)).map_err(|d| d.0[0].clone())
    }

    fn all_errors(text: &str) -> Vec<(usize, String)> {
        Config::parse(&SourceFile::new("agentgate.toml", text))
            .err()
            .map(|d| {
                d.0.iter()
                    .map(|e| (e.line_col().map_or(0, |l| l.0), e.message.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn every_error_is_reported_at_its_own_line() {
        let errs = all_errors(
            "policies = \"../p\"\n[teams]\nmaintainers = [\"alice\"]\nops = [\"team:nope\"]\n[github.teams]\nmaintainers = \"not-a-slug\"\n[gate]\nprotect = [\"ok/\", \"/abs\"]\n[hook.tools]\n\"mcp__[\" = \"post\"\n",
        );
        let lines: Vec<usize> = errs.iter().map(|e| e.0).collect();
        // policies (1), ops (4), [github.teams] maintainers (6, not the
        // [teams] maintainers of line 3), protect's second entry (8), the
        // bad glob (10).
        assert_eq!(lines, vec![1, 8, 4, 10, 6], "{errs:?}");
        assert!(errs[4].1.contains("org/team-slug"), "{errs:?}");
    }

    #[test]
    fn defaults_when_empty() {
        let c = parse("").unwrap();
        assert_eq!(c.policies, "policies");
        assert_eq!(c.schema, "schemas/agentgate.cedarschema");
        assert_eq!(c.tests, "tests/policies");
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let e = parse("policies = \"p\"\npolicy_dir = \"x\"\n").unwrap_err();
        assert!(e.message.contains("policy_dir"), "{}", e.message);
        assert_eq!(e.line_col().unwrap().0, 2);
    }

    #[test]
    fn paths_are_normalized_and_escapes_rejected() {
        let c = parse("policies = \"./cfg/policies/\"").unwrap();
        assert_eq!(c.policies, "cfg/policies");
        let e = parse("schema = \"../x.cedarschema\"").unwrap_err();
        assert!(e.message.contains(".."));
        assert_eq!(e.line_col().unwrap().0, 1);
        assert!(parse("tests = \"/abs\"").is_err());
    }

    #[test]
    fn teams_nest_and_cycles_are_rejected() {
        let c = parse(
            "[teams]\nsecurity = [\"carol\", \"team:maintainers\"]\nmaintainers = [\"Alice\"]\n",
        )
        .unwrap();
        assert_eq!(c.teams_of("alice"), vec!["maintainers"]);
        assert_eq!(c.parent_teams("maintainers"), vec!["security"]);
        assert!(c.members("security").contains("alice"));
        let e = parse("[teams]\na = [\"team:b\"]\nb = [\"team:a\"]\n").unwrap_err();
        assert!(e.message.contains("contains itself"), "{}", e.message);
        let e = parse("[teams]\na = [\"team:nope\"]\n").unwrap_err();
        assert!(e.message.contains("no team `nope`"), "{}", e.message);
        assert_eq!(e.line_col().unwrap().0, 2);
    }
}
