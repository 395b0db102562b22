//! `agentgate.toml`: where the policy set lives, who is in which team, extra
//! agent identities, the decision log and gate settings. Every key is
//! optional; unknown keys are errors with file and line.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

mod check;
mod sections;

pub use sections::{
    AgentConfig, AgentKind, AudienceConfig, GateConfig, GithubConfig, HookConfig, LogConfig,
    OnAllow, OnConfirm, TargetRule, ToolRule, Unlinked,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diag;
    use crate::diag::source_file::SourceFile;

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
