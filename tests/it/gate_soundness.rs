//! Gate soundness on hostile git shapes (issue: "every difference head
//! makes is judged"): merges that carry content from outside the range, in
//! every shape; revisions that mean two things; replaced objects; a path
//! whose kind changes within one evaluation batch; policies the gate cannot
//! use; protect entries; sign-off exclusions and review order. Each attack
//! is a test, and each runs through `agentgate gate` and `agentgate github`
//! alike (the `gate_cli_and_github` helper runs both).
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::path::Path;

use crate::common::*;
use serde_json::Value;

const HARDENED: &str = "on: push\npermissions: {}\n";
const OLD_WORKFLOW: &str = "on: push\n";

fn blocked(j: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["path"].as_str().unwrap().to_string(),
                b["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn assert_blocks(out: &Out, want: &[(&str, &str)]) -> Value {
    assert_eq!(out.code, 1, "expected a block (exit 1): {}", out.all());
    let j = out.json();
    let got = blocked(&j);
    for (p, a) in want {
        assert!(
            got.iter().any(|(gp, ga)| gp == p && ga == a),
            "{a} {p} not blocked; blocked: {got:?}"
        );
    }
    j
}

fn assert_passes(out: &Out) -> Value {
    assert_eq!(out.code, 0, "expected a pass (exit 0): {}", out.all());
    out.json()
}

/// A repository whose `main` was hardened by a human after the first
/// commit: base0 (the init files, the old workflow, no CODEOWNERS) and then
/// base (the workflow hardened, CODEOWNERS added, a protect entry in the
/// config), with `pr` checked out at base0. Returns (dir, base0, base).
fn hardened_repo() -> (tempfile::TempDir, String, String) {
    let (dir, base0) = gate_repo();
    git(dir.path(), &["checkout", "-q", "main"]);
    write(dir.path(), ".github/workflows/ci.yml", HARDENED);
    write(dir.path(), "CODEOWNERS", "* @alice\n");
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        format!("{cfg}\n[gate]\nprotect = [\"deploy/\"]\n"),
    )
    .unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "harden CI, add owners");
    git(dir.path(), &["checkout", "-q", "pr"]);
    (dir, base0, base)
}

fn tree_of(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", &format!("{rev}^{{tree}}")])
        .trim()
        .to_string()
}

// ------------------------------------------------ merges that carry old content

#[test]
fn attack_agent_branch_from_an_old_commit_merged_with_strategy_ours() {
    let (dir, _base0, base) = hardened_repo();
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "harmless");
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "-s", "ours", "--no-edit", "main"],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[
            (".github/workflows/ci.yml", "modify"),
            ("CODEOWNERS", "delete"),
            ("agentgate.toml", "modify"),
        ],
    );
    assert_eq!(
        j["policy_files_changed"], true,
        "the config was rolled back"
    );
    let carried = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["path"] == ".github/workflows/ci.yml")
        .unwrap();
    assert_eq!(carried["carried"], true);
    assert_eq!(carried["commit"], head, "judged as the merge's own change");
    assert_eq!(carried["agent"], "copilot");
}

#[test]
fn attack_commit_tree_merges_with_an_old_parent_in_either_order() {
    let (dir, base0, base) = hardened_repo();
    // An agent commit on top of the base, then a merge whose tree is the old
    // commit's and whose parents are (head, old) or (old, head).
    git(dir.path(), &["checkout", "-q", "-B", "pr2", &base]);
    write(dir.path(), "src/lib.rs", "pub fn f() {}\n");
    let h = commit_as(dir.path(), COPILOT, GITHUB, "lib");
    let old_tree = tree_of(dir.path(), &base0);
    for parents in [[h.as_str(), base0.as_str()], [base0.as_str(), h.as_str()]] {
        let m = commit_tree_as(dir.path(), COPILOT, &old_tree, &parents, "merge");
        assert_blocks(
            &gate_cli_and_github(dir.path(), &base, &m, None),
            &[
                (".github/workflows/ci.yml", "modify"),
                ("CODEOWNERS", "delete"),
                ("agentgate.toml", "modify"),
            ],
        );
    }
}

