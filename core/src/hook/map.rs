//! Turning a tool call into an agentgate request. The mapping is by tool,
//! never by trust: shell tools become `run` of a `Command`, file-writing
//! tools `edit` of the same `File` entity the gate uses (so a protected path is protected at edit time too), reading tools
//! `read`, fetching `fetch` of a `Url`, searching `search` of a `Query`, and
//! everything else `call` of a `Tool` (or, for tools whose name says they
//! post, delete or change access, `post`, `remove` or `set_permissions` of
//! that `Tool`). Nothing maps to an automatic allow: every request goes
//! through the policies.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use super::HookError;
use crate::config::Config;
use crate::request::{FileKind, Principal, Req, Resource};

/// One tool call, harness-neutral.
#[derive(Debug, Clone, Default)]
pub struct ToolCall {
    /// The tool's name as the harness gives it (`Bash`, `mcp__slack__post`).
    pub tool: String,
    /// Its arguments.
    pub input: Map<String, Value>,
    /// The harness session (`""` when unknown).
    pub session: String,
    /// The directory the agent works in (relative paths start here).
    pub cwd: PathBuf,
}

/// What a tool call is, for policies and for people.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The request the policies judge.
    pub req: Req,
    /// A one-line description (`run git push --force`).
    pub summary: String,
}

/// What kind of thing a tool does, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shell,
    Write,
    Read,
    Fetch,
    Search,
    Other,
}

fn kind_of(tool: &str) -> Kind {
    match tool.to_ascii_lowercase().as_str() {
        // Claude Code: Bash; Copilot CLI/SDK: bash, shell, powershell.
        "bash" | "shell" | "powershell" | "run_shell_command" | "run_in_terminal" => Kind::Shell,
        // Claude Code: Edit, Write, MultiEdit, NotebookEdit; Copilot: edit,
        // create, str_replace_editor, write.
        "edit" | "write" | "multiedit" | "notebookedit" | "create" | "str_replace_editor"
        | "str_replace" | "write_file" | "replace" | "apply_patch" => Kind::Write,
        // Claude Code: Read; Copilot: view, read_file.
        "read" | "view" | "read_file" => Kind::Read,
        "webfetch" | "web_fetch" | "fetch" => Kind::Fetch,
        "websearch" | "web_search" => Kind::Search,
        _ => Kind::Other,
    }
}

fn string_arg<'a>(input: &'a Map<String, Value>, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| input.get(*n).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
}

fn missing(tool: &str, what: &str) -> HookError {
    HookError(format!(
        "{tool} call without {what}: cannot tell what it would do"
    ))
}

/// Lexically normalise `p` (`.` and `..` removed; `..` above the root stays
/// at the root).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Resolve symbolic links in the longest existing ancestor of `p`, so a
/// link inside the repository cannot disguise a protected path (`docs/p ->
/// ../policies`): `p` is judged where it really is.
fn resolve(p: &Path) -> PathBuf {
    let p = normalize(p);
    let mut existing = p.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return p,
        }
    }
}

/// The path a file tool names, as the gate would see it: relative to the
/// repository root when inside it, absolute (under `Dir::"/"`) otherwise.
pub fn file_path(root: Option<&Path>, cwd: &Path, given: &str) -> String {
    let raw = Path::new(given);
    let abs = if raw.is_absolute() {
        raw.to_path_buf()
    } else {
        cwd.join(raw)
    };
    let real = resolve(&abs);
    if let Some(root) = root {
        let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| normalize(root));
        if let Ok(rel) = real.strip_prefix(&root_real) {
            let text = rel.to_string_lossy().replace('\\', "/");
            if !text.is_empty() {
                return text;
            }
        }
    }
    real.to_string_lossy().into_owned()
}

/// The action a tool of no known kind maps to: `[hook.tools]` in the
/// config first (exact name or glob), then the verbs in its name.
fn action_for_other(config: &Config, tool: &str) -> String {
    if let Some(action) = config.hook.action_for(tool) {
        return action;
    }
    let (_, name) = crate::request::split_tool(tool);
    let name = name.to_ascii_lowercase();
    let parts: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let has = |words: &[&str]| {
        words
            .iter()
            .any(|w| parts.contains(w) || name.starts_with(w))
    };
    if has(&[
        "permission",
        "permissions",
        "collaborator",
        "collaborators",
        "acl",
        "grant",
        "revoke",
        "invite",
        "visibility",
        "access",
    ]) {
        "set_permissions".into()
    } else if has(&[
        "delete", "remove", "trash", "purge", "destroy", "drop", "erase", "wipe", "archive",
    ]) {
        "remove".into()
    } else if has(&[
        "post",
        "send",
        "reply",
        "comment",
        "publish",
        "share",
        "tweet",
        "message",
        "notify",
        "broadcast",
        "email",
    ]) {
        "post".into()
    } else {
        "call".into()
    }
}

/// Who can see what a communicating tool posts, from its arguments: a
/// `visibility` (or `audience`, `privacy`) string, or a `private`,
/// `is_private`, `public` or `is_public` flag. `""` when the arguments do
/// not say (policies treat that as not private).
fn visibility(input: &Map<String, Value>) -> String {
    if let Some(v) = string_arg(input, &["visibility", "audience", "privacy"]) {
        return v.to_ascii_lowercase();
    }
    for (k, private_when) in [
        ("private", true),
        ("is_private", true),
        ("public", false),
        ("is_public", false),
    ] {
        if let Some(b) = input.get(k).and_then(Value::as_bool) {
            return if b == private_when {
                "private"
            } else {
                "public"
            }
            .into();
        }
    }
    String::new()
}

