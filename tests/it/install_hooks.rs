//! `agentgate install-hooks <harness>` through the real binary: the wiring
//! each harness reads, merged into the settings already there (compared
//! before and after), one entry however often it runs, files it cannot
//! parse left alone, and wiring that really runs the hook. The shipped
//! examples under `examples/<harness>/` are what it writes.

use std::path::Path;

use crate::common::*;
use serde_json::{Value, json};

/// (harness, the file it writes, the events wired).
const WIRING: &[(&str, &str, &[&str])] = &[
    ("claude-code", ".claude/settings.json", &["PreToolUse"]),
    ("copilot", ".github/hooks/agentgate.json", &["preToolUse"]),
    ("codex", ".codex/hooks.json", &["PreToolUse"]),
    ("gemini", ".gemini/settings.json", &["BeforeTool"]),
    (
        "cursor",
        ".cursor/hooks.json",
        &[
            "preToolUse",
            "beforeShellExecution",
            "beforeMCPExecution",
            "beforeReadFile",
        ],
    ),
    (
        "windsurf",
        ".windsurf/hooks.json",
        &[
            "pre_run_command",
            "pre_write_code",
            "pre_read_code",
            "pre_mcp_tool_use",
        ],
    ),
    ("kiro", ".kiro/agents/agentgate.json", &["preToolUse"]),
];

fn install(dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["install-hooks"];
    all.extend_from_slice(args);
    let mut cmd = agentgate_cmd();
    cmd.args(&all)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env_remove("OPENCLAW_HOME")
        .env_remove("OPENCLAW_STATE_DIR")
        .env_remove("OPENCLAW_CONFIG_PATH");
    run(&mut cmd, None)
}

/// The hook entries in `file` that run `agentgate hook <harness>`, per
/// event (entries directly in the event's list, or inside matcher groups).
fn ours(file: &Value, harness: &str, event: &str) -> Vec<Value> {
    let cmd = format!("agentgate hook {harness}");
    let mut out = Vec::new();
    for e in file["hooks"][event].as_array().cloned().unwrap_or_default() {
        if e["command"] == cmd.as_str() || e["bash"] == cmd.as_str() {
            out.push(e.clone());
        }
        for h in e["hooks"].as_array().cloned().unwrap_or_default() {
            if h["command"] == cmd.as_str() {
                out.push(h);
            }
        }
    }
    out
}

