//! The one request builder. `test`, `check`, the gate and the hooks all
//! describe a request as a [`Req`] (who, which action, on what, with which
//! context and sign-offs) and this module turns it into a Cedar request and
//! the entities it needs: `File`s get their `Dir` chain, principals their
//! teams, runtime resources their attributes, and every context field the
//! caller left out gets its default (no sign-off, not confirmed, the type's
//! empty value).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Request, RestrictedExpression,
    Schema,
};
use cedar_policy_core::validator::types::{EntityKind, Type};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::command;
use crate::policy::PolicyStore;
use crate::policy::schema::{action_uid, cedar_string};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// An agent, by catalog id.
    Agent(String),
    /// A human, by login (lower-case).
    Human(String),
    /// Any other entity, by uid.
    Other(String),
}

/// How git stores a path.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file.
    #[default]
    File,
    /// A regular file with the executable bit.
    Executable,
    /// A symbolic link.
    Symlink,
    /// A submodule (gitlink).
    Submodule,
}

impl FileKind {
    /// The `File.kind` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Executable => "executable",
            FileKind::Symlink => "symlink",
            FileKind::Submodule => "submodule",
        }
    }
}

/// What is acted on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// A path: repository-relative (`a/b.rs`), or absolute (`/etc/x`) for a
    /// file outside the repository at run time.
    File {
        /// The path, as git stores it (non-UTF-8 bytes escaped as `\xNN`).
        path: String,
        /// How it is stored.
        kind: FileKind,
    },
    /// Any other entity, by uid text (`Url::"https://..."`).
    Entity(String),
}

/// Someone whose sign-off counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signer {
    /// A human, by login.
    Human(String),
    /// A hypothetical member of a team (used to ask "whose sign-off would
    /// turn this deny into an allow?").
    TeamMember(String),
}

impl Signer {
    fn key(&self) -> String {
        match self {
            Signer::Human(l) => l.clone(),
            Signer::TeamMember(t) => format!("team:{t}"),
        }
    }

    /// Parse `login` or `team:<name>`.
    pub fn parse(s: &str) -> Signer {
        match s.strip_prefix("team:") {
            Some(t) => Signer::TeamMember(t.to_string()),
            None => Signer::Human(s.to_ascii_lowercase()),
        }
    }
}

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
    #[error("{0}")]
    Syntax(String),
    /// Cedar rejected the request, context or entities (with the schema).
    #[error("{0}")]
    Cedar(String),
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

/// Marker of hypothetical team members' ids (logins never contain spaces).
const MEMBER_PREFIX: &str = "<a member of ";

impl Principal {
    /// Parse `agent:<id>`, `human:<login>`, or a Cedar uid (`Agent::"x"`).
    pub fn parse(s: &str) -> Result<Principal, RequestError> {
        let s = s.trim();
        if let Some(id) = s.strip_prefix("agent:") {
            return nonempty(id, s).map(|id| Principal::Agent(id.to_string()));
        }
        if let Some(login) = s.strip_prefix("human:") {
            return nonempty(login, s).map(|l| Principal::Human(l.to_ascii_lowercase()));
        }
        match s.parse::<EntityUid>() {
            Ok(uid) => Ok(match uid.type_name().to_string().as_str() {
                "Agent" => Principal::Agent(uid.id().unescaped().to_string()),
                "Human" => Principal::Human(uid.id().unescaped().to_ascii_lowercase()),
                _ => Principal::Other(s.to_string()),
            }),
            Err(_) => Err(RequestError::Syntax(format!(
                "principal `{s}` is not understood: write `agent:<id>`, `human:<login>`, or a Cedar uid such as Agent::\"copilot\""
            ))),
        }
    }

    /// The Cedar uid text.
    pub fn uid_text(&self) -> String {
        match self {
            Principal::Agent(id) => format!("Agent::{}", cedar_string(id)),
            Principal::Human(l) => format!("Human::{}", cedar_string(l)),
            Principal::Other(s) => s.clone(),
        }
    }

