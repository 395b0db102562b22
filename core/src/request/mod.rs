//! The one request builder. `test`, `check`, the gate and the hooks all
//! describe a request as a [`Req`] (who, which action, on what, with which
//! context and sign-offs) and this module turns it into a Cedar request and
//! the entities it needs: `File`s get their `Dir` chain, principals their
//! teams, runtime resources their attributes, and every context field the
//! caller left out gets its default (no sign-off, not confirmed, the type's
//! empty value).

use std::collections::HashSet;

use cedar_policy::{Context, Entities, Entity, EntityUid, Request, Schema};
use serde_json::{Map, Value};
use thiserror::Error;

mod context;
mod entities;
pub mod shell;
mod spec;
mod url;

use context::direct_context;
pub use entities::file_entities;
pub use spec::{RequestSpec, parse_action};
pub use url::{UrlParts, parse_url};

use crate::policy::PolicyStore;
use crate::vocab::{Principal, Resource, Signer, SyntaxError, action_uid};

/// A request, described the way agentgate's callers know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Req {
    /// Who.
    pub principal: Principal,
    /// Action id (`modify`, `post`, ...).
    pub action: String,
    /// On what.
    pub resource: Resource,
    /// Context fields the caller knows; the rest get defaults.
    pub context: Map<String, Value>,
    /// Whose sign-off counts (fills `context.signoff` and
    /// `context.approvals` unless given).
    pub signoff: Vec<Signer>,
}

/// A request could not be built.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RequestError {
    /// A principal, resource or action string is not understood.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// Cedar rejected the request, context or entities (with the schema).
    #[error("{0}")]
    Cedar(String),
}

pub(crate) fn syntax(message: impl Into<String>) -> RequestError {
    RequestError::Syntax(SyntaxError(message.into()))
}

/// The Cedar pieces of a built request.
#[derive(Debug, Clone)]
pub struct Built {
    /// The request.
    pub request: Request,
    /// Every entity it needs (principal, teams, resource and its parents,
    /// sign-off, actions).
    pub entities: Entities,
    /// The context as sent, defaults included.
    pub context: Map<String, Value>,
}

/// Builds Cedar requests and entities for one policy store.
pub struct Builder<'a> {
    store: &'a PolicyStore,
    extra: Vec<Entity>,
    extra_uids: HashSet<EntityUid>,
    /// Validate entities against the schema (always, when any came from
    /// outside agentgate).
    validate: bool,
    actions: Vec<Entity>,
}

impl<'a> Builder<'a> {
    /// A builder for `store`.
    pub fn new(store: &'a PolicyStore) -> Builder<'a> {
        Builder {
            store,
            extra: Vec::new(),
            extra_uids: HashSet::new(),
            validate: true,
            actions: Vec::new(),
        }
    }

    /// A builder that does not re-validate the entities it generates itself
    /// (no extra entities) against the schema, for bulk evaluation in the
    /// gate and audit. Policies are validated against the same schema, and
    /// an entity that does not fit makes its policy error, which denies:
    /// the saving costs no safety.
    pub fn trusted(store: &'a PolicyStore) -> Builder<'a> {
        let actions = store
            .schema
            .action_entities()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default();
        Builder {
            validate: false,
            actions,
            ..Builder::new(store)
        }
    }

    /// A builder that also adds `extra` entities (e.g. from a test suite);
    /// an extra entity replaces the one agentgate would generate.
    pub fn with_extra(store: &'a PolicyStore, extra: Vec<Entity>) -> Builder<'a> {
        let extra_uids = extra.iter().map(Entity::uid).collect();
        Builder {
            store,
            extra,
            extra_uids,
            validate: true,
            actions: Vec::new(),
        }
    }

    /// The store it builds for.
    pub fn store(&self) -> &'a PolicyStore {
        self.store
    }

    fn schema(&self) -> &Schema {
        &self.store.schema
    }

    /// Build one request and its entities.
    pub fn build(&self, req: &Req) -> Result<Built, RequestError> {
        let (request, context) = self.request(req)?;
        let entities = self.entities(std::slice::from_ref(req))?;
        Ok(Built {
            request,
            entities,
            context,
        })
    }

    /// Build the Cedar request (context filled) without entities: for
    /// callers that build one entity set for many requests.
    pub fn request(&self, req: &Req) -> Result<(Request, Map<String, Value>), RequestError> {
        let action = action_uid(&req.action)
            .ok_or_else(|| syntax(format!("action `{}` is not a valid id", req.action)))?;
        if !self.schema().actions().any(|a| *a == action) {
            let mut known: Vec<String> = self
                .schema()
                .actions()
                .map(|a| a.id().unescaped().to_string())
                .collect();
            known.sort();
            return Err(syntax(format!(
                "the schema has no action `{}` (it has: {})",
                req.action,
                known.join(", ")
            )));
        }
        let context = self.fill_context(req, &action)?;
        let principal = req.principal.uid()?;
        let resource = req.resource.uid()?;
        // Fast path: plain JSON values become Cedar values directly, and
        // `Request::new` validates them against the schema. Anything it
        // rejects (e.g. a string the schema types as an extension value)
        // goes through Cedar's schema-directed JSON parser, the reference.
        if let Some(ctx) = direct_context(&context)
            && let Ok(request) = Request::new(
                principal.clone(),
                action.clone(),
                resource.clone(),
                ctx,
                Some(self.schema()),
            )
        {
            return Ok((request, context));
        }
        let ctx = Context::from_json_value(
            Value::Object(context.clone()),
            Some((self.schema(), &action)),
        )
        .map_err(|e| {
            RequestError::Cedar(format!(
                "context {}: {}",
                Value::Object(context.clone()),
                flatten(&e)
            ))
        })?;
        let request = Request::new(
            principal,
            action.clone(),
            resource,
            ctx,
            Some(self.schema()),
        )
        .map_err(|e| {
            let mut m = flatten(&e);
            if let Some(why) = self.context_mismatch(&action, &context) {
                m.push_str(&format!(" ({why})"));
            }
            RequestError::Cedar(m)
        })?;
        Ok((request, context))
    }
}

pub(crate) fn flatten(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let m = c.to_string();
        if !s.contains(&m) {
            s = format!("{s}: {m}");
        }
        cause = c.source();
    }
    s
}
