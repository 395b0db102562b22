//! Cedar's own test formats, run with Cedar's semantics (both in one file,
//! past 500 lines, since they share their request and entity reading):
//!
//! - the `cedar run-tests` JSON array (`name`, `request`, `entities`,
//!   `decision`, `reason`, `num_errors`), evaluated against the repository's
//!   policy files (without agentgate's floor, as the `cedar` CLI would see
//!   them) and schema: decision equal, declared reasons a subset of Cedar's,
//!   error count equal, and a policy set that fails strict validation (or
//!   warns) makes every test an error;
//! - the cedar-integration-tests JSON object (`policies`, `entities`,
//!   `schema`, `shouldValidate`, `requests`), which brings its own files
//!   (relative to a root directory): strict validation must pass exactly when
//!   `shouldValidate`, and per request the decision is equal and `reason` and
//!   `errors` are set-equal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request, Schema, ValidationMode,
    Validator,
};
use serde::Deserialize;
use serde_json::Value;

use crate::decide::Evaluation;

/// Result of one Cedar-format test.
#[derive(Debug, Clone)]
pub struct CedarTestResult {
    /// Test name or request description.
    pub name: String,
    /// `None` on pass, else why it failed.
    pub failure: Option<String>,
    /// Whether the failure is an error (the test could not run) rather than
    /// a wrong answer.
    pub errored: bool,
    /// Policies that determined Cedar's decision (for coverage).
    pub reasons: Vec<String>,
}

/// Which Cedar format a JSON file holds, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CedarFormat {
    /// `cedar run-tests` array.
    RunTests,
    /// cedar-integration-tests object.
    Integration,
}

/// Recognise a Cedar test file by shape.
pub fn detect(json: &Value) -> Option<CedarFormat> {
    match json {
        Value::Array(items) => {
            if items.is_empty() || items.iter().all(|i| i.get("request").is_some()) {
                Some(CedarFormat::RunTests)
            } else {
                None
            }
        }
        Value::Object(o) if o.contains_key("requests") && o.contains_key("shouldValidate") => {
            Some(CedarFormat::Integration)
        }
        _ => None,
    }
}

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

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
enum Dec {
    #[serde(rename = "allow", alias = "Allow")]
    Allow,
    #[serde(rename = "deny", alias = "Deny")]
    Deny,
}

impl Dec {
    fn decision(self) -> Decision {
        match self {
            Dec::Allow => Decision::Allow,
            Dec::Deny => Decision::Deny,
        }
    }
}

