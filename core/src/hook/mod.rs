//! Agent harness hooks: answer allow, deny or ask for a tool call an agent
//! is about to make (Claude Code, GitHub Copilot, Codex, Gemini CLI,
//! Cursor, Windsurf, Kiro, Cline, OpenClaw; one module per protocol under
//! `protocol/`) from the repository's policies, so the rules that judge
//! commits at merge time also hold at run time, where a prompt's
//! instructions did not.
//!
//! ```text
//! payload -> tool call -> requests (tools::map, the one request builder)
//!         -> Cedar -> allow / deny / confirm -> the harness's answer -> decision log
//! ```
//!
//! **Never widen.** An allow leaves the call to the harness's own
//! permission rules (no decision, or the harness's neutral answer) unless
//! `[hook] on_allow = "allow"`; a confirm asks where someone can answer and
//! denies, saying how to approve, where nobody can (a harness whose hooks
//! cannot ask, Claude Code's `bypassPermissions` and `dontAsk`, a CI run,
//! `on_confirm = "deny"`).
//!
//! **Fail closed.** A payload that cannot be read, unusable policies or a
//! call that cannot be judged answer "block" in the harness's form, never
//! the error that lets the call run. With no `agentgate.toml` in the
//! repository, nothing decides: the answer is `ask` where the harness can
//! ask, and a block where it cannot.
//!
//! **The guard guards itself.** The policies come from the repository's
//! top level (`--repo`, the harness's project directory, or the outermost
//! git work tree above the working directory that holds an
//! `agentgate.toml`), never from a directory the agent can plant one in.

mod error;
mod protocol;

use std::path::{Path, PathBuf};

pub use error::HookError;
pub use protocol::{Decision, Harness, HookCall, Reply, parse, render};

use crate::decide::{Answer, Decider};
use crate::file_tree::DirTree;
use crate::policy::PolicyStore;
use crate::policy::config::{OnAllow, OnConfirm, find_config_dir};
use crate::request::Builder;
use crate::tools;
use crate::vocab::Verdict;

/// The hook's answer.
#[derive(Debug)]
pub struct Outcome {
    /// What the harness is told.
    pub decision: Decision,
    /// The event that asked, when the payload could be read.
    pub event: Option<String>,
    /// Why, with the deciding policies and their intent.
    pub reason: String,
    /// What the policies said, when they were asked.
    pub verdict: Option<Verdict>,
    /// The decision log could not be written (the decision stands).
    pub log_error: Option<crate::decision_log::LogError>,
}

impl Outcome {
    fn fail(reason: String) -> Outcome {
        Outcome {
            decision: Decision::Deny,
            reason: format!("agentgate denies this because it cannot decide: {reason}"),
            event: None,
            verdict: None,
            log_error: None,
        }
    }
}

/// The deciding policies as text: `id (intent)`, joined, with any policy
/// that failed to evaluate.
pub fn explain(store: &PolicyStore, answer: &Answer) -> String {
    let mut out = if answer.policies.is_empty() {
        "no policy permits it".to_string()
    } else {
        answer
            .policies
            .iter()
            .map(
                |id| match store.meta.get(id).and_then(|m| m.intent.as_deref()) {
                    Some(intent) => format!("{id}: {intent}"),
                    None => id.clone(),
                },
            )
            .collect::<Vec<_>>()
            .join("; ")
    };
    for e in &answer.errors {
        out.push_str(&format!(
            " (policy {} failed to evaluate: {}; a forbid that fails counts as applying)",
            e.policy, e.message
        ));
    }
    out
}

/// Environment variables harnesses set to the project's root directory.
const PROJECT_DIR_VARS: &[&str] = &[
    "CLAUDE_PROJECT_DIR",
    "GEMINI_PROJECT_DIR",
    "CURSOR_PROJECT_DIR",
];

/// Where the policies are: `explicit` (`--repo`), else found from the
/// harness's project directory, the payload's working directory, or
/// `fallback_cwd`.
pub fn policy_root(
    explicit: Option<&Path>,
    call_cwd: &Path,
    fallback_cwd: &Path,
) -> Option<PathBuf> {
    if let Some(r) = explicit {
        return Some(r.to_path_buf());
    }
    for var in PROJECT_DIR_VARS {
        if let Some(dir) = std::env::var_os(var).filter(|d| !d.is_empty())
            && let Some(root) = find_config_dir(Path::new(&dir))
        {
            return Some(root);
        }
    }
    let start = if call_cwd.as_os_str().is_empty() {
        fallback_cwd
    } else {
        call_cwd
    };
    find_config_dir(start)
}

/// Whether nobody is there to answer a question: a CI run (`CI` or
/// `GITHUB_ACTIONS` set). The hooks and the MCP proxy deny a confirmation
/// there.
fn unattended() -> bool {
    let set = |v: &str| {
        std::env::var(v)
            .is_ok_and(|x| !x.is_empty() && x != "0" && !x.eq_ignore_ascii_case("false"))
    };
    set("CI") || set("GITHUB_ACTIONS")
}

