//! Agent harness hooks: answer allow, deny or ask for a tool call an agent
//! is about to make (Claude Code's `PreToolUse`, the GitHub Copilot SDK's
//! `preToolUse`) from the repository's policies, so the rules that judge
//! commits at merge time also hold at run time, where a prompt's
//! instructions did not.
//!
//! ```text
//! payload -> tool call -> request (the one request builder) -> Cedar
//!         -> allow / deny / confirm -> allow / deny / ask -> decision log
//! ```
//!
//! Fail closed: a payload that cannot be read, unusable policies or a
//! request that cannot be evaluated answer `deny` with the reason. With no
//! `agentgate.toml` from the working directory up, nothing decides, so the
//! answer is `ask`.

mod map;
mod protocol;

use std::path::Path;

use thiserror::Error;

pub use map::{Mapped, ToolCall, file_path, map};
pub use protocol::{Decision, Harness, parse, render};

use crate::config::{OnAllow, find_config_dir};
use crate::decide::{Answer, Decider, Probe, Verdict};
use crate::policy::PolicyStore;
use crate::request::Builder;
use crate::tree::DirTree;

/// A hook payload cannot be turned into a request.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct HookError(pub String);

/// The hook's answer.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What the harness is told.
    pub decision: Decision,
    /// Why, with the deciding policies and their intent.
    pub reason: String,
    /// What the policies said, when they were asked.
    pub verdict: Option<Verdict>,
    /// The decision log could not be written (the decision stands).
    pub log_error: Option<String>,
}

impl Outcome {
    fn fail(reason: String) -> Outcome {
        Outcome {
            decision: Decision::Deny,
            reason: format!("agentgate denies this because it cannot decide: {reason}"),
            verdict: None,
            log_error: None,
        }
    }
}

/// The deciding policies as text: `id (intent)`, joined.
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

/// Answer one hook payload. `fallback_cwd` is used when the payload names
/// no working directory.
pub fn run(harness: Harness, payload: &str, agent: Option<&str>, fallback_cwd: &Path) -> Outcome {
    let mut call = match parse(harness, payload) {
        Ok(c) => c,
        Err(e) => return Outcome::fail(e.0),
    };
    if call.cwd.as_os_str().is_empty() {
        call.cwd = fallback_cwd.to_path_buf();
    }
    let Some(root) = find_config_dir(&call.cwd) else {
        return Outcome {
            decision: Decision::Ask,
            reason: format!(
                "agentgate found no agentgate.toml in {} or above, so no policy decides this; asking you instead (run `agentgate init` in the repository)",
                call.cwd.display()
            ),
            verdict: None,
            log_error: None,
        };
    };
    let store = match PolicyStore::load(&DirTree::new(&root)) {
        Ok(s) => s,
        Err(d) => {
            let first =
                d.0.first()
                    .map(|d| match d.location() {
                        Some(at) => format!("{at}: {d}"),
                        None => d.to_string(),
                    })
                    .unwrap_or_default();
            return Outcome::fail(format!(
                "the policies in {} cannot be used ({first}); fix them (`agentgate validate`)",
                root.display()
            ));
        }
    };
    let agent = agent.unwrap_or(harness.default_agent());
    let mapped = match map(&store.config, Some(&root), agent, &call) {
        Ok(m) => m,
        Err(e) => return Outcome::fail(e.0),
    };
    let decider = Decider::new(Builder::new(&store));
    let answer = match decider.answer(&mapped.req, Probe::Off) {
        Ok(a) => a,
        Err(e) => return Outcome::fail(format!("cannot evaluate `{}`: {e}", mapped.summary)),
    };
    let decision = match answer.decision {
        Verdict::Allow if store.config.hook.on_allow == OnAllow::Defer => Decision::Defer,
        Verdict::Allow => Decision::Allow,
        Verdict::Confirm => Decision::Ask,
        Verdict::Deny => Decision::Deny,
    };
    let verb = match answer.decision {
        Verdict::Allow => "allows",
        Verdict::Confirm => "needs a human to confirm",
        Verdict::Deny => "denies",
    };
    let mut reason = format!(
        "agentgate {verb} {} by {agent}: {}",
        mapped.summary,
        explain(&store, &answer)
    );
    let source = format!("hook {}", harness.name());
    let log_error = crate::decision_log::record(
        &store,
        &root,
        &source,
        &call.session,
        Some(&call.tool),
        &mapped.req,
        &answer,
    )
    .err();
    if let Some(e) = &log_error {
        reason.push_str(&format!(" (decision log: {e})"));
    }
    Outcome {
        decision,
        reason,
        verdict: Some(answer.decision),
        log_error,
    }
}
