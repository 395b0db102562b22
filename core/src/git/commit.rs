//! Commits as git records them: the people (name and e-mail) and the
//! message, as text. Owned by the git layer; who those people are is for
//! the gate to say.

use serde::Serialize;

/// A name and e-mail, as git records them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Person {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

impl Person {
    /// Parse `Name <email>` (as in trailers); the e-mail may be missing.
    pub fn parse(s: &str) -> Person {
        let s = s.trim();
        match (s.rfind('<'), s.rfind('>')) {
            (Some(a), Some(b)) if a < b => Person {
                name: s[..a].trim().to_string(),
                email: s[a + 1..b].trim().to_string(),
            },
            _ => Person {
                name: s.to_string(),
                email: String::new(),
            },
        }
    }

    /// `Name <email>`.
    pub fn display(&self) -> String {
        if self.email.is_empty() {
            self.name.clone()
        } else {
            format!("{} <{}>", self.name, self.email)
        }
    }
}

/// A commit as git stores it: who made it, its message and parents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitMeta {
    /// Full id.
    pub id: String,
    /// Author.
    pub author: Person,
    /// Committer.
    pub committer: Person,
    /// Full message.
    pub message: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}
