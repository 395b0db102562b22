//! Cedar's own CLI (crate cedar-policy-cli, installed by .ci/run) as an
//! independent oracle: it must accept what agentgate accepts, and give the
//! same verdicts on Cedar's test formats.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use serde_json::{Value, json};

/// The `cedar` binary: $CEDAR, else `cedar` on PATH. Missing is a failure,
/// not a skip: .ci/run installs it.
fn cedar() -> PathBuf {
    if let Some(p) = std::env::var_os("CEDAR") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("cedar"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("the `cedar` CLI is required: cargo install cedar-policy-cli --version 4.14.1 --locked (.ci/run does this)")
    })
}

fn concat_policies(dir: &Path) -> tempfile::NamedTempFile {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cedar"))
        .collect();
    files.sort();
    let text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap() + "\n")
        .collect();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), text).unwrap();
    tmp
}

#[test]
fn cedar_validate_accepts_the_shipped_schema_and_policies() {
    for dir in [repo_root(), init_repo().keep()] {
        let all = concat_policies(&dir);
        let out = run(
            Command::new(cedar())
                .args(["validate", "--schema"])
                .arg(dir.join("schemas/agentgate.cedarschema"))
                .arg("--policies")
                .arg(all.path())
                .arg("--deny-warnings"),
            None,
        );
        assert_eq!(
            out.code,
            0,
            "cedar validate rejected {}: {}",
            dir.display(),
            out.all()
        );
        assert_eq!(agentgate(&dir, &["validate"]).code, 0);
    }
}

/// Per-test verdicts (`true` = pass) from `cedar run-tests` output.
fn cedar_run_tests(policies: &Path, schema: &Path, tests: &Path) -> Vec<(String, bool)> {
    let out = run(
        Command::new(cedar())
            .arg("run-tests")
            .arg("--policies")
            .arg(policies)
            .arg("--schema")
            .arg(schema)
            .arg("--tests")
            .arg(tests),
        None,
    );
    out.stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("test "))
        .map(|l| {
            let (name, verdict) = l.split_once(" ... ").expect("cedar run-tests line");
            (name.to_string(), verdict.starts_with("ok"))
        })
        .collect()
}

fn agentgate_verdicts(dir: &Path, file: &Path) -> Vec<(String, bool)> {
    let out = agentgate(dir, &["test", file.to_str().unwrap(), "--format", "json"]);
    assert!(matches!(out.code, 0..=2), "{}", out.all());
    out.json()["files"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"] == "pass",
            )
        })
        .collect()
}

#[test]
fn run_tests_files_get_the_verdicts_cedar_run_tests_gives() {
    let root = repo_root();
    let shipped = root.join("tests/policies/cedar-run-tests.json");
    let all = concat_policies(&root);
    let schema = root.join("schemas/agentgate.cedarschema");

    let theirs = cedar_run_tests(all.path(), &schema, &shipped);
    assert_eq!(theirs.len(), 5);
    assert!(theirs.iter().all(|(_, ok)| *ok));
    assert_eq!(agentgate_verdicts(&root, &shipped), theirs);

    // Wrong expectations of every kind: both tools must fail exactly the
    // same tests.
    let mut tests: Value =
        serde_json::from_str(&std::fs::read_to_string(&shipped).unwrap()).unwrap();
    let t = tests.as_array_mut().unwrap();
    t[0]["decision"] = json!("allow");
    t[1]["reason"] = json!(["agents-change-ordinary-files", "humans-change-anything"]);
    t[2]["num_errors"] = json!(1);
    t[3]["reason"] = json!([]);
    t[4]["request"]["context"] = json!({"confirmed": "yes"});
    let extra = json!({
        "name": "entities that do not conform",
        "request": t[3]["request"].clone(),
        "entities": [{"uid": {"type": "Agent", "id": "claude-code"}, "attrs": {"login": 1, "vendor": "x"}, "parents": []}],
        "decision": "allow", "reason": [], "num_errors": 0
    });
    t.push(extra);
    let dir = tempfile::tempdir().unwrap();
    let mutated = dir.path().join("mutated.json");
    std::fs::write(&mutated, serde_json::to_string_pretty(&tests).unwrap()).unwrap();
    let theirs = cedar_run_tests(all.path(), &schema, &mutated);
    let ours = agentgate_verdicts(&root, &mutated);
    assert_eq!(ours, theirs);
    let verdicts: Vec<bool> = ours.iter().map(|(_, ok)| *ok).collect();
    assert_eq!(
        verdicts,
        vec![false, false, false, true, false, false],
        "an empty reason list is a subset and passes, as in Cedar"
    );
}

