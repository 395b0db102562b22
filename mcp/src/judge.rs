//! One `tools/call` judged: the call is mapped through the tool catalog to
//! requests and decided by the same request builder and decider as `check`
//! and the hooks (`tools::map`, `tools::decide`), with its arguments in the
//! context, and the decision goes to the decision log.
//!
//! The answer is a [`Ruling`]: allow (forward it), deny (with the deciding
//! policies and their intent), or confirm, which is *pending* until a human
//! answers. A confirmed call is judged again with `context.confirmed =
//! true` and forwarded only if the policies then allow every request it
//! makes: a confirmation never silently becomes an allow the policies did
//! not give.

use std::path::PathBuf;

use agentgate_core::decide::{Answer, Decider, Probe};
use agentgate_core::hook::{explain, nobody_can_confirm};
use agentgate_core::policy::config::OnConfirm;
use agentgate_core::policy::schema::context_attrs;
use agentgate_core::request::Builder;
use agentgate_core::tools::{self, Mapped, Target, ToolCall};
use agentgate_core::vocab::Verdict;
use serde_json::{Map, Value};
use std::sync::Arc;

use crate::error::NotForwarded;
use crate::hiding::Hidden;
use crate::policy::{Loaded, Policies, Ready};

/// Who is judged, through which server.
pub struct Judge {
    policies: Policies,
    /// The agent id calls are judged as.
    pub agent: String,
    /// The server's name in tool names (`mcp__<server>__<tool>`).
    pub server: String,
    cwd: PathBuf,
}

/// What to do with a call.
pub enum Ruling {
    /// Forward it.
    Allow,
    /// Ask a human first.
    Confirm(Box<Pending>),
    /// Refuse it, saying why.
    Deny(String),
}

/// A call waiting for a human.
pub struct Pending {
    loaded: Arc<Loaded>,
    mapped: Option<(Mapped, Target)>,
    session: String,
    tool: String,
    /// What the human is asked.
    pub question: String,
    /// Why it needs confirming (the policies and their intent).
    pub reason: String,
    /// Why nobody can be asked here, if so (the config, a CI run).
    pub nobody_asks: Option<String>,
}

/// How to approve a call agentgate would not run without a human.
pub const HOW_TO_APPROVE: &str = "to approve, run it yourself, use an MCP client that can ask you (one that supports elicitation), or change the policy by pull request";

impl Judge {
    /// A judge for `agent`'s calls through `server`.
    pub fn new(policies: Policies, agent: String, server: String, cwd: PathBuf) -> Judge {
        Judge {
            policies,
            agent,
            server,
            cwd,
        }
    }

    /// The policies in force (reloaded if their files changed).
    pub fn policies(&self) -> &Policies {
        &self.policies
    }

    /// The name policies and the catalog know a tool by.
    pub fn full_name(&self, tool: &str) -> String {
        format!("mcp__{}__{tool}", self.server)
    }

    /// Keep only the tools (by the server's names for them) some call of
    /// which could be allowed, with the policies now in force. Unusable or
    /// missing policies hide nothing: every call is judged anyway.
    pub fn keep_visible<T>(&self, tools: &mut Vec<T>, name: impl Fn(&T) -> &str) {
        if let Loaded::Ready(r) = &*self.policies.current().loaded {
            tools.retain(|t| r.hidden(&self.agent, &self.full_name(name(t))).is_none());
        }
    }

