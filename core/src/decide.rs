//! Three answers from a two-answer engine (DESIGN §3). Cedar says allow or
//! deny; agentgate derives:
//!
//! - **confirm**: denied as asked, allowed once `context.confirmed` is true:
//!   a human must confirm first;
//! - **who must sign off**: denied as asked, allowed with a hypothetical
//!   sign-off from some team: that team is named. The policies themselves
//!   are asked, so no annotation can drift from the rule.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cedar_policy::{
    ActionConstraint, Authorizer, Decision, Effect, Entities, Policy, PolicyId, PolicySet, Response,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::policy::PolicyStore;
use crate::request::{Builder, Built, Req, RequestError};
use crate::vocab::Signer;
pub use crate::vocab::Verdict;

/// A policy that failed to evaluate (and so was skipped, as Cedar does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    /// Policy id.
    pub policy: String,
    /// What went wrong.
    pub message: String,
}

/// One Cedar evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Cedar's decision.
    pub allowed: bool,
    /// Policies that determined it (Cedar's `reason`), sorted.
    pub reasons: Vec<String>,
    /// Policies that errored, sorted.
    pub errors: Vec<PolicyError>,
}

impl Evaluation {
    /// Summarise a Cedar response.
    pub fn from_response(r: &Response) -> Evaluation {
        let mut reasons: Vec<String> = r.diagnostics().reason().map(|p| p.to_string()).collect();
        reasons.sort();
        let mut errors: Vec<PolicyError> = r
            .diagnostics()
            .errors()
            .map(|e| match e {
                cedar_policy::AuthorizationError::PolicyEvaluationError(pe) => PolicyError {
                    policy: pe.policy_id().to_string(),
                    message: pe.inner().to_string(),
                },
            })
            .collect();
        errors.sort_by(|a, b| a.policy.cmp(&b.policy));
        Evaluation {
            allowed: r.decision() == Decision::Allow,
            reasons,
            errors,
        }
    }
}

/// A full answer: verdict, the policies that decided it, and for gate
/// requests who could sign off.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// allow / deny / confirm.
    pub decision: Verdict,
    /// The policies that determined the verdict. For `deny` with none, no
    /// permit applied (Cedar's default deny).
    pub policies: Vec<String>,
    /// Policies that errored during evaluation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<PolicyError>,
    /// On deny of a request that carries a sign-off: each alternative whose
    /// sign-off would allow it: a team name, `a+b` for two teams together,
    /// or `*` for any eligible human. Empty: no sign-off would.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signoff_from: Option<Vec<String>>,
    /// The context as evaluated (defaults filled).
    pub context: Map<String, Value>,
    /// Every policy id that determined any evaluation made for this answer
    /// (for coverage).
    #[serde(skip)]
    pub touched: Vec<String>,
}

/// Value used in `signoff_from` for "any eligible human".
pub const ANY_HUMAN: &str = "*";

/// Whether to ask who could sign off when a gate request is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Ask (costs one evaluation per known team).
    SignOff,
    /// Do not ask.
    Off,
}

/// Evaluates requests against one policy store.
pub struct Decider<'a> {
    builder: Builder<'a>,
    policies: &'a PolicySet,
    authorizer: Authorizer,
    /// Per action id: only the policies whose action scope can include it.
    /// A policy whose scope excludes an action never applies to it, so
    /// decisions, reasons and errors are exactly Cedar's on the full set.
    by_action: RefCell<HashMap<String, Rc<PolicySet>>>,
    actions: Option<Entities>,
    /// The store's known teams, read once (see [`PolicyStore::known_teams`]).
    teams: std::cell::OnceCell<Vec<String>>,
}

impl<'a> Decider<'a> {
    /// A decider using the store's policies (the files and the floor).
    pub fn new(builder: Builder<'a>) -> Decider<'a> {
        let policies = &builder.store().policies;
        Decider::with_policies(builder, policies)
    }

    /// A decider evaluating an explicit policy set (e.g. the user's policies
    /// without the floor).
    pub fn with_policies(builder: Builder<'a>, policies: &'a PolicySet) -> Decider<'a> {
        let actions = builder.store().schema.action_entities().ok();
        Decider {
            builder,
            policies,
            authorizer: Authorizer::new(),
            by_action: RefCell::new(HashMap::new()),
            actions,
            teams: std::cell::OnceCell::new(),
        }
    }

