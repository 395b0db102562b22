//! The proxy as the client's MCP server: everything passes through to the
//! server except what the policies judge.
//!
//! - `tools/call`: judged ([`crate::judge`]). Allow: forwarded. Deny: the
//!   server never sees it; the client gets a tool result with `isError:
//!   true` naming the deciding policies and their intent. Confirm: asked of
//!   the client's human ([`crate::confirm`]), forwarded only once confirmed
//!   and allowed as confirmed.
//! - `tools/list`: forwarded, and the tools no call of which could ever be
//!   allowed are taken out ([`crate::hiding`]); pages and cursors pass as
//!   they are. When a reload of the policies may change the list, the
//!   client is told (`notifications/tools/list_changed`).
//! - Everything else (prompts, resources, completion, logging, custom
//!   methods, notifications) passes through, with the client's progress
//!   tokens and cancellations carried across (rmcp keeps the client's
//!   request ids on its side; the proxy numbers its own to the server).
//!
//! A failure of the server (gone, or no answer within the server timeout)
//! is a JSON-RPC error for that request; the proxy keeps serving.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::HeaderMap;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, CallToolResult,
    CancelledNotificationParam, ClientNotification, ClientRequest, CompleteRequest,
    CompleteRequestParams, CompleteResult, ContentBlock, CustomNotification, CustomRequest,
    CustomResult, GetMeta, GetPromptRequest, GetPromptRequestParams, GetPromptResponse,
    InitializeRequestParams, InitializeResult, ListPromptsRequest, ListPromptsResult,
    ListResourceTemplatesRequest, ListResourceTemplatesResult, ListResourcesRequest,
    ListResourcesResult, ListToolsRequest, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequest, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, ServerResult, SetLevelRequest, SetLevelRequestParams,
    SubscribeRequest, SubscribeRequestParams, UnsubscribeRequest, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio::sync::OnceCell;

use crate::confirm::{Asked, ask};
use crate::error::from_server;
use crate::judge::{HOW_TO_APPROVE, Judge, Ruling};
use crate::relay::Link;
use crate::upstream::{Backend, Forwarded, Upstream, connect, note_headers};

/// How long to wait, for what.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For a human to answer a confirmation.
    pub confirm: Duration,
    /// For the server to answer a request (restarted by its progress
    /// notifications) or to complete the handshake.
    pub server: Duration,
}

/// One client session: its server connection and what it shares with it.
pub struct Session {
    judge: Arc<Judge>,
    timeouts: Timeouts,
    backend: Backend,
    link: Arc<Link>,
    upstream: OnceCell<Arc<Upstream>>,
    forwarded: Forwarded,
    id: String,
    /// The policy load the client last listed tools under (0: never).
    listed: AtomicU64,
}

/// The proxy for one client session (cheap to clone).
#[derive(Clone)]
pub struct Proxy(Arc<Session>);

/// Session ids for the decision log: this process, then a counter.
fn next_session() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "mcp-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed) + 1
    )
}

impl Proxy {
    /// A session not yet connected to its server (it connects when the
    /// client initializes).
    pub fn new(judge: Arc<Judge>, backend: Backend, timeouts: Timeouts) -> Proxy {
        let label = format!("the MCP server {}", backend.label());
        Proxy(Arc::new(Session {
            judge,
            timeouts,
            backend,
            link: Link::new(label),
            upstream: OnceCell::new(),
            forwarded: Arc::new(RwLock::new(HeaderMap::new())),
            id: next_session(),
            listed: AtomicU64::new(0),
        }))
    }

    /// Connect to the server now (stdio: before the client is served, so a
    /// server that cannot start stops the proxy with a message).
    pub async fn connect(&self) -> Result<(), crate::error::ProxyError> {
        let s = &self.0;
        let up = connect(
            &s.backend,
            Arc::clone(&s.link),
            Arc::clone(&s.forwarded),
            s.timeouts.server,
        )
        .await?;
        let _ = s.upstream.set(Arc::new(up));
        Ok(())
    }

    /// Close the connection to the server.
    pub async fn close(&self) {
        if let Some(up) = self.0.upstream.get() {
            up.close().await;
        }
    }

    fn label(&self) -> &str {
        &self.0.link.label
    }

