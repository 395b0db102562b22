//! `validate`: Cedar's strict validation of the policies against the schema,
//! plus agentgate's lints, as located diagnostics.

use cedar_policy::{ValidationMode, Validator};

use crate::diag::{Code, Diag, Severity};
use crate::policy::{PolicyStore, lint};

/// Every finding about a loaded store: load-time warnings, Cedar's strict
/// validation errors and warnings, and agentgate's lints. Cedar's findings
/// for the built-in floor are included, so a schema that cannot express the
/// floor is an error too.
pub fn validate(store: &PolicyStore) -> Vec<Diag> {
    let mut out = store.warnings.clone();
    let (strict, flagged_never) = strict(store);
    out.extend(strict);
    out.extend(lint::lint(store, &flagged_never));
    out
}

/// Cedar's strict validation errors alone: a policy set with any of them
/// cannot be used to decide (a policy that does not typecheck would be
/// skipped at evaluation, silently, so a forbid would stop forbidding).
pub fn strict_errors(store: &PolicyStore) -> Vec<Diag> {
    strict(store)
        .0
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// Cedar's strict validation errors and warnings, and the ids of policies
/// that can never apply.
fn strict(store: &PolicyStore) -> (Vec<Diag>, Vec<String>) {
    let mut out = Vec::new();
    let validator = Validator::new(store.schema.clone());
    let result = validator.validate(&store.policies, ValidationMode::Strict);
    let mut flagged_never = Vec::new();
    for e in result.validation_errors() {
        // A policy that does not typecheck has no valid request environment;
        // saying it "never applies" on top of the real error would mislead.
        flagged_never.push(e.policy_id().to_string());
        let meta = store.meta(e.policy_id());
        let mut d = Diag::from_miette(
            e,
            Severity::Error,
            Code::CedarValidation,
            meta.and_then(|m| m.source.as_ref()),
        );
        if let Some(m) = meta {
            d.message = format!("policy `{}`: {}", m.id, d.message);
            if m.builtin {
                d.help = Some(
                    "this is agentgate's built-in floor; the schema must keep agentgate's vocabulary (see `agentgate init`)"
                        .into(),
                );
            }
        }
        out.push(d);
    }
    for w in result.validation_warnings() {
        let meta = store.meta(w.policy_id());
        if matches!(
            w,
            cedar_policy::ValidationWarning::ImpossiblePolicy(_)
                | cedar_policy::ValidationWarning::InvalidActionApplication(_)
        ) {
            flagged_never.push(w.policy_id().to_string());
        }
        let mut d = Diag::from_miette(
            w,
            Severity::Warning,
            Code::CedarValidation,
            meta.and_then(|m| m.source.as_ref()),
        );
        if let Some(m) = meta {
            d.message = format!("policy `{}`: {}", m.id, d.message);
        }
        out.push(d);
    }
    (out, flagged_never)
}
