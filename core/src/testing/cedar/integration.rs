//! cedar-integration-tests JSON objects, which bring their own policies,
//! schema and entities.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, PolicySet, Request, Schema, ValidationMode, Validator,
};
use serde::Deserialize;
use serde_json::Value;

use super::{CaseError, CedarTestResult, Dec, flat};
use crate::decide::Evaluation;

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
            expected: None,
            actual: None,
            seconds: 0.0,
        }]
    };
    let test: IntegrationTest = match serde_json::from_value(json.clone()) {
        Ok(t) => t,
        Err(source) => {
            return fail_file(
                CaseError::Malformed {
                    what: "integration test",
                    source,
                }
                .to_string(),
            );
        }
    };
    let root = match integration_root(test_file, &test.policies, root) {
        Ok(r) => r,
        Err(e) => return fail_file(e.to_string()),
    };
    let loaded = load(&test, &root);
    let (policies, schema, entities) = match loaded {
        Ok(x) => x,
        Err(e) => return fail_file(e.to_string()),
    };
    let mut out = Vec::new();
    let file_start = Instant::now();
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
        expected: Some(
            if test.should_validate {
                "validates"
            } else {
                "does not validate"
            }
            .into(),
        ),
        actual: Some(
            if passed {
                "validates"
            } else {
                "does not validate"
            }
            .into(),
        ),
        seconds: file_start.elapsed().as_secs_f64(),
    });
    let authorizer = Authorizer::new();
    for r in &test.requests {
        let started = Instant::now();
        let name = r.description.clone();
        let built = build(r, &schema);
        let req = match built {
            Ok(q) => q,
            Err(e) => {
                out.push(CedarTestResult {
                    name,
                    failure: Some(e.to_string()),
                    errored: true,
                    reasons: Vec::new(),
                    expected: None,
                    actual: None,
                    seconds: started.elapsed().as_secs_f64(),
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
            expected: Some(super::run_tests::describe(
                r.decision.decision(),
                &r.reason,
                r.errors.len(),
            )),
            actual: Some(super::run_tests::describe(
                resp.decision(),
                &eval.reasons,
                eval.errors.len(),
            )),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    out
}

/// The policies, schema and entities an integration test names.
fn load(test: &IntegrationTest, root: &Path) -> Result<(PolicySet, Schema, Entities), CaseError> {
    let read = |rel: &str| {
        let path = if Path::new(rel).is_absolute() {
            PathBuf::from(rel)
        } else {
            root.join(rel)
        };
        std::fs::read_to_string(&path).map_err(|source| CaseError::Read { path, source })
    };
    let parse = |what: &'static str, file: &str, detail: String| CaseError::Parse {
        what,
        file: file.to_string(),
        detail,
    };
    let ptext = read(&test.policies)?;
    let ast = cedar_policy_core::parser::parse_policyset(&ptext)
        .map_err(|e| parse("policies", &test.policies, e.to_string()))?;
    let policies = PolicySet::from(ast);
    let stext = read(&test.schema)?;
    let schema = if test.schema.ends_with(".json") {
        Schema::from_json_str(&stext).map_err(|e| parse("schema", &test.schema, flat(&e)))?
    } else {
        Schema::from_cedarschema_str(&stext)
            .map_err(|e| parse("schema", &test.schema, flat(&e)))?
            .0
    };
    let etext = read(&test.entities)?;
    let entities = Entities::from_json_str(&etext, Some(&schema))
        .map_err(|e| parse("entities", &test.entities, flat(&e)))?;
    Ok((policies, schema, entities))
}

/// The request of one integration test case.
fn build(r: &IntegrationRequest, schema: &Schema) -> Result<Request, CaseError> {
    let uid = |v: &Value, what: &'static str| {
        EntityUid::from_json(v.clone()).map_err(|e| CaseError::UidJson {
            what,
            detail: flat(&e),
        })
    };
    let p = uid(&r.principal, "principal")?;
    let a = uid(&r.action, "action")?;
    let res = uid(&r.resource, "resource")?;
    let ctx = Context::from_json_value(r.context.clone(), Some((schema, &a)))
        .map_err(|e| CaseError::ContextJson(flat(&e)))?;
    Request::new(p, a, res, ctx, r.validate_request.then_some(schema))
        .map_err(|e| CaseError::Validate(flat(&e)))
}
