//! `agentgate diff` on real git repositories: a pure refactor is proved
//! equivalent, a new exception is a widening with a counterexample and the
//! concrete files it opens, a removed permit is a narrowing; the
//! counterexample, pasted into a suite, fails under the new policies and
//! passes under the old. The proof needs cvc5 (`.ci/run` installs it).

use std::path::Path;

use crate::common::*;
use serde_json::Value;

/// A repository from `agentgate init`, with a few files under .github/,
/// committed; returns (dir, base commit).
fn policy_repo() -> (tempfile::TempDir, String) {
    let dir = init_repo();
    write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
    write(dir.path(), ".github/README.md", "# about CI\n");
    write(dir.path(), ".github/ISSUE_TEMPLATE/bug.md", "bug\n");
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    write(dir.path(), "docs/guide.md", "guide\n");
    let base = commit_as(dir.path(), ALICE, ALICE, "base");
    (dir, base)
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// The widening the issue names: an exception for *.md files in the ACL
/// forbid, so agents may change Markdown under .github/ without sign-off.
fn add_md_exception(dir: &Path) {
    edit(
        dir,
        "policies/acl.cedar",
        "unless { context.signoff in Team::\"maintainers\" };",
        "unless { context.signoff in Team::\"maintainers\" || resource.path like \"*.md\" };",
    );
}

fn diff(dir: &Path, old: &str, new: &str) -> (Out, Value) {
    let out = agentgate(dir, &["diff", old, new, "--format", "json"]);
    let j = out.json();
    (out, j)
}

fn sentences(j: &Value, key: &str) -> Vec<String> {
    j["concrete"][key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["sentence"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_pure_refactor_is_proved_equivalent() {
    let (dir, base) = policy_repo();
    // Reordered policies, one policy split in two, comments changed.
    let rt = std::fs::read_to_string(dir.path().join("policies/runtime.cedar")).unwrap();
    let (first, second) = rt.split_at(rt.find("// Agents never change who may access").unwrap());
    std::fs::write(
        dir.path().join("policies/runtime.cedar"),
        format!("{second}\n{first}"),
    )
    .unwrap();
    edit(
        dir.path(),
        "policies/acl.cedar",
        "  resource.name == \"CODEOWNERS\" ||\n  resource in Dir::\".github/\" ||\n  resource in Dir::\"policies/\" ||\n  resource == File::\"schemas/agentgate.cedarschema\" ||\n  resource == File::\"agentgate.toml\"\n}\nunless { context.signoff in Team::\"maintainers\" };",
        "  resource.name == \"CODEOWNERS\" ||\n  resource in Dir::\".github/\"\n}\nunless { context.signoff in Team::\"maintainers\" };\n\n// The other half: the policy set's own files.\n@id(\"acl-files-need-maintainer-signoff-2\")\nforbid (\n  principal is Agent,\n  action in Action::\"write\",\n  resource is File\n)\nwhen\n{\n  resource in Dir::\"policies/\" ||\n  resource == File::\"schemas/agentgate.cedarschema\" ||\n  resource == File::\"agentgate.toml\"\n}\nunless { context.signoff in Team::\"maintainers\" };",
    );
    edit(
        dir.path(),
        "policies/runtime.cedar",
        "// Agents and humans may act at run time",
        "// Everyone may act at run time (reworded)",
    );
    assert_eq!(agentgate(dir.path(), &["validate"]).code, 0);
    let head = commit_as(dir.path(), ALICE, ALICE, "refactor the policies");
    let (out, j) = diff(dir.path(), &base, &head);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(j["verdict"], "unchanged", "{}", out.stdout);
    assert_eq!(j["proof"]["status"], "proved_equivalent", "{}", j["proof"]);
    assert!(j["concrete"]["widened"].as_array().unwrap().is_empty());
    assert!(j["concrete"]["narrowed"].as_array().unwrap().is_empty());
    assert!(
        j["concrete"]["evaluations"].as_u64().unwrap() > 1000,
        "the universe was asked"
    );
    let text = agentgate(dir.path(), &["diff", &base, &head]);
    assert!(text.stdout.contains("proved equivalent"), "{}", text.stdout);
}

#[test]
fn a_new_exception_is_a_widening_with_a_counterexample_and_its_files() {
    let (dir, base) = policy_repo();
    add_md_exception(dir.path());
    let head = commit_as(
        dir.path(),
        ALICE,
        ALICE,
        "let agents edit docs in .github without sign-off",
    );
    let (out, j) = diff(dir.path(), &base, &head);
    assert_eq!(out.code, 1, "a widening is exit 1: {}", out.all());
    assert_eq!(j["verdict"], "widening");
    let widened = sentences(&j, "widened");
    let f = j["concrete"]["widened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["action"] == "modify"
                && f["principals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == "agent:copilot")
        })
        .unwrap_or_else(|| panic!("{widened:#?}"));
    let s = f["sentence"].as_str().unwrap();
    assert!(
        s.contains("may now modify 2 files under .github/ without sign-off"),
        "{s}"
    );
    let examples: Vec<&str> = f["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        examples,
        vec![".github/ISSUE_TEMPLATE/bug.md", ".github/README.md"]
    );
    assert!(
        widened.iter().all(|s| !s.contains("workflows/ci.yml")),
        "the floor still holds CI"
    );
    assert_eq!(j["proof"]["status"], "widening", "{}", j["proof"]);
    let envs = j["proof"]["envs"].as_array().unwrap();
    let found: Vec<&Value> = envs.iter().filter(|e| e["widening"] == "found").collect();
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|e| e["principal"] == "Agent" && e["resource"] == "File"),
        "{found:#?}"
    );
    let text = agentgate(dir.path(), &["diff", &base, &head]);
    assert!(text.stdout.contains("WIDENING"), "{}", text.stdout);
    assert!(text.stdout.contains("counterexample"), "{}", text.stdout);
    let md = agentgate(dir.path(), &["diff", &base, &head, "--format", "markdown"]);
    assert!(
        md.stdout.contains("Policy impact: this change grants more"),
        "{}",
        md.stdout
    );
}

#[test]
fn the_counterexample_fails_under_new_and_passes_under_old() {
    let (dir, base) = policy_repo();
    add_md_exception(dir.path());
    let head = commit_as(dir.path(), ALICE, ALICE, "exception");
    let (_, j) = diff(dir.path(), &base, &head);
    let cases: Vec<Value> = j["proof"]["envs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.get("counterexample").cloned())
        .collect();
    assert!(!cases.is_empty());
    let suite = serde_json::to_string_pretty(&cases).unwrap();
    // Paste into a suite, as a reviewer would, at NEW and at OLD.
    write(dir.path(), "tests/policies/counterexample.json", &suite);
    let under_new = agentgate(dir.path(), &["test", "tests/policies/counterexample.json"]);
    assert_eq!(under_new.code, 1, "fails under NEW: {}", under_new.all());
    git(dir.path(), &["checkout", "-q", &base, "--", "policies"]);
    let under_old = agentgate(dir.path(), &["test", "tests/policies/counterexample.json"]);
    assert_eq!(under_old.code, 0, "passes under OLD: {}", under_old.all());
}

#[test]
fn removing_a_permit_is_a_narrowing() {
    let (dir, base) = policy_repo();
    let repo_cedar = std::fs::read_to_string(dir.path().join("policies/repository.cedar")).unwrap();
    let cut = repo_cedar
        .find("// Agents may create, modify and delete ordinary files.")
        .unwrap();
    std::fs::write(
        dir.path().join("policies/repository.cedar"),
        &repo_cedar[..cut],
    )
    .unwrap();
    let head = commit_as(
        dir.path(),
        ALICE,
        ALICE,
        "agents may no longer change files",
    );
    let (out, j) = diff(dir.path(), &base, &head);
    assert_eq!(out.code, 0, "narrowing only is exit 0: {}", out.all());
    assert_eq!(j["verdict"], "narrowing");
    assert!(j["concrete"]["widened"].as_array().unwrap().is_empty());
    let narrowed = sentences(&j, "narrowed");
    assert!(
        narrowed.iter().any(
            |s| s.contains("may no longer create") && s.contains("src/main.rs")
                || s.contains("may no longer create") && s.contains("files")
        ),
        "{narrowed:#?}"
    );
    assert_eq!(j["proof"]["status"], "proved_nothing_new", "{}", j["proof"]);
    // The shipped suites notice too.
    assert!(!j["concrete"]["cases"].as_array().unwrap().is_empty());
}

#[test]
fn directories_errors_and_a_missing_solver() {
    let (dir, base) = policy_repo();
    // Directories instead of revisions.
    let old = tempfile::tempdir().unwrap();
    let new = tempfile::tempdir().unwrap();
    for d in [old.path(), new.path()] {
        assert_eq!(agentgate(d, &["init"]).code, 0);
        write(d, ".github/dependabot.yml", "version: 2\n");
    }
    edit(
        new.path(),
        "policies/acl.cedar",
        "  resource in Dir::\".github/\" ||\n",
        "",
    );
    let out = agentgate(
        dir.path(),
        &[
            "diff",
            "--old-dir",
            old.path().to_str().unwrap(),
            "--new-dir",
            new.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(out.json()["verdict"], "widening");

    // Unknown revision, broken policies: exit 2 with the reason.
    let out = agentgate(dir.path(), &["diff", &base, "no-such-rev"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.all().contains("no-such-rev"), "{}", out.all());
    write(
        dir.path(),
        "policies/broken.cedar",
        "permit (principal, action, resource) when { oops };\n",
    );
    let head = commit_as(dir.path(), ALICE, ALICE, "broken");
    let out = agentgate(dir.path(), &["diff", &base, &head]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.all().contains("broken.cedar"), "{}", out.all());

    // Without cvc5: said so, and the concrete impact alone decides.
    let out = run(
        agentgate_cmd()
            .args([
                "diff",
                "--old-dir",
                old.path().to_str().unwrap(),
                "--new-dir",
                new.path().to_str().unwrap(),
                "--format",
                "json",
            ])
            .current_dir(dir.path())
            .env("CVC5", "/nonexistent/cvc5"),
        None,
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let j = out.json();
    assert_eq!(j["proof"]["status"], "unavailable");
    assert!(j["proof"]["message"].as_str().unwrap().contains("cvc5"));
    assert!(!j["concrete"]["widened"].as_array().unwrap().is_empty());
}

#[test]
fn the_gate_shows_the_impact_when_a_range_edits_the_policies() {
    let (dir, base) = policy_repo();
    add_md_exception(dir.path());
    let head = commit_as(dir.path(), ALICE, ALICE, "human edits the policies");
    let out = gate_cli_and_github(dir.path(), &base, &head, None);
    assert_eq!(
        out.code,
        0,
        "a human's policy edit passes the gate: {}",
        out.all()
    );
    let j = out.json();
    assert_eq!(j["policy_files_changed"], true);
    assert_eq!(j["impact"]["verdict"], "widening", "{}", j["impact"]);
    let md = agentgate(
        dir.path(),
        &[
            "gate", "--base", &base, "--head", &head, "--format", "markdown",
        ],
    );
    assert!(
        md.stdout.contains("Policy impact: this change grants more"),
        "{}",
        md.stdout
    );
    // No impact section when the policies are untouched.
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    let head2 = commit_as(dir.path(), ALICE, ALICE, "code");
    let j = gate_cli_and_github(dir.path(), &head, &head2, None).json();
    assert!(j.get("impact").is_none());
}

#[test]
fn a_solver_that_gives_up_is_unknown_never_proved() {
    // A stand-in for cvc5 that answers `unknown` to every query, as cvc5
    // does when it runs out of time.
    let (dir, base) = policy_repo();
    let solver = dir.path().join("giving-up-solver.sh");
    std::fs::write(
        &solver,
        "#!/bin/sh\nwhile IFS= read -r line; do\n  case \"$line\" in *check-sat*) echo unknown ;; esac\ndone\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&solver, std::fs::Permissions::from_mode(0o755)).unwrap();
    // An equivalent rewrite the solver must be asked about (a change that
    // compiles to identical terms is decided without it, soundly).
    edit(
        dir.path(),
        "policies/acl.cedar",
        "  resource.name == \"CODEOWNERS\" ||\n  resource in Dir::\".github/\" ||",
        "  resource in Dir::\".github/\" ||\n  resource.name == \"CODEOWNERS\" ||",
    );
    let head = commit_as(dir.path(), ALICE, ALICE, "reorder a condition");
    let out = run(
        agentgate_cmd()
            .args(["diff", &base, &head, "--format", "json"])
            .current_dir(dir.path())
            .env("CVC5", &solver),
        None,
    );
    let j = out.json();
    assert_eq!(j["proof"]["status"], "unknown", "{}", j["proof"]);
    let changed = [
        "Action::\"create\"",
        "Action::\"modify\"",
        "Action::\"delete\"",
    ];
    let asked: Vec<&Value> = j["proof"]["envs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["principal"] == "Agent"
                && e["resource"] == "File"
                && changed.contains(&e["action"].as_str().unwrap())
        })
        .collect();
    assert_eq!(asked.len(), 3);
    assert!(
        asked.iter().all(|e| e["widening"] == "unknown"),
        "{asked:#?}"
    );
    assert_eq!(
        out.code,
        0,
        "nothing widened concretely, and unknown is not a widening: {}",
        out.all()
    );
    // The same change with the real solver is proved equivalent.
    let (_, j) = diff(dir.path(), &base, &head);
    assert_eq!(j["proof"]["status"], "proved_equivalent", "{}", j["proof"]);
}