fn flat(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut c = e.source();
    while let Some(x) = c {
        let m = x.to_string();
        if !s.contains(&m) {
            s = format!("{s}: {m}");
        }
        c = x.source();
    }
    s
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
                Err(e) => return err(format!("malformed test: {e}")),
            };
            let parsed = (|| -> Result<(Request, Entities), String> {
                let p = case
                    .request
                    .principal
                    .as_deref()
                    .ok_or("missing field `principal`")?;
                let a = case
                    .request
                    .action
                    .as_deref()
                    .ok_or("missing field `action`")?;
                let r = case
                    .request
                    .resource
                    .as_deref()
                    .ok_or("missing field `resource`")?;
                let p: EntityUid = p
                    .parse()
                    .map_err(|e| format!("failed to parse principal `{p}`: {e}"))?;
                let a: EntityUid = a
                    .parse()
                    .map_err(|e| format!("failed to parse action `{a}`: {e}"))?;
                let r: EntityUid = r
                    .parse()
                    .map_err(|e| format!("failed to parse resource `{r}`: {e}"))?;
                let ctx =
                    Context::from_json_value(case.request.context.clone(), Some((schema, &a)))
                        .map_err(|e| {
                            format!(
                                "failed to parse context `{}`: {}",
                                case.request.context,
                                flat(&e)
                            )
                        })?;
                let req = Request::new(p, a, r, ctx, Some(schema))
                    .map_err(|e| format!("failed to create request: {}", flat(&e)))?;
                let ents = match &case.entities {
                    Value::String(file) => {
                        let path = dir.join(file);
                        let canon = path.canonicalize().map_err(|e| {
                            format!("failed to canonicalize path `{}`: {e}", path.display())
                        })?;
                        let canon_dir = dir.canonicalize().map_err(|e| {
                            format!("failed to canonicalize `{}`: {e}", dir.display())
                        })?;
                        if !canon.starts_with(&canon_dir) {
                            return Err(format!(
                                "entities file `{}` is outside of the test file directory `{}`",
                                canon.display(),
                                canon_dir.display()
                            ));
                        }
                        let text = std::fs::read_to_string(&canon).map_err(|e| {
                            format!("failed to load entities from file `{file}`: {e}")
                        })?;
                        Entities::from_json_str(&text, Some(schema)).map_err(|e| {
                            format!("failed to load entities from file `{file}`: {}", flat(&e))
                        })?
                    }
                    v => Entities::from_json_value(v.clone(), Some(schema))
                        .map_err(|e| format!("failed to parse entities: {}", flat(&e)))?,
                };
                Ok((req, ents))
            })();
            let (req, ents) = match parsed {
                Ok(x) => x,
                Err(m) => return err(m),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IntegrationTest {
    policies: String,
    entities: String,
    schema: String,
    should_validate: bool,
    requests: Vec<IntegrationRequest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IntegrationRequest {
    description: String,
    principal: Value,
    action: Value,
    resource: Value,
    context: Value,
    #[serde(default = "yes")]
    validate_request: bool,
    decision: Dec,
    reason: Vec<String>,
    errors: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Where an integration test's relative paths are resolved: `root` when
/// given, else the nearest ancestor of the test file (or the current
/// directory) where its `policies` file exists.
pub fn integration_root(
    test_file: &Path,
    policies: &str,
    root: Option<&Path>,
) -> Result<PathBuf, RootNotFound> {
    if let Some(r) = root {
        return Ok(r.to_path_buf());
    }
    let mut tried = Vec::new();
    let mut cur = test_file.parent();
    while let Some(dir) = cur {
        let d = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if d.join(policies).is_file() {
            return Ok(d.to_path_buf());
        }
        tried.push(d.display().to_string());
        cur = dir.parent();
    }
    if Path::new(policies).is_file() {
        return Ok(PathBuf::from("."));
    }
    Err(RootNotFound {
        policies: policies.to_string(),
        tried,
    })
}

/// No directory holds an integration test's policies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot find `{policies}` relative to {} or the current directory; pass --cedar-root DIR (the root of the cedar-integration-tests tree)",
    tried.join(", ")
)]
pub struct RootNotFound {
    /// The policies file named by the test.
    pub policies: String,
    /// The directories tried.
    pub tried: Vec<String>,
}

/// Run a cedar-integration-tests file. Errors that stop the whole file
/// (unreadable policies, schema or entities) are returned as one failed
/// result named after the file, as Cedar's harness would fail the test.
pub fn run_integration(
    json: &Value,
    test_file: &Path,
    root: Option<&Path>,
) -> Vec<CedarTestResult> {
    let file_name = test_file.display().to_string();
    let fail_file = |m: String| {
        vec![CedarTestResult {
            name: file_name.clone(),
            failure: Some(m),
            errored: true,
            reasons: Vec::new(),
        }]
    };
    let test: IntegrationTest = match serde_json::from_value(json.clone()) {
        Ok(t) => t,
        Err(e) => return fail_file(format!("malformed integration test: {e}")),
    };
    let root = match integration_root(test_file, &test.policies, root) {
        Ok(r) => r,
        Err(e) => return fail_file(e.to_string()),
    };
    let read = |rel: &str| -> Result<String, String> {
        let p = if Path::new(rel).is_absolute() {
            PathBuf::from(rel)
        } else {
            root.join(rel)
        };
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let loaded = (|| -> Result<(PolicySet, Schema, Entities), String> {
        let ptext = read(&test.policies)?;
        let ast = cedar_policy_core::parser::parse_policyset(&ptext)
            .map_err(|e| format!("error parsing policies in {}: {e}", test.policies))?;
        let policies = PolicySet::from(ast);
        let stext = read(&test.schema)?;
        let schema = if test.schema.ends_with(".json") {
            Schema::from_json_str(&stext)
                .map_err(|e| format!("error parsing schema in {}: {}", test.schema, flat(&e)))?
        } else {
            Schema::from_cedarschema_str(&stext)
                .map_err(|e| format!("error parsing schema in {}: {}", test.schema, flat(&e)))?
                .0
        };
        let etext = read(&test.entities)?;
        let entities = Entities::from_json_str(&etext, Some(&schema))
            .map_err(|e| format!("error parsing entities in {}: {}", test.entities, flat(&e)))?;
        Ok((policies, schema, entities))
    })();
    let (policies, schema, entities) = match loaded {
        Ok(x) => x,
        Err(m) => return fail_file(m),
    };
    let mut out = Vec::new();
    let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
    let passed = validation.validation_passed();
    out.push(CedarTestResult {
        name: format!("{file_name}: validation"),
        failure: if passed == test.should_validate {
            None
        } else if test.should_validate {
            Some(format!(
                "expected the policies to validate, but: {}",
                validation
                    .validation_errors()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        } else {
            Some("expected validation to fail, but it passed".into())
        },
        errored: false,
        reasons: Vec::new(),
    });
    let authorizer = Authorizer::new();
    for r in &test.requests {
        let name = r.description.clone();
        let built = (|| -> Result<Request, String> {
            let uid = |v: &Value, what: &str| {
                EntityUid::from_json(v.clone())
                    .map_err(|e| format!("failed to parse {what}: {}", flat(&e)))
            };
            let p = uid(&r.principal, "principal")?;
            let a = uid(&r.action, "action")?;
            let res = uid(&r.resource, "resource")?;
            let ctx = Context::from_json_value(r.context.clone(), Some((&schema, &a)))
                .map_err(|e| format!("failed to parse context: {}", flat(&e)))?;
            Request::new(
                p,
                a,
                res,
                ctx,
                if r.validate_request {
                    Some(&schema)
                } else {
                    None
                },
            )
            .map_err(|e| format!("error validating request: {}", flat(&e)))
        })();
        let req = match built {
            Ok(q) => q,
            Err(m) => {
                out.push(CedarTestResult {
                    name,
                    failure: Some(m),
                    errored: true,
                    reasons: Vec::new(),
                });
                continue;
            }
        };
        let resp = authorizer.is_authorized(&req, &policies, &entities);
        let eval = Evaluation::from_response(&resp);
        let mut problems = Vec::new();
        if resp.decision() != r.decision.decision() {
            problems.push(format!(
                "unexpected decision: expected {:?}, got {:?}",
                r.decision.decision(),
                resp.decision()
            ));
        }
        let want: BTreeSet<&String> = r.reason.iter().collect();
        let got: BTreeSet<&String> = eval.reasons.iter().collect();
        if want != got {
            problems.push(format!("unexpected reason: expected {want:?}, got {got:?}"));
        }
        let want_e: BTreeSet<&String> = r.errors.iter().collect();
        let got_e: BTreeSet<&String> = eval.errors.iter().map(|e| &e.policy).collect();
        if want_e != got_e {
            problems.push(format!(
                "unexpected errors: expected {want_e:?}, got {got_e:?}"
            ));
        }
        out.push(CedarTestResult {
            name,
            failure: if problems.is_empty() {
                None
            } else {
                Some(problems.join("; "))
            },
            errored: false,
            reasons: Vec::new(),
        });
    }
    out
}
