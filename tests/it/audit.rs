//! `agentgate audit` on real repositories: ranges, dates, all refs, counts.

use std::process::Command;

use crate::common::*;

fn commit_at(dir: &std::path::Path, who: &str, msg: &str, date: &str) -> String {
    let (n, e) = who.rsplit_once('<').unwrap();
    git(dir, &["add", "-A"]);
    let out = run(
        Command::new("git")
            .args(["commit", "-q", "-m", msg])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", n.trim())
            .env("GIT_AUTHOR_EMAIL", e.trim_end_matches('>'))
            .env("GIT_COMMITTER_NAME", n.trim())
            .env("GIT_COMMITTER_EMAIL", e.trim_end_matches('>'))
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn audit_lists_agent_commits_that_touched_protected_paths_with_counts() {
    let (dir, base) = gate_repo();
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", "on: pr\n");
    let c1 = commit_at(d, COPILOT, "ci", "2024-01-10T00:00:00Z");
    write(d, "src/a.rs", "1\n");
    commit_at(d, COPILOT, "src", "2024-02-10T00:00:00Z");
    write(d, "CODEOWNERS", "* @x\n");
    commit_at(
        d,
        "Jules <161369871+google-labs-jules[bot]@users.noreply.github.com>",
        "owners",
        "2024-03-10T00:00:00Z",
    );
    write(d, ".github/workflows/ci.yml", "on: push\n");
    commit_at(d, BOB, "human ci", "2024-04-10T00:00:00Z");
    write(d, "CODEOWNERS", "* @y\n");
    let last = commit_at(
        d,
        ALICE,
        "owners again\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        "2024-05-10T00:00:00Z",
    );

    let out = agentgate(d, &["audit", "--format", "json"]);
    assert_eq!(out.code, 1, "findings exist: {}", out.all());
    let j = out.json();
    assert_eq!(j["summary"]["commits"], 6);
    assert_eq!(j["summary"]["agent_commits"], 4);
    assert_eq!(j["summary"]["flagged_commits"], 3);
    assert_eq!(j["summary"]["findings"], 3);
    let agents: Vec<(String, u64, u64)> = j["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent"].as_str().unwrap().to_string(),
                a["commits"].as_u64().unwrap(),
                a["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(agents.contains(&("copilot".into(), 2, 1)), "{agents:?}");
    assert!(agents.contains(&("jules".into(), 1, 1)), "{agents:?}");
    assert!(agents.contains(&("claude-code".into(), 1, 1)), "{agents:?}");
    assert_eq!(j["by_path"][0]["path"], "CODEOWNERS");
    assert_eq!(j["by_path"][0]["findings"], 2);
    assert_eq!(j["findings"][0]["commit"], last, "newest first");
    assert!(
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["commit"] == c1 && f["path"] == ".github/workflows/ci.yml")
    );

    // --range and --since narrow the walk.
    let r = agentgate(
        d,
        &[
            "audit",
            "--range",
            &format!("{base}..{c1}"),
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(r["summary"]["commits"], 1);
    assert_eq!(r["summary"]["findings"], 1);
    let s = agentgate(d, &["audit", "--since", "2024-03-01", "--format", "json"]).json();
    assert_eq!(s["summary"]["agent_commits"], 2, "{s}");
    let none = agentgate(d, &["audit", "--since", "2030-01-01"]);
    assert_eq!(none.code, 0, "{}", none.all());

    // --all sees other branches too.
    git(d, &["checkout", "-q", "-b", "other", &base]);
    write(d, "policies/extra.cedar", "// x\n");
    commit_at(d, COPILOT, "policy tweak", "2024-06-01T00:00:00Z");
    git(d, &["checkout", "-q", "pr"]);
    let all = agentgate(d, &["audit", "--all", "--format", "json"]).json();
    assert_eq!(all["summary"]["findings"], 4, "{all}");

    // Text for a terminal; bad flags are usage errors.
    let t = agentgate(d, &["audit"]);
    assert!(
        t.stdout.contains("by agent:") && t.stdout.contains("CODEOWNERS"),
        "{}",
        t.stdout
    );
    assert_eq!(agentgate(d, &["audit", "--range", "nope"]).code, 2);
    assert_eq!(agentgate(d, &["audit", "--since", "soonish"]).code, 2);
    assert_eq!(agentgate(d, &["audit", "--range", "a..b"]).code, 2);
}

#[test]
fn audit_counts_ai_agents_and_automation_apart() {
    let (dir, _base) = gate_repo();
    let d = dir.path();
    let dependabot = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";
    write(d, ".github/workflows/ci.yml", "on: pr # bump\n");
    commit_at(
        d,
        dependabot,
        "Bump actions/checkout",
        "2024-01-10T00:00:00Z",
    );
    write(d, "Cargo.lock", "v2\n");
    commit_at(
        d,
        ALICE,
        "Bump serde\n\nSigned-off-by: dependabot[bot] <support@github.com>",
        "2024-01-11T00:00:00Z",
    );
    write(d, "CODEOWNERS", "* @x\n");
    commit_at(d, COPILOT, "owners", "2024-02-10T00:00:00Z");
    write(d, "src/b.rs", "1\n");
    commit_at(
        d,
        ALICE,
        "b\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.dev>",
        "2024-02-11T00:00:00Z",
    );
    let out = agentgate(d, &["audit", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let j = out.json();
    let s = &j["summary"];
    assert_eq!(s["ai"]["commits"], 2, "{s}");
    assert_eq!(s["ai"]["flagged_commits"], 1, "{s}");
    assert_eq!(s["automation"]["commits"], 2, "{s}");
    assert_eq!(s["automation"]["flagged_commits"], 1, "{s}");
    let kinds: Vec<(String, String)> = j["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent"].as_str().unwrap().into(),
                a["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("dependabot".into(), "automation".into())),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("aider".into(), "ai".into())), "{kinds:?}");
    let text = agentgate(d, &["audit"]);
    assert!(
        text.stdout.contains("AI agents: 2 commits")
            && text.stdout.contains("automation: 2 commits"),
        "{}",
        text.stdout
    );
}