#[test]
fn installing_twice_leaves_one_entry_per_event() {
    let dir = git_repo();
    let d = dir.path();
    for (h, file, events) in WIRING {
        let out = install(d, &[h]);
        assert_eq!(out.code, 0, "{h}: {}", out.all());
        assert!(
            out.stdout.contains(&format!("wrote {file}")),
            "{}",
            out.stdout
        );
        let first = std::fs::read(d.join(file)).unwrap();
        let out = install(d, &[h]);
        assert_eq!(out.code, 0, "{h}: {}", out.all());
        assert!(out.stdout.contains("unchanged"), "{h}: {}", out.stdout);
        assert_eq!(
            std::fs::read(d.join(file)).unwrap(),
            first,
            "{h}: rewritten"
        );
        let v: Value = serde_json::from_slice(&first).unwrap();
        for e in *events {
            let found = ours(&v, h, e);
            assert_eq!(found.len(), 1, "{h} {e}: {v}");
            // A timeout wherever the harness has one; fail closed where it can.
            let entry = &found[0];
            match *h {
                "claude-code" | "codex" => assert_eq!(entry["timeout"], 30, "{h}"),
                "gemini" => assert_eq!(entry["timeout"], 30_000, "{h}"),
                "copilot" => assert_eq!(entry["timeoutSec"], 30, "{h}"),
                "cursor" => {
                    assert_eq!(entry["timeout"], 30);
                    assert_eq!(entry["failClosed"], true);
                }
                "kiro" => assert_eq!(entry["timeout_ms"], 30_000),
                _ => {}
            }
        }
    }
    // Cline: one executable script, written once.
    let out = install(d, &["cline"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let script = d.join(".clinerules/hooks/PreToolUse");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.starts_with("#!/bin/sh\n") && text.contains("\nexec agentgate hook cline\n"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&script).unwrap().permissions().mode() & 0o111,
        0o111
    );
    let out = install(d, &["cline"]);
    assert!(out.stdout.contains("unchanged"), "{}", out.all());
    // OpenClaw: its config under HOME, one plugin entry.
    for _ in 0..2 {
        let out = install(d, &["openclaw", "--plugin-dir", "plugins/agentgate"]);
        assert_eq!(out.code, 0, "{}", out.all());
    }
    let cfg: Value =
        serde_json::from_slice(&std::fs::read(d.join("home/.openclaw/openclaw.json")).unwrap())
            .unwrap();
    let entry = &cfg["plugins"]["entries"]["agentgate"];
    assert_eq!(entry["enabled"], true);
    assert_eq!(entry["config"]["repo"], d.display().to_string());
    assert_eq!(entry["hooks"]["timeouts"]["before_tool_call"], 30_000);
    assert_eq!(
        cfg["plugins"]["load"]["paths"],
        json!([d.join("plugins/agentgate").display().to_string()])
    );
}

#[test]
fn an_existing_settings_file_keeps_everything_else() {
    let dir = git_repo();
    let d = dir.path();
    // Claude Code: the user's settings, four-space indented, keys in their
    // order, a PreToolUse group of their own, and an older agentgate entry
    // whose timeout is brought up to date in place.
    let before = r#"{
    "model": "opus",
    "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"]},
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "./audit.sh"}]},
            {"matcher": "*", "hooks": [{"type": "command", "command": "agentgate hook claude-code", "timeout": 10}]}
        ],
        "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write"}]}]
    },
    "env": {"ZED": "1", "ALPHA": "2"}
}
"#;
    write(d, ".claude/settings.json", before);
    let out = install(d, &["claude-code"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let after = std::fs::read_to_string(d.join(".claude/settings.json")).unwrap();
    assert_eq!(
        after,
        r#"{
    "model": "opus",
    "permissions": {
        "allow": [
            "Bash(npm test)"
        ],
        "deny": [
            "Read(./.env)"
        ]
    },
    "hooks": {
        "PreToolUse": [
            {
                "matcher": "Bash",
                "hooks": [
                    {
                        "type": "command",
                        "command": "./audit.sh"
                    }
                ]
            },
            {
                "matcher": "*",
                "hooks": [
                    {
                        "type": "command",
                        "command": "agentgate hook claude-code",
                        "timeout": 30
                    }
                ]
            }
        ],
        "PostToolUse": [
            {
                "matcher": "Edit",
                "hooks": [
                    {
                        "type": "command",
                        "command": "prettier --write"
                    }
                ]
            }
        ]
    },
    "env": {
        "ZED": "1",
        "ALPHA": "2"
    }
}
"#
    );

    // Cursor: the user's own hooks stay first; ours are added with
    // failClosed; `version` is kept as it was.
    write(
        d,
        ".cursor/hooks.json",
        r#"{"version": 1, "hooks": {"afterFileEdit": [{"command": "./format.sh"}], "beforeShellExecution": [{"command": "./audit.sh", "timeout": 5}]}}"#,
    );
    assert_eq!(install(d, &["cursor"]).code, 0);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join(".cursor/hooks.json")).unwrap())
            .unwrap();
    assert_eq!(
        v["hooks"]["afterFileEdit"],
        json!([{"command": "./format.sh"}])
    );
    assert_eq!(
        v["hooks"]["beforeShellExecution"],
        json!([
            {"command": "./audit.sh", "timeout": 5},
            {"command": "agentgate hook cursor", "timeout": 30, "failClosed": true}
        ])
    );
    let text = std::fs::read_to_string(d.join(".cursor/hooks.json")).unwrap();
    let keys: Vec<usize> = [
        "\"afterFileEdit\"",
        "\"beforeShellExecution\"",
        "\"preToolUse\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "key order kept: {text}"
    );

    // Kiro: an agent of the user's, its tools and resources untouched.
    let agent = json!({"name": "dev", "description": "mine", "tools": ["fs_read", "fs_write"], "allowedTools": ["fs_read"], "resources": ["file://README.md"], "hooks": {"agentSpawn": [{"command": "git status"}]}});
    write(d, ".kiro/agents/dev.json", &agent.to_string());
    assert_eq!(
        install(d, &["kiro", "--file", ".kiro/agents/dev.json"]).code,
        0
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join(".kiro/agents/dev.json")).unwrap())
            .unwrap();
    let mut expected = agent.clone();
    expected["hooks"]["preToolUse"] =
        json!([{"matcher": "*", "command": "agentgate hook kiro", "timeout_ms": 30000}]);
    assert_eq!(v, expected);

    // OpenClaw: the gateway's other settings and plugins stay.
    let cfg = json!({"gateway": {"port": 18789}, "plugins": {"entries": {"other": {"enabled": false}}, "allow": ["other"]}});
    write(d, "home/.openclaw/openclaw.json", &cfg.to_string());
    assert_eq!(install(d, &["openclaw"]).code, 0);
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("home/.openclaw/openclaw.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(v["gateway"], cfg["gateway"]);
    assert_eq!(
        v["plugins"]["entries"]["other"],
        cfg["plugins"]["entries"]["other"]
    );
    assert_eq!(v["plugins"]["allow"], cfg["plugins"]["allow"]);
    assert_eq!(
        v["plugins"]["entries"]["agentgate"]["config"]["command"],
        "agentgate"
    );
}