    /// Judge a call of `tool` (the server's name for it) with `args`.
    pub fn judge(&self, tool: &str, args: Map<String, Value>, session: &str) -> Ruling {
        let full = self.full_name(tool);
        let loaded = self.policies.current().loaded;
        let ready = match &*loaded {
            Loaded::Ready(r) => r,
            Loaded::Missing { cwd } => {
                let reason = format!(
                    "agentgate found no agentgate.toml in the repository of {}, so no policy decides this (run `agentgate init` in the repository)",
                    cwd.display()
                );
                return Ruling::Confirm(Box::new(Pending {
                    question: format!(
                        "agentgate: {} wants to call {full}, and no policy decides it ({}). Let it run?",
                        self.agent,
                        cwd.display()
                    ),
                    reason,
                    nobody_asks: nobody_can_confirm(OnConfirm::Ask, None),
                    loaded: Arc::clone(&loaded),
                    mapped: None,
                    session: session.to_string(),
                    tool: full,
                }));
            }
            Loaded::Broken { root, message } => {
                return Ruling::Deny(format!(
                    "agentgate denies this because it cannot decide: the policies in {} cannot be used ({message}); fix them (`agentgate validate`)",
                    root.display()
                ));
            }
        };
        let call = ToolCall {
            tool: full.clone(),
            input: args,
            session: session.to_string(),
            cwd: self.cwd.clone(),
        };
        let mapped = match tools::map(&ready.store, Some(&ready.root), &self.agent, &call) {
            Ok(m) => m,
            Err(e) => {
                return Ruling::Deny(format!(
                    "agentgate denies this because it cannot decide: {e}"
                ));
            }
        };
        let decider = Decider::new(Builder::new(&ready.store));
        let judged = match tools::decide(&decider, &mapped) {
            Ok(j) => j,
            Err(e) => {
                return Ruling::Deny(format!(
                    "agentgate denies this because it cannot decide: cannot evaluate `{}`: {e}",
                    mapped.summary
                ));
            }
        };
        let log = self.log(ready, session, &full, &judged.target, &judged.answer);
        let decided_by = judged.decided_by(&mapped);
        let explained = explain(&ready.store, &judged.answer);
        // A tool hidden from the list is denied whatever the call says.
        if let Some(h) = ready.hidden(&self.agent, &full) {
            return Ruling::Deny(format!(
                "{}{log}",
                hidden_reason(ready, &self.agent, &full, &h)
            ));
        }
        match judged.verdict {
            Verdict::Allow => Ruling::Allow,
            Verdict::Deny => Ruling::Deny(format!(
                "agentgate denies {}{decided_by} by {}: {explained}{log}",
                mapped.summary, self.agent
            )),
            Verdict::Confirm => {
                let nobody_asks = nobody_can_confirm(ready.store.config.hook.on_confirm, None);
                Ruling::Confirm(Box::new(Pending {
                    question: format!(
                        "agentgate: {} wants to {}{decided_by}. It needs your confirmation: {explained}. Confirm to let it run.",
                        self.agent, mapped.summary
                    ),
                    reason: format!(
                        "agentgate needs a human to confirm {}{decided_by} by {}: {explained}{log}",
                        mapped.summary, self.agent
                    ),
                    nobody_asks,
                    loaded: Arc::clone(&loaded),
                    mapped: Some((mapped.clone(), judged.target.clone())),
                    session: session.to_string(),
                    tool: full,
                }))
            }
        }
    }

    /// A human confirmed `pending`: judge it again as confirmed. `Ok` means
    /// forward it; `Err` says why not.
    pub fn confirmed(&self, pending: &Pending) -> Result<(), NotForwarded> {
        let (ready, (mapped, decisive)) = match (&*pending.loaded, &pending.mapped) {
            (Loaded::Ready(r), Some(m)) => (r, m),
            // No policies: the human's answer is the only decision.
            (Loaded::Missing { .. }, _) => return Ok(()),
            _ => return Err(NotForwarded::Unjudged),
        };
        let decider = Decider::new(Builder::new(&ready.store));
        let confirm = |t: &Target| -> Result<(Target, Answer), NotForwarded> {
            let mut t = t.clone();
            if context_attrs(&ready.store.schema, &t.req.action)
                .iter()
                .any(|a| a == "confirmed")
            {
                t.req.context.insert("confirmed".into(), Value::Bool(true));
            }
            let answer = decider
                .answer(&t.req, Probe::Off)
                .map_err(NotForwarded::Evaluate)?;
            Ok((t, answer))
        };
        let (t, answer) = confirm(decisive)?;
        let log = self.log(ready, &pending.session, &pending.tool, &t, &answer);
        for target in &mapped.targets {
            let (t, answer) = confirm(target)?;
            // A possible write the human was asked about is theirs to allow.
            let fine = answer.decision == Verdict::Allow || t.possible;
            if !fine {
                return Err(NotForwarded::StillDenied {
                    summary: mapped.summary.clone(),
                    agent: self.agent.clone(),
                    what: t.what.clone(),
                    explained: explain(&ready.store, &answer),
                    log,
                });
            }
        }
        Ok(())
    }

    /// Append a decision to the log; the text to add to the reason when
    /// that failed.
    fn log(&self, ready: &Ready, session: &str, tool: &str, t: &Target, answer: &Answer) -> String {
        let source = format!("mcp {}", self.server);
        match agentgate_core::decision_log::record(
            &ready.store,
            &ready.root,
            &source,
            session,
            Some(tool),
            &t.req,
            answer,
        ) {
            Ok(()) => String::new(),
            Err(e) => {
                eprintln!("agentgate mcp: decision log: {e}");
                format!(" (decision log: {e})")
            }
        }
    }
}

/// Why a hidden tool's call is denied.
pub fn hidden_reason(ready: &Ready, agent: &str, tool: &str, h: &Hidden) -> String {
    let why = if h.policies.is_empty() {
        "no policy permits it".to_string()
    } else {
        h.policies
            .iter()
            .map(|id| {
                match ready
                    .store
                    .meta
                    .get(id.as_str())
                    .and_then(|m| m.intent.as_deref())
                {
                    Some(intent) => format!("{id}: {intent}"),
                    None => id.clone(),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    format!(
        "agentgate denies every call of {tool} by {agent} (it is hidden from the tool list): every call is a `{}`, which the policies never allow: {why}",
        h.actions.join("` or `")
    )
}
