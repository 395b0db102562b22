//! What wiring agentgate into each harness looks like: the file (from each
//! harness's documentation, as cited in `hook/protocol/<harness>.rs`), the
//! events, and the entry for each, with its timeout and, where the harness
//! has one, its fail-closed setting.

use std::path::{Path, PathBuf};

use super::json_doc::Doc;
use super::merge::{flat, grouped, object_at};
use super::{InstallError, Options, TIMEOUT_SECS, hook_command};
use crate::hook::Harness;

/// Merges agentgate's entries into a parsed settings document.
type Merge = Box<dyn Fn(&mut Doc, &Path) -> Result<(), InstallError>>;

/// What the wiring file is.
pub(super) enum Kind {
    /// A JSON settings file: `fresh` when there is none yet, and the merge.
    Json { fresh: Doc, merge: Merge },
    /// A hook script with this text (Cline).
    Script(String),
}

/// Where and what to write.
pub(super) struct Plan {
    pub path: PathBuf,
    pub kind: Kind,
    pub events: Vec<&'static str>,
    pub notes: Vec<String>,
}

/// The command a hook script runs (for the message when one is in the way).
pub(super) fn script_command(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("exec "))
        .unwrap_or("agentgate hook cline")
        .to_string()
}

pub(super) fn plan(harness: Harness, repo: &Path, opts: &Options) -> Result<Plan, InstallError> {
    let command = hook_command(&opts.command, harness);
    let at = |default: &str| opts.file.clone().unwrap_or_else(|| repo.join(default));
    let secs = Doc::int(TIMEOUT_SECS);
    let millis = Doc::int(TIMEOUT_SECS * 1000);
    Ok(match harness {
        Harness::ClaudeCode => {
            let hook = Doc::object([
                ("type", Doc::text("command")),
                ("command", Doc::text(&command)),
                ("timeout", secs),
            ]);
            let group = Doc::object([("matcher", Doc::text("*"))]);
            Plan {
                path: at(".claude/settings.json"),
                kind: grouped_json(Doc::Object(Vec::new()), "PreToolUse", group, hook, command),
                events: vec!["PreToolUse"],
                notes: vec![
                    "Claude Code documents no fail-closed setting: agentgate's own failures answer deny, but a hook that cannot start or times out lets the call run".into(),
                ],
            }
        }
        Harness::Gemini => {
            let hook = Doc::object([
                ("type", Doc::text("command")),
                ("name", Doc::text("agentgate")),
                ("command", Doc::text(&command)),
                ("timeout", millis),
            ]);
            let group = Doc::object([("matcher", Doc::text(".*"))]);
            Plan {
                path: at(".gemini/settings.json"),
                kind: grouped_json(Doc::Object(Vec::new()), "BeforeTool", group, hook, command),
                events: vec!["BeforeTool"],
                notes: vec![
                    "Gemini CLI fingerprints project hooks and warns about a new one until you trust it; it has no fail-closed setting".into(),
                ],
            }
        }
        Harness::Codex => {
            let hook = Doc::object([
                ("type", Doc::text("command")),
                ("command", Doc::text(&command)),
                ("timeout", secs),
                ("statusMessage", Doc::text("agentgate: checking the policies")),
            ]);
            // No matcher: every tool, including MCP tools.
            Plan {
                path: at(".codex/hooks.json"),
                kind: grouped_json(
                    Doc::Object(Vec::new()),
                    "PreToolUse",
                    Doc::Object(Vec::new()),
                    hook,
                    command,
                ),
                events: vec!["PreToolUse"],
                notes: vec![
                    "Codex loads .codex/ only in a trusted project and runs a new or changed hook only after you review it in /hooks; it has no fail-closed setting (a crashed or timed-out hook lets the call run)".into(),
                ],
            }
        }
        Harness::Copilot => {
            let entry = Doc::object([
                ("type", Doc::text("command")),
                ("bash", Doc::text(&command)),
                ("powershell", Doc::text(&command)),
                ("timeoutSec", secs),
            ]);
            Plan {
                path: at(".github/hooks/agentgate.json"),
                kind: flat_json(versioned(), &["preToolUse"], "bash", entry, command),
                events: vec!["preToolUse"],
                notes: vec![
                    "the Copilot cloud agent reads hooks from the default branch: commit the file there; Copilot has no fail-closed setting".into(),
                ],
            }
        }
        Harness::Cursor => {
            let entry = Doc::object([
                ("command", Doc::text(&command)),
                ("timeout", secs),
                ("failClosed", Doc::Bool(true)),
            ]);
            let events = vec![
                "preToolUse",
                "beforeShellExecution",
                "beforeMCPExecution",
                "beforeReadFile",
            ];
            Plan {
                path: at(".cursor/hooks.json"),
                kind: flat_json(versioned(), &events, "command", entry, command),
                events,
                notes: vec![
                    "failClosed is on: a hook that fails or times out blocks the call".into(),
                ],
            }
        }
        Harness::Windsurf => {
            let entry = Doc::object([
                ("command", Doc::text(&command)),
                ("show_output", Doc::Bool(true)),
            ]);
            let events = vec![
                "pre_run_command",
                "pre_write_code",
                "pre_read_code",
                "pre_mcp_tool_use",
            ];
            Plan {
                path: at(".windsurf/hooks.json"),
                kind: flat_json(Doc::Object(Vec::new()), &events, "command", entry, command),
                events,
                notes: vec![
                    "Windsurf has no timeout or fail-closed setting: only exit 2 blocks, which is how agentgate answers its own failures".into(),
                ],
            }
        }
        Harness::Kiro => {
            let entry = Doc::object([
                ("matcher", Doc::text("*")),
                ("command", Doc::text(&command)),
                ("timeout_ms", millis),
            ]);
            let path = at(".kiro/agents/agentgate.json");
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "agentgate".into());
            let fresh = Doc::object([
                ("name", Doc::text(&name)),
                (
                    "description",
                    Doc::text("Tool calls judged by the repository's agentgate policies"),
                ),
                ("tools", Doc::Array(vec![Doc::text("*")])),
            ]);
            Plan {
                notes: vec![format!(
                    "Kiro runs agent hooks for the agent the file defines: `kiro-cli chat --agent {name}` (or pass --file .kiro/agents/<yours>.json to add the hook to your own agent); Kiro has no fail-closed setting"
                )],
                path,
                kind: flat_json(fresh, &["preToolUse"], "command", entry, command),
                events: vec!["preToolUse"],
            }
        }
        Harness::Cline => Plan {
            path: at(".clinerules/hooks/PreToolUse"),
            kind: Kind::Script(format!(
                "#!/bin/sh\n# Cline PreToolUse hook: every tool call is judged by the repository's\n# agentgate policies (written by `agentgate install-hooks cline`).\nexec {command}\n"
            )),
            events: vec!["PreToolUse"],
            notes: vec![
                "turn on Hooks in Cline's settings; Cline lets a call run when a hook fails and has no fail-closed setting".into(),
            ],
        },
        Harness::OpenClaw => {
            let path = match (&opts.file, &opts.openclaw_config) {
                (Some(f), _) | (None, Some(f)) => f.clone(),
                (None, None) => opts
                    .home
                    .clone()
                    .ok_or(InstallError::NoHome)?
                    .join(".openclaw/openclaw.json"),
            };
            let repo = repo.display().to_string();
            let program = opts.command.clone();
            let plugin = opts.plugin_dir.as_ref().map(|p| p.display().to_string());
            let mut notes = vec![
                "OpenClaw blocks a tool call when the plugin's handler throws or times out; the plugin cancels a message on any failure itself".into(),
            ];
            if plugin.is_none() {
                notes.push("install the plugin too: `openclaw plugins install <agentgate checkout>/integrations/openclaw` (or pass --plugin-dir to add it to plugins.load.paths), then restart the gateway".into());
            }
            Plan {
                path,
                kind: Kind::Json {
                    fresh: Doc::Object(Vec::new()),
                    merge: Box::new(move |doc, file| {
                        openclaw_merge(doc, file, &repo, &program, plugin.as_deref())
                    }),
                },
                events: vec!["before_tool_call", "message_sending"],
                notes,
            }
        }
    })
}