#[test]
fn openclaw_config_is_found_where_openclaw_looks() {
    let dir = git_repo();
    let d = dir.path();
    let with = |k: &str, v: &Path| {
        let mut cmd = agentgate_cmd();
        cmd.args(["install-hooks", "openclaw"])
            .current_dir(d)
            .env("HOME", d.join("home"))
            .env_remove("OPENCLAW_HOME")
            .env_remove("OPENCLAW_STATE_DIR")
            .env_remove("OPENCLAW_CONFIG_PATH")
            .env(k, v);
        run(&mut cmd, None)
    };
    for (var, value, file) in [
        ("OPENCLAW_CONFIG_PATH", "cfg/oc.json", "cfg/oc.json"),
        ("OPENCLAW_STATE_DIR", "state", "state/openclaw.json"),
        ("OPENCLAW_HOME", "ochome", "ochome/.openclaw/openclaw.json"),
    ] {
        let out = with(var, &d.join(value));
        assert_eq!(out.code, 0, "{var}: {}", out.all());
        assert!(d.join(file).is_file(), "{var}: {file}: {}", out.all());
    }
}

#[test]
fn a_file_it_cannot_parse_is_left_alone() {
    let dir = git_repo();
    let d = dir.path();
    for (file, text, harness, says) in [
        (
            ".cursor/hooks.json",
            "{ // a comment\n \"version\": 1 }",
            "cursor",
            "not valid JSON",
        ),
        (
            ".claude/settings.json",
            "[1, 2]",
            "claude-code",
            "top level",
        ),
        (
            ".gemini/settings.json",
            r#"{"hooks": {"BeforeTool": {"matcher": ".*"}}}"#,
            "gemini",
            "hooks.BeforeTool",
        ),
        (
            ".codex/hooks.json",
            r#"{"hooks": "yes"}"#,
            "codex",
            "`hooks`",
        ),
        (
            "home/.openclaw/openclaw.json",
            "{ plugins: { entries: {} } } // JSON5",
            "openclaw",
            "not valid JSON",
        ),
        (
            ".clinerules/hooks/PreToolUse",
            "#!/bin/sh\n./my-own-check\n",
            "cline",
            "not agentgate's",
        ),
    ] {
        write(d, file, text);
        let out = install(d, &[harness]);
        assert_eq!(out.code, 2, "{harness}: {}", out.all());
        assert!(out.stderr.contains(says), "{harness}: {}", out.stderr);
        assert_eq!(
            std::fs::read_to_string(d.join(file)).unwrap(),
            text,
            "{harness}: the file is untouched"
        );
    }
    // Nothing beside them either (no temporary files left behind).
    let stray: Vec<_> = snapshot(d)
        .into_iter()
        .filter(|(p, _)| p.contains(".agentgate-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_linked_settings_file_is_written_where_it_points() {
    let dir = git_repo();
    let d = dir.path();
    write(d, "shared/claude.json", "{\"model\": \"opus\"}\n");
    std::fs::create_dir_all(d.join(".claude")).unwrap();
    std::os::unix::fs::symlink("../shared/claude.json", d.join(".claude/settings.json")).unwrap();
    assert_eq!(install(d, &["claude-code"]).code, 0);
    assert!(
        std::fs::symlink_metadata(d.join(".claude/settings.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("shared/claude.json")).unwrap())
            .unwrap();
    assert_eq!(v["model"], "opus");
    assert_eq!(ours(&v, "claude-code", "PreToolUse").len(), 1);
}

#[test]
fn the_installed_wiring_runs_the_hook() {
    let dir = init_repo();
    let d = dir.path();
    for (h, file, events) in WIRING {
        assert_eq!(install(d, &[h]).code, 0);
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(d.join(file)).unwrap()).unwrap();
        let entry = &ours(&v, h, events[0])[0];
        let line = entry["command"]
            .as_str()
            .or(entry["bash"].as_str())
            .unwrap()
            .to_string();
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let payload = std::fs::read_to_string(
            repo_root().join(format!("tests/data/harnesses/{h}/edit.json")),
        )
        .unwrap()
        .replace("$CWD", &d.display().to_string());
        let out = run(agentgate_cmd().args(&words).current_dir(d), Some(&payload));
        // An edit of a workflow is blocked, in the harness's form.
        let blocked = match *h {
            "windsurf" | "kiro" => out.code == 2,
            "cursor" => out.json()["permission"] == "deny",
            "gemini" => out.json()["decision"] == "deny",
            "copilot" => out.json()["permissionDecision"] == "deny",
            _ => out.json()["hookSpecificOutput"]["permissionDecision"] == "deny",
        };
        assert!(blocked, "{h}: {}", out.all());
    }
}

#[test]
fn the_shipped_examples_are_what_install_hooks_writes() {
    let dir = git_repo();
    let d = dir.path();
    for (h, file, _) in WIRING {
        assert_eq!(install(d, &[h]).code, 0);
        let name = Path::new(file)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let example = repo_root().join(format!("examples/{h}/{name}"));
        assert_eq!(
            std::fs::read_to_string(&example)
                .unwrap_or_else(|e| panic!("{}: {e}", example.display())),
            std::fs::read_to_string(d.join(file)).unwrap(),
            "{}: regenerate it with `agentgate install-hooks {h}`",
            example.display()
        );
    }
    assert_eq!(install(d, &["cline"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(repo_root().join("examples/cline/PreToolUse")).unwrap(),
        std::fs::read_to_string(d.join(".clinerules/hooks/PreToolUse")).unwrap()
    );
    assert_eq!(install(d, &["openclaw"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(repo_root().join("examples/openclaw/openclaw.json")).unwrap(),
        std::fs::read_to_string(d.join("home/.openclaw/openclaw.json"))
            .unwrap()
            .replace(&d.display().to_string(), "/path/to/your/repository")
    );
}
