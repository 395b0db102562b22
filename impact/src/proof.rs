//! The proof: for every request environment of the new schema (principal
//! type, action, resource type), Cedar's symbolic compiler (SymCC) asks
//! cvc5 whether the new policies allow anything the old ones do not, and
//! the converse. "No" in every environment is a proof, over every possible
//! principal, resource, context and entity store, not just the ones the
//! repository has. "Yes" comes with a counterexample request and entities,
//! printed as a `cedar run-tests` case that passes under the old policies
//! and fails under the new. A solver that gives up (timeout) leaves the
//! answer unknown, never proved.

use std::time::Duration;

use agentgate_core::decide::Evaluation;
use cedar_policy::{Authorizer, Entities, PolicySet, Request, RequestEnv, Schema};
use cedar_policy_symcc::solver::LocalSolver;
use cedar_policy_symcc::{CedarSymCompiler, CompiledPolicySet, Env};
use serde::Serialize;
use serde_json::{Value, json};

use crate::side::Side;

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Both directions proved: the sets allow exactly the same requests.
    ProvedEquivalent,
    /// The new set allows nothing the old does not (it may allow less).
    ProvedNothingNew,
    /// A request the new set allows and the old does not was found.
    Widening,
    /// Some environment could not be decided.
    Unknown,
    /// No solver: the proof was not attempted.
    Unavailable,
    /// Not asked for.
    Skipped,
}

/// What the solver said for one direction in one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Proved: nothing of the kind exists.
    None,
    /// Found one.
    Found,
    /// Undecided (timeout, unsupported feature, or a set that does not
    /// type-check against the schema).
    Unknown,
}

/// One request environment.
#[derive(Debug, Clone, Serialize)]
pub struct EnvResult {
    /// `Agent`.
    pub principal: String,
    /// `Action::"modify"`.
    pub action: String,
    /// `File`.
    pub resource: String,
    /// Does the new set allow something the old does not?
    pub widening: Outcome,
    /// Does the old set allow something the new does not?
    pub narrowing: Outcome,
    /// For a widening: a `cedar run-tests` case that passes under the old
    /// policies and fails under the new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Value>,
    /// Why it is unknown, or what to know about the counterexample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The proof's report.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// The outcome.
    pub status: Status,
    /// One line for people.
    pub message: String,
    /// Per environment.
    pub envs: Vec<EnvResult>,
}

impl Proof {
    fn skipped(status: Status, message: String) -> Proof {
        Proof {
            status,
            message,
            envs: Vec::new(),
        }
    }
}

/// Why the proof's solver cannot be used here.
#[derive(Debug, thiserror::Error)]
pub enum SolverUnavailable {
    /// The async runtime the solver is driven by could not be started.
    #[error("cannot start the solver runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// cvc5 could not be started.
    #[error("{0}")]
    Solver(#[source] cedar_policy_symcc::solver::SolverError),
}

/// Whether cvc5 can be started here (the proof's solver); why not if not.
pub fn solver_available() -> Result<(), SolverUnavailable> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SolverUnavailable::Runtime)?;
    rt.block_on(async { LocalSolver::cvc5().map(drop) })
        .map_err(SolverUnavailable::Solver)
}

/// Prove (or refute) that `new` grants nothing `old` does not, over the
/// effective policy sets (the built-in floor included), with `timeout` per
/// solver query.
pub fn prove(old: &Side, new: &Side, timeout: Duration) -> Proof {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return Proof::skipped(
                Status::Unknown,
                format!("cannot start the solver runtime: {e}"),
            );
        }
    };
    // Is there a solver at all? (Spawning needs the runtime's reactor.)
    if let Err(e) = rt.block_on(async { LocalSolver::cvc5().map(drop) }) {
        return Proof::skipped(
            Status::Unavailable,
            format!(
                "no proof: cvc5 cannot be started ({e}); install it (Debian: apt-get install cvc5) or set CVC5=/path/to/cvc5. The concrete impact above still holds."
            ),
        );
    }
    let schema = &new.store.schema;
    let texts = |s: &agentgate_core::policy::PolicyStore| -> Vec<std::sync::Arc<str>> {
        std::iter::once(&s.schema_source)
            .chain(&s.schema_extra)
            .map(|f| f.text.clone())
            .collect()
    };
    let schemas_differ = texts(&old.store) != texts(&new.store);
    let mut envs = Vec::new();
    for env in schema.request_envs() {
        envs.push(rt.block_on(one_env(old, new, schema, &env, timeout)));
    }
    let widened = envs.iter().any(|e| e.widening == Outcome::Found);
    let unknown = envs.iter().any(|e| e.widening == Outcome::Unknown);
    let narrowed_or_unknown = envs.iter().any(|e| e.narrowing != Outcome::None);
    let (status, mut message) = if widened {
        let n = envs.iter().filter(|e| e.widening == Outcome::Found).count();
        (
            Status::Widening,
            format!(
                "widening: the new policies allow requests the old ones deny in {n} of {} request environments (counterexamples below)",
                envs.len()
            ),
        )
    } else if unknown {
        (
            Status::Unknown,
            "unknown: the solver could not decide every request environment, so nothing is proved"
                .to_string(),
        )
    } else if !narrowed_or_unknown {
        (
            Status::ProvedEquivalent,
            format!(
                "proved equivalent: both policy sets allow exactly the same requests in all {} request environments",
                envs.len()
            ),
        )
    } else {
        (
            Status::ProvedNothingNew,
            format!(
                "proved: grants nothing new in any of the {} request environments (it may deny more)",
                envs.len()
            ),
        )
    };
    if schemas_differ {
        message.push_str(
            "; the schemas differ, so the proof is over the new schema's request environments",
        );
    }
    Proof {
        status,
        message,
        envs,
    }
}