/// Cedar's answer for one integration request, via `cedar authorize`:
/// (decision, reasons, erroring policies).
fn cedar_authorize(root: &Path, test: &Value, req: &Value) -> (String, Vec<String>, Vec<String>) {
    let uid = |v: &Value| {
        let v = v.get("__entity").unwrap_or(v);
        format!(
            "{}::{}",
            v["type"].as_str().unwrap(),
            Value::String(v["id"].as_str().unwrap().to_string())
        )
    };
    let ctx = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ctx.path(), req["context"].to_string()).unwrap();
    let out = run(
        Command::new(cedar())
            .arg("authorize")
            .arg("--policies")
            .arg(root.join(test["policies"].as_str().unwrap()))
            .arg("--schema")
            .arg(root.join(test["schema"].as_str().unwrap()))
            .arg("--entities")
            .arg(root.join(test["entities"].as_str().unwrap()))
            .args([
                "--principal",
                &uid(&req["principal"]),
                "--action",
                &uid(&req["action"]),
                "--resource",
                &uid(&req["resource"]),
            ])
            .arg("--context")
            .arg(ctx.path())
            .arg("--verbose"),
        None,
    );
    let decision = if out.stdout.contains("ALLOW") {
        "allow"
    } else {
        "deny"
    };
    let mut reasons = Vec::new();
    let mut in_reasons = false;
    let mut errors = Vec::new();
    for line in out.stdout.lines().chain(out.stderr.lines()) {
        if line.contains("due to the following policies") {
            in_reasons = true;
            continue;
        }
        if in_reasons && line.starts_with("  ") {
            reasons.push(line.trim().to_string());
        } else {
            in_reasons = false;
        }
        if let Some(rest) = line.strip_prefix("error while evaluating policy `") {
            errors.push(rest.split('`').next().unwrap().to_string());
        }
    }
    reasons.sort();
    errors.sort();
    (decision.to_string(), reasons, errors)
}

#[test]
fn integration_files_get_the_verdicts_cedar_gives() {
    let root = repo_root().join("examples/cedar-integration");
    for name in ["deploys.json", "nicknames.json"] {
        let file = root.join("tests").join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        let mut test: Value = serde_json::from_str(&text).unwrap();
        // Also a copy whose expectations are all wrong in some way.
        let mut wrong = test.clone();
        for (i, r) in wrong["requests"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            match i % 3 {
                0 => {
                    r["decision"] = json!(if r["decision"] == "allow" {
                        "deny"
                    } else {
                        "allow"
                    })
                }
                1 => r["reason"] = json!(["policy9"]),
                _ => r["errors"] = json!(["policy0", "policy1"]),
            }
        }
        wrong["shouldValidate"] = json!(!test["shouldValidate"].as_bool().unwrap());
        for (variant, t) in [("as shipped", &mut test), ("wrong", &mut wrong)] {
            let tmp = tempfile::Builder::new()
                .suffix(".json")
                .tempfile_in(root.join("tests"))
                .unwrap();
            std::fs::write(tmp.path(), t.to_string()).unwrap();
            let out = agentgate(
                &root,
                &[
                    "test",
                    tmp.path().to_str().unwrap(),
                    "--format",
                    "json",
                    "--cedar-root",
                    root.to_str().unwrap(),
                ],
            );
            let cases = out.json()["files"][0]["cases"].as_array().unwrap().clone();
            assert_eq!(
                cases.len(),
                1 + t["requests"].as_array().unwrap().len(),
                "{variant} {name}"
            );

            // Validation: `cedar validate` decides whether the policies validate.
            let v = run(
                Command::new(cedar())
                    .arg("validate")
                    .arg("--schema")
                    .arg(root.join(t["schema"].as_str().unwrap()))
                    .arg("--policies")
                    .arg(root.join(t["policies"].as_str().unwrap())),
                None,
            );
            let validates = v.code == 0;
            let expect_pass = validates == t["shouldValidate"].as_bool().unwrap();
            assert_eq!(
                cases[0]["status"] == "pass",
                expect_pass,
                "{variant} {name}: validation verdict"
            );

            for (i, req) in t["requests"].as_array().unwrap().iter().enumerate() {
                let (decision, reasons, errors) = cedar_authorize(&root, t, req);
                let mut want_r: Vec<String> = req["reason"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect();
                want_r.sort();
                let mut want_e: Vec<String> = req["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect();
                want_e.sort();
                let cedar_pass =
                    decision == req["decision"] && reasons == want_r && errors == want_e;
                let ours = &cases[i + 1];
                assert_eq!(
                    ours["status"] == "pass",
                    cedar_pass,
                    "{variant} {name} request {i}: ours {ours}, cedar ({decision}, {reasons:?}, {errors:?})"
                );
                if variant == "wrong" {
                    assert!(!cedar_pass, "the wrong copy must fail request {i}");
                } else {
                    assert!(cedar_pass, "shipped request {i} must pass");
                }
            }
        }
    }
}