/// A new file for harnesses whose hooks file carries `"version": 1`.
fn versioned() -> Doc {
    Doc::object([("version", Doc::int(1))])
}

fn grouped_json(fresh: Doc, event: &'static str, group: Doc, hook: Doc, command: String) -> Kind {
    Kind::Json {
        fresh,
        merge: Box::new(move |doc, file| {
            let hooks = object_at(doc, "hooks", "hooks", file)?;
            grouped(hooks, event, &group, &hook, &command, file)
        }),
    }
}

fn flat_json(
    fresh: Doc,
    events: &[&'static str],
    key: &'static str,
    entry: Doc,
    command: String,
) -> Kind {
    let events = events.to_vec();
    let versioned = fresh.get("version").is_some();
    Kind::Json {
        fresh,
        merge: Box::new(move |doc, file| {
            if versioned && doc.get("version").is_none() {
                doc.set("version", Doc::int(1));
            }
            let hooks = object_at(doc, "hooks", "hooks", file)?;
            for e in &events {
                flat(hooks, e, key, &command, &entry, file)?;
            }
            Ok(())
        }),
    }
}

/// `plugins.entries.agentgate` in OpenClaw's configuration: enabled, with
/// the repository and the command, and hook budgets for its two hooks.
fn openclaw_merge(
    doc: &mut Doc,
    file: &Path,
    repo: &str,
    command: &str,
    plugin: Option<&str>,
) -> Result<(), InstallError> {
    let plugins = object_at(doc, "plugins", "plugins", file)?;
    if let Some(dir) = plugin {
        let load = object_at(plugins, "load", "plugins.load", file)?;
        if load.get("paths").is_none() {
            load.set("paths", Doc::Array(Vec::new()));
        }
        match load.get_mut("paths") {
            Some(Doc::Array(paths)) => {
                if !paths.iter().any(|p| p.as_str() == Some(dir)) {
                    paths.push(Doc::text(dir));
                }
            }
            _ => {
                return Err(InstallError::WrongType {
                    path: file.to_path_buf(),
                    at: "plugins.load.paths".into(),
                    expected: "a list",
                });
            }
        }
    }
    let entries = object_at(plugins, "entries", "plugins.entries", file)?;
    let ours = object_at(entries, "agentgate", "plugins.entries.agentgate", file)?;
    ours.set("enabled", Doc::Bool(true));
    let config = object_at(ours, "config", "plugins.entries.agentgate.config", file)?;
    config.set("command", Doc::text(command));
    config.set("repo", Doc::text(repo));
    let hooks = object_at(ours, "hooks", "plugins.entries.agentgate.hooks", file)?;
    let timeouts = object_at(
        hooks,
        "timeouts",
        "plugins.entries.agentgate.hooks.timeouts",
        file,
    )?;
    for hook in ["before_tool_call", "message_sending"] {
        timeouts.set(hook, Doc::int(TIMEOUT_SECS * 1000));
    }
    Ok(())
}
