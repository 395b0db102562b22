//! The `cedar run-tests` JSON array, evaluated against the repository's
//! policy files and schema.
//!
//! Read for speed and memory, with Cedar's semantics unchanged: the file is
//! split into its tests without building a JSON tree (each test is a slice
//! of the file), each test's entities and context go to Cedar straight from
//! their text, and the tests are spread over the machine's cores; results
//! come back in file order, each with its own time.

use std::path::Path;
use std::time::Instant;

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, PolicySet, Request, Schema, ValidationMode, Validator,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{CaseError, CedarTestResult, Dec, flat};
use crate::decide::Evaluation;

#[derive(Deserialize)]
struct RunTestCase<'a> {
    #[serde(borrow)]
    request: RunTestRequest<'a>,
    #[serde(borrow)]
    entities: &'a RawValue,
    decision: Dec,
    reason: Vec<String>,
    num_errors: usize,
}

#[derive(Deserialize)]
struct RunTestRequest<'a> {
    principal: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    #[serde(borrow)]
    context: &'a RawValue,
}

/// Only the name, read even from a test that is otherwise malformed.
#[derive(Deserialize)]
struct NameOnly {
    #[serde(default)]
    name: Option<serde_json::Value>,
}

/// Run a `cedar run-tests` file (its text) against `policies` and `schema`.
/// `dir` is the test file's directory (entity files are relative to it and
/// must stay inside it). A text that is not a JSON array gives no results
/// (discovery only hands over arrays).
pub fn run_tests(
    text: &str,
    policies: &PolicySet,
    schema: &Schema,
    dir: &Path,
) -> Vec<CedarTestResult> {
    let items: Vec<&RawValue> = serde_json::from_str(text).unwrap_or_default();
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
    // The directory entity files must stay inside, resolved once.
    let canon_dir = dir
        .canonicalize()
        .map_err(|source| CaseError::Canonicalize {
            path: dir.to_path_buf(),
            source,
        });
    let run = |i: usize, item: &RawValue| {
        one(
            i,
            item,
            policies,
            schema,
            (dir, &canon_dir),
            validation_failure.as_deref(),
        )
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(64).max(1));
    if workers <= 1 {
        return items.iter().enumerate().map(|(i, t)| run(i, t)).collect();
    }
    // Contiguous chunks, one per core, joined back in order.
    let per = items.len().div_ceil(workers);
    let run = &run;
    let parts: Vec<Vec<CedarTestResult>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(c, chunk)| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(j, t)| run(c * per + j, t))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .map(|(c, h)| {
                h.join().unwrap_or_else(|_| {
                    let start = c * per;
                    (start..(start + per).min(items.len()))
                        .map(|i| CedarTestResult {
                            name: format!("(test #{})", i + 1),
                            failure: Some("agentgate failed internally running this test (a bug: please report it)".into()),
                            errored: true,
                            reasons: Vec::new(),
                            expected: None,
                            actual: None,
                            seconds: 0.0,
                        })
                        .collect()
                })
            })
            .collect()
    });
    parts.into_iter().flatten().collect()
}

/// One test.
fn one(
    i: usize,
    item: &RawValue,
    policies: &PolicySet,
    schema: &Schema,
    dir: (&Path, &Result<std::path::PathBuf, CaseError>),
    validation_failure: Option<&str>,
) -> CedarTestResult {
    let start = Instant::now();
    let name = serde_json::from_str::<NameOnly>(item.get())
        .ok()
        .and_then(|n| n.name)
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("(unnamed #{})", i + 1));
    let err = |m: String| CedarTestResult {
        name: name.clone(),
        failure: Some(m),
        errored: true,
        reasons: Vec::new(),
        expected: None,
        actual: None,
        seconds: start.elapsed().as_secs_f64(),
    };
    let case: RunTestCase = match serde_json::from_str(item.get()) {
        Ok(c) => c,
        Err(source) => {
            return err(CaseError::Malformed {
                what: "test",
                source,
            }
            .to_string());
        }
    };
    let (req, ents) = match build(&case, schema, dir) {
        Ok(x) => x,
        Err(e) => return err(e.to_string()),
    };
    if let Some(v) = validation_failure {
        return err(v.to_string());
    }
    let resp = Authorizer::new().is_authorized(&req, policies, &ents);
    let eval = Evaluation::from_response(&resp);
    let expected = describe(case.decision.decision(), &case.reason, case.num_errors);
    let actual = describe(resp.decision(), &eval.reasons, eval.errors.len());
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
        expected: Some(expected),
        actual: Some(actual),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// `deny (reasons: a, b; 0 errors)`: an answer as the JSON report shows it.
pub(super) fn describe(
    decision: cedar_policy::Decision,
    reasons: &[String],
    errors: usize,
) -> String {
    let d = match decision {
        cedar_policy::Decision::Allow => "allow",
        cedar_policy::Decision::Deny => "deny",
    };
    format!(
        "{d} (reasons: {}; {errors} error{})",
        if reasons.is_empty() {
            "none".to_string()
        } else {
            reasons.join(", ")
        },
        if errors == 1 { "" } else { "s" }
    )
}

/// The request and entities of one `run-tests` case.
fn build(
    case: &RunTestCase,
    schema: &Schema,
    (dir, canon_dir): (&Path, &Result<std::path::PathBuf, CaseError>),
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
    let context_text = case.request.context.get();
    let ctx = Context::from_json_str(context_text, Some((schema, &a))).map_err(|e| {
        CaseError::Context {
            text: context_text.to_string(),
            detail: flat(&e),
        }
    })?;
    let req = Request::new(p, a, r, ctx, Some(schema)).map_err(|e| CaseError::Request(flat(&e)))?;
    let raw = case.entities.get();
    let ents = if raw.trim_start().starts_with('"') {
        let file: String =
            serde_json::from_str(raw).map_err(|e| CaseError::Entities(e.to_string()))?;
        let canonical = |path: &Path| {
            path.canonicalize()
                .map_err(|source| CaseError::Canonicalize {
                    path: path.to_path_buf(),
                    source,
                })
        };
        let canon = canonical(&dir.join(&file))?;
        let canon_dir = match canon_dir {
            Ok(d) => d.clone(),
            // Report the directory's own error, as the case's.
            Err(_) => canonical(dir)?,
        };
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
    } else {
        Entities::from_json_str(raw, Some(schema)).map_err(|e| CaseError::Entities(flat(&e)))?
    };
    Ok((req, ents))
}
