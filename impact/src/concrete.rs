//! Concrete impact: ask both policy sets about the real request universe
//! (every path of both trees, every agent and human the catalogs and configs
//! know, every action that applies to files, the sign-off and confirmation
//! states that matter) and every test-suite case, and report each answer
//! that changed, grouped into sentences a reviewer reads in seconds.

use std::collections::{BTreeMap, BTreeSet};

use agentgate_core::decide::{Decider, Probe};
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::{Builder, Req};
use agentgate_core::vocab::Verdict;
use agentgate_core::vocab::{FileKind, Principal, Resource, Signer};
use serde::Serialize;
use serde_json::{Map, json};

use crate::side::Side;

/// More or less than before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The new policies grant more.
    Widening,
    /// The new policies grant less.
    Narrowing,
}

/// What one side answers for one (principal, action, path).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Level {
    Allow,
    Confirm,
    /// Allowed with a sign-off from any of these teams.
    SignOff(BTreeSet<String>),
    Deny,
}

impl Level {
    fn text(&self) -> String {
        match self {
            Level::Allow => "allowed".into(),
            Level::Confirm => "allowed once a human confirms".into(),
            Level::SignOff(t) => format!("allowed with sign-off from {}", join_or(t)),
            Level::Deny => "denied".into(),
        }
    }
}

fn join_or(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(" or ")
}

/// A group of requests whose answer changed the same way.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What a reviewer reads.
    pub sentence: String,
    /// Widening or narrowing.
    pub direction: Direction,
    /// Who (`agent:copilot`, `human:alice`).
    pub principals: Vec<String>,
    /// The action.
    pub action: String,
    /// The old answer.
    pub was: String,
    /// The new answer.
    pub now: String,
    /// How many paths.
    pub count: usize,
    /// Up to ten example paths.
    pub examples: Vec<String>,
}

/// A test-suite case whose answer changed.
#[derive(Debug, Clone, Serialize)]
pub struct CaseChange {
    /// The suite file.
    pub suite: String,
    /// The case name.
    pub name: String,
    /// Its line.
    pub line: usize,
    /// The old answer.
    pub was: Verdict,
    /// The new answer.
    pub now: Verdict,
    /// Widening or narrowing.
    pub direction: Direction,
}

/// The concrete comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Concrete {
    /// What agents (or people) can newly do, loudest first.
    pub widened: Vec<Finding>,
    /// What they can no longer do.
    pub narrowed: Vec<Finding>,
    /// Test cases whose answer changed.
    pub cases: Vec<CaseChange>,
    /// Paths judged.
    pub paths: usize,
    /// Paths left out (over the limit).
    pub paths_skipped: usize,
    /// Principals judged.
    pub principals: usize,
    /// Cedar evaluations made, both sides.
    pub evaluations: usize,
}

fn rank(l: &Level) -> u8 {
    match l {
        Level::Deny => 0,
        Level::SignOff(_) => 1,
        Level::Confirm => 2,
        Level::Allow => 3,
    }
}

/// How the answer moved, if it did: one or two (direction, was, now).
fn moved(old: &Level, new: &Level) -> Vec<Direction> {
    if old == new {
        return Vec::new();
    }
    if let (Level::SignOff(a), Level::SignOff(b)) = (old, new) {
        let mut out = Vec::new();
        if b.difference(a).next().is_some() {
            out.push(Direction::Widening);
        }
        if a.difference(b).next().is_some() {
            out.push(Direction::Narrowing);
        }
        return out;
    }
    if rank(new) > rank(old) {
        vec![Direction::Widening]
    } else {
        vec![Direction::Narrowing]
    }
}

/// One side's evaluator over the universe: one entity set serves every
/// request (each file with its directories, each principal, each sign-off).
struct Judge<'s> {
    decider: Decider<'s>,
    teams: Vec<String>,
    entities: Option<cedar_policy::Entities>,
    /// Per action: whether its context has `confirmed`, and `signoff`.
    facts: BTreeMap<String, (bool, bool)>,
    evaluations: std::cell::Cell<usize>,
}

