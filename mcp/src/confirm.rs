//! Asking the human: a call the policies want confirmed is put to the
//! client as an MCP elicitation (`elicitation/create`, form mode) with a
//! message saying what will happen and why it needs confirming, and a
//! schema of one required boolean, `confirm`.
//!
//! Only an answer of `accept` with `confirm: true` confirms. Decline,
//! cancel, `confirm: false`, no answer within the timeout, a client that
//! did not declare the `elicitation` capability, or a failure to ask: the
//! call is denied, saying how to approve it. A confirmation nobody can
//! answer is a deny (never widen).

use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::{ElicitationMode, RequestContext};
use rmcp::{Peer, RoleServer, ServiceError};

/// The client's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Confirmed: judge the call again as confirmed.
    Confirmed,
    /// Not confirmed, and why (a clause: "you declined it").
    Refused(String),
}

/// The property the human ticks.
pub const CONFIRM: &str = "confirm";

/// Ask the client's human `question`, waiting at most `timeout`.
pub async fn ask(ctx: &RequestContext<RoleServer>, question: &str, timeout: Duration) -> Asked {
    let peer: &Peer<RoleServer> = &ctx.peer;
    if !peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Asked::Refused(
            "the MCP client cannot ask you, as it did not declare the `elicitation` capability"
                .to_string(),
        );
    }
    let schema = match ElicitationSchema::builder()
        .required_bool_property(CONFIRM, |b| {
            b.title("Confirm")
                .description("Let this call run, as the policies ask a human to confirm")
        })
        .build()
    {
        Ok(s) => s,
        Err(e) => return Asked::Refused(format!("agentgate could not build the question: {e}")),
    };
    let asking = peer.create_elicitation_with_timeout(
        ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: question.to_string(),
            requested_schema: schema,
        },
        Some(timeout),
    );
    let answer = tokio::select! {
        a = asking => a,
        _ = ctx.ct.cancelled() => return Asked::Refused("the client cancelled the call".to_string()),
    };
    match answer {
        Ok(r) => match r.action {
            ElicitationAction::Accept => {
                let ticked = r
                    .content
                    .as_ref()
                    .and_then(|c| c.get(CONFIRM))
                    .and_then(serde_json::Value::as_bool);
                if ticked == Some(true) {
                    Asked::Confirmed
                } else {
                    Asked::Refused("you answered without confirming".to_string())
                }
            }
            ElicitationAction::Decline => Asked::Refused("you declined it".to_string()),
            ElicitationAction::Cancel => Asked::Refused("the question was cancelled".to_string()),
            _ => Asked::Refused(
                "the MCP client answered something agentgate does not know".to_string(),
            ),
        },
        Err(ServiceError::Timeout { .. }) => {
            Asked::Refused(format!("nobody answered within {} s", timeout.as_secs()))
        }
        Err(e) => Asked::Refused(format!("the MCP client could not ask you: {e}")),
    }
}
