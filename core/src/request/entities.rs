//! The entities a request needs: principals with their teams, the sign-off
//! and whose it is, `File`s with their `Dir` chain, `Url`s in their `Host`s,
//! and the attributes of every run-time resource.

use std::collections::{BTreeSet, HashMap, HashSet};

use cedar_policy::{Entities, Entity, EntityUid, RestrictedExpression};

use super::context::signoff_id;
use super::url::parse_url;
use super::{Builder, Principal, Req, RequestError, flatten, shell};
use crate::vocab::{FileKind, Resource, Signer, parent_dir, parse_uid, split_tool, uid};

impl Builder<'_> {
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

    /// Whether `entities` already holds the sign-off entities `req` needs
    /// (its `SignOff`, whose members come with it): a set built by
    /// [`Builder::entities`] for requests with the same signers serves it.
    pub fn holds_signoff_of(&self, entities: &Entities, req: &Req) -> bool {
        uid("SignOff", &signoff_id(&req.signoff)).is_ok_and(|u| entities.get(&u).is_some())
    }

    pub(super) fn team_entity(&self, team: &str) -> Result<Entity, RequestError> {
        let parents = self
            .store
            .config
            .parent_teams(team)
            .into_iter()
            .map(|t| uid("Team", t))
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(Entity::new_no_attrs(uid("Team", team)?, parents))
    }

    pub(super) fn teams_of(&self, names: &[&str]) -> Result<HashSet<EntityUid>, RequestError> {
        let mut teams = BTreeSet::new();
        for n in names {
            teams.extend(self.store.config.teams_of(n));
        }
        Ok(teams
            .into_iter()
            .map(|t| uid("Team", t))
            .collect::<Result<_, _>>()?)
    }

    pub(super) fn principal_entities(&self, p: &Principal) -> Result<Vec<Entity>, RequestError> {
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

    pub(super) fn human(&self, login: &str) -> Result<Entity, RequestError> {
        let parents = self.teams_of(&[login])?;
        entity(
            uid("Human", login)?,
            vec![("login", RestrictedExpression::new_string(login.to_string()))],
            parents,
        )
    }

    pub(super) fn signoff_entities(
        &self,
        id: &str,
        signers: &[Signer],
    ) -> Result<Vec<Entity>, RequestError> {
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

    pub(super) fn resource_entities(&self, r: &Resource) -> Result<Vec<Entity>, RequestError> {
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
                        let facts = shell::analyze(&id);
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

/// Marker of hypothetical team members' ids (logins never contain spaces).
pub(super) const MEMBER_PREFIX: &str = "<a member of ";

pub(super) fn entity(
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

/// `Dir` entities from `dir` up to the root (`""`, or `"/"` for absolute
/// paths).
pub(super) fn dir_chain(dir: &str) -> Result<Vec<Entity>, RequestError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