impl<'s> Judge<'s> {
    fn new(
        store: &'s PolicyStore,
        principals: &[Principal],
        paths: &[&str],
        actions: &[String],
    ) -> Judge<'s> {
        let decider = Decider::new(Builder::trusted(store));
        let teams = store.known_teams();
        let file = |path: &str| Resource::File {
            path: path.to_string(),
            kind: FileKind::File,
        };
        let req = |p: &Principal, path: &str, action: &str, signoff: Vec<Signer>| Req {
            principal: p.clone(),
            action: action.to_string(),
            resource: file(path),
            context: Map::new(),
            signoff,
        };
        let mut facts = BTreeMap::new();
        let mut probes = Vec::new();
        let first_path = paths.first().copied().unwrap_or("README.md");
        for action in actions {
            if !store
                .schema
                .actions()
                .any(|a| a.id().unescaped() == action.as_str())
            {
                continue;
            }
            let ctx = decider
                .evaluate(&req(
                    &Principal::Human(ANY_HUMAN.into()),
                    first_path,
                    action,
                    Vec::new(),
                ))
                .map(|(_, c)| c)
                .unwrap_or_default();
            // Merge-time actions are signed off, run-time ones confirmed
            // (both carry both fields, so one rule serves both moments).
            let gate = decider.is_gate_action(action);
            let (confirmed, signoff) = (
                !gate && ctx.contains_key("confirmed"),
                gate && ctx.contains_key("signoff"),
            );
            facts.insert(action.clone(), (confirmed, signoff));
            if signoff {
                probes.push(req(
                    &Principal::Human(ANY_HUMAN.into()),
                    first_path,
                    action,
                    Vec::new(),
                ));
                for t in &teams {
                    probes.push(req(
                        &Principal::Human(ANY_HUMAN.into()),
                        first_path,
                        action,
                        vec![Signer::TeamMember(t.clone())],
                    ));
                }
            }
        }
        let any_action = actions.first().cloned().unwrap_or_default();
        for p in principals {
            probes.push(req(p, first_path, &any_action, Vec::new()));
        }
        for path in paths {
            probes.push(req(
                &Principal::Human(ANY_HUMAN.into()),
                path,
                &any_action,
                Vec::new(),
            ));
        }
        let entities = decider.builder().entities(&probes).ok();
        Judge {
            decider,
            teams,
            entities,
            facts,
            evaluations: std::cell::Cell::new(0),
        }
    }

    fn allowed(&self, req: &Req) -> bool {
        self.evaluations.set(self.evaluations.get() + 1);
        // A request a side cannot evaluate is not allowed there.
        let result = match &self.entities {
            Some(e) => self.decider.evaluate_with(req, e),
            None => self.decider.evaluate(req),
        };
        result.is_ok_and(|(e, _)| e.allowed)
    }

    /// The answer for `principal` doing `action` to `path`.
    fn level(&self, principal: &Principal, action: &str, path: &str) -> Level {
        let Some(&(confirmed, signoff)) = self.facts.get(action) else {
            // Not an action of this side's schema.
            return Level::Deny;
        };
        let base = Req {
            principal: principal.clone(),
            action: action.to_string(),
            resource: Resource::File {
                path: path.to_string(),
                kind: FileKind::File,
            },
            context: Map::new(),
            signoff: Vec::new(),
        };
        if confirmed {
            let mut r = base.clone();
            r.context.insert("confirmed".into(), json!(false));
            if self.allowed(&r) {
                return Level::Allow;
            }
            r.context.insert("confirmed".into(), json!(true));
            return if self.allowed(&r) {
                Level::Confirm
            } else {
                Level::Deny
            };
        }
        if signoff {
            if self.allowed(&base) {
                return Level::Allow;
            }
            let mut teams = BTreeSet::new();
            for t in &self.teams {
                let mut r = base.clone();
                r.signoff = vec![Signer::TeamMember(t.clone())];
                if self.allowed(&r) {
                    teams.insert(t.clone());
                }
            }
            return if teams.is_empty() {
                Level::Deny
            } else {
                Level::SignOff(teams)
            };
        }
        if self.allowed(&base) {
            Level::Allow
        } else {
            Level::Deny
        }
    }
}

/// Humans nobody lists: judged as one human in no team.
pub const ANY_HUMAN: &str = "someone-in-no-team";

/// Every principal either side knows.
fn principals(old: &PolicyStore, new: &PolicyStore) -> Vec<Principal> {
    let mut agents = BTreeSet::new();
    let mut humans = BTreeSet::new();
    for store in [old, new] {
        for a in store.catalog.agents() {
            agents.insert(a.id.clone());
        }
    }
    for store in [old, new] {
        for members in store.config.teams.values() {
            for m in members {
                if m.starts_with(agentgate_core::policy::config::TEAM_PREFIX) || agents.contains(m)
                {
                    continue;
                }
                humans.insert(m.to_ascii_lowercase());
            }
        }
    }
    humans.insert(ANY_HUMAN.into());
    agents
        .into_iter()
        .map(Principal::Agent)
        .chain(humans.into_iter().map(Principal::Human))
        .collect()
}

