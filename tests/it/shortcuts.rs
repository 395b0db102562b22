//! The gate's and audit's shortcuts (answers remembered across commits,
//! paths the policies cannot tell apart sharing one answer) change nothing:
//! each report is compared, byte for byte, with the plain evaluation
//! (`AGENTGATE_NO_SHORTCUTS=1`: every request evaluated on its own), on a
//! generated repository whose policies observe paths in every way the
//! classes model (directories, names, extensions, kinds, `like` patterns,
//! single files, CODEOWNERS ownership), and on this repository's own
//! history.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// Run agentgate with and without shortcuts; both outputs and exit codes.
/// The fast run also splits the range over threads, as huge ranges are.
fn both(dir: &Path, args: &[&str]) -> (Out, Out) {
    let fast = run(
        agentgate_cmd()
            .args(args)
            .current_dir(dir)
            .env("AGENTGATE_PARALLEL_FROM", "0"),
        None,
    );
    let plain = run(
        agentgate_cmd()
            .args(args)
            .current_dir(dir)
            .env("AGENTGATE_NO_SHORTCUTS", "1"),
        None,
    );
    (fast, plain)
}

fn assert_same(dir: &Path, args: &[&str]) -> Out {
    let (fast, plain) = both(dir, args);
    assert_eq!(
        fast.code,
        plain.code,
        "{args:?}: {}\n---\n{}",
        fast.all(),
        plain.all()
    );
    assert!(
        fast.stdout == plain.stdout,
        "{args:?}: the shortcut changed the report ({} vs {} bytes)",
        fast.stdout.len(),
        plain.stdout.len()
    );
    fast
}

/// Policies that observe files in every way the path classes model.
const TRICKY: &str = r#"
@id("no-yaml-in-config")
forbid (principal is Agent, action in Action::"change", resource)
when { resource.ext == "yaml" && resource in Dir::"config/" };

@id("no-lockfiles")
forbid (principal is Agent, action in Action::"change", resource)
when { resource.name like "*.lock" || resource.path like "vendor/*/LICENSE*" };

@id("no-symlinks")
forbid (principal is Agent, action in Action::"change", resource)
when { resource.kind == "symlink" };

@id("one-file")
forbid (principal is Agent, action == Action::"delete", resource == File::"src/keep.rs");

@id("no-rm-rf")
forbid (principal is Agent, action == Action::"run", resource is Command)
when { resource.line like "*rm -rf*" };

@id("owned-docs-need-owners")
forbid (principal is Agent, action in Action::"change", resource in Dir::"docs/")
unless { context.owner_approved };
"#;