/// Map a tool call to a request by `agent`.
pub fn map(
    config: &Config,
    root: Option<&Path>,
    agent: &str,
    call: &ToolCall,
) -> Result<Mapped, HookError> {
    let tool = call.tool.as_str();
    if tool.trim().is_empty() {
        return Err(HookError("the hook payload names no tool".into()));
    }
    let mut context = Map::new();
    context.insert("session".into(), json!(call.session));
    let file = |names: &[&str]| -> Result<Resource, HookError> {
        let given = string_arg(&call.input, names).ok_or_else(|| missing(tool, "a file path"))?;
        Ok(Resource::File {
            path: file_path(root, &call.cwd, given),
            kind: FileKind::File,
        })
    };
    let (action, resource, summary) = match kind_of(tool) {
        Kind::Shell => {
            let line = string_arg(&call.input, &["command", "cmd", "script"])
                .ok_or_else(|| missing(tool, "a command"))?;
            (
                "run".to_string(),
                Resource::entity("Command", line),
                format!("run `{line}`"),
            )
        }
        Kind::Write => {
            let r = file(&["file_path", "path", "notebook_path", "filename", "filePath"])?;
            let s = format!("edit {}", r.display());
            ("edit".to_string(), r, s)
        }
        Kind::Read => {
            let r = file(&["file_path", "path", "filename", "filePath"])?;
            let s = format!("read {}", r.display());
            ("read".to_string(), r, s)
        }
        Kind::Fetch => {
            let url =
                string_arg(&call.input, &["url", "uri"]).ok_or_else(|| missing(tool, "a URL"))?;
            (
                "fetch".to_string(),
                Resource::entity("Url", url),
                format!("fetch {url}"),
            )
        }
        Kind::Search => {
            let q =
                string_arg(&call.input, &["query", "q"]).ok_or_else(|| missing(tool, "a query"))?;
            (
                "search".to_string(),
                Resource::entity("Query", q),
                format!("search the web for {q:?}"),
            )
        }
        Kind::Other => {
            let action = action_for_other(config, tool);
            if action == "post" || action == "share" {
                context.insert("visibility".into(), json!(visibility(&call.input)));
            }
            let summary = format!("{action} via tool {tool}");
            (action, Resource::entity("Tool", tool), summary)
        }
    };
    Ok(Mapped {
        req: Req {
            principal: Principal::Agent(agent.to_string()),
            action,
            resource,
            context,
            signoff: Vec::new(),
        },
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(tool: &str, input: Value) -> ToolCall {
        ToolCall {
            tool: tool.into(),
            input: input.as_object().cloned().unwrap_or_default(),
            session: "s1".into(),
            cwd: PathBuf::from("/nonexistent/repo/src"),
        }
    }

    fn mapped(tool: &str, input: Value) -> Req {
        map(
            &Config::default(),
            Some(Path::new("/nonexistent/repo")),
            "claude-code",
            &call(tool, input),
        )
        .unwrap()
        .req
    }

    #[test]
    fn tools_map_to_actions() {
        let r = mapped("Bash", json!({"command": "git push -f"}));
        assert_eq!(
            (r.action.as_str(), r.resource),
            ("run", Resource::Entity("Command::\"git push -f\"".into()))
        );
        let r = mapped(
            "Edit",
            json!({"file_path": "/nonexistent/repo/.github/workflows/ci.yml"}),
        );
        assert_eq!(
            r.resource,
            Resource::File {
                path: ".github/workflows/ci.yml".into(),
                kind: FileKind::File
            }
        );
        let r = mapped("Write", json!({"file_path": "../policies/x.cedar"}));
        assert_eq!(
            r.resource.display(),
            "policies/x.cedar",
            "relative to cwd, normalised"
        );
        let r = mapped("Write", json!({"file_path": "/etc/passwd"}));
        assert_eq!(r.resource.display(), "/etc/passwd");
        let r = mapped("Read", json!({"file_path": "/nonexistent/repo/../other/x"}));
        assert_eq!(
            r.resource.display(),
            "/nonexistent/other/x",
            "outside the repository"
        );
        assert_eq!(
            mapped("WebFetch", json!({"url": "https://x.test/a"})).action,
            "fetch"
        );
        assert_eq!(mapped("WebSearch", json!({"query": "q"})).action, "search");
        assert_eq!(
            mapped("mcp__gmail__delete_email", json!({})).action,
            "remove"
        );
        assert_eq!(mapped("mcp__slack__post_message", json!({})).action, "post");
        assert_eq!(
            mapped("mcp__github__add_collaborator", json!({})).action,
            "set_permissions"
        );
        assert_eq!(mapped("mcp__github__get_issue", json!({})).action, "call");
        assert_eq!(mapped("TodoWrite", json!({})).action, "call");
    }

    #[test]
    fn visibility_comes_from_arguments() {
        assert_eq!(
            mapped("mcp__slack__post_message", json!({"visibility": "Private"})).context["visibility"],
            "private"
        );
        assert_eq!(
            mapped("mcp__slack__post_message", json!({"private": false})).context["visibility"],
            "public"
        );
        assert_eq!(
            mapped("mcp__slack__post_message", json!({"text": "hi"})).context["visibility"],
            ""
        );
    }

    #[test]
    fn calls_without_their_arguments_are_errors() {
        let cfg = Config::default();
        for (tool, input) in [
            ("Bash", json!({})),
            ("Edit", json!({"file_path": ""})),
            ("WebFetch", json!({"url": 3})),
            ("", json!({})),
        ] {
            assert!(map(&cfg, None, "a", &call(tool, input)).is_err(), "{tool}");
        }
    }
}