    /// The connected server, connecting first if need be.
    async fn upstream(&self) -> Result<&Arc<Upstream>, ErrorData> {
        let s = &self.0;
        s.upstream
            .get_or_try_init(|| async {
                connect(
                    &s.backend,
                    Arc::clone(&s.link),
                    Arc::clone(&s.forwarded),
                    s.timeouts.server,
                )
                .await
                .map(Arc::new)
                .map_err(|e| ErrorData::internal_error(format!("agentgate: {e}"), None))
            })
            .await
    }

    /// Remember the HTTP headers of this request, to pass them on.
    fn note(&self, ctx: &RequestContext<RoleServer>) {
        if let Some(parts) = ctx.extensions.get::<http::request::Parts>() {
            note_headers(&self.0.forwarded, &parts.headers);
        }
    }

    /// Send a request to the server and wait for its answer, carrying the
    /// client's progress token and cancellation across.
    async fn forward(
        &self,
        mut req: ClientRequest,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        self.note(ctx);
        let up = self.upstream().await?;
        *req.get_meta_mut() = ctx.meta.clone();
        let options =
            PeerRequestOptions::with_timeout(self.0.timeouts.server).reset_timeout_on_progress();
        let handle = up
            .peer
            .send_request_with_option(req, options)
            .await
            .map_err(|e| from_server(self.label(), e))?;
        let ours = handle.progress_token.clone();
        let theirs = ctx.meta.get_progress_token();
        if let Some(t) = &theirs
            && let Ok(mut map) = self.0.link.progress.lock()
        {
            map.insert(ours.clone(), t.clone());
        }
        let id = handle.id.clone();
        let out = tokio::select! {
            r = handle.await_response() => r.map_err(|e| from_server(self.label(), e)),
            _ = ctx.ct.cancelled() => {
                let _ = up
                    .peer
                    .notify_cancelled(CancelledNotificationParam::new(
                        Some(id),
                        Some("cancelled by the MCP client".to_string()),
                    ))
                    .await;
                Err(ErrorData::internal_error("cancelled by the MCP client", None))
            }
        };
        if theirs.is_some()
            && let Ok(mut map) = self.0.link.progress.lock()
        {
            map.remove(&ours);
        }
        out
    }

    /// Tell the client to list tools again when the policies were reloaded
    /// since it last listed them; checked every second while the client is
    /// connected.
    fn watch_policies(&self) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let Some(client) = me.0.link.client.get() else {
                    continue;
                };
                if client.is_transport_closed() {
                    return;
                }
                let listed = me.0.listed.load(Ordering::Relaxed);
                if listed == 0 {
                    continue;
                }
                let now = me.0.judge.policies().current().generation + 1;
                if now != listed {
                    me.0.listed.store(now, Ordering::Relaxed);
                    let _ = client.notify_tool_list_changed().await;
                }
            }
        });
    }

    /// A call the policies refuse: a tool result the model reads, not a
    /// protocol error.
    fn refused(reason: String) -> CallToolResponse {
        CallToolResult::error(vec![ContentBlock::text(reason)]).into()
    }
}

fn unexpected(what: &str) -> ErrorData {
    ErrorData::internal_error(
        format!("agentgate: the MCP server answered {what} with something else"),
        None,
    )
}

impl ServerHandler for Proxy {
    fn get_info(&self) -> ServerConfig {
        match self.0.upstream.get() {
            Some(up) => up.info.clone(),
            None => ServerConfig::new(ServerCapabilities::builder().enable_tools().build()),
        }
    }