    /// The policies that can apply to `action`.
    fn policies_for(&self, action: &str) -> Rc<PolicySet> {
        if let Some(p) = self.by_action.borrow().get(action) {
            return Rc::clone(p);
        }
        let uid = crate::vocab::action_uid(action);
        let can_apply = |p: &Policy| -> bool {
            let (Some(uid), Some(actions)) = (&uid, &self.actions) else {
                return true;
            };
            match p.action_constraint() {
                ActionConstraint::Any => true,
                ActionConstraint::Eq(a) => a == *uid,
                ActionConstraint::In(groups) => groups
                    .iter()
                    .any(|g| g == uid || actions.is_ancestor_of(g, uid)),
            }
        };
        let subset =
            PolicySet::from_policies(self.policies.policies().filter(|p| can_apply(p)).cloned())
                .map(Rc::new)
                .unwrap_or_else(|_| Rc::new(self.policies.clone()));
        self.by_action
            .borrow_mut()
            .insert(action.to_string(), Rc::clone(&subset));
        subset
    }

    /// Whether `action` is a merge-time action (in `Action::"change"`):
    /// those are signed off, never confirmed; every other action is
    /// confirmed, never signed off.
    pub fn is_gate_action(&self, action: &str) -> bool {
        let (Some(uid), Some(change), Some(actions)) = (
            crate::vocab::action_uid(action),
            crate::vocab::action_uid("change"),
            &self.actions,
        ) else {
            return false;
        };
        uid == change || actions.is_ancestor_of(&change, &uid)
    }