/// A repository from `agentgate init` with [`TRICKY`] policies, CODEOWNERS,
/// and a history of agent and human commits over many kinds of paths.
fn generated() -> (tempfile::TempDir, String, String) {
    let dir = init_repo();
    write(dir.path(), "policies/tricky.cedar", TRICKY);
    write(dir.path(), ".github/CODEOWNERS", "/docs/ @alice\n");
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        cfg.replace("maintainers = []", "maintainers = [\"alice\"]"),
    )
    .unwrap();
    let v = agentgate(dir.path(), &["validate"]);
    assert_eq!(v.code, 0, "{}", v.all());
    let base = commit_as(dir.path(), ALICE, ALICE, "base");
    // History by fast-import: 400 commits over a few hundred paths.
    let who = [
        ("Copilot", "198982749+Copilot@users.noreply.github.com", ""),
        ("Alice Human", "alice@example.com", ""),
        (
            "Bob Human",
            "bob@example.com",
            "\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        ),
        (
            "Devin AI",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
            "",
        ),
    ];
    let dirs = [
        "src/",
        "src/deep/er/",
        "config/",
        "docs/",
        "docs/api/",
        "vendor/a/",
        ".github/workflows/",
        "",
    ];
    let names = [
        "a.rs",
        "b.yaml",
        "c.yml",
        "Cargo.lock",
        "LICENSE-MIT",
        "README.md",
        "keep.rs",
        "x.cedar",
    ];
    let mut script = Vec::new();
    let mut t = 1_700_000_000u64;
    for i in 0..400u64 {
        t += 60;
        let (n, e, trailer) = who[(i % 4) as usize];
        let _ = writeln!(script, "commit refs/heads/pr");
        let _ = writeln!(
            script,
            "author {n} <{e}> {t} +0000\ncommitter {n} <{e}> {t} +0000"
        );
        let msg = format!("change {i}{trailer}\n");
        let _ = write!(script, "data {}\n{msg}\n", msg.len());
        if i == 0 {
            let _ = writeln!(script, "from {base}");
        }
        for j in 0..5u64 {
            let k = (i * 5 + j) as usize;
            let path = format!(
                "{}{}",
                dirs[k % dirs.len()],
                names[(k / dirs.len() + i as usize) % names.len()]
            );
            match (i + j) % 11 {
                0 => {
                    let _ = writeln!(script, "D {path}");
                }
                1 => {
                    let _ = writeln!(script, "M 120000 inline {path}\ndata 6\ntarget");
                }
                2 => {
                    let _ = writeln!(script, "M 100755 inline {path}\ndata 3\nrun");
                }
                _ => {
                    let body = format!("v{i}.{j}");
                    let _ = writeln!(
                        script,
                        "M 100644 inline {path}\ndata {}\n{body}",
                        body.len()
                    );
                }
            }
        }
        let _ = writeln!(script);
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--force"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child.stdin.take().unwrap().write_all(&script).unwrap();
    assert!(child.wait().unwrap().success(), "fast-import failed");
    let head = git(dir.path(), &["rev-parse", "refs/heads/pr"])
        .trim()
        .to_string();
    (dir, base, head)
}

#[test]
fn the_gate_and_audit_answer_the_same_with_and_without_shortcuts_on_a_generated_repository() {
    let (dir, base, head) = generated();
    let reviews = reviews_file(
        dir.path(),
        &[("alice", "User", "APPROVED", &head, "2025-01-01T10:00:00Z")],
    );
    let reviews = reviews.to_str().unwrap().to_string();
    for args in [
        vec!["gate", "--base", &base, "--head", &head, "--format", "json"],
        vec![
            "gate",
            "--base",
            &base,
            "--head",
            &head,
            "--format",
            "json",
            "--signoffs",
            &reviews,
        ],
        vec!["gate", "--base", &base, "--head", &head],
        vec![
            "audit",
            "--range",
            &format!("{base}..{head}"),
            "--format",
            "json",
        ],
    ] {
        let out = assert_same(dir.path(), &args);
        assert!(out.code == 0 || out.code == 1, "{}", out.all());
    }
    // The tricky policies did block things, in every way they can.
    let j = agentgate(
        dir.path(),
        &["gate", "--base", &base, "--head", &head, "--format", "json"],
    )
    .json();
    let deciding: std::collections::BTreeSet<String> = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            b["policies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
        })
        .collect();
    for id in [
        "no-yaml-in-config",
        "no-lockfiles",
        "no-symlinks",
        "one-file",
        "owned-docs-need-owners",
    ] {
        assert!(deciding.contains(id), "{id} never decided: {deciding:?}");
    }
    // And the sign-off probes ran (with the batch's entity set one way, sets
    // of their own the other): some blocked change names who could sign off.
    assert!(
        j["blocked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["signoff_from"] == serde_json::json!(["maintainers"])),
        "no blocked change names its sign-off"
    );
}

#[test]
fn audit_answers_the_same_with_and_without_shortcuts_on_this_repositorys_history() {
    let root = repo_root();
    assert!(
        root.join(".git").exists(),
        "this test reads the repository's own history: run it from a git clone"
    );
    let out = assert_same(&root, &["audit", "--all", "--format", "json"]);
    assert!(out.code == 0 || out.code == 1, "{}", out.all());
    assert!(
        out.json()["summary"]["commits"].as_u64().unwrap_or(0) > 10,
        "{}",
        out.stdout
    );
}