    /// The Cedar uid.
    pub fn uid(&self) -> Result<EntityUid, RequestError> {
        match self {
            Principal::Agent(id) => uid("Agent", id),
            Principal::Human(l) => uid("Human", l),
            Principal::Other(s) => parse_uid(s, "principal"),
        }
    }

    /// Short display: `agent:copilot`, `human:alice`.
    pub fn display(&self) -> String {
        match self {
            Principal::Agent(id) => format!("agent:{id}"),
            Principal::Human(l) => format!("human:{l}"),
            Principal::Other(s) => s.clone(),
        }
    }
}

fn nonempty<'a>(v: &'a str, whole: &str) -> Result<&'a str, RequestError> {
    if v.trim().is_empty() {
        Err(RequestError::Syntax(format!("`{whole}` names nobody")))
    } else {
        Ok(v.trim())
    }
}

impl Resource {
    /// Parse a Cedar uid (`Url::"https://x"`), or else a path (which becomes
    /// a `File`).
    pub fn parse(s: &str) -> Result<Resource, RequestError> {
        if s.is_empty() {
            return Err(RequestError::Syntax("resource is empty".into()));
        }
        if s.contains("::\"")
            && let Ok(uid) = s.parse::<EntityUid>()
        {
            if uid.type_name().to_string() == "File" {
                return Ok(Resource::File {
                    path: uid.id().unescaped().to_string(),
                    kind: FileKind::File,
                });
            }
            return Ok(Resource::Entity(s.to_string()));
        }
        let path = s.strip_prefix("./").unwrap_or(s);
        if path.is_empty() || path.ends_with('/') {
            return Err(RequestError::Syntax(format!(
                "resource `{s}` is a directory; name a file (or a Cedar uid such as Url::\"https://example.com\")"
            )));
        }
        Ok(Resource::File {
            path: path.to_string(),
            kind: FileKind::File,
        })
    }

    /// A non-file resource `Type::"id"`, whatever characters `id` holds.
    pub fn entity(ty: &str, id: &str) -> Resource {
        Resource::Entity(format!("{ty}::{}", cedar_string(id)))
    }

    /// The Cedar uid text.
    pub fn uid_text(&self) -> String {
        match self {
            Resource::File { path, .. } => format!("File::{}", cedar_string(path)),
            Resource::Entity(s) => s.clone(),
        }
    }

    /// The Cedar uid.
    pub fn uid(&self) -> Result<EntityUid, RequestError> {
        match self {
            Resource::File { path, .. } => uid("File", path),
            Resource::Entity(s) => parse_uid(s, "resource"),
        }
    }

    /// Short display: a path, or the uid.
    pub fn display(&self) -> String {
        match self {
            Resource::File { path, .. } => path.clone(),
            Resource::Entity(s) => s.clone(),
        }
    }
}