    /// The builder.
    pub fn builder(&self) -> &Builder<'a> {
        &self.builder
    }

    /// The store.
    pub fn store(&self) -> &'a PolicyStore {
        self.builder.store()
    }

    /// Evaluate once, exactly as asked (defaults filled).
    pub fn evaluate(&self, req: &Req) -> Result<(Evaluation, Map<String, Value>), RequestError> {
        let Built {
            request,
            entities,
            context,
        } = self.builder.build(req)?;
        let policies = self.policies_for(&req.action);
        let r = self
            .authorizer
            .is_authorized(&request, &policies, &entities);
        Ok((self.fail_closed(Evaluation::from_response(&r)), context))
    }

    /// Cedar skips a policy whose evaluation errors. For a `forbid` that
    /// would let the request through on the strength of a rule nobody could
    /// check, so agentgate treats a forbid that errored as applying: the
    /// request is denied, the erroring forbids are its reasons, and the
    /// errors are reported with it.
    fn fail_closed(&self, mut e: Evaluation) -> Evaluation {
        let forbids: Vec<String> = e
            .errors
            .iter()
            .filter(|err| {
                self.policies
                    .policy(&PolicyId::new(err.policy.as_str()))
                    .is_some_and(|p| p.effect() == Effect::Forbid)
            })
            .map(|err| err.policy.clone())
            .collect();
        if e.allowed && !forbids.is_empty() {
            e.allowed = false;
            e.reasons = forbids;
        }
        e
    }

    /// Evaluate once with a prepared entity set that holds every entity the
    /// request needs (see [`Builder::entities`]).
    pub fn evaluate_with(
        &self,
        req: &Req,
        entities: &Entities,
    ) -> Result<(Evaluation, Map<String, Value>), RequestError> {
        let (request, context) = self.builder.request(req)?;
        let policies = self.policies_for(&req.action);
        let r = self.authorizer.is_authorized(&request, &policies, entities);
        Ok((self.fail_closed(Evaluation::from_response(&r)), context))
    }

    /// The full answer: allow, deny or confirm, with the deciding policies
    /// and, on a denied gate request, who could sign off.
    pub fn answer(&self, req: &Req, probe: Probe) -> Result<Answer, RequestError> {
        let (first, context) = self.evaluate(req)?;
        self.answer_from(req, first, context, probe, None)
    }

    /// [`Decider::answer`] with a prepared entity set for the first
    /// evaluation.
    pub fn answer_with(
        &self,
        req: &Req,
        entities: &Entities,
        probe: Probe,
    ) -> Result<Answer, RequestError> {
        let (first, context) = self.evaluate_with(req, entities)?;
        self.answer_from(req, first, context, probe, Some(entities))
    }

    fn answer_from(
        &self,
        req: &Req,
        first: Evaluation,
        context: Map<String, Value>,
        probe: Probe,
        entities: Option<&Entities>,
    ) -> Result<Answer, RequestError> {
        let mut touched = first.reasons.clone();
        if first.allowed {
            return Ok(Answer {
                decision: Verdict::Allow,
                policies: first.reasons,
                errors: first.errors,
                signoff_from: None,
                context,
                touched,
            });
        }
        // Confirmation: only at run time (a merge is signed off, never
        // confirmed), where the action has `confirmed` and the request did
        // not already say it was confirmed.
        let gate = self.is_gate_action(&req.action);
        if !gate && context.get("confirmed") == Some(&Value::Bool(false)) {
            let mut confirmed = req.clone();
            confirmed.context.insert("confirmed".into(), json!(true));
            let (second, _) = self.evaluate(&confirmed)?;
            if second.allowed {
                touched.extend(second.reasons.iter().cloned());
                let policies = if first.reasons.is_empty() {
                    second.reasons
                } else {
                    first.reasons
                };
                return Ok(Answer {
                    decision: Verdict::Confirm,
                    policies,
                    errors: first.errors,
                    signoff_from: None,
                    context,
                    touched,
                });
            }
        }
        let signoff_from = if probe == Probe::SignOff && gate && context.contains_key("signoff") {
            Some(self.who_could_sign_off_with(req, entities)?)
        } else {
            None
        };
        Ok(Answer {
            decision: Verdict::Deny,
            policies: first.reasons,
            errors: first.errors,
            signoff_from,
            context,
            touched,
        })
    }

    /// Ask the policies whose sign-off would turn this deny into an allow:
    /// first any human at all, then each known team, then pairs of teams.
    pub fn who_could_sign_off(&self, req: &Req) -> Result<Vec<String>, RequestError> {
        self.who_could_sign_off_with(req, None)
    }

    /// The requests [`Decider::who_could_sign_off`] asks first: `req` with
    /// any human's sign-off, then with a member of each known team. An
    /// entity set built for them (and `req`) serves every one of them.
    pub fn signoff_probes(&self, req: &Req) -> Vec<Req> {
        let teams = self.teams.get_or_init(|| self.store().known_teams());
        let mut probes = vec![with_signers(req, &[Signer::Human("<any human>".into())])];
        probes.extend(
            teams
                .iter()
                .map(|t| with_signers(req, &[Signer::TeamMember(t.clone())])),
        );
        probes
    }

    /// [`Decider::who_could_sign_off`], using `prepared` for the probes
    /// when it holds their sign-off entities (the gate builds one entity set
    /// per batch with them), else an entity set of their own.
    fn who_could_sign_off_with(
        &self,
        req: &Req,
        prepared: Option<&Entities>,
    ) -> Result<Vec<String>, RequestError> {
        // One entity set serves every probe of a round (the same principal
        // and resource; each probe adds its own sign-off entities, and a
        // request sees only those its own `context.signoff` leads to).
        let teams = self.teams.get_or_init(|| self.store().known_teams());
        let probes = self.signoff_probes(req);
        let built;
        let entities = match prepared {
            Some(e) if probes.iter().all(|p| self.builder.holds_signoff_of(e, p)) => e,
            _ => {
                built = self.builder.entities(&probes)?;
                &built
            }
        };
        let allowed = |p: &Req| -> Result<bool, RequestError> {
            Ok(self.evaluate_with(p, entities)?.0.allowed)
        };
        if allowed(&probes[0])? {
            return Ok(vec![ANY_HUMAN.to_string()]);
        }
        let mut out = Vec::new();
        for (t, p) in teams.iter().zip(&probes[1..]) {
            if allowed(p)? {
                out.push(t.clone());
            }
        }
        if out.is_empty() && teams.len() <= 12 {
            let mut pairs = Vec::new();
            for (i, a) in teams.iter().enumerate() {
                for b in &teams[i + 1..] {
                    let signers = [Signer::TeamMember(a.clone()), Signer::TeamMember(b.clone())];
                    pairs.push((format!("{a}+{b}"), with_signers(req, &signers)));
                }
            }
            if !pairs.is_empty() {
                let probes: Vec<Req> = pairs.iter().map(|(_, p)| p.clone()).collect();
                let entities = self.builder.entities(&probes)?;
                for (name, p) in &pairs {
                    if self.evaluate_with(p, &entities)?.0.allowed {
                        out.push(name.clone());
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `req` with `extra` signers added (and `approvals` counted up, where the
/// request counts them).
fn with_signers(req: &Req, extra: &[Signer]) -> Req {
    let mut r = req.clone();
    r.signoff.extend(extra.iter().cloned());
    if let Some(n) = r.context.get("approvals").and_then(Value::as_i64) {
        r.context
            .insert("approvals".into(), json!(n + extra.len() as i64));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_tree::DirTree;
    use crate::vocab::{FileKind, Principal, Resource};

    /// Evaluating only the policies whose action scope can include the
    /// request's action must give exactly Cedar's answer on the whole set.
    #[test]
    fn per_action_subsets_give_cedars_full_set_answers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let store = PolicyStore::load(&DirTree::new(&root)).expect("shipped policies load");
        let decider = Decider::new(Builder::new(&store));
        let full = Authorizer::new();
        let principals = [
            Principal::Agent("copilot".into()),
            Principal::Human("alice".into()),
        ];
        let mut checked = 0;
        for action in store.schema.actions() {
            let action = action.id().unescaped().to_string();
            let resources = [
                Resource::File {
                    path: ".github/workflows/ci.yml".into(),
                    kind: FileKind::File,
                },
                Resource::File {
                    path: "src/main.rs".into(),
                    kind: FileKind::Symlink,
                },
                Resource::Entity("Item::\"mail:inbox/1\"".into()),
                Resource::Entity("Channel::\"slack:#x\"".into()),
                Resource::Entity("Command::\"git push --force\"".into()),
                Resource::Entity("Url::\"https://example.com/x\"".into()),
                Resource::Entity("Tool::\"mcp__gmail__delete\"".into()),
                Resource::Entity("Query::\"q\"".into()),
            ];
            for p in &principals {
                for r in &resources {
                    for signoff in [
                        vec![],
                        vec![crate::vocab::Signer::TeamMember("maintainers".into())],
                    ] {
                        let req = Req {
                            principal: p.clone(),
                            action: action.clone(),
                            resource: r.clone(),
                            context: Default::default(),
                            signoff,
                        };
                        let Ok(built) = decider.builder().build(&req) else {
                            continue;
                        };
                        let (ours, _) = decider.evaluate(&req).expect("evaluates");
                        let theirs = Evaluation::from_response(&full.is_authorized(
                            &built.request,
                            &store.policies,
                            &built.entities,
                        ));
                        assert_eq!(ours, theirs, "{req:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 40, "only {checked} requests applied");
    }

    /// Who could sign off is the same whether the probes get an entity set
    /// of their own or share the set a batch was judged with: for answers
    /// of every shape (anyone, one team, a pair of teams, nobody).
    #[test]
    fn sign_off_probes_answer_the_same_with_a_shared_entity_set() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("policies")).expect("mkdir");
        std::fs::copy(
            root.join("schemas/agentgate.cedarschema"),
            dir.path().join("schemas/agentgate.cedarschema"),
        )
        .expect("schema");
        std::fs::write(
            dir.path().join("agentgate.toml"),
            "[teams]\nmaintainers = [\"ann\"]\nsecurity = [\"sam\"]\nrelease = [\"rob\"]\n",
        )
        .expect("config");
        std::fs::write(
            dir.path().join("policies/p.cedar"),
            r#"@id("all")
permit (principal, action in Action::"change", resource);
@id("ci-needs-maintainers")
forbid (principal is Agent, action in Action::"change", resource in Dir::".github/")
unless { context.signoff in Team::"maintainers" };
@id("keys-need-two")
forbid (principal is Agent, action in Action::"change", resource in Dir::"keys/")
unless { context.signoff in Team::"security" && context.signoff in Team::"release" };
@id("lock-needs-anyone")
forbid (principal is Agent, action in Action::"change", resource == File::"Cargo.lock")
unless { context.approvals > 0 };
@id("never")
forbid (principal is Agent, action == Action::"delete", resource == File::"LICENSE");
"#,
        )
        .expect("policies");
        let store = PolicyStore::load(&DirTree::new(dir.path())).expect("policies load");
        let decider = Decider::new(Builder::trusted(&store));
        let reqs: Vec<Req> = [
            ("modify", ".github/workflows/ci.yml"),
            ("create", "keys/deploy.pem"),
            ("modify", "Cargo.lock"),
            ("delete", "LICENSE"),
            ("modify", "src/lib.rs"),
        ]
        .iter()
        .map(|(action, path)| Req {
            principal: Principal::Agent("copilot".into()),
            action: action.to_string(),
            resource: Resource::File {
                path: path.to_string(),
                kind: FileKind::File,
            },
            context: Default::default(),
            signoff: vec![],
        })
        .collect();
        let mut members = reqs.clone();
        members.extend(decider.signoff_probes(&reqs[0]));
        let shared = decider.builder().entities(&members).expect("entities");
        let mut answers = Vec::new();
        for req in &reqs {
            // The shared set is what the probes of every request use.
            for p in decider.signoff_probes(req) {
                assert!(decider.builder().holds_signoff_of(&shared, &p), "{p:?}");
            }
            let own = decider.answer(req, Probe::SignOff).expect("answer");
            let with = decider
                .answer_with(req, &shared, Probe::SignOff)
                .expect("answer with");
            assert_eq!(own.decision, with.decision, "{req:?}");
            assert_eq!(own.signoff_from, with.signoff_from, "{req:?}");
            answers.push(with.signoff_from);
        }
        let s = |v: &[&str]| Some(v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(
            answers,
            vec![
                s(&["maintainers"]),
                s(&["release+security"]),
                s(&[ANY_HUMAN]),
                s(&[]),
                None,
            ]
        );
    }
}
