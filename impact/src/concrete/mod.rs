//! Concrete impact: ask both policy sets about the real request universe
//! (every path of both trees, every agent and human the catalogs and configs
//! know, every action that applies to files, the sign-off and confirmation
//! states that matter) and every test-suite case, and report each answer
//! that changed, grouped into sentences a reviewer reads in seconds.

mod judge;
mod words;

use judge::Judge;
use std::collections::{BTreeMap, BTreeSet};
use words::{join_or, principal_text, sentence};

use agentgate_core::decide::{Decider, Probe};
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::Builder;
use agentgate_core::vocab::Principal;
use agentgate_core::vocab::Verdict;
use serde::Serialize;

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