/// Parse an action: `modify` or `Action::"modify"`.
pub fn parse_action(s: &str) -> Result<String, RequestError> {
    let s = s.trim();
    if s.starts_with("Action::") {
        return s
            .parse::<EntityUid>()
            .map(|u| u.id().unescaped().to_string())
            .map_err(|e| RequestError::Syntax(format!("action `{s}`: {e}")));
    }
    if s.is_empty() {
        return Err(RequestError::Syntax("action is empty".into()));
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
        let action = action_uid(&req.action).ok_or_else(|| {
            RequestError::Syntax(format!("action `{}` is not a valid id", req.action))
        })?;
        if !self.schema().actions().any(|a| *a == action) {
            let mut known: Vec<String> = self
                .schema()
                .actions()
                .map(|a| a.id().unescaped().to_string())
                .collect();
            known.sort();
            return Err(RequestError::Syntax(format!(
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

    /// Which context field does not fit the action's declared context, in
    /// words (Cedar's own message elides the context).
    fn context_mismatch(&self, action: &EntityUid, ctx: &Map<String, Value>) -> Option<String> {
        let Some(Type::Record { attrs, .. }) = self.schema().as_ref().context_type(action.as_ref())
        else {
            return None;
        };
        for (k, v) in ctx {
            let Some((_, a)) = attrs.iter().find(|(n, _)| n.as_str() == k) else {
                return Some(format!("`{k}` is not a context field of this action"));
            };
            let fits = match &*a.attr_type {
                Type::Bool(_) => v.is_boolean(),
                Type::Long => v.is_i64(),
                Type::String => v.is_string(),
                Type::Set { .. } => v.is_array(),
                Type::Record { .. } => v.is_object(),
                _ => true,
            };
            if !fits {
                return Some(format!("`{k}` should be of type {}", a.attr_type));
            }
        }
        None
    }

    /// One entity set serving every request in `reqs`.
    pub fn entities(&self, reqs: &[Req]) -> Result<Entities, RequestError> {
        let mut out: HashMap<EntityUid, Entity> = HashMap::new();
        for e in &self.extra {
            out.insert(e.uid(), e.clone());
        }
        let mut add = |e: Entity| {
            let uid = e.uid();
            if !self.extra_uids.contains(&uid) {
                out.entry(uid).or_insert(e);
            }
        };
        for t in self.store.config.teams.keys() {
            add(self.team_entity(t)?);
        }
        let mut seen_signoffs = HashSet::new();
        for req in reqs {
            for e in self.principal_entities(&req.principal)? {
                add(e);
            }
            for e in self.resource_entities(&req.resource)? {
                add(e);
            }
            let key = signoff_id(&req.signoff);
            if seen_signoffs.insert(key.clone()) && self.action_has_signoff(&req.action) {
                for e in self.signoff_entities(&key, &req.signoff)? {
                    add(e);
                }
            }
        }
        if self.validate || self.actions.is_empty() {
            Entities::from_entities(out.into_values(), Some(self.schema()))
        } else {
            Entities::from_entities(out.into_values().chain(self.actions.iter().cloned()), None)
        }
        .map_err(|e| RequestError::Cedar(flatten(&e)))
    }

    fn action_has_signoff(&self, action: &str) -> bool {
        matches!(
            self.context_type(action).as_deref(),
            Some(Type::Record { attrs, .. }) if attrs.iter().any(|(k, _)| k.as_str() == "signoff")
        )
    }

    fn context_type(&self, action: &str) -> Option<Arc<Type>> {
        let uid = action_uid(action)?;
        self.schema()
            .as_ref()
            .context_type(uid.as_ref())
            .map(|t| Arc::new(t.clone()))
    }

    fn fill_context(
        &self,
        req: &Req,
        action: &EntityUid,
    ) -> Result<Map<String, Value>, RequestError> {
        let mut ctx = req.context.clone();
        let Some(Type::Record { attrs, .. }) = self.schema().as_ref().context_type(action.as_ref())
        else {
            return Ok(ctx);
        };
        let command = match (&req.resource, req.action.as_str()) {
            (Resource::Entity(uid), _) if uid.starts_with("Command::") => {
                parse_uid(uid, "resource")
                    .ok()
                    .map(|u| command::analyze(u.id().unescaped()))
            }
            _ => None,
        };
        for (name, attr) in attrs.iter() {
            let name = name.as_str();
            if ctx.contains_key(name) || !attr.is_required {
                continue;
            }
            let value = match (name, &command) {
                ("signoff", _) if is_entity(&attr.attr_type, "SignOff") => {
                    json!({"__entity": {"type": "SignOff", "id": signoff_id(&req.signoff)}})
                }
                ("approvals", _) if matches!(*attr.attr_type, Type::Long) => {
                    json!(req.signoff.len())
                }
                ("force_push", Some(c)) => json!(c.force_push),
                ("recursive_delete", Some(c)) => json!(c.recursive_delete),
                ("pipe_to_shell", Some(c)) => json!(c.pipe_to_shell),
                ("elevated", Some(c)) => json!(c.elevated),
                ("changes_permissions", Some(c)) => json!(c.changes_permissions),
                _ => default_value(&attr.attr_type).ok_or_else(|| {
                    RequestError::Syntax(format!(
                        "context field `{name}` of action `{}` has no default (its type is {}); give it in the request's context",
                        req.action, attr.attr_type
                    ))
                })?,
            };
            ctx.insert(name.to_string(), value);
        }
        Ok(ctx)
    }

    fn team_entity(&self, team: &str) -> Result<Entity, RequestError> {
        let parents = self
            .store
            .config
            .parent_teams(team)
            .into_iter()
            .map(|t| uid("Team", t))
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(Entity::new_no_attrs(uid("Team", team)?, parents))
    }

    fn teams_of(&self, names: &[&str]) -> Result<HashSet<EntityUid>, RequestError> {
        let mut teams = BTreeSet::new();
        for n in names {
            teams.extend(self.store.config.teams_of(n));
        }
        teams.into_iter().map(|t| uid("Team", t)).collect()
    }

    fn principal_entities(&self, p: &Principal) -> Result<Vec<Entity>, RequestError> {
        match p {
            Principal::Agent(id) => {
                let entry = self.store.catalog.get(id);
                let login = entry
                    .and_then(|a| a.logins.first().cloned())
                    .unwrap_or_else(|| id.clone());
                let mut names: Vec<&str> = vec![id.as_str()];
                if let Some(a) = entry {
                    names.extend(a.logins.iter().map(String::as_str));
                }
                let parents = self.teams_of(&names)?;
                let mut attrs = vec![
                    ("login", RestrictedExpression::new_string(login)),
                    (
                        "vendor",
                        RestrictedExpression::new_string(self.store.catalog.vendor(id)),
                    ),
                ];
                // `kind` (ai / automation) where the schema declares it: a
                // schema written before it existed still works.
                if self.store.agent_kind_attr {
                    attrs.push((
                        "kind",
                        RestrictedExpression::new_string(
                            self.store.catalog.kind(id).as_str().to_string(),
                        ),
                    ));
                }
                Ok(vec![entity(uid("Agent", id)?, attrs, parents)?])
            }
            Principal::Human(login) => Ok(vec![self.human(login)?]),
            Principal::Other(_) => Ok(Vec::new()),
        }
    }

    fn human(&self, login: &str) -> Result<Entity, RequestError> {
        let parents = self.teams_of(&[login])?;
        entity(
            uid("Human", login)?,
            vec![("login", RestrictedExpression::new_string(login.to_string()))],
            parents,
        )
    }

    fn signoff_entities(&self, id: &str, signers: &[Signer]) -> Result<Vec<Entity>, RequestError> {
        let mut out = Vec::new();
        let mut parents = HashSet::new();
        for s in signers {
            match s {
                Signer::Human(login) => {
                    out.push(self.human(login)?);
                    parents.insert(uid("Human", login)?);
                }
                Signer::TeamMember(team) => {
                    let member = format!("{MEMBER_PREFIX}{team}>");
                    out.push(entity(
                        uid("Human", &member)?,
                        vec![("login", RestrictedExpression::new_string(member.clone()))],
                        [uid("Team", team)?].into_iter().collect(),
                    )?);
                    parents.insert(uid("Human", &member)?);
                }
            }
        }
        out.push(Entity::new_no_attrs(uid("SignOff", id)?, parents));
        Ok(out)
    }

    fn resource_entities(&self, r: &Resource) -> Result<Vec<Entity>, RequestError> {
        match r {
            Resource::File { path, kind } => file_entities(path, *kind),
            Resource::Entity(text) => {
                let u = parse_uid(text, "resource")?;
                let id = u.id().unescaped().to_string();
                let ty = u.type_name().to_string();
                let s = RestrictedExpression::new_string;
                Ok(match ty.as_str() {
                    "Url" => {
                        let parsed = parse_url(&id);
                        let mut out = host_entities(&parsed.host)?;
                        let parents = if parsed.host.is_empty() {
                            HashSet::new()
                        } else {
                            [uid("Host", &parsed.host)?].into_iter().collect()
                        };
                        out.push(entity(
                            u,
                            vec![
                                ("url", s(id.clone())),
                                ("scheme", s(parsed.scheme)),
                                ("host", s(parsed.host)),
                                ("path", s(parsed.path)),
                            ],
                            parents,
                        )?);
                        out
                    }
                    "Host" => host_entities(&id)?,
                    "Command" => {
                        let facts = command::analyze(&id);
                        vec![entity(
                            u,
                            vec![("line", s(id.clone())), ("program", s(facts.program))],
                            HashSet::new(),
                        )?]
                    }
                    "Tool" => {
                        let (server, name) = split_tool(&id);
                        let mut out = Vec::new();
                        let mut parents = HashSet::new();
                        if !server.is_empty() {
                            let su = uid("ToolServer", &server)?;
                            out.push(Entity::new_no_attrs(su.clone(), HashSet::new()));
                            parents.insert(su);
                        }
                        out.push(entity(
                            u,
                            vec![("name", s(name)), ("server", s(server))],
                            parents,
                        )?);
                        out
                    }
                    "Channel" | "Item" => {
                        let (kind, name) = match id.split_once(':') {
                            Some((k, n)) => (k.to_string(), n.to_string()),
                            None => (String::new(), id.clone()),
                        };
                        vec![entity(
                            u,
                            vec![("name", s(name)), ("kind", s(kind))],
                            HashSet::new(),
                        )?]
                    }
                    "Query" => vec![entity(u, vec![("text", s(id))], HashSet::new())?],
                    "Dir" => dir_chain(&id)?,
                    "Agent" => self.principal_entities(&Principal::Agent(id))?,
                    "Human" => vec![self.human(&id.to_ascii_lowercase())?],
                    "Team" => vec![self.team_entity(&id)?],
                    _ => vec![Entity::new_no_attrs(u, HashSet::new())],
                })
            }
        }
    }
}

/// A context of plain values (booleans, integers, strings, entity refs in
/// `{"__entity": ...}` form, sets and records of those) as Cedar values;
/// `None` for anything else.
fn direct_context(ctx: &Map<String, Value>) -> Option<Context> {
    fn value(v: &Value) -> Option<RestrictedExpression> {
        Some(match v {
            Value::Bool(b) => RestrictedExpression::new_bool(*b),
            Value::Number(n) => RestrictedExpression::new_long(n.as_i64()?),
            Value::String(s) => RestrictedExpression::new_string(s.clone()),
            Value::Array(items) => {
                RestrictedExpression::new_set(items.iter().map(value).collect::<Option<Vec<_>>>()?)
            }
            Value::Object(m) if m.contains_key("__extn") || m.contains_key("__expr") => {
                return None;
            }
            Value::Object(m) if m.contains_key("__entity") => {
                let e = m.get("__entity")?;
                let uid = uid(e.get("type")?.as_str()?, e.get("id")?.as_str()?).ok()?;
                RestrictedExpression::new_entity_uid(uid)
            }
            Value::Object(m) => RestrictedExpression::new_record(
                m.iter()
                    .map(|(k, v)| Some((k.clone(), value(v)?)))
                    .collect::<Option<Vec<_>>>()?,
            )
            .ok()?,
            Value::Null => return None,
        })
    }
    let pairs = ctx
        .iter()
        .map(|(k, v)| Some((k.clone(), value(v)?)))
        .collect::<Option<Vec<_>>>()?;
    Context::from_pairs(pairs).ok()
}

/// The SignOff entity id for a set of signers (deterministic, so equal
/// signer sets share one entity).
fn signoff_id(signers: &[Signer]) -> String {
    let mut keys: Vec<String> = signers.iter().map(Signer::key).collect();
    keys.sort();
    keys.dedup();
    keys.join(",")
}

fn is_entity(t: &Type, name: &str) -> bool {
    match t {
        Type::Entity(EntityKind::Entity(lub)) => lub
            .get_single_entity()
            .is_some_and(|e| e.to_string() == name),
        _ => false,
    }
}

/// The empty value of a schema type; `None` for entities and extension
/// types, which have no meaningful empty value.
fn default_value(t: &Type) -> Option<Value> {
    Some(match t {
        Type::Bool(_) => json!(false),
        Type::Long => json!(0),
        Type::String => json!(""),
        Type::Set { .. } => json!([]),
        Type::Record { attrs, .. } => {
            let mut m = Map::new();
            for (k, a) in attrs.iter() {
                if a.is_required {
                    m.insert(k.to_string(), default_value(&a.attr_type)?);
                }
            }
            Value::Object(m)
        }
        _ => return None,
    })
}

fn flatten(e: &dyn std::error::Error) -> String {
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

fn parse_uid(text: &str, what: &str) -> Result<EntityUid, RequestError> {
    text.parse::<EntityUid>().map_err(|e| {
        RequestError::Syntax(format!("{what} `{text}` is not a Cedar entity uid: {e}"))
    })
}

/// `Type::"id"` as a uid. The type name is parsed once per thread and
/// type; the id needs no parsing at all.
pub fn uid(ty: &str, id: &str) -> Result<EntityUid, RequestError> {
    thread_local! {
        static TYPES: std::cell::RefCell<HashMap<String, EntityTypeName>> = std::cell::RefCell::new(HashMap::new());
    }
    let name = TYPES.with(|cache| {
        if let Some(n) = cache.borrow().get(ty) {
            return Ok(n.clone());
        }
        let n: EntityTypeName = ty
            .parse()
            .map_err(|e| RequestError::Syntax(format!("`{ty}` is not an entity type name: {e}")))?;
        cache.borrow_mut().insert(ty.to_string(), n.clone());
        Ok(n)
    })?;
    Ok(EntityUid::from_type_name_and_id(name, EntityId::new(id)))
}

fn entity(
    u: EntityUid,
    attrs: Vec<(&str, RestrictedExpression)>,
    parents: HashSet<EntityUid>,
) -> Result<Entity, RequestError> {
    Entity::new(
        u,
        attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        parents,
    )
    .map_err(|e| RequestError::Cedar(flatten(&e)))
}

/// The `Dir` a path's file is directly in: `a/b/c` -> `a/b/`, `c` -> ``,
/// `/etc/x` -> `/etc/`.
pub fn parent_dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// `Dir` entities from `dir` up to the root (`""`, or `"/"` for absolute
/// paths).
fn dir_chain(dir: &str) -> Result<Vec<Entity>, RequestError> {
    let mut out = Vec::new();
    let mut cur = dir.to_string();
    loop {
        let parent = if cur.is_empty() || cur == "/" {
            None
        } else {
            Some(parent_dir(cur.strip_suffix('/').unwrap_or(&cur)).to_string())
        };
        let parents = match &parent {
            Some(p) => [uid("Dir", p)?].into_iter().collect(),
            None => HashSet::new(),
        };
        out.push(Entity::new_no_attrs(uid("Dir", &cur)?, parents));
        match parent {
            Some(p) => cur = p,
            None => break,
        }
    }
    Ok(out)
}

/// The `File` entity for a path and its `Dir` chain.
pub fn file_entities(path: &str, kind: FileKind) -> Result<Vec<Entity>, RequestError> {
    let dir = parent_dir(path);
    let name = &path[dir.len()..];
    let ext = match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    };
    let s = RestrictedExpression::new_string;
    let mut out = dir_chain(dir)?;
    out.push(entity(
        uid("File", path)?,
        vec![
            ("path", s(path.to_string())),
            ("name", s(name.to_string())),
            ("ext", s(ext.to_string())),
            ("kind", s(kind.as_str().to_string())),
        ],
        [uid("Dir", dir)?].into_iter().collect(),
    )?);
    Ok(out)
}

/// `Host` entities: `api.github.com` in `github.com` in `com`. IP addresses
/// and single labels have no parents.
fn host_entities(host: &str) -> Result<Vec<Entity>, RequestError> {
    if host.is_empty() {
        return Ok(Vec::new());
    }
    let is_ip = host.contains(':') || host.chars().all(|c| c.is_ascii_digit() || c == '.');
    let labels: Vec<&str> = host.split('.').collect();
    let mut out = Vec::new();
    for i in 0..labels.len() {
        let name = labels[i..].join(".");
        let parents = if is_ip || i + 1 >= labels.len() {
            HashSet::new()
        } else {
            [uid("Host", &labels[i + 1..].join("."))?]
                .into_iter()
                .collect()
        };
        out.push(Entity::new_no_attrs(uid("Host", &name)?, parents));
        if is_ip {
            break;
        }
    }
    Ok(out)
}

/// Parts of a URL that policies match on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParts {
    /// `https`.
    pub scheme: String,
    /// Lower-case host, without user info or port.
    pub host: String,
    /// Path (without query or fragment), `/` when empty.
    pub path: String,
}

/// Split a URL into scheme, host and path as a browser would (the WHATWG
/// URL standard, by the `url` crate): `https://evil.com\\@github.com/` is
/// host `evil.com`. A URL that does not parse has an empty host and
/// scheme, and its text as the path: no host-based rule can match it.
pub fn parse_url(text: &str) -> UrlParts {
    match url::Url::parse(text.trim()) {
        Ok(u) => UrlParts {
            scheme: u.scheme().to_string(),
            host: match u.host() {
                Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
                Some(url::Host::Ipv4(a)) => a.to_string(),
                Some(url::Host::Ipv6(a)) => a.to_string(),
                None => String::new(),
            },
            path: if u.path().is_empty() {
                "/".to_string()
            } else {
                u.path().to_string()
            },
        },
        Err(_) => UrlParts {
            scheme: String::new(),
            host: String::new(),
            path: text.to_string(),
        },
    }
}

/// `mcp__server__tool` -> (`server`, `tool`); anything else -> (``, id).
pub fn split_tool(id: &str) -> (String, String) {
    if let Some(rest) = id.strip_prefix("mcp__")
        && let Some((server, tool)) = rest.split_once("__")
    {
        return (server.to_string(), tool.to_string());
    }
    (String::new(), id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse() {
        assert_eq!(
            Principal::parse("agent:copilot").unwrap(),
            Principal::Agent("copilot".into())
        );
        assert_eq!(
            Principal::parse("human:Alice").unwrap(),
            Principal::Human("alice".into())
        );
        assert_eq!(
            Principal::parse("Agent::\"x\"").unwrap(),
            Principal::Agent("x".into())
        );
        assert!(Principal::parse("alice").is_err());
        assert!(Principal::parse("agent:").is_err());
    }

    #[test]
    fn resources_parse() {
        assert_eq!(
            Resource::parse("./src/a.rs").unwrap(),
            Resource::File {
                path: "src/a.rs".into(),
                kind: FileKind::File
            }
        );
        assert_eq!(
            Resource::parse("Url::\"https://x\"").unwrap(),
            Resource::Entity("Url::\"https://x\"".into())
        );
        assert!(Resource::parse("src/").is_err());
    }

    #[test]
    fn urls_split_as_browsers_do() {
        let u = parse_url("HTTPS://user@API.GitHub.com:443/repos/x?y=1#z");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "api.github.com");
        assert_eq!(u.path, "/repos/x");
        assert_eq!(parse_url("http://[::1]:8080").host, "::1");
        // The WHATWG parser's reading, not a hand-written one's.
        assert_eq!(parse_url("https://evil.com\\@github.com/").host, "evil.com");
        assert_eq!(parse_url("https://github.com@evil.com/").host, "evil.com");
        assert_eq!(parse_url("https://evil.com#@github.com").host, "evil.com");
        assert_eq!(parse_url("https://0x7f.1/").host, "127.0.0.1");
        assert_eq!(parse_url("https://GITHUB.com./x").host, "github.com");
        // No scheme: not a URL, no host to match.
        assert_eq!(parse_url("example.com").host, "");
    }

    #[test]
    fn dir_chains() {
        let ids: Vec<String> = dir_chain("a/b/")
            .unwrap()
            .iter()
            .map(|e| e.uid().id().unescaped().to_string())
            .collect();
        assert_eq!(ids, vec!["a/b/", "a/", ""]);
        let ids: Vec<String> = dir_chain("/etc/")
            .unwrap()
            .iter()
            .map(|e| e.uid().id().unescaped().to_string())
            .collect();
        assert_eq!(ids, vec!["/etc/", "/"]);
    }

    #[test]
    fn tools_split() {
        assert_eq!(
            split_tool("mcp__gmail__delete_mail"),
            ("gmail".into(), "delete_mail".into())
        );
        assert_eq!(split_tool("Bash"), ("".into(), "Bash".into()));
    }
}