#[test]
fn attack_octopus_merge_carrying_old_content() {
    let (dir, base0, base) = hardened_repo();
    write(dir.path(), "src/a.rs", "// a\n");
    let a = commit_as(dir.path(), COPILOT, GITHUB, "a");
    git(dir.path(), &["checkout", "-q", "-B", "pr2", &base]);
    write(dir.path(), "src/b.rs", "// b\n");
    let b = commit_as(dir.path(), COPILOT, GITHUB, "b");
    // Tree: the old commit's (workflow and config rolled back, no owners).
    let m = commit_tree_as(
        dir.path(),
        COPILOT,
        &tree_of(dir.path(), &base0),
        &[&b, &a, &base0],
        "octopus",
    );
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &m, None),
        &[
            (".github/workflows/ci.yml", "modify"),
            ("CODEOWNERS", "delete"),
        ],
    );
}

#[test]
fn attack_orphan_root_joined_by_a_merge_deletes_policy_files() {
    let (dir, _base0, base) = hardened_repo();
    // A human's orphan root with a workflow of its own and nothing else:
    // its creations are judged (as the human's); the agent's merge that
    // takes its tree deletes the policies, the schema and CODEOWNERS, which
    // nobody judged.
    git(dir.path(), &["checkout", "-q", "--orphan", "root"]);
    git(dir.path(), &["rm", "-rq", "--cached", "."]);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().is_some_and(|n| n != ".git") {
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap();
            } else {
                std::fs::remove_file(&p).unwrap();
            }
        }
    }
    write(dir.path(), ".github/workflows/ci.yml", OLD_WORKFLOW);
    let root = commit_as(dir.path(), BOB, BOB, "orphan");
    let m = commit_tree_as(
        dir.path(),
        COPILOT,
        &tree_of(dir.path(), &root),
        &[&base, &root],
        "join",
    );
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &m, None),
        &[
            ("CODEOWNERS", "delete"),
            ("policies/acl.cedar", "delete"),
            ("schemas/agentgate.cedarschema", "delete"),
            ("agentgate.toml", "delete"),
        ],
    );
    // The workflow version the orphan (a judged human commit) produced is
    // carried unjudged, as the invariant allows: only the merge's agent
    // deletions block, and the orphan's creations are the human's.
    assert!(
        !blocked(&j)
            .iter()
            .any(|(p, a)| p == ".github/workflows/ci.yml" && a == "modify"),
        "{:?}",
        blocked(&j)
    );
    assert_eq!(j["policy_files_changed"], true);
}

#[test]
fn attack_merge_adds_back_a_workflow_the_base_deleted() {
    let (dir, base0) = gate_repo();
    git(dir.path(), &["checkout", "-q", "main"]);
    write(dir.path(), ".github/workflows/deploy.yml", "on: push\n");
    let with_deploy = commit_as(dir.path(), ALICE, ALICE, "deploy workflow");
    std::fs::remove_file(dir.path().join(".github/workflows/deploy.yml")).unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "retire the deploy workflow");
    // The agent forks from the commit that still had it.
    git(dir.path(), &["checkout", "-q", "-B", "agent", &with_deploy]);
    write(dir.path(), "src/main.rs", "fn main() { 2; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "work");
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "-s", "ours", "--no-edit", "main"],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let _ = base0;
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[(".github/workflows/deploy.yml", "create")],
    );
}

#[test]
fn attack_merge_carries_an_old_mode_of_a_protected_file() {
    let (dir, base0) = gate_repo();
    git(dir.path(), &["checkout", "-q", "main"]);
    // Base makes the workflow executable (a kind change only).
    use std::os::unix::fs::PermissionsExt;
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::set_permissions(&wf, std::fs::Permissions::from_mode(0o755)).unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "mode");
    git(dir.path(), &["checkout", "-q", "pr"]);
    write(dir.path(), "src/main.rs", "fn main() { 3; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "work");
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "-s", "ours", "--no-edit", "main"],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let _ = base0;
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[(".github/workflows/ci.yml", "modify")],
    );
}

