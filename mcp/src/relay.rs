//! The proxy as the MCP server's client: what the server sends on its own
//! (requests such as elicitation, sampling and roots; notifications such as
//! progress, logging and list changes) is relayed to the MCP client.
//!
//! Ids and progress tokens are per connection: rmcp numbers the requests
//! the proxy sends the server itself, so a progress notification from the
//! server carries the proxy's token and is relayed with the client's
//! ([`Link::progress`]); a cancellation is relayed by the side that knows
//! both ids, never verbatim. `tools/list_changed` is relayed as it is: the
//! client lists again, and the proxy judges the new list.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::model::{
    CancelledNotificationParam, ClientCapabilities, ClientConfig, ClientResult, ElicitResult,
    ElicitationAction, GetMeta, Implementation, ProgressToken, ProtocolVersion, ServerNotification,
    ServerRequest,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext};
use rmcp::{ErrorData, Peer, RoleClient, RoleServer, Service};

use crate::error::from_server;

/// What the two sides of one session share.
pub struct Link {
    /// The MCP client, once it has initialized.
    pub client: OnceLock<Peer<RoleServer>>,
    /// Progress tokens: the proxy's (sent to the server) -> the client's.
    pub progress: Mutex<HashMap<ProgressToken, ProgressToken>>,
    /// The server, for messages.
    pub label: String,
}

impl Link {
    /// A link for a session with the server named `label`.
    pub fn new(label: String) -> Arc<Link> {
        Arc::new(Link {
            client: OnceLock::new(),
            progress: Mutex::new(HashMap::new()),
            label,
        })
    }

    fn client_token(&self, ours: &ProgressToken) -> Option<ProgressToken> {
        self.progress.lock().ok()?.get(ours).cloned()
    }
}

/// The proxy's client side, facing the MCP server.
#[derive(Clone)]
pub struct Relay {
    /// The session.
    pub link: Arc<Link>,
}

/// What the proxy tells the server about itself: it can relay what the
/// client can do (checked per request, since the server is started before
/// the client says what it can do).
pub fn client_config() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::builder()
            .enable_elicitation()
            .enable_sampling()
            .enable_roots()
            .build(),
        Implementation::new("agentgate-mcp", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
}

impl Service<RoleClient> for Relay {
    async fn handle_request(
        &self,
        mut request: ServerRequest,
        ctx: RequestContext<RoleClient>,
    ) -> Result<ClientResult, ErrorData> {
        if matches!(request, ServerRequest::PingRequest(_)) {
            return Ok(ClientResult::empty(()));
        }
        let Some(client) = self.link.client.get().cloned() else {
            return Err(ErrorData::internal_error(
                "agentgate: no MCP client is connected yet",
                None,
            ));
        };
        if matches!(request, ServerRequest::ElicitRequest(_))
            && client.supported_elicitation_modes().is_empty()
        {
            // The client cannot be asked: nobody answers, which is a no.
            return Ok(ClientResult::ElicitResult(ElicitResult::new(
                ElicitationAction::Decline,
            )));
        }
        *request.get_meta_mut() = ctx.meta;
        let handle = client
            .send_request_with_option(request, PeerRequestOptions::no_options())
            .await
            .map_err(|e| from_server(&self.link.label, e))?;
        let id = handle.id.clone();
        tokio::select! {
            r = handle.await_response() => r.map_err(|e| from_server("the MCP client", e)),
            _ = ctx.ct.cancelled() => {
                let _ = client
                    .notify_cancelled(CancelledNotificationParam::new(Some(id), None))
                    .await;
                Err(ErrorData::internal_error("cancelled by the MCP server", None))
            }
        }
    }

    async fn handle_notification(
        &self,
        mut n: ServerNotification,
        ctx: NotificationContext<RoleClient>,
    ) -> Result<(), ErrorData> {
        let Some(client) = self.link.client.get() else {
            return Ok(());
        };
        match &mut n {
            // rmcp has already cancelled the request the server named.
            ServerNotification::CancelledNotification(_) => return Ok(()),
            ServerNotification::ProgressNotification(p) => {
                let Some(theirs) = self.link.client_token(&p.params.progress_token) else {
                    return Ok(());
                };
                p.params.progress_token = theirs;
            }
            _ => {}
        }
        if !ctx.meta.0.is_empty() {
            *n.get_meta_mut() = ctx.meta;
        }
        client
            .send_notification(n)
            .await
            .map_err(|e| from_server("the MCP client", e))
    }

    fn get_info(&self) -> ClientConfig {
        client_config()
    }
}