    // The lifecycle with `initialize`, where a server may ask the client
    // (elicitation) during a call.
    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2025_11_25))
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        self.note(&ctx);
        let _ = self.0.link.client.set(ctx.peer.clone());
        ctx.peer.set_peer_info(request.clone());
        self.upstream().await?;
        self.watch_policies();
        self.negotiate_initialize(&request)
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let judge = &self.0.judge;
        let args = params.arguments.clone().unwrap_or_default();
        match judge.judge(&params.name, args, &self.0.id) {
            Ruling::Allow => {}
            Ruling::Deny(reason) => return Ok(Self::refused(reason)),
            Ruling::Confirm(pending) => {
                let reason = pending.reason.trim_end_matches('.');
                if let Some(why) = &pending.nobody_asks {
                    return Ok(Self::refused(format!(
                        "{reason}. Nobody can confirm it here: {why}. So it is denied; {HOW_TO_APPROVE}"
                    )));
                }
                match ask(&ctx, &pending.question, self.0.timeouts.confirm).await {
                    Asked::Confirmed => {
                        if let Err(why) = judge.confirmed(&pending) {
                            return Ok(Self::refused(why.to_string()));
                        }
                    }
                    Asked::Refused(why) => {
                        return Ok(Self::refused(format!(
                            "{reason}. It was not confirmed: {why}. So it is denied; {HOW_TO_APPROVE}"
                        )));
                    }
                }
            }
        }
        let req = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        match self.forward(req, &ctx).await? {
            ServerResult::CallToolResult(r) => Ok(r.into()),
            _ => Err(unexpected("tools/call")),
        }
    }

    async fn list_tools(
        &self,
        params: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let req = ClientRequest::ListToolsRequest(ListToolsRequest {
            method: Default::default(),
            params,
            extensions: Default::default(),
        });
        let generation = self.0.judge.policies().current().generation + 1;
        match self.forward(req, &ctx).await? {
            ServerResult::ListToolsResult(mut r) => {
                self.0.judge.keep_visible(&mut r.tools, |t| &t.name);
                self.0.listed.store(generation, Ordering::Relaxed);
                Ok(r)
            }
            _ => Err(unexpected("tools/list")),
        }
    }

    async fn complete(
        &self,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let req = ClientRequest::CompleteRequest(CompleteRequest::new(params));
        match self.forward(req, &ctx).await? {
            ServerResult::CompleteResult(r) => Ok(r),
            _ => Err(unexpected("completion/complete")),
        }
    }

    async fn set_level(
        &self,
        params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let req = ClientRequest::SetLevelRequest(SetLevelRequest::new(params));
        self.forward(req, &ctx).await.map(|_| ())
    }

    async fn get_prompt(
        &self,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let req = ClientRequest::GetPromptRequest(GetPromptRequest::new(params));
        match self.forward(req, &ctx).await? {
            ServerResult::GetPromptResult(r) => Ok(r.into()),
            _ => Err(unexpected("prompts/get")),
        }
    }

    async fn list_prompts(
        &self,
        params: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let req = ClientRequest::ListPromptsRequest(ListPromptsRequest {
            method: Default::default(),
            params,
            extensions: Default::default(),
        });
        match self.forward(req, &ctx).await? {
            ServerResult::ListPromptsResult(r) => Ok(r),
            _ => Err(unexpected("prompts/list")),
        }
    }

    async fn list_resources(
        &self,
        params: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let req = ClientRequest::ListResourcesRequest(ListResourcesRequest {
            method: Default::default(),
            params,
            extensions: Default::default(),
        });
        match self.forward(req, &ctx).await? {
            ServerResult::ListResourcesResult(r) => Ok(r),
            _ => Err(unexpected("resources/list")),
        }
    }

    async fn list_resource_templates(
        &self,
        params: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let req = ClientRequest::ListResourceTemplatesRequest(ListResourceTemplatesRequest {
            method: Default::default(),
            params,
            extensions: Default::default(),
        });
        match self.forward(req, &ctx).await? {
            ServerResult::ListResourceTemplatesResult(r) => Ok(r),
            _ => Err(unexpected("resources/templates/list")),
        }
    }

    async fn read_resource(
        &self,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let req = ClientRequest::ReadResourceRequest(ReadResourceRequest::new(params));
        match self.forward(req, &ctx).await? {
            ServerResult::ReadResourceResult(r) => Ok(r.into()),
            _ => Err(unexpected("resources/read")),
        }
    }

    async fn subscribe(
        &self,
        params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let req = ClientRequest::SubscribeRequest(SubscribeRequest::new(params));
        self.forward(req, &ctx).await.map(|_| ())
    }

    async fn unsubscribe(
        &self,
        params: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let req = ClientRequest::UnsubscribeRequest(UnsubscribeRequest::new(params));
        self.forward(req, &ctx).await.map(|_| ())
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        match self
            .forward(ClientRequest::CustomRequest(request), &ctx)
            .await?
        {
            ServerResult::CustomResult(r) => Ok(r),
            _ => Err(unexpected("a custom request")),
        }
    }

    async fn on_roots_list_changed(&self, _ctx: NotificationContext<RoleServer>) {
        if let Some(up) = self.0.upstream.get() {
            let _ = up.peer.notify_roots_list_changed().await;
        }
    }

    async fn on_custom_notification(
        &self,
        n: CustomNotification,
        _ctx: NotificationContext<RoleServer>,
    ) {
        if let Some(up) = self.0.upstream.get() {
            let _ = up
                .peer
                .send_notification(ClientNotification::CustomNotification(n))
                .await;
        }
    }
}