// ------------------------------------------------------------------ controls

#[test]
fn control_human_update_merge_of_main_into_an_agent_branch_passes() {
    let (dir, base0, base) = hardened_repo();
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "agent work");
    git_as(dir.path(), BOB, BOB, &["merge", "-q", "--no-edit", "main"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    assert_passes(&gate_cli_and_github(dir.path(), &base, &head, None));
    // Judged from the old base, main's human commit is in the range: its
    // versions were produced by a judged (human) commit.
    assert_passes(&gate_cli_and_github(dir.path(), &base0, &head, None));
}

#[test]
fn control_agent_update_merge_of_main_passes() {
    let (dir, _base0, base) = hardened_repo();
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "agent work");
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "--no-edit", "main"],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let j = assert_passes(&gate_cli_and_github(dir.path(), &base, &head, None));
    assert_eq!(j["summary"]["blocked"], 0);
}

#[test]
fn control_criss_cross_merges_pass() {
    let (dir, _base0, base) = hardened_repo();
    git(dir.path(), &["checkout", "-q", "-B", "x", &base]);
    write(dir.path(), "src/x.rs", "// x\n");
    let x1 = commit_as(dir.path(), COPILOT, GITHUB, "x1");
    git(dir.path(), &["checkout", "-q", "-B", "y", &base]);
    write(dir.path(), "src/y.rs", "// y\n");
    let y1 = commit_as(dir.path(), COPILOT, GITHUB, "y1");
    // x merges y1, y merges x1: two merge bases for the final merge.
    git(dir.path(), &["checkout", "-q", "x"]);
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "--no-edit", &y1],
    );
    git(dir.path(), &["checkout", "-q", "y"]);
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "--no-edit", &x1],
    );
    write(dir.path(), "src/y.rs", "// y2\n");
    commit_as(dir.path(), COPILOT, GITHUB, "y2");
    git_as(
        dir.path(),
        COPILOT,
        GITHUB,
        &["merge", "-q", "--no-edit", "x"],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    assert_passes(&gate_cli_and_github(dir.path(), &base, &head, None));
}