/// Why nobody can confirm a call here, when nobody can: the config says
/// to deny confirmations, the harness cannot ask from this hook
/// (`cannot_ask`), or the run is unattended (CI). A confirm is then a deny.
pub fn nobody_can_confirm(on_confirm: OnConfirm, cannot_ask: Option<String>) -> Option<String> {
    match on_confirm {
        OnConfirm::Deny => Some("the config says `[hook] on_confirm = \"deny\"`".to_string()),
        OnConfirm::Ask => cannot_ask
            .or_else(|| unattended().then(|| "this is an unattended (CI) run".to_string())),
    }
}

/// Answer one hook payload. `repo` is `--repo`; `fallback_cwd` is used when
/// the payload names no working directory.
pub fn run(
    harness: Harness,
    payload: &str,
    agent: Option<&str>,
    repo: Option<&Path>,
    fallback_cwd: &Path,
) -> Outcome {
    let HookCall {
        mut call,
        event,
        cannot_ask,
    } = match parse(harness, payload) {
        Ok(c) => c,
        Err(e) => return Outcome::fail(e.to_string()),
    };
    let fail = |reason: String| Outcome {
        event: Some(event.clone()),
        ..Outcome::fail(reason)
    };
    if call.cwd.as_os_str().is_empty() {
        call.cwd = fallback_cwd.to_path_buf();
    }
    let Some(root) = policy_root(repo, &call.cwd, fallback_cwd) else {
        let missing = format!(
            "agentgate found no agentgate.toml in the repository of {}, so no policy decides this",
            call.cwd.display()
        );
        let nobody = nobody_can_confirm(OnConfirm::Ask, cannot_ask.clone());
        return Outcome {
            decision: if nobody.is_some() {
                Decision::Deny
            } else {
                Decision::Ask
            },
            reason: match nobody {
                Some(why) => format!(
                    "{missing}; nobody can be asked instead ({why}), so it is denied (run `agentgate init` in the repository)"
                ),
                None => format!(
                    "{missing}; asking you instead (run `agentgate init` in the repository)"
                ),
            },
            event: Some(event),
            verdict: None,
            log_error: None,
        };
    };
    let store = match PolicyStore::load(&DirTree::new(&root)) {
        Ok(s) => s,
        Err(d) => {
            let first = d.first_located().unwrap_or_default();
            return fail(format!(
                "the policies in {} cannot be used ({first}); fix them (`agentgate validate`)",
                root.display()
            ));
        }
    };
    if let Some(name) = protocol::known_tool_name(harness, &store.config, &call.tool) {
        call.tool = name;
    }
    let agent = agent.unwrap_or(harness.default_agent());
    let mapped = match tools::map(&store, Some(&root), agent, &call) {
        Ok(m) => m,
        Err(e) => return fail(e.to_string()),
    };
    let decider = Decider::new(Builder::new(&store));
    let judged = match tools::decide(&decider, &mapped) {
        Ok(j) => j,
        Err(e) => return fail(format!("cannot evaluate `{}`: {e}", mapped.summary)),
    };
    // Where nobody can answer, a confirmation is a deny.
    let nobody_asks = nobody_can_confirm(store.config.hook.on_confirm, cannot_ask);
    let decision = match judged.verdict {
        Verdict::Allow if store.config.hook.on_allow == OnAllow::Allow => Decision::Allow,
        Verdict::Allow => Decision::Defer,
        Verdict::Confirm if nobody_asks.is_some() => Decision::Deny,
        Verdict::Confirm => Decision::Ask,
        Verdict::Deny => Decision::Deny,
    };
    let verb = match judged.verdict {
        Verdict::Allow => "allows",
        Verdict::Confirm => "needs a human to confirm",
        Verdict::Deny => "denies",
    };
    let decided_by = judged.decided_by(&mapped);
    let mut reason = format!(
        "agentgate {verb} {}{decided_by} by {agent}: {}",
        mapped.summary,
        explain(&store, &judged.answer)
    );
    if let (Verdict::Confirm, Some(why)) = (judged.verdict, &nobody_asks) {
        reason.push_str(&format!(
            ". Nobody can confirm it here ({why}), so it is denied: to approve, run it yourself, run the agent where it can ask you, or change the policy by pull request"
        ));
    }
    let source = format!("hook {}", harness.name());
    let log_error = crate::decision_log::record(
        &store,
        &root,
        &source,
        &call.session,
        Some(&call.tool),
        &judged.target.req,
        &judged.answer,
    )
    .err();
    if let Some(e) = &log_error {
        reason.push_str(&format!(" (decision log: {e})"));
    }
    Outcome {
        decision,
        reason,
        event: Some(event),
        verdict: Some(judged.verdict),
        log_error,
    }
}
