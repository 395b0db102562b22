//! agentgate-mcp: the repository's Cedar policies on every MCP tool call,
//! for any MCP client. `agentgate mcp` sits between a client (Claude Code,
//! Cursor, VS Code, ...) and an MCP server, speaks MCP to both with rmcp
//! (the official SDK), and passes everything through except what it judges.
//!
//! ```text
//! client --stdio or HTTP--> serve (Proxy per session) --tools/call--> judge
//!        -> tools::map + tools::decide (the hooks' request builder and decider)
//!        -> allow: forward | deny: isError result | confirm: ask the human (elicitation)
//!        -> decision log
//! server <--child process or HTTP-- upstream (Relay: server requests, notifications)
//! ```
//!
//! Modules: [`serve`] (the client's side: stdio or streamable HTTP),
//! [`proxy`] (what is judged and what passes), [`judge`] (one call's
//! decision), [`confirm`] (asking the human), [`hiding`] (tools no call of
//! which could be allowed), [`policy`] (loading and reloading the
//! policies), [`upstream`] (reaching the server), [`relay`] (what the
//! server sends), [`lines`] (stdio framing that answers malformed input),
//! [`name`] (the server's name in tool names), [`error`].

// Sampling, roots, logging and resource subscriptions are deprecated in
// rmcp (SEP-2577, for protocol 2026-07-28) but are part of the protocol
// versions the proxy speaks (up to 2025-11-25), and it relays them.
#![allow(deprecated)]

pub mod confirm;
pub mod error;
pub mod hiding;
pub mod judge;
pub mod lines;
pub mod name;
pub mod policy;
pub mod proxy;
pub mod relay;
pub mod serve;
pub mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::ProxyError;

use judge::Judge;
use policy::Policies;
use proxy::Timeouts;
use upstream::Backend;

/// Everything `agentgate mcp` is told.
#[derive(Debug, Clone)]
pub struct Options {
    /// The agent id calls are judged as.
    pub agent: String,
    /// The server's name in tool names; derived from the command or URL
    /// when `None` ([`name`]).
    pub name: Option<String>,
    /// `--repo`: where the policies are (else found from `cwd`).
    pub repo: Option<PathBuf>,
    /// The working directory (relative paths in arguments start here).
    pub cwd: PathBuf,
    /// The server's command and arguments.
    pub command: Vec<String>,
    /// Or its streamable HTTP endpoint.
    pub upstream: Option<String>,
    /// Serve streamable HTTP here instead of stdio.
    pub listen: Option<SocketAddr>,
    /// Allow a listen address that is not loopback.
    pub allow_remote: bool,
    /// How long a human has to confirm.
    pub confirm_timeout: Duration,
    /// How long the server has to answer.
    pub server_timeout: Duration,
}

/// Run the proxy until the client goes away (stdio) or it is interrupted
/// (HTTP).
pub fn run(opts: Options) -> Result<(), ProxyError> {
    let backend = match (opts.command.is_empty(), &opts.upstream) {
        (true, None) => return Err(ProxyError::NoServer),
        (false, Some(_)) => return Err(ProxyError::TwoServers),
        (false, None) => Backend::Command(opts.command.clone()),
        (true, Some(url)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ProxyError::BadUrl(url.clone()));
            }
            Backend::Url(url.clone())
        }
    };
    let server = match (&opts.name, &backend) {
        (Some(n), _) => n.clone(),
        (None, Backend::Command(c)) => name::from_command(c),
        (None, Backend::Url(u)) => name::from_url(u),
    };
    let judge = Arc::new(Judge::new(
        Policies::open(opts.repo.clone(), opts.cwd.clone()),
        opts.agent.clone(),
        server,
        opts.cwd.clone(),
    ));
    let timeouts = Timeouts {
        confirm: opts.confirm_timeout,
        server: opts.server_timeout,
    };
    // One client over stdio: one thread, so a message is never handed from
    // one worker to another (the judging is microseconds; the waiting is
    // on pipes). Many clients over HTTP: a worker per core.
    let runtime = match opts.listen {
        None => tokio::runtime::Builder::new_current_thread(),
        Some(_) => tokio::runtime::Builder::new_multi_thread(),
    }
    .enable_all()
    .build()
    .map_err(ProxyError::Runtime)?;
    let result = runtime.block_on(async {
        match opts.listen {
            Some(addr) => serve::http(judge, backend, timeouts, addr, opts.allow_remote).await,
            None => serve::stdio(judge, backend, timeouts).await,
        }
    });
    // A read of stdin still pending must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}
