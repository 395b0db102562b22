//! Reaching the MCP server: a child process spoken to over its stdin and
//! stdout, or a streamable HTTP endpoint. Either way the proxy is the
//! server's MCP client ([`Relay`]) and completes the handshake before it
//! serves anything, within the server timeout.
//!
//! Over HTTP the proxy passes on the end-to-end headers of the client's
//! latest request (`Authorization`, API keys, cookies), read again for every
//! request so a refreshed token goes through; hop-by-hop headers and those
//! that belong to one leg of the connection (`Host`, `Mcp-Session-Id`,
//! `Content-Type`, ...) stay behind. Each client session gets its own
//! session with the server.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures::stream::BoxStream;
use http::{HeaderMap, HeaderName, HeaderValue};
use rmcp::model::{ClientJsonRpcMessage, ServerConfig};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::SseError;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpClientTransportConfig, StreamableHttpError,
    StreamableHttpPostResponse, StreamableHttpResponseLimits,
};
use rmcp::{Peer, RoleClient, ServiceExt};
use sse_stream::Sse;

use crate::error::ProxyError;
use crate::lines::{Lines, Peer as Side};
use crate::relay::{Link, Relay};

/// Where the server is.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A command, started per session.
    Command(Vec<String>),
    /// A streamable HTTP endpoint.
    Url(String),
}

impl Backend {
    /// The server as people know it (`npx -y ...` or the URL).
    pub fn label(&self) -> String {
        match self {
            Backend::Command(c) => format!("`{}`", c.join(" ")),
            Backend::Url(u) => u.clone(),
        }
    }
}

/// A server the proxy is connected to.
pub struct Upstream {
    /// Requests to it.
    pub peer: Peer<RoleClient>,
    /// What it said about itself in the handshake.
    pub info: ServerConfig,
    /// Keeps the connection (dropping it would close it).
    running: Mutex<Option<RunningService<RoleClient, Relay>>>,
}

impl Upstream {
    /// Close the connection to the server (a child's stdin closes, so it
    /// can exit; it is killed when the proxy exits).
    pub async fn close(&self) {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Some(mut r) = running {
            let _ = r.close_with_timeout(Duration::from_secs(2)).await;
        }
    }
}

/// The headers of the client's latest request, to pass on.
pub type Forwarded = Arc<RwLock<HeaderMap>>;

/// Headers that stay on the client's leg.
const LEG_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "accept",
    "accept-encoding",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "origin",
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
];

/// Make ring the process's TLS provider (the one rustls uses for https
/// upstreams), unless one is installed already. Call before building an
/// HTTP client: reqwest is built without a provider of its own.
pub fn install_tls_provider() {
    // An error means a provider is already installed, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Remember the end-to-end headers of a client request.
pub fn note_headers(forwarded: &Forwarded, headers: &HeaderMap) {
    let mut keep = HeaderMap::new();
    for (name, value) in headers {
        if !LEG_HEADERS.contains(&name.as_str()) {
            keep.append(name.clone(), value.clone());
        }
    }
    if let Ok(mut f) = forwarded.write() {
        *f = keep;
    }
}

/// Connect to the server for one session.
pub async fn connect(
    backend: &Backend,
    link: Arc<Link>,
    forwarded: Forwarded,
    timeout: Duration,
) -> Result<Upstream, ProxyError> {
    let relay = Relay { link };
    let label = backend.label();
    let handshake = |message: String| ProxyError::Handshake {
        server: label.clone(),
        message,
    };
    let running = match backend {
        Backend::Command(command) => {
            let Some((program, args)) = command.split_first() else {
                return Err(ProxyError::NoServer);
            };
            let mut child = tokio::process::Command::new(program)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .map_err(|source| ProxyError::Spawn {
                    command: command.join(" "),
                    source,
                })?;
            let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                return Err(handshake("its stdin and stdout could not be opened".into()));
            };
            // Say when the server exits; the proxy keeps serving what it
            // can (every request to the server then gets an error).
            let shown = label.clone();
            tokio::spawn(async move {
                match child.wait().await {
                    Ok(status) if status.success() => {}
                    Ok(status) => {
                        eprintln!("agentgate mcp: the MCP server {shown} exited ({status})")
                    }
                    Err(e) => eprintln!("agentgate mcp: the MCP server {shown}: {e}"),
                }
            });
            let transport: Lines<RoleClient, _, _> =
                Lines::new(stdout, stdin, Side::Server, &label);
            tokio::time::timeout(timeout, relay.serve(transport))
                .await
                .map_err(|_| handshake(format!("no answer within {} s", timeout.as_secs())))?
                .map_err(|e| handshake(e.to_string()))?
        }
        Backend::Url(url) => {
            install_tls_provider();
            let inner = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| ProxyError::HttpClient(e.to_string()))?;
            let client = Forwarding { inner, forwarded };
            let transport = StreamableHttpClientTransport::with_client(
                client,
                StreamableHttpClientTransportConfig::with_uri(url.as_str()),
            );
            tokio::time::timeout(timeout, relay.serve(transport))
                .await
                .map_err(|_| handshake(format!("no answer within {} s", timeout.as_secs())))?
                .map_err(|e| handshake(e.to_string()))?
        }
    };
    let peer = running.peer().clone();
    let Some(server) = peer.peer_info() else {
        return Err(handshake("it did not say what it is".into()));
    };
    let mut info = ServerConfig::new(server.capabilities.clone());
    if let Some(si) = &server.server_info {
        info.server_info = si.clone();
    }
    info.instructions = server.instructions.clone();
    // Extensions (tasks, skills) need methods the proxy does not judge:
    // not offered. The proxy tells the client when its policies change
    // the tool list.
    info.capabilities.extensions = None;
    if let Some(tools) = info.capabilities.tools.as_mut() {
        tools.list_changed = Some(true);
    }
    Ok(Upstream {
        peer,
        info,
        running: Mutex::new(Some(running)),
    })
}

/// reqwest, with the client's headers added to every request.
#[derive(Clone)]
struct Forwarding {
    inner: reqwest::Client,
    forwarded: Forwarded,
}

impl Forwarding {
    fn with(
        &self,
        mut headers: HashMap<HeaderName, HeaderValue>,
    ) -> HashMap<HeaderName, HeaderValue> {
        if let Ok(f) = self.forwarded.read() {
            for (name, value) in f.iter() {
                headers.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        headers
    }
}

impl StreamableHttpClient for Forwarding {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.inner
            .post_message(
                uri,
                message,
                session_id,
                auth_header,
                self.with(custom_headers),
            )
            .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.inner
            .post_message_with_response_limits(
                uri,
                message,
                session_id,
                auth_header,
                self.with(custom_headers),
                limits,
            )
            .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        self.inner
            .delete_session(uri, session_id, auth_header, self.with(custom_headers))
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        self.inner
            .get_stream(
                uri,
                session_id,
                last_event_id,
                auth_header,
                self.with(custom_headers),
            )
            .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        self.inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                self.with(custom_headers),
                max_sse_event_size,
            )
            .await
    }
}
