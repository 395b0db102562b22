//! Requests written as text: the shape `check --stdin`, test suites and
//! other harnesses use (`{"principal": "agent:copilot", "action": "modify",
//! "resource": ".github/workflows/ci.yml", ...}`).

use cedar_policy::EntityUid;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Req, RequestError, syntax};
use crate::vocab::{FileKind, Principal, Resource, Signer};

/// Parse an action: `modify` or `Action::"modify"`.
pub fn parse_action(s: &str) -> Result<String, RequestError> {
    let s = s.trim();
    if s.starts_with("Action::") {
        return s
            .parse::<EntityUid>()
            .map(|u| u.id().unescaped().to_string())
            .map_err(|e| syntax(format!("action `{s}`: {e}")));
    }
    if s.is_empty() {
        return Err(syntax("action is empty"));
    }
    Ok(s.to_string())
}

/// A request as text, the shape `check --stdin`, test suites and other
/// harnesses use: `principal` (`agent:<id>`, `human:<login>` or a Cedar
/// uid), `action`, `resource` (a path or a Cedar uid), optional `kind` of a
/// path, `context` and `signoff` (logins, or `team:<name>`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Who.
    pub principal: String,
    /// Action id.
    pub action: String,
    /// A path or a Cedar uid.
    pub resource: String,
    /// `File.kind` of a path resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FileKind>,
    /// Context fields (the rest get defaults).
    #[serde(default)]
    pub context: Map<String, Value>,
    /// Who signed off.
    #[serde(default)]
    pub signoff: Vec<String>,
}

impl RequestSpec {
    /// Parse into a [`Req`].
    pub fn to_req(&self) -> Result<Req, RequestError> {
        let principal = Principal::parse(&self.principal)?;
        let action = parse_action(&self.action)?;
        let mut resource = Resource::parse(&self.resource)?;
        if let (Resource::File { kind, .. }, Some(k)) = (&mut resource, self.kind) {
            *kind = k;
        }
        Ok(Req {
            principal,
            action,
            resource,
            context: self.context.clone(),
            signoff: self.signoff.iter().map(|s| Signer::parse(s)).collect(),
        })
    }
}
