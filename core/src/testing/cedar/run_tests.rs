//! The `cedar run-tests` JSON array, evaluated against the repository's
//! policy files and schema.

use std::path::Path;

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, PolicySet, Request, Schema, ValidationMode, Validator,
};
use serde::Deserialize;
use serde_json::Value;

use super::{CaseError, CedarTestResult, Dec, flat};
use crate::decide::Evaluation;

#[derive(Deserialize)]
struct RunTestCase {
    request: RunTestRequest,
    entities: Value,
    decision: Dec,
    reason: Vec<String>,
    num_errors: usize,
}

#[derive(Deserialize)]
struct RunTestRequest {
    principal: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    context: Value,
}

/// Run a `cedar run-tests` file (already parsed as JSON) against `policies`
/// and `schema`. `dir` is the test file's directory (entity files are
/// relative to it and must stay inside it).
pub fn run_tests(
    tests: &Value,
    policies: &PolicySet,
    schema: &Schema,
    dir: &Path,
) -> Vec<CedarTestResult> {
    let items = match tests {
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    let validation = Validator::new(schema.clone()).validate(policies, ValidationMode::Strict);
    let validation_failure = if validation.validation_passed_without_warnings() {
        None
    } else {
        let msgs: Vec<String> = validation
            .validation_errors()
            .map(|e| e.to_string())
            .chain(
                validation
                    .validation_warnings()
                    .map(|w| format!("warning: {w}")),
            )
            .collect();
        Some(format!("policy set validation failed: {}", msgs.join("; ")))
    };
    let authorizer = Authorizer::new();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("(unnamed #{})", i + 1));
            let err = |m: String| CedarTestResult {
                name: name.clone(),
                failure: Some(m),
                errored: true,
                reasons: Vec::new(),
            };
            let case: RunTestCase = match serde_json::from_value(item.clone()) {
                Ok(c) => c,
                Err(source) => {
                    return err(CaseError::Malformed {
                        what: "test",
                        source,
                    }
                    .to_string());
                }
            };
            let parsed = build(&case, schema, dir);
            let (req, ents) = match parsed {
                Ok(x) => x,
                Err(e) => return err(e.to_string()),
            };
            if let Some(v) = &validation_failure {
                return err(v.clone());
            }
            let resp = authorizer.is_authorized(&req, policies, &ents);
            let eval = Evaluation::from_response(&resp);
            let mut problems = Vec::new();
            if resp.decision() != case.decision.decision() {
                problems.push(format!(
                    "expected {:?}, got {:?}",
                    case.decision.decision(),
                    resp.decision()
                ));
            } else {
                let missing: Vec<String> = case
                    .reason
                    .iter()
                    .filter(|r| !eval.reasons.contains(r))
                    .map(|r| format!("`{r}`"))
                    .collect();
                if !missing.is_empty() {
                    problems.push(format!("missing reason(s): {}", missing.join(", ")));
                }
                if eval.errors.len() != case.num_errors {
                    problems.push(format!(
                        "expected {} error(s), but got {} runtime error(s){}",
                        case.num_errors,
                        eval.errors.len(),
                        if eval.errors.is_empty() {
                            String::new()
                        } else {
                            format!(
                                ": {}",
                                eval.errors
                                    .iter()
                                    .map(|e| format!("{}: {}", e.policy, e.message))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    ));
                }
            }
            CedarTestResult {
                name,
                failure: if problems.is_empty() {
                    None
                } else {
                    Some(problems.join("; "))
                },
                errored: false,
                reasons: eval.reasons,
            }
        })
        .collect()
}

/// The request and entities of one `run-tests` case.
fn build(
    case: &RunTestCase,
    schema: &Schema,
    dir: &Path,
) -> Result<(Request, Entities), CaseError> {
    let uid = |text: Option<&str>, what: &'static str| -> Result<EntityUid, CaseError> {
        let text = text.ok_or(CaseError::Missing(what))?;
        text.parse()
            .map_err(|e: cedar_policy::ParseErrors| CaseError::Uid {
                what,
                text: text.to_string(),
                detail: e.to_string(),
            })
    };
    let p = uid(case.request.principal.as_deref(), "principal")?;
    let a = uid(case.request.action.as_deref(), "action")?;
    let r = uid(case.request.resource.as_deref(), "resource")?;
    let ctx = Context::from_json_value(case.request.context.clone(), Some((schema, &a))).map_err(
        |e| CaseError::Context {
            text: case.request.context.to_string(),
            detail: flat(&e),
        },
    )?;
    let req = Request::new(p, a, r, ctx, Some(schema)).map_err(|e| CaseError::Request(flat(&e)))?;
    let ents = match &case.entities {
        Value::String(file) => {
            let canonical = |path: &Path| {
                path.canonicalize()
                    .map_err(|source| CaseError::Canonicalize {
                        path: path.to_path_buf(),
                        source,
                    })
            };
            let canon = canonical(&dir.join(file))?;
            let canon_dir = canonical(dir)?;
            if !canon.starts_with(&canon_dir) {
                return Err(CaseError::Outside {
                    file: canon,
                    dir: canon_dir,
                });
            }
            let text = std::fs::read_to_string(&canon).map_err(|e| CaseError::EntitiesFile {
                file: file.clone(),
                detail: e.to_string(),
            })?;
            Entities::from_json_str(&text, Some(schema)).map_err(|e| CaseError::EntitiesFile {
                file: file.clone(),
                detail: flat(&e),
            })?
        }
        v => Entities::from_json_value(v.clone(), Some(schema))
            .map_err(|e| CaseError::Entities(flat(&e)))?,
    };
    Ok((req, ents))
}
