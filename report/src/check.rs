//! `agentgate check`: one decision, with the policies that made it, their
//! location and intent, and, for a denied merge-time request, whose
//! sign-off would allow it.

use std::fmt::Write as _;

use agentgate_core::decide::Answer;
use agentgate_core::policy::PolicyStore;
use agentgate_core::request::RequestSpec;
use agentgate_core::vocab::Verdict;
use serde_json::{Value, json};

use crate::gate::signoff_text;

/// The deciding policies with location and intent.
fn explanations(store: &PolicyStore, answer: &Answer) -> Vec<Value> {
    answer
        .policies
        .iter()
        .map(|id| match store.meta.get(id) {
            Some(m) => json!({"id": id, "location": m.location(), "intent": m.intent}),
            None => json!({"id": id}),
        })
        .collect()
}

/// `{"decision", "policies", "explanations", "errors", "signoff_from",
/// "request": {"principal", "action", "resource", "context"}}`.
pub fn json(store: &PolicyStore, spec: &RequestSpec, answer: &Answer) -> Value {
    json!({
        "decision": answer.decision,
        "policies": answer.policies,
        "explanations": explanations(store, answer),
        "errors": answer.errors,
        "signoff_from": answer.signoff_from,
        "request": {
            "principal": spec.principal,
            "action": spec.action,
            "resource": spec.resource,
            "context": answer.context,
        },
    })
}

/// For a terminal.
pub fn text(store: &PolicyStore, spec: &RequestSpec, answer: &Answer) -> String {
    let mut out = format!(
        "{}: {} {} {}\n",
        answer.decision.as_str(),
        spec.principal,
        spec.action,
        spec.resource
    );
    if answer.policies.is_empty() {
        out.push_str("  no policy permits it (denied by default)\n");
    }
    for e in explanations(store, answer) {
        let id = e["id"].as_str().unwrap_or_default();
        let loc = e["location"].as_str().unwrap_or_default();
        let _ = match e["intent"].as_str() {
            Some(intent) => writeln!(out, "  {id} ({loc}): {intent}"),
            None => writeln!(out, "  {id} ({loc})"),
        };
    }
    for err in &answer.errors {
        let _ = writeln!(
            out,
            "  policy {} failed to evaluate: {} (a forbid that fails counts as applying)",
            err.policy, err.message
        );
    }
    match (answer.decision, &answer.signoff_from) {
        (Verdict::Confirm, _) => out.push_str("  a human must confirm before this is done\n"),
        (Verdict::Deny, Some(teams)) if teams.is_empty() => {
            out.push_str("  no sign-off would allow it\n")
        }
        (Verdict::Deny, Some(teams)) => {
            let _ = writeln!(
                out,
                "  would be allowed with sign-off from: {}",
                signoff_text(teams)
            );
        }
        _ => {}
    }
    out
}