/// Actions either schema applies to files, by agents or humans.
fn file_actions(old: &PolicyStore, new: &PolicyStore) -> Vec<String> {
    let mut out = BTreeSet::new();
    for store in [old, new] {
        for env in store.schema.request_envs() {
            let p = env.principal().to_string();
            if env.resource().to_string() == "File" && (p == "Agent" || p == "Human") {
                out.insert(env.action().id().unescaped().to_string());
            }
        }
    }
    out.into_iter().collect()
}

fn principal_text(p: &Principal) -> String {
    match p {
        Principal::Agent(a) => format!("agent:{a}"),
        Principal::Human(h) => format!("human:{h}"),
        Principal::Other(o) => o.clone(),
    }
}

fn who(principals: &[Principal]) -> String {
    let agents: Vec<&str> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::Agent(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    let humans: Vec<&str> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::Human(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    let list = |kind: &str, names: &[&str]| -> String {
        let shown: Vec<String> = names
            .iter()
            .map(|n| {
                if *n == ANY_HUMAN {
                    "anyone in no team".to_string()
                } else {
                    (*n).to_string()
                }
            })
            .collect();
        match shown.len() {
            0 => String::new(),
            1 => format!("{kind} {}", shown[0]),
            2..=3 => format!("{kind}s {}", shown.join(", ")),
            n => format!("{kind}s {} and {} more", shown[..3].join(", "), n - 3),
        }
    };
    let parts: Vec<String> = [list("Agent", &agents), list("Human", &humans)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    parts.join(" and ")
}

/// "14 files under .github/", or the one path.
fn files_text(paths: &[String]) -> String {
    if paths.len() == 1 {
        return paths[0].clone();
    }
    let mut common: &str = paths
        .first()
        .map_or("", |p| agentgate_core::vocab::parent_dir(p));
    for p in paths {
        while !p.starts_with(common) {
            common = agentgate_core::vocab::parent_dir(common.trim_end_matches('/'));
        }
    }
    if common.is_empty() {
        format!("{} files", paths.len())
    } else {
        format!("{} files under {common}", paths.len())
    }
}

fn sentence(
    direction: Direction,
    principals: &[Principal],
    action: &str,
    paths: &[String],
    was: &Level,
    now: &Level,
) -> String {
    let w = who(principals);
    let f = files_text(paths);
    match (direction, now) {
        (Direction::Widening, Level::Allow) => match was {
            Level::SignOff(t) => format!(
                "{w} may now {action} {f} without sign-off (was: sign-off from {})",
                join_or(t)
            ),
            Level::Confirm => format!("{w} may now {action} {f} without a human's confirmation"),
            _ => format!("{w} may now {action} {f} (was denied)"),
        },
        (Direction::Widening, Level::Confirm) => format!(
            "{w} may now {action} {f} once a human confirms (was {})",
            was.text()
        ),
        (Direction::Widening, Level::SignOff(t)) => {
            let added: BTreeSet<String> = match was {
                Level::SignOff(old) => t.difference(old).cloned().collect(),
                _ => t.clone(),
            };
            format!(
                "{w} may now {action} {f} with sign-off from {} (was {})",
                join_or(&added),
                was.text()
            )
        }
        (Direction::Narrowing, Level::Deny) => {
            format!("{w} may no longer {action} {f} (was {})", was.text())
        }
        (Direction::Narrowing, Level::SignOff(t)) => match was {
            Level::SignOff(old) => {
                let gone: BTreeSet<String> = old.difference(t).cloned().collect();
                format!(
                    "{w} may no longer {action} {f} with sign-off from {} alone",
                    join_or(&gone)
                )
            }
            _ => format!(
                "{w} now need sign-off from {} to {action} {f} (was {})",
                join_or(t),
                was.text()
            ),
        },
        (Direction::Narrowing, Level::Confirm) => format!(
            "{w} now need a human's confirmation to {action} {f} (was {})",
            was.text()
        ),
        (d, _) => format!(
            "{w}: {action} {f} went from {} to {} ({d:?})",
            was.text(),
            now.text()
        ),
    }
}

/// Compare two sides over the universe. At most `max_paths` paths are
/// judged (the proof covers every path whatever the limit).
pub fn compare(old: &Side, new: &Side, max_paths: usize) -> Concrete {
    let mut all_paths: BTreeSet<&str> = old.paths.iter().map(String::as_str).collect();
    all_paths.extend(new.paths.iter().map(String::as_str));
    let total = all_paths.len();
    let paths: Vec<&str> = all_paths.into_iter().take(max_paths).collect();
    let who_all = principals(&old.store, &new.store);
    let actions = file_actions(&old.store, &new.store);
    let jo = Judge::new(&old.store, &who_all, &paths, &actions);
    let jn = Judge::new(&new.store, &who_all, &paths, &actions);

    // (direction, action, was, now) -> principal -> paths
    type Key = (Direction, String, String, String);
    type Group = (Level, Level, BTreeMap<Principal, Vec<String>>);
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for action in &actions {
        for p in &who_all {
            for path in &paths {
                let a = jo.level(p, action, path);
                let b = jn.level(p, action, path);
                for d in moved(&a, &b) {
                    let key = (d, action.clone(), a.text(), b.text());
                    let entry = groups
                        .entry(key)
                        .or_insert_with(|| (a.clone(), b.clone(), BTreeMap::new()));
                    entry
                        .2
                        .entry(p.clone())
                        .or_default()
                        .push((*path).to_string());
                }
            }
        }
    }

    let mut widened = Vec::new();
    let mut narrowed = Vec::new();
    for ((direction, action, was_text, now_text), (was, now, by_principal)) in groups {
        // Principals with the same paths read as one sentence.
        let mut by_paths: BTreeMap<Vec<String>, Vec<Principal>> = BTreeMap::new();
        for (p, paths) in by_principal {
            by_paths.entry(paths).or_default().push(p);
        }
        for (paths, principals) in by_paths {
            let finding = Finding {
                sentence: sentence(direction, &principals, &action, &paths, &was, &now),
                direction,
                principals: principals.iter().map(principal_text).collect(),
                action: action.clone(),
                was: was_text.clone(),
                now: now_text.clone(),
                count: paths.len(),
                examples: paths.iter().take(10).cloned().collect(),
            };
            match direction {
                Direction::Widening => widened.push(finding),
                Direction::Narrowing => narrowed.push(finding),
            }
        }
    }
    // Loudest first: agents before humans, then the most paths.
    let loud = |f: &Finding| {
        (
            !f.principals.iter().any(|p| p.starts_with("agent:")),
            std::cmp::Reverse(f.count),
        )
    };
    widened.sort_by_key(loud);
    narrowed.sort_by_key(loud);

    let cases = compare_cases(old, new);
    Concrete {
        widened,
        narrowed,
        cases,
        paths: paths.len(),
        paths_skipped: total - paths.len(),
        principals: who_all.len(),
        evaluations: jo.evaluations.get() + jn.evaluations.get(),
    }
}

fn verdict_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Deny => 0,
        Verdict::Confirm => 1,
        Verdict::Allow => 2,
    }
}

/// Every test-suite case of either side, asked of both.
fn compare_cases(old: &Side, new: &Side) -> Vec<CaseChange> {
    let dold = Decider::new(Builder::new(&old.store));
    let dnew = Decider::new(Builder::new(&new.store));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (suite, case) in old.cases.iter().chain(&new.cases) {
        if !seen.insert((suite.clone(), case.name.clone())) {
            continue;
        }
        let answer = |d: &Decider| {
            d.answer(&case.req, Probe::Off)
                .map(|a| a.decision)
                .unwrap_or(Verdict::Deny)
        };
        let (a, b) = (answer(&dold), answer(&dnew));
        if a != b {
            out.push(CaseChange {
                suite: suite.clone(),
                name: case.name.clone(),
                line: case.line,
                was: a,
                now: b,
                direction: if verdict_rank(b) > verdict_rank(a) {
                    Direction::Widening
                } else {
                    Direction::Narrowing
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_summarised_by_their_common_directory() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(files_text(&v(&[".github/a.md"])), ".github/a.md");
        assert_eq!(
            files_text(&v(&[".github/a.md", ".github/workflows/b.md"])),
            "2 files under .github/"
        );
        assert_eq!(files_text(&v(&["a.md", "docs/b.md"])), "2 files");
    }

    #[test]
    fn answers_move_up_and_down() {
        let s = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(
            moved(&Level::Deny, &Level::Allow),
            vec![Direction::Widening]
        );
        assert_eq!(
            moved(&Level::SignOff(s(&["m"])), &Level::Allow),
            vec![Direction::Widening]
        );
        assert_eq!(
            moved(&Level::Allow, &Level::Confirm),
            vec![Direction::Narrowing]
        );
        assert_eq!(
            moved(&Level::SignOff(s(&["m"])), &Level::SignOff(s(&["s"]))),
            vec![Direction::Widening, Direction::Narrowing]
        );
        assert!(moved(&Level::Deny, &Level::Deny).is_empty());
    }
}