async fn one_env(
    old: &Side,
    new: &Side,
    schema: &Schema,
    env: &RequestEnv,
    timeout: Duration,
) -> EnvResult {
    let mut result = EnvResult {
        principal: env.principal().to_string(),
        action: env.action().to_string(),
        resource: env.resource().to_string(),
        widening: Outcome::Unknown,
        narrowing: Outcome::Unknown,
        counterexample: None,
        note: None,
    };
    let compile = |set: &PolicySet, which: &str| {
        CompiledPolicySet::compile(set, env, schema).map_err(|e| {
            format!("the {which} policies cannot be compiled for this environment: {e}")
        })
    };
    let (cold, cnew) = match (
        compile(&old.store.policies, "old"),
        compile(&new.store.policies, "new"),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            result.note = Some(e);
            return result;
        }
    };
    let ms = timeout.as_millis().max(1);
    let solver = match LocalSolver::cvc5_with_args([format!("--tlimit-per={ms}")]) {
        Ok(s) => s,
        Err(e) => {
            result.note = Some(format!("cvc5: {e}"));
            return result;
        }
    };
    let mut compiler = match CedarSymCompiler::new(solver) {
        Ok(c) => c,
        Err(e) => {
            result.note = Some(e.to_string());
            return result;
        }
    };
    match compiler
        .check_implies_with_counterexample_opt(&cnew, &cold)
        .await
    {
        Ok(None) => result.widening = Outcome::None,
        Ok(Some(cex)) => {
            result.widening = Outcome::Found;
            let (case, note) = counterexample_case(old, new, &cex);
            result.counterexample = Some(case);
            result.note = note;
        }
        Err(e) => {
            result.note = Some(
                if matches!(e, cedar_policy_symcc::err::Error::SolverUnknown) {
                    format!("the solver gave up: {e}")
                } else {
                    e.to_string()
                },
            );
        }
    }
    match compiler.check_implies_opt(&cold, &cnew).await {
        Ok(true) => result.narrowing = Outcome::None,
        Ok(false) => result.narrowing = Outcome::Found,
        Err(e) => {
            if result.note.is_none() {
                result.note = Some(e.to_string());
            }
        }
    }
    result
}

fn decide(set: &PolicySet, request: &Request, entities: &Entities) -> Evaluation {
    Evaluation::from_response(&Authorizer::new().is_authorized(request, set, entities))
}

fn uid_text(u: Option<&cedar_policy::EntityUid>) -> String {
    u.map(ToString::to_string).unwrap_or_default()
}

/// The counterexample as a `cedar run-tests` case expecting the old
/// policies' answer, and a note when pasting it cannot show the difference.
/// `agentgate test` runs such cases against the repository's own policies,
/// as Cedar would, without the built-in floor.
fn counterexample_case(old: &Side, new: &Side, cex: &Env) -> (Value, Option<String>) {
    let ents: Vec<Value> = cex
        .entities
        .to_json_value()
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        // The schema supplies action entities.
        .filter(|e| e.pointer("/uid/type").and_then(Value::as_str) != Some("Action"))
        .collect();
    let context = cex
        .request
        .context()
        .and_then(|c| c.to_json_value().ok())
        .unwrap_or_else(|| json!({}));
    let principal = uid_text(cex.request.principal());
    let action = uid_text(cex.request.action());
    let resource = uid_text(cex.request.resource());
    let old_user = decide(&old.store.user_policies, &cex.request, &cex.entities);
    let new_user = decide(&new.store.user_policies, &cex.request, &cex.entities);
    let note = if old_user.allowed == new_user.allowed {
        Some("the difference comes from the built-in floor (agentgate's own files), which a cedar run-tests case does not include".to_string())
    } else {
        None
    };
    let case = json!({
        "name": format!("policy change: {principal} {action} {resource} must stay {}", if old_user.allowed { "allowed" } else { "denied" }),
        "request": {
            "principal": principal,
            "action": action,
            "resource": resource,
            "context": context,
        },
        "entities": ents,
        "decision": if old_user.allowed { "allow" } else { "deny" },
        "reason": old_user.reasons,
        "num_errors": old_user.errors.len(),
    });
    (case, note)
}
