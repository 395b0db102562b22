//! Serving the MCP client: over stdio (the client started the proxy), or
//! streamable HTTP on a listening address (`/mcp`), one [`Proxy`] per
//! client session.
//!
//! Over stdio the server is started first, so a server that cannot start
//! stops the proxy with a message and a non-zero exit before the client
//! waits on it; the proxy ends when the client closes its stdin. Over HTTP
//! each session connects to the server when it initializes; the listener
//! accepts loopback addresses only unless `--allow-remote` (rmcp also
//! refuses requests whose `Host` is not a loopback name, against DNS
//! rebinding, unless remote serving was allowed).

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpService;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio_util::sync::CancellationToken;

use crate::error::ProxyError;
use crate::judge::Judge;
use crate::lines::{Lines, Peer};
use crate::proxy::{Proxy, Timeouts};
use crate::upstream::Backend;

/// Serve one client on stdin and stdout.
pub async fn stdio(
    judge: Arc<Judge>,
    backend: Backend,
    timeouts: Timeouts,
) -> Result<(), ProxyError> {
    let proxy = Proxy::new(judge, backend, timeouts);
    proxy.connect().await?;
    // Pipes (as clients start servers) are read on the IO reactor, not by a
    // blocking thread per read: one hand-off less per message.
    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let transport: Lines<rmcp::RoleServer, _, _> =
        Lines::new(stdin, stdout, Peer::Client, "the MCP client");
    let served = proxy.clone().serve(transport).await;
    let result = match served {
        Ok(running) => running
            .waiting()
            .await
            .map(|_| ())
            .map_err(|e| ProxyError::Serve(e.to_string())),
        // The client went away before it initialized: nothing to serve.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => Ok(()),
        Err(e) => Err(ProxyError::ClientHandshake(e.to_string())),
    };
    proxy.close().await;
    result
}

/// Serve streamable HTTP on `addr` until interrupted.
pub async fn http(
    judge: Arc<Judge>,
    backend: Backend,
    timeouts: Timeouts,
    addr: SocketAddr,
    allow_remote: bool,
) -> Result<(), ProxyError> {
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(ProxyError::NotLoopback(addr));
    }
    let ct = CancellationToken::new();
    let mut config =
        StreamableHttpServerConfig::default().with_cancellation_token(ct.child_token());
    if allow_remote {
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(
        move || Ok(Proxy::new(Arc::clone(&judge), backend.clone(), timeouts)),
        LocalSessionManager::default().into(),
        config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ProxyError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ProxyError::Listen { addr, source })?;
    eprintln!("agentgate mcp: serving MCP at http://{bound}/mcp");
    let stop = ct.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        })
        .await
        .map_err(|e| ProxyError::Serve(e.to_string()))
}
