//! Every harness through the real binary: `agentgate hook <harness>` fed
//! the payloads in `tests/data/harnesses/<harness>/` (written from each
//! harness's documentation), in a repository made by `agentgate init`.
//! Each answer is read back in that harness's own form, and the test
//! checks the form as strictly as the harness would: Codex never gets an
//! `ask` or an empty reason, Cursor always gets an answer, Windsurf and
//! Kiro block only by exit 2 with the reason on stderr.
//!
//! Then the rules every harness shares: a malformed payload blocks, broken
//! policies block, a missing policy set asks where the harness can ask and
//! blocks where it cannot, a CI run never asks, and `on_allow = "allow"`
//! never becomes an answer a harness would take as more than "no
//! objection" where it has none.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::path::Path;

use crate::common::*;
use serde_json::Value;

/// What a harness made of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The call goes on under the harness's own rules.
    Pass,
    /// A human is asked.
    Ask,
    /// The call is blocked.
    Block,
}

/// The harnesses whose hook can ask a human (for a tool call).
const CAN_ASK: &[&str] = &["claude-code", "copilot", "gemini", "openclaw"];

/// Every recorded payload and what the reference policies say of it:
/// (harness, file, verdict, the policy the reason names).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "claude-code",
        "shell",
        "confirm",
        "confirm-destructive-commands",
    ),
    (
        "claude-code",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("claude-code", "mcp", "confirm", "confirm-irreversible"),
    ("claude-code", "unknown", "allow", ""),
    (
        "copilot",
        "shell",
        "confirm",
        "confirm-destructive-commands",
    ),
    (
        "copilot",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("copilot", "mcp", "confirm", "confirm-irreversible"),
    ("copilot", "unknown", "allow", ""),
    ("codex", "shell", "confirm", "confirm-destructive-commands"),
    ("codex", "edit", "deny", "acl-files-need-maintainer-signoff"),
    ("codex", "mcp", "confirm", "confirm-irreversible"),
    ("codex", "unknown", "allow", ""),
    ("gemini", "shell", "confirm", "confirm-destructive-commands"),
    (
        "gemini",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("gemini", "mcp", "confirm", "confirm-irreversible"),
    ("gemini", "unknown", "allow", ""),
    ("gemini", "fetch", "allow", ""),
    ("cursor", "shell", "confirm", "confirm-destructive-commands"),
    (
        "cursor",
        "shell_event",
        "confirm",
        "confirm-destructive-commands",
    ),
    (
        "cursor",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("cursor", "mcp", "confirm", "confirm-irreversible"),
    ("cursor", "mcp_pretool", "confirm", "confirm-irreversible"),
    ("cursor", "read", "allow", ""),
    ("cursor", "unknown", "allow", ""),
    (
        "windsurf",
        "shell",
        "confirm",
        "confirm-destructive-commands",
    ),
    (
        "windsurf",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("windsurf", "mcp", "confirm", "confirm-irreversible"),
    ("windsurf", "read", "allow", ""),
    ("windsurf", "unknown", "allow", ""),
    ("kiro", "shell", "confirm", "confirm-destructive-commands"),
    ("kiro", "edit", "deny", "acl-files-need-maintainer-signoff"),
    ("kiro", "mcp", "confirm", "confirm-irreversible"),
    ("kiro", "unknown", "allow", ""),
    ("cline", "shell", "confirm", "confirm-destructive-commands"),
    (
        "cline",
        "sdk_shell",
        "confirm",
        "confirm-destructive-commands",
    ),
    ("cline", "edit", "deny", "acl-files-need-maintainer-signoff"),
    ("cline", "mcp", "confirm", "confirm-irreversible"),
    ("cline", "unknown", "allow", ""),
    (
        "openclaw",
        "shell",
        "confirm",
        "confirm-destructive-commands",
    ),
    (
        "openclaw",
        "edit",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    (
        "openclaw",
        "patch",
        "deny",
        "acl-files-need-maintainer-signoff",
    ),
    ("openclaw", "mcp", "confirm", "confirm-irreversible"),
    ("openclaw", "unknown", "allow", ""),
    ("openclaw", "message", "confirm", "confirm-unless-private"),
];

const HARNESSES: &[&str] = &[
    "claude-code",
    "copilot",
    "codex",
    "gemini",
    "cursor",
    "windsurf",
    "kiro",
    "cline",
    "openclaw",
];

/// A recorded payload with `$CWD` set to `cwd`.
fn payload(harness: &str, case: &str, cwd: &Path) -> String {
    let path = repo_root().join(format!("tests/data/harnesses/{harness}/{case}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.replace("$CWD", &cwd.display().to_string())
}

/// Run `agentgate hook <harness>` in `dir` with no CI and no harness
/// project directory in the environment (plus `env`).
fn hook(harness: &str, dir: &Path, stdin: &str, env: &[(&str, &str)]) -> Out {
    let mut cmd = agentgate_cmd();
    cmd.args(["hook", harness]).current_dir(dir);
    for v in [
        "CI",
        "GITHUB_ACTIONS",
        "CLAUDE_PROJECT_DIR",
        "GEMINI_PROJECT_DIR",
        "CURSOR_PROJECT_DIR",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd, Some(stdin))
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is text: {v}"))
        .to_string()
}

/// Read an answer the way `harness` reads it, asserting it is well formed
/// there; returns what the harness does, and the reason.
fn seen(harness: &str, out: &Out) -> (Seen, String) {
    let ctx = out.all();
    match harness {
        "windsurf" | "kiro" => {
            assert!(
                out.stdout.trim().is_empty(),
                "{harness} reads no stdout: {ctx}"
            );
            match out.code {
                0 => (Seen::Pass, String::new()),
                2 => {
                    assert!(
                        !out.stderr.trim().is_empty(),
                        "exit 2 carries a reason: {ctx}"
                    );
                    (Seen::Block, out.stderr.clone())
                }
                c => panic!("{harness}: exit {c} would let the call run with a warning: {ctx}"),
            }
        }
        _ => {
            assert_eq!(out.code, 0, "{harness} answers with exit 0: {ctx}");
            if out.stdout.trim().is_empty() {
                assert!(
                    ["claude-code", "copilot", "codex", "gemini"].contains(&harness),
                    "{harness} must always answer: {ctx}"
                );
                return (Seen::Pass, String::new());
            }
            assert_eq!(out.stdout.trim().lines().count(), 1, "one JSON line: {ctx}");
            let j = out.json();
            match harness {
                "claude-code" => {
                    let h = &j["hookSpecificOutput"];
                    assert_eq!(h["hookEventName"], "PreToolUse", "{ctx}");
                    let r = text(h, "permissionDecisionReason");
                    match h["permissionDecision"].as_str() {
                        Some("allow") => (Seen::Pass, r),
                        Some("ask") => (Seen::Ask, r),
                        Some("deny") => (Seen::Block, r),
                        _ => panic!("{ctx}"),
                    }
                }
                "copilot" => {
                    let r = text(&j, "permissionDecisionReason");
                    match j["permissionDecision"].as_str() {
                        Some("allow") => (Seen::Pass, r),
                        Some("ask") => (Seen::Ask, r),
                        Some("deny") => (Seen::Block, r),
                        _ => panic!("{ctx}"),
                    }
                }
                "codex" => {
                    // Only a deny with a non-empty reason is valid: anything
                    // else makes Codex run the call.
                    let h = &j["hookSpecificOutput"];
                    assert_eq!(h["hookEventName"], "PreToolUse", "{ctx}");
                    assert_eq!(h["permissionDecision"], "deny", "{ctx}");
                    let r = text(h, "permissionDecisionReason");
                    assert!(!r.trim().is_empty(), "{ctx}");
                    (Seen::Block, r)
                }
                "gemini" => {
                    let r = text(&j, "reason");
                    match j["decision"].as_str() {
                        Some("allow") => (Seen::Pass, r),
                        Some("ask") => (Seen::Ask, r),
                        Some("deny") => (Seen::Block, r),
                        _ => panic!("{ctx}"),
                    }
                }
                "cursor" => match j["permission"].as_str() {
                    Some("allow") => (Seen::Pass, String::new()),
                    Some("deny") => {
                        let r = text(&j, "user_message");
                        assert_eq!(j["agent_message"], j["user_message"], "{ctx}");
                        (Seen::Block, r)
                    }
                    _ => panic!("Cursor honours only allow and deny: {ctx}"),
                },
                "cline" => match j["cancel"].as_bool() {
                    Some(false) => (Seen::Pass, String::new()),
                    Some(true) => (Seen::Block, text(&j, "errorMessage")),
                    None => panic!("{ctx}"),
                },
                "openclaw" => {
                    if j["block"] == true {
                        (Seen::Block, text(&j, "blockReason"))
                    } else if j["cancel"] == true {
                        (Seen::Block, text(&j, "cancelReason"))
                    } else if let Some(a) = j.get("requireApproval") {
                        assert!(text(a, "title").chars().count() <= 80, "{ctx}");
                        assert!(text(a, "description").chars().count() <= 512, "{ctx}");
                        assert!(a["timeoutMs"].as_u64().is_some_and(|t| t > 0), "{ctx}");
                        assert_eq!(
                            a["allowedDecisions"],
                            serde_json::json!(["allow-once", "deny"]),
                            "no answer outlives the call: {ctx}"
                        );
                        (Seen::Ask, text(a, "description"))
                    } else {
                        assert_eq!(j, serde_json::json!({}), "{ctx}");
                        (Seen::Pass, String::new())
                    }
                }
                other => panic!("unknown harness {other}"),
            }
        }
    }
}

/// What `harness` should do with `verdict` where someone may be asked.
fn expected(harness: &str, case: &str, verdict: &str) -> Seen {
    match verdict {
        "allow" => Seen::Pass,
        "deny" => Seen::Block,
        // An outbound message can be cancelled, not held for approval.
        "confirm" if CAN_ASK.contains(&harness) && case != "message" => Seen::Ask,
        "confirm" => Seen::Block,
        other => panic!("verdict {other}"),
    }
}

#[test]
fn every_harness_answers_recorded_payloads_in_its_own_form() {
    let dir = init_repo();
    let d = dir.path();
    // Every recorded payload is a case: none is skipped.
    for h in HARNESSES {
        for e in std::fs::read_dir(repo_root().join("tests/data/harnesses").join(h)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let case = name.trim_end_matches(".json");
            assert!(
                CASES.iter().any(|(ch, cc, _, _)| ch == h && *cc == case),
                "tests/data/harnesses/{h}/{name} has no expectation"
            );
        }
    }
    for (h, case, verdict, policy) in CASES {
        let out = hook(h, d, &payload(h, case, d), &[]);
        let (got, reason) = seen(h, &out);
        assert_eq!(got, expected(h, case, verdict), "{h}/{case}: {}", out.all());
        assert!(
            reason.contains(policy),
            "{h}/{case}: the reason names {policy}: {reason}"
        );
        if *verdict == "confirm" && got == Seen::Block {
            assert!(
                reason.contains("to approve"),
                "{h}/{case}: a confirm nobody can answer says how to approve: {reason}"
            );
        }
        if got != Seen::Pass {
            let agent = if *h == "gemini" { "gemini-cli" } else { h };
            assert!(
                reason.contains(&format!("by {agent}")),
                "{h}/{case}: {reason}"
            );
        }
    }
}

#[test]
fn a_malformed_payload_blocks_in_every_harness() {
    let dir = init_repo();
    let d = dir.path();
    let wrong_event: &[(&str, &str)] = &[
        (
            "claude-code",
            r#"{"hook_event_name":"PostToolUse","tool_name":"Bash"}"#,
        ),
        ("codex", r#"{"hook_event_name":"Stop"}"#),
        (
            "gemini",
            r#"{"hook_event_name":"AfterTool","tool_name":"write_file"}"#,
        ),
        (
            "cursor",
            r#"{"hook_event_name":"afterFileEdit","file_path":"/x"}"#,
        ),
        (
            "windsurf",
            r#"{"agent_action_name":"post_write_code","tool_info":{}}"#,
        ),
        (
            "kiro",
            r#"{"hook_event_name":"postToolUse","tool_name":"fs_write"}"#,
        ),
        ("cline", r#"{"hookName":"TaskStart"}"#),
        ("openclaw", r#"{"hook":"after_tool_call","event":{}}"#),
    ];
    for h in HARNESSES {
        let mut bad: Vec<&str> = vec![
            "",
            "not json",
            "[1,2]",
            "{\"tool_name\": 3}",
            "\u{0}\u{ff}",
            "{\"cwd\": [\"/\"]}",
        ];
        bad.extend(
            wrong_event
                .iter()
                .filter(|(wh, _)| wh == h)
                .map(|(_, p)| *p),
        );
        for p in bad {
            let out = hook(h, d, p, &[]);
            let (got, reason) = seen(h, &out);
            assert_eq!(got, Seen::Block, "{h} {p:?}: {}", out.all());
            assert!(reason.contains("cannot decide"), "{h} {p:?}: {reason}");
        }
        // A call missing what says what it does cannot be judged either.
        let empty_shell = payload(h, "shell", d).replace("git push --force origin main", "");
        let (got, _) = seen(h, &hook(h, d, &empty_shell, &[]));
        assert_eq!(got, Seen::Block, "{h}: a shell call without a command");
    }
}

#[test]
fn broken_policies_block_in_every_harness() {
    let dir = init_repo();
    let d = dir.path();
    write(
        d,
        "policies/broken.cedar",
        "permit (principal, action, resource) when { nope };\n",
    );
    for h in HARNESSES {
        let (got, reason) = seen(h, &hook(h, d, &payload(h, "unknown", d), &[]));
        assert_eq!(got, Seen::Block, "{h}: {reason}");
        assert!(reason.contains("cannot be used"), "{h}: {reason}");
    }
}

#[test]
fn a_missing_policy_set_asks_where_the_harness_can_and_blocks_where_it_cannot() {
    let empty = git_repo();
    let d = empty.path();
    for h in HARNESSES {
        let (got, reason) = seen(h, &hook(h, d, &payload(h, "unknown", d), &[]));
        let want = if CAN_ASK.contains(h) {
            Seen::Ask
        } else {
            Seen::Block
        };
        assert_eq!(got, want, "{h}: {reason}");
        assert!(reason.contains("no agentgate.toml"), "{h}: {reason}");
    }
    // An outbound OpenClaw message cannot wait for an answer: cancelled.
    let (got, _) = seen(
        "openclaw",
        &hook("openclaw", d, &payload("openclaw", "message", d), &[]),
    );
    assert_eq!(got, Seen::Block);
}

#[test]
fn an_unattended_run_never_asks() {
    let dir = init_repo();
    let d = dir.path();
    for h in HARNESSES {
        for env in [("CI", "true"), ("GITHUB_ACTIONS", "true")] {
            let (got, reason) = seen(h, &hook(h, d, &payload(h, "shell", d), &[env]));
            assert_eq!(got, Seen::Block, "{h} with {env:?}: {reason}");
            assert!(reason.contains("to approve"), "{h}: {reason}");
        }
        // `CI=false` is not a CI run.
        let (got, _) = seen(h, &hook(h, d, &payload(h, "shell", d), &[("CI", "false")]));
        assert_eq!(got, expected(h, "shell", "confirm"), "{h}");
    }
}

#[test]
fn on_allow_allow_is_an_allow_only_where_the_harness_has_one() {
    let dir = init_repo();
    let d = dir.path();
    let cfg = std::fs::read_to_string(d.join("agentgate.toml")).unwrap();
    std::fs::write(
        d.join("agentgate.toml"),
        format!("{cfg}\n[hook]\non_allow = \"allow\"\n"),
    )
    .unwrap();
    for h in HARNESSES {
        let out = hook(h, d, &payload(h, "unknown", d), &[]);
        let (got, _) = seen(h, &out);
        assert_eq!(got, Seen::Pass, "{h}: {}", out.all());
        let said = out.stdout.trim();
        match *h {
            // The harnesses whose hooks can skip their own prompt say so.
            "claude-code" | "copilot" => assert!(said.contains("\"allow\""), "{h}: {said}"),
            "gemini" => assert!(said.contains("\"allow\""), "{h}: {said}"),
            // Codex rejects a bare allow (and then runs the call): nothing.
            "codex" | "windsurf" | "kiro" => assert_eq!(said, "", "{h}"),
            _ => {}
        }
    }
}

#[test]
fn openclaw_approvals_and_outbound_messages() {
    let dir = init_repo();
    let d = dir.path();
    // Deleting mail in bulk asks for approval, with a timeout that denies.
    let out = hook("openclaw", d, &payload("openclaw", "mcp", d), &[]);
    let j = out.json();
    let a = &j["requireApproval"];
    assert_eq!(a["severity"], "warning", "{j}");
    assert!(a["timeoutMs"].as_u64().unwrap() <= 600_000, "{j}");
    assert!(
        text(a, "description").contains("mail:18c1f0a2b3c4d5e6"),
        "{j}"
    );
    // A post to a channel named private goes out without a word.
    let cfg = std::fs::read_to_string(d.join("agentgate.toml")).unwrap();
    std::fs::write(
        d.join("agentgate.toml"),
        format!("{cfg}\n[audience]\nprivate = [\"slack:@alice\"]\n"),
    )
    .unwrap();
    let private = payload("openclaw", "message", d).replace("#general", "@alice");
    let out = hook("openclaw", d, &private, &[]);
    assert_eq!(out.json(), serde_json::json!({}), "{}", out.all());
    // The public one is cancelled, saying why.
    let out = hook("openclaw", d, &payload("openclaw", "message", d), &[]);
    let j = out.json();
    assert_eq!(j["cancel"], true, "{j}");
    assert!(text(&j, "cancelReason").contains("slack:#general"), "{j}");
}

#[test]
fn each_harness_is_logged_under_its_own_name() {
    let dir = init_repo();
    let d = dir.path();
    let cfg = std::fs::read_to_string(d.join("agentgate.toml")).unwrap();
    std::fs::write(
        d.join("agentgate.toml"),
        format!("{cfg}\n[log]\ndecisions = \"decisions.jsonl\"\n"),
    )
    .unwrap();
    for h in HARNESSES {
        hook(h, d, &payload(h, "edit", d), &[]);
    }
    let log = std::fs::read_to_string(d.join("decisions.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), HARNESSES.len(), "{log}");
    for (line, h) in lines.iter().zip(HARNESSES) {
        assert_eq!(line["source"], format!("hook {h}"), "{line}");
        assert_eq!(line["decision"], "deny", "{line}");
        assert_eq!(
            line["request"]["resource"], "File::\".github/workflows/ci.yml\"",
            "{line}"
        );
    }
}
