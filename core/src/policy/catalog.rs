//! The agent catalog: who is an AI agent or automation account. A TOML data
//! file compiled into the binary (`core/catalog.toml`), extended by the
//! repository's `[[agents]]` config entries. Data, not code, because agent
//! identities change faster than releases.

use serde::Deserialize;

use crate::policy::config::{AgentConfig, Config};

/// The built-in catalog's source text.
pub const BUILTIN_CATALOG: &str = include_str!("../../catalog.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    ai_words: Vec<String>,
    agent: Vec<AgentConfig>,
}

/// Known agents: the built-in entries followed by the repository's own.
#[derive(Debug, Clone)]
pub struct Catalog {
    agents: Vec<AgentConfig>,
    ai_words: Vec<String>,
}

impl Catalog {
    /// The built-in catalog alone.
    pub fn builtin() -> Catalog {
        // The file is compiled in and covered by a unit test; a parse failure
        // here would be a build defect, so fall back to an empty catalog
        // rather than panic, and let the test catch it.
        let (agents, ai_words) = toml::from_str::<CatalogFile>(BUILTIN_CATALOG)
            .map(|f| (f.agent, f.ai_words))
            .unwrap_or_default();
        let ai_words = ai_words.iter().map(|w| w.to_ascii_lowercase()).collect();
        Catalog { agents, ai_words }
    }

    /// Whether `text` names an AI tool or model: a catalog agent (by id or
    /// name) or one of the catalog's `ai_words`, as a whole word or a word
    /// prefix (`gpt` in `gpt-4o`), case-insensitively. The agent it names,
    /// when it names a known one.
    pub fn names_ai(&self, text: &str) -> Option<Option<&AgentConfig>> {
        let lower = text.to_ascii_lowercase();
        if let Some(a) = self.agents.iter().find(|a| {
            word_in(&lower, &a.id.to_ascii_lowercase())
                || (!a.name.is_empty() && lower.contains(&a.name.to_ascii_lowercase()))
                || a.names
                    .iter()
                    .any(|n| lower.contains(&n.to_ascii_lowercase()))
        }) {
            return Some(Some(a));
        }
        let words = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'));
        for w in words.filter(|w| !w.is_empty()) {
            let hit = self.ai_words.iter().any(|ai| {
                w == ai
                    || w.strip_prefix(ai.as_str()).is_some_and(|rest| {
                        rest.starts_with(['-', '.']) || rest.chars().all(|c| c.is_ascii_digit())
                    })
            });
            if hit {
                return Some(None);
            }
        }
        None
    }

    /// The built-in catalog extended by a repository's config. A config entry
    /// with the id of a built-in agent adds to that agent's identities.
    pub fn with_config(config: &Config) -> Catalog {
        let mut c = Catalog::builtin();
        for extra in &config.agents {
            match c.agents.iter_mut().find(|a| a.id == extra.id) {
                Some(a) => {
                    if !extra.vendor.is_empty() {
                        a.vendor = extra.vendor.clone();
                    }
                    a.logins.extend(extra.logins.iter().cloned());
                    a.emails.extend(extra.emails.iter().cloned());
                    a.names.extend(extra.names.iter().cloned());
                    a.name_suffixes.extend(extra.name_suffixes.iter().cloned());
                    a.trailers.extend(extra.trailers.iter().cloned());
                    a.message_markers
                        .extend(extra.message_markers.iter().cloned());
                    a.subject_prefixes
                        .extend(extra.subject_prefixes.iter().cloned());
                    a.name_prefixes.extend(extra.name_prefixes.iter().cloned());
                    if extra.kind != crate::policy::config::AgentKind::default() {
                        a.kind = extra.kind;
                    }
                }
                None => c.agents.push(extra.clone()),
            }
        }
        c
    }

    /// Every agent, built-in first.
    pub fn agents(&self) -> &[AgentConfig] {
        &self.agents
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&AgentConfig> {
        self.agents.iter().find(|a| a.id == id)
    }

    /// The vendor of an agent id (`"unknown"` for ids not in the catalog).
    pub fn vendor(&self, id: &str) -> String {
        match self.get(id) {
            Some(a) if !a.vendor.is_empty() => a.vendor.clone(),
            _ => "unknown".to_string(),
        }
    }

    /// Whether an agent id is automation (not AI). Ids the catalog does not
    /// know are AI: a stricter rule for AI then applies to them.
    pub fn kind(&self, id: &str) -> crate::policy::config::AgentKind {
        self.get(id).map(|a| a.kind).unwrap_or_default()
    }

    /// The agent whose account login this is (case-insensitive).
    pub fn by_login(&self, login: &str) -> Option<&AgentConfig> {
        self.agents
            .iter()
            .find(|a| a.logins.iter().any(|l| l.eq_ignore_ascii_case(login)))
    }

    /// The agent whose e-mail this is (case-insensitive).
    pub fn by_email(&self, email: &str) -> Option<&AgentConfig> {
        self.agents
            .iter()
            .find(|a| a.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }
}

/// Whether `word` occurs in `text` bounded by non-alphanumerics.
fn word_in(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_lists_every_documented_agent() {
        let parsed: CatalogFile = toml::from_str(BUILTIN_CATALOG).expect("catalog.toml parses");
        let ids: Vec<_> = parsed.agent.iter().map(|a| a.id.as_str()).collect();
        for id in [
            "copilot",
            "copilot-cli",
            "claude-code",
            "claude",
            "devin",
            "jules",
            "codex",
            "cursor",
            "aider",
            "amazon-q",
            "sweep",
            "dependabot",
            "renovate",
            "github-actions",
        ] {
            assert!(ids.contains(&id), "catalog lacks {id}");
        }
        let c = Catalog::builtin();
        assert_eq!(c.by_login("copilot").unwrap().id, "copilot");
        assert_eq!(
            c.by_email("49699333+DEPENDABOT[bot]@users.noreply.github.com")
                .unwrap()
                .id,
            "dependabot"
        );
    }

    #[test]
    fn config_extends_catalog() {
        let config = Config {
            agents: vec![
                AgentConfig {
                    id: "acme".into(),
                    vendor: "acme".into(),
                    logins: vec!["acme-bot".into()],
                    ..Default::default()
                },
                AgentConfig {
                    id: "copilot".into(),
                    emails: vec!["copilot@corp.example".into()],
                    ..Default::default()
                },
            ],
            ..Config::default()
        };
        let c = Catalog::with_config(&config);
        assert_eq!(c.by_login("ACME-BOT").unwrap().id, "acme");
        assert_eq!(c.by_email("copilot@corp.example").unwrap().id, "copilot");
        assert_eq!(c.vendor("copilot"), "github");
        assert_eq!(c.vendor("nobody"), "unknown");
    }
}
