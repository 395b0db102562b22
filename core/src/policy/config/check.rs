//! Reading `agentgate.toml`: parsed by serde (unknown keys are errors),
//! then checked in one pass that collects every problem, each located at
//! the key it is about.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Config, TEAM_PREFIX, normalize_path};
use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Diags};

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
