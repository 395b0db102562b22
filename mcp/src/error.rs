//! What can go wrong, as types: the proxy failing to start or to serve
//! ([`ProxyError`], which the command line reports and exits non-zero on),
//! and a peer's failure turned into the JSON-RPC error the other peer gets
//! ([`from_server`]).

use std::net::SocketAddr;

use rmcp::{ErrorData, ServiceError};
use thiserror::Error;

/// Why a call a human confirmed is still not forwarded.
#[derive(Debug, Error)]
pub enum NotForwarded {
    /// The pending call lost what it was judged with.
    #[error("agentgate cannot judge the confirmed call")]
    Unjudged,
    /// Cedar could not evaluate the call as confirmed.
    #[error("agentgate cannot evaluate the confirmed call: {0}")]
    Evaluate(#[source] agentgate_core::request::RequestError),
    /// A policy denies the call even with the human's confirmation.
    #[error(
        "agentgate denies {summary} by {agent} even though you confirmed it ({what}): {explained}{log}"
    )]
    StillDenied {
        /// What the call does.
        summary: String,
        /// The agent.
        agent: String,
        /// The target that is denied.
        what: String,
        /// The deciding policies and their intent.
        explained: String,
        /// What to add about the decision log (empty when it was written).
        log: String,
    },
}

/// The proxy cannot start or keep serving.
#[derive(Debug, Error)]
pub enum ProxyError {
    /// Neither a command nor `--upstream` names the server.
    #[error(
        "no MCP server to proxy: give its command after `--` (agentgate mcp -- npx -y @modelcontextprotocol/server-filesystem .) or its URL with --upstream"
    )]
    NoServer,
    /// Both name one.
    #[error("give the MCP server's command after `--` or --upstream URL, not both")]
    TwoServers,
    /// The server's process could not be started.
    #[error("cannot start the MCP server `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server did not complete the MCP handshake.
    #[error("the MCP server {server} did not complete the MCP handshake: {message}")]
    Handshake {
        /// The server (command or URL).
        server: String,
        /// What rmcp said.
        message: String,
    },
    /// An upstream URL that is not http(s).
    #[error("--upstream {0}: not an http:// or https:// URL")]
    BadUrl(String),
    /// A listen address that is not loopback, without the flag that allows it.
    #[error(
        "--listen {0}: not a loopback address; the proxy would serve every MCP client that can reach it. Pass --allow-remote to listen there anyway"
    )]
    NotLoopback(SocketAddr),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client for the upstream server could not be made.
    #[error("cannot make an HTTP client: {0}")]
    HttpClient(String),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The MCP client did not complete the handshake.
    #[error("the MCP client did not complete the MCP handshake: {0}")]
    ClientHandshake(String),
    /// Serving stopped with an error.
    #[error("serving the MCP client failed: {0}")]
    Serve(String),
}

/// A failed exchange with `peer` (the server, or the client), as the
/// JSON-RPC error to answer the other side with. A peer's own JSON-RPC
/// error passes unchanged.
pub fn from_server(peer: &str, e: ServiceError) -> ErrorData {
    match e {
        ServiceError::McpError(e) => e,
        ServiceError::Timeout { timeout } => ErrorData::internal_error(
            format!(
                "agentgate: {peer} did not answer within {} s; the request was cancelled",
                timeout.as_secs()
            ),
            None,
        ),
        ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
            ErrorData::internal_error(
                format!(
                    "agentgate: {peer} is gone (its connection closed): nothing can be forwarded to it"
                ),
                None,
            )
        }
        other => ErrorData::internal_error(format!("agentgate: {peer} failed: {other}"), None),
    }
}