#[test]
fn control_agent_pr_rebased_on_a_moved_main_passes() {
    let (dir, _base0, base) = hardened_repo();
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "agent work");
    git_as(dir.path(), COPILOT, GITHUB, &["rebase", "-q", "main"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let j = assert_passes(&gate_cli_and_github(dir.path(), &base, &head, None));
    assert_eq!(j["summary"]["commits"], 1);
}

// ----------------------------------------------------- revisions mean one thing

fn agent_edits_the_workflow(dir: &Path) -> String {
    write(
        dir,
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    commit_as(dir, COPILOT, GITHUB, "CI")
}

#[test]
fn attack_tag_named_like_the_remote_branch_shadows_the_base() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    // origin/main is the real base; a tag of the same name points at head,
    // so `base..head` would be empty and the gate would pass.
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", &base],
    );
    git(dir.path(), &["tag", "origin/main", &head]);
    let out = agentgate(
        dir.path(),
        &[
            "gate",
            "--base",
            "origin/main",
            "--head",
            &head,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    let j = out.json();
    assert_eq!(j["verdict"], "error");
    let e = j["error"].as_str().unwrap();
    assert!(
        e.contains("ambiguous")
            && e.contains("refs/tags/origin/main")
            && e.contains("refs/remotes/origin/main"),
        "{e}"
    );
    // Fully qualified, it means one thing and the gate judges.
    let out = agentgate(
        dir.path(),
        &[
            "gate",
            "--base",
            "refs/remotes/origin/main",
            "--head",
            &head,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    // `~` and `^` suffixes do not hide the name.
    let out = agentgate(
        dir.path(),
        &["gate", "--base", "origin/main~0", "--head", &head],
    );
    assert_eq!(out.code, 2, "{}", out.all());
}

#[test]
fn attack_branch_named_like_a_tag_and_a_ref_named_like_a_commit_id() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    git(dir.path(), &["branch", "v1", &head]);
    git(dir.path(), &["tag", "v1", &base]);
    let out = agentgate(dir.path(), &["gate", "--base", "v1", "--head", &head]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("ambiguous"), "{}", out.all());
    // A branch whose name is the head's abbreviated id, pointing at base.
    let short = &head[..8];
    git(dir.path(), &["branch", short, &base]);
    let out = agentgate(dir.path(), &["gate", "--base", &base, "--head", short]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("ambiguous"), "{}", out.all());
}

#[test]
fn full_shas_are_printed_in_every_format() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    for format in ["text", "markdown"] {
        let out = agentgate(
            dir.path(),
            &["gate", "--base", "main", "--head", "pr", "--format", format],
        );
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(
            out.stdout.contains(&base) && out.stdout.contains(&head),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn attack_replace_refs_and_grafts_are_not_honoured() {
    let (dir, base) = gate_repo();
    let edit = agent_edits_the_workflow(dir.path());
    write(dir.path(), "src/main.rs", "fn main() { 9; }\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "harmless on top");
    // A replacement makes the workflow edit look like a harmless commit.
    git(dir.path(), &["checkout", "-q", "-B", "decoy", &base]);
    write(dir.path(), "README.md", "decoy\n");
    let decoy = commit_as(dir.path(), COPILOT, GITHUB, "decoy");
    git(dir.path(), &["replace", &edit, &decoy]);
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[(".github/workflows/ci.yml", "modify")],
    );
    // Judged as stored: the edit is the commit that made it, and the decoy's
    // README is nowhere.
    assert_eq!(j["blocked"][0]["commit"], edit, "{}", j["blocked"]);
    assert!(!j.to_string().contains("README.md"), "{j}");
    git(dir.path(), &["replace", "-d", &edit]);
    // A graft that makes head's parent the base hides the edit from git log.
    std::fs::create_dir_all(dir.path().join(".git/info")).unwrap();
    std::fs::write(
        dir.path().join(".git/info/grafts"),
        format!("{head} {base}\n"),
    )
    .unwrap();
    let out = agentgate(
        dir.path(),
        &["gate", "--base", &base, "--head", &head, "--format", "json"],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(blocked(&out.json()).contains(&(".github/workflows/ci.yml".into(), "modify".into())));
}

// ------------------------------------------- entities per commit are exact

#[test]
fn attack_path_changes_kind_within_one_evaluation_batch() {
    let (dir, _) = gate_repo();
    // Base policy: agents never commit symbolic links or submodules.
    write(
        dir.path(),
        "policies/kinds.cedar",
        "// Agents never commit symbolic links or submodules.\n@id(\"no-agent-links\")\nforbid (principal is Agent, action in Action::\"change\", resource is File)\nwhen { resource.kind == \"symlink\" || resource.kind == \"submodule\" };\n",
    );
    let base = commit_as(dir.path(), ALICE, ALICE, "kinds policy");
    // Commit 1 adds tools/run as a file; commit 2 turns it into a symlink;
    // commit 3 adds vendor/lib as a file; commit 4 turns it into a gitlink.
    write(dir.path(), "tools/run", "#!/bin/sh\n");
    commit_as(dir.path(), COPILOT, GITHUB, "file");
    std::fs::remove_file(dir.path().join("tools/run")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("tools/run")).unwrap();
    let link = commit_as(dir.path(), COPILOT, GITHUB, "link");
    write(dir.path(), "vendor/lib", "x\n");
    commit_as(dir.path(), COPILOT, GITHUB, "file 2");
    git(dir.path(), &["rm", "-q", "--cached", "vendor/lib"]);
    std::fs::remove_file(dir.path().join("vendor/lib")).unwrap();
    git(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{base},vendor/lib"),
        ],
    );
    let sub = commit_index_as(dir.path(), COPILOT, GITHUB, "gitlink");
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &sub, None),
        &[("tools/run", "modify"), ("vendor/lib", "modify")],
    );
    let kinds: Vec<(&str, &str)> = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["commit"].as_str().unwrap(), b["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&(link.as_str(), "symlink")), "{kinds:?}");
    assert!(kinds.contains(&(sub.as_str(), "submodule")), "{kinds:?}");
}

// ---------------------------------------- a policy the gate cannot use never passes

/// A repository whose base policies parse but fail strict validation.
fn typo_repo() -> (tempfile::TempDir, String, String) {
    let (dir, _) = gate_repo();
    write(
        dir.path(),
        "policies/typo.cedar",
        "// Agents never touch the deploy script.\n@id(\"no-deploy-script\")\nforbid (principal is Agent, action, resource is File)\nwhen { resource.nam == \"deploy.sh\" };\n",
    );
    let base = commit_as(dir.path(), ALICE, ALICE, "typo policy");
    write(dir.path(), "deploy.sh", "rm -rf /\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "deploy");
    (dir, base, head)
}

#[test]
fn attack_a_policy_that_fails_validation_is_never_skipped() {
    let (dir, base, head) = typo_repo();
    let out = gate_cli_and_github(dir.path(), &base, &head, None);
    assert_eq!(out.code, 2, "{}", out.all());
    let j = out.json();
    assert_eq!(j["verdict"], "error");
    let text = j.to_string();
    assert!(text.contains("typo.cedar"), "names the file: {text}");
    assert!(text.contains("nam"), "names the error: {text}");
    // Text output names file and line.
    let out = agentgate(dir.path(), &["gate", "--base", &base, "--head", &head]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("typo.cedar:4"), "{}", out.stderr);
    // Every other deciding command refuses it too.
    let out = agentgate(
        dir.path(),
        &[
            "check",
            "--principal",
            "agent:copilot",
            "--action",
            "edit",
            "--resource",
            "deploy.sh",
        ],
    );
    assert_eq!(out.code, 2, "check: {}", out.all());
    assert!(out.all().contains("typo.cedar"), "{}", out.all());
    let out = agentgate(dir.path(), &["audit", "--policies", &base]);
    assert_eq!(out.code, 2, "audit: {}", out.all());
    let out = agentgate(dir.path(), &["diff", &base, &head]);
    assert_eq!(out.code, 2, "diff: {}", out.all());
    let out = agentgate(dir.path(), &["test"]);
    assert_eq!(out.code, 2, "test: {}", out.all());
    // `validate` reports it (and exits 2), with the location.
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2, "validate: {}", out.all());
    assert!(out.all().contains("typo.cedar:4"), "{}", out.all());
    // The hook denies, saying why.
    let payload = serde_json::json!({
        "session_id": "s", "cwd": dir.path(), "hook_event_name": "PreToolUse",
        "permission_mode": "default",
        "tool_name": "Edit", "tool_input": {"file_path": dir.path().join("deploy.sh"), "old_string": "a", "new_string": "b"},
    })
    .to_string();
    let out = agentgate_stdin(dir.path(), &["hook", "claude-code"], Some(&payload));
    assert_eq!(out.code, 0, "{}", out.all());
    let j = out.json();
    assert_eq!(j["hookSpecificOutput"]["permissionDecision"], "deny");
    let reason = j["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert!(reason.contains("typo.cedar"), "{reason}");
}

#[test]
fn attack_a_forbid_that_errors_at_run_time_still_forbids() {
    let (dir, _) = gate_repo();
    // Valid Cedar that overflows once anyone approves: Cedar skips the
    // erroring forbid, so the agent's deploy.sh edit would be allowed.
    write(
        dir.path(),
        "policies/overflow.cedar",
        "// Agents never touch the deploy script.\n@id(\"no-deploy-script\")\nforbid (principal is Agent, action in Action::\"change\", resource is File)\nwhen { resource.name == \"deploy.sh\" && context.approvals + 9223372036854775807 > 0 };\n",
    );
    let base = commit_as(dir.path(), ALICE, ALICE, "overflow policy");
    write(dir.path(), "deploy.sh", "echo\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "deploy");
    let reviews = reviews_file(
        dir.path(),
        &[("alice", "User", "APPROVED", &head, "2025-01-01T10:00:00Z")],
    );
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[("deploy.sh", "create")],
    );
    let b = &j["blocked"][0];
    assert_eq!(b["policies"], serde_json::json!(["no-deploy-script"]));
    assert!(
        b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("overflow"),
        "{b}"
    );
    let out = agentgate(
        dir.path(),
        &[
            "check",
            "--principal",
            "agent:copilot",
            "--action",
            "create",
            "--resource",
            "deploy.sh",
            "--signoff",
            "alice",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
}

// --------------------------------------------- protect entries mean what people write

#[test]
fn attack_protect_entry_without_slash_protects_the_directory() {
    let (dir, _) = gate_repo();
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        format!("{cfg}\n[gate]\nprotect = [\"deploy\", \"infra/terraform\"]\n"),
    )
    .unwrap();
    write(dir.path(), "deploy/prod.yml", "v1\n");
    let base = commit_as(dir.path(), ALICE, ALICE, "protect deploy");
    write(dir.path(), "deploy/prod.yml", "v2\n");
    write(dir.path(), "infra/terraform/main.tf", "x\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "deploy");
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[
            ("deploy/prod.yml", "modify"),
            ("infra/terraform/main.tf", "create"),
        ],
    );
    // At run time too: the floor denies the edit.
    let out = agentgate(
        dir.path(),
        &[
            "check",
            "--principal",
            "agent:claude-code",
            "--action",
            "edit",
            "--resource",
            "deploy/prod.yml",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    // A file of that exact name is still protected.
    let out = agentgate(
        dir.path(),
        &[
            "check",
            "--principal",
            "agent:claude-code",
            "--action",
            "edit",
            "--resource",
            "deploy",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
}

// --------------------------------------------------- sign-off exclusions and order

#[test]
fn attack_approval_by_anyone_the_agent_commit_names_in_a_trailer() {
    for trailer in [
        "Signed-off-by: Alice Human <alice@example.com>",
        "Reviewed-by: Alice Human <alice@example.com>",
        "Acked-by: alice",
        "Tested-by: Alice Human <alice@corp.example>",
        "Approved-by: alice",
    ] {
        let (dir, base) = gate_repo();
        write(
            dir.path(),
            ".github/workflows/ci.yml",
            "on: [push, pull_request]\n",
        );
        let head = commit_as(dir.path(), COPILOT, GITHUB, &format!("CI\n\n{trailer}"));
        let reviews = reviews_file(
            dir.path(),
            &[("alice", "User", "APPROVED", &head, "2025-01-01T10:00:00Z")],
        );
        let j = assert_blocks(
            &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
            &[(".github/workflows/ci.yml", "modify")],
        );
        assert!(
            j["signoffs"]["approvers"].as_array().unwrap().is_empty(),
            "{trailer}: {}",
            j["signoffs"]
        );
    }
}

#[test]
fn attack_reviews_ordered_as_text_not_as_instants() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    // The change request (09:30Z) comes after the approval (10:00+02:00 is
    // 08:00Z), though as text the approval sorts last.
    let reviews = reviews_file(
        dir.path(),
        &[
            (
                "alice",
                "User",
                "CHANGES_REQUESTED",
                &head,
                "2025-01-01T09:30:00Z",
            ),
            (
                "alice",
                "User",
                "APPROVED",
                &head,
                "2025-01-01T10:00:00+02:00",
            ),
        ],
    );
    let j = assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[(".github/workflows/ci.yml", "modify")],
    );
    assert!(j["signoffs"]["approvers"].as_array().unwrap().is_empty());
    // Fractions of a second count.
    let reviews = reviews_file(
        dir.path(),
        &[
            (
                "alice",
                "User",
                "APPROVED",
                &head,
                "2025-01-01T09:30:00.250Z",
            ),
            (
                "alice",
                "User",
                "CHANGES_REQUESTED",
                &head,
                "2025-01-01T09:30:00.5Z",
            ),
        ],
    );
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[(".github/workflows/ci.yml", "modify")],
    );
}

#[test]
fn a_review_without_a_usable_time_is_an_error() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    for at in ["", "last tuesday", "2025-02-30T00:00:00Z"] {
        let reviews = reviews_file(dir.path(), &[("alice", "User", "APPROVED", &head, at)]);
        let out = agentgate(
            dir.path(),
            &[
                "gate",
                "--base",
                &base,
                "--head",
                &head,
                "--signoffs",
                reviews.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 2, "{at:?}: {}", out.all());
        assert!(out.stderr.contains("submitted_at"), "{}", out.stderr);
    }
}

// --------------------------------------------------------------- no panics

#[test]
fn hostile_inputs_never_panic() {
    let (dir, base) = gate_repo();
    let head = agent_edits_the_workflow(dir.path());
    for resource in [
        "Dir::\"é\"",
        "Dir::\"a/é\"",
        "Dir::\"/\"",
        "Dir::\"//é//\"",
        "File::\"é\"",
    ] {
        let out = agentgate(
            dir.path(),
            &[
                "check",
                "--principal",
                "agent:x",
                "--action",
                "edit",
                "--resource",
                resource,
            ],
        );
        assert!((0..=3).contains(&out.code), "{resource}: {}", out.all());
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let reviews = reviews_file(
        dir.path(),
        &[(
            "alice",
            "User",
            "APPROVED",
            "ééééééééééééééé",
            "2025-01-01T10:00:00Z",
        )],
    );
    let out = agentgate(
        dir.path(),
        &[
            "gate",
            "--base",
            &base,
            "--head",
            &head,
            "--signoffs",
            reviews.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let dir = init_repo();
    let out = run(
        std::process::Command::new("bash")
            .args([
                "-c",
                &format!(
                    "{} test --format json | head -c 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
                    bin().display()
                ),
            ])
            .current_dir(dir.path()),
        None,
    );
    assert_eq!(
        out.stdout.trim(),
        "0",
        "agentgate's own exit code: {}",
        out.all()
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

// ----------------------------------------------------- AI agents and automation

#[test]
fn policies_can_tell_ai_agents_from_automation() {
    let (dir, _) = gate_repo();
    write(
        dir.path(),
        "policies/lockfiles.cedar",
        "// Lock files are for dependency automation, not for AI agents.\n@id(\"ai-leaves-lockfiles\")\nforbid (principal is Agent, action in Action::\"change\", resource is File)\nwhen { principal.kind == \"ai\" && resource.ext == \"lock\" };\n",
    );
    write(dir.path(), "Cargo.lock", "v1\n");
    let base = commit_as(dir.path(), ALICE, ALICE, "lockfile policy");
    write(dir.path(), "Cargo.lock", "v2\n");
    let bump = commit_as(
        dir.path(),
        "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
        GITHUB,
        "Bump",
    );
    assert_passes(&gate_cli_and_github(dir.path(), &base, &bump, None));
    write(dir.path(), "Cargo.lock", "v3\n");
    let ai = commit_as(dir.path(), COPILOT, GITHUB, "Bump too");
    assert_blocks(
        &gate_cli_and_github(dir.path(), &base, &ai, None),
        &[("Cargo.lock", "modify")],
    );
}
