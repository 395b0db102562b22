//! Who acts, and whose sign-off counts.

use cedar_policy::EntityUid;

use super::SyntaxError;
use super::uid::{cedar_string, parse_uid, uid};

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
    /// A stable key: the login, or `team:<name>`.
    pub fn key(&self) -> String {
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

impl Principal {
    /// Parse `agent:<id>`, `human:<login>`, or a Cedar uid (`Agent::"x"`).
    pub fn parse(s: &str) -> Result<Principal, SyntaxError> {
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
            Err(_) => Err(SyntaxError(format!(
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
    pub fn uid(&self) -> Result<EntityUid, SyntaxError> {
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

fn nonempty<'a>(v: &'a str, whole: &str) -> Result<&'a str, SyntaxError> {
    if v.trim().is_empty() {
        Err(SyntaxError(format!("`{whole}` names nobody")))
    } else {
        Ok(v.trim())
    }
}
