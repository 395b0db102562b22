//! One side's answers for the concrete universe: each (principal, action,
//! path) evaluated with and without each team's sign-off or a
//! confirmation, reduced to a [`Level`].

use std::collections::{BTreeMap, BTreeSet};

use agentgate_core::decide::Decider;
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::{Builder, Req};
use agentgate_core::vocab::{FileKind, Principal, Resource, Signer};
use serde_json::{Map, json};

use super::{ANY_HUMAN, Level};

/// One side's evaluator over the universe: one entity set serves every
/// request (each file with its directories, each principal, each sign-off).
pub(super) struct Judge<'s> {
    decider: Decider<'s>,
    teams: Vec<String>,
    entities: Option<cedar_policy::Entities>,
    /// Per action: whether its context has `confirmed`, and `signoff`.
    facts: BTreeMap<String, (bool, bool)>,
    pub(super) evaluations: std::cell::Cell<usize>,
}

impl<'s> Judge<'s> {
    pub(super) fn new(
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
    pub(super) fn level(&self, principal: &Principal, action: &str, path: &str) -> Level {
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
