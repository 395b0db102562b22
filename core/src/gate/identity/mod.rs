//! Who is behind a commit (DESIGN §4): the agents involved, found from the
//! author, the committer, attribution trailers and message markers, matched
//! against the agent catalog. Matching only ever adds agent involvement:
//! names, e-mails and trailers are forgeable, so they can prove an agent was
//! involved, never that none was.

use serde::Serialize;

use crate::git::{CommitMeta, Person};
use crate::policy::catalog::Catalog;
use crate::policy::config::AgentConfig;

/// The GitHub login a `<id>+<login>@users.noreply.github.com` (or
/// `<login>@users.noreply.github.com`) address encodes.
pub fn noreply_login(p: &Person) -> Option<String> {
    let email = p.email.to_ascii_lowercase();
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let login = match local.split_once('+') {
        Some((id, login)) if id.chars().all(|c| c.is_ascii_digit()) => login,
        _ => local,
    };
    (!login.is_empty()).then(|| login.to_string())
}

/// The human a commit is judged as: its author's account (when the forge
/// links one), else the login of a GitHub noreply address, else the author
/// e-mail.
pub fn human_login(meta: &CommitMeta, account: Option<&str>) -> String {
    if let Some(a) = account {
        return a.to_ascii_lowercase();
    }
    noreply_login(&meta.author).unwrap_or_else(|| meta.author.email.to_ascii_lowercase())
}

/// One reason an agent is involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentHit {
    /// Catalog id (or a derived id for an unknown bot or tool).
    pub id: String,
    /// How it was recognised: "author e-mail", "Co-authored-by trailer", ...
    pub via: String,
}

/// Who is behind a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Involvement {
    /// Agents involved, each once (first reason kept), in order found.
    pub agents: Vec<AgentHit>,
    /// People the message names in trailers (co-authors, sign-offs,
    /// reviewers, testers, anyone in a `*-by:` trailer or with an e-mail
    /// address): none of them may sign off an agent commit that names them.
    pub named: Vec<Person>,
}

impl Involvement {
    /// Whether any agent is involved.
    pub fn has_agents(&self) -> bool {
        !self.agents.is_empty()
    }

    fn add(&mut self, id: &str, via: String) {
        if !self.agents.iter().any(|a| a.id == id) {
            self.agents.push(AgentHit {
                id: id.to_string(),
                via,
            });
        }
    }
}

/// Trailer keys whose value is a person (`Name <email>`).
const PERSON_TRAILERS: &[&str] = &["co-authored-by", "co-developed-by", "signed-off-by"];
/// Trailer keys that attribute work to a tool: always agent involvement.
const TOOL_TRAILERS: &[&str] = &[
    "assisted-by",
    "generated-by",
    "ai-assisted",
    "ai-tool",
    "ai-generated",
    "made-with",
];

/// Tool trailers that any tool may write, not only AI tools.
const GENERIC_TOOL_TRAILERS: &[&str] = &["made-with", "generated-by"];

/// `Key: value` lines of a message that look like trailers. Every line is
/// considered, not only the last paragraph: a trailer can only add agent
/// involvement, so reading more of them can only make the gate stricter.
pub fn trailers(message: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for line in message.lines() {
        // A key is 1 to 40 ASCII letters, digits and dashes at the start of
        // the line, then (after any whitespace) the colon. Checked from the
        // front, so the long lines of a changelog cost only a few bytes.
        let n = line
            .bytes()
            .take(41)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if n == 0 || n > 40 {
            continue;
        }
        let (key, rest) = line.split_at(n);
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        out.push((key, value.trim()));
    }
    out
}

/// The agent a person (author, committer or co-author) is, if any: a catalog
/// match (an exact e-mail first, then the login of a GitHub noreply
/// address, then names, name suffixes and prefixes, then a name that is a
/// catalog bot's login, as in `dependabot[bot] <support@github.com>`), an
/// unknown bot (`<login>[bot]` as noreply login or name), or a name ending
/// in a model in parentheses (`Jane (claude-sonnet-4)`, as tools write
/// their co-author names).
pub fn agent_of(catalog: &Catalog, p: &Person) -> Option<String> {
    let agents = catalog.agents();
    let by = |f: &dyn Fn(&AgentConfig) -> bool| agents.iter().find(|a| f(a)).map(|a| a.id.clone());
    let login = noreply_login(p);
    let name = p.name.trim();
    let name_lower = name.to_ascii_lowercase();
    by(&|a| !p.email.is_empty() && a.emails.iter().any(|e| e.eq_ignore_ascii_case(&p.email)))
        .or_else(|| {
            let l = login.as_deref()?;
            by(&|a| a.logins.iter().any(|x| x.eq_ignore_ascii_case(l)))
        })
        .or_else(|| by(&|a| a.names.iter().any(|n| n == name)))
        .or_else(|| {
            by(&|a| {
                a.name_suffixes
                    .iter()
                    .any(|s| !s.is_empty() && name.ends_with(s.as_str()))
            })
        })
        .or_else(|| {
            by(&|a| {
                a.name_prefixes
                    .iter()
                    .any(|s| !s.is_empty() && name_lower.starts_with(&s.to_ascii_lowercase()))
            })
        })
        .or_else(|| {
            by(&|a| {
                a.logins
                    .iter()
                    .any(|l| l.ends_with("[bot]") && l.eq_ignore_ascii_case(name))
            })
        })
        .or_else(|| {
            login?
                .strip_suffix("[bot]")
                .map(|bot| format!("{bot}[bot]"))
        })
        .or_else(|| {
            (name_lower.ends_with("[bot]") && !name_lower.contains(char::is_whitespace))
                .then(|| name_lower.clone())
        })
        .or_else(|| model_in_name(catalog, name))
}

/// `Jane Doe (gpt-4o)` -> the agent the model names (`gpt-4o`, or the
/// catalog agent it is).
fn model_in_name(catalog: &Catalog, name: &str) -> Option<String> {
    let inner = name.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let model = inner[open + 1..].trim();
    if model.is_empty() || model.len() > 80 {
        return None;
    }
    match catalog.names_ai(model)? {
        Some(agent) => Some(agent.id.clone()),
        None => Some(tool_id(model, "model")),
    }
}

/// Identify the agents behind a commit.
pub fn identify(catalog: &Catalog, meta: &CommitMeta) -> Involvement {
    let mut inv = Involvement::default();
    for (role, p) in [("author", &meta.author), ("committer", &meta.committer)] {
        if let Some(id) = agent_of(catalog, p) {
            inv.add(&id, format!("{role} {}", p.display()));
        }
    }
    let subject = meta.message.lines().next().unwrap_or("");
    for (key, value) in trailers(&meta.message) {
        let k = key.to_ascii_lowercase();
        if PERSON_TRAILERS.contains(&k.as_str()) {
            let p = Person::parse(value);
            if let Some(id) = agent_of(catalog, &p) {
                inv.add(&id, format!("{key} trailer {}", p.display()));
            }
        }
        if names_a_person(&k, value) {
            let p = Person::parse(value);
            if !p.name.is_empty() || !p.email.is_empty() {
                inv.named.push(p);
            }
        }
        for a in catalog.agents() {
            let hit = a.trailers.iter().any(|t| match t.split_once(':') {
                Some((tk, tv)) => {
                    let tv = tv.trim().as_bytes();
                    tk.trim().eq_ignore_ascii_case(key)
                        && value
                            .as_bytes()
                            .get(..tv.len())
                            .is_some_and(|head| head.eq_ignore_ascii_case(tv))
                }
                None => t.trim().eq_ignore_ascii_case(key),
            });
            if hit {
                inv.add(&a.id, format!("{key} trailer"));
            }
        }
        if TOOL_TRAILERS.contains(&k.as_str()) {
            let v = value.to_ascii_lowercase();
            if matches!(v.as_str(), "no" | "false" | "none" | "n/a" | "") {
                continue;
            }
            // `Made-with:` and `Generated-by:` are any tool's keys: they make
            // an agent only when they name an AI tool or model ("Made-with:
            // love and coffee" does not). The AI-specific keys always do.
            let id = match catalog.names_ai(value) {
                Some(Some(a)) => a.id.clone(),
                Some(None) => tool_id(value, &k),
                None if GENERIC_TOOL_TRAILERS.contains(&k.as_str()) => continue,
                None => tool_id(value, &k),
            };
            inv.add(&id, format!("{key} trailer: {value}"));
        }
    }
    for a in catalog.agents() {
        if a.message_markers.iter().any(|m| {
            !m.is_empty() && memchr::memmem::find(meta.message.as_bytes(), m.as_bytes()).is_some()
        }) {
            inv.add(&a.id, "message marker".into());
        }
        if a.subject_prefixes
            .iter()
            .any(|m| !m.is_empty() && subject.starts_with(m.as_str()))
        {
            inv.add(&a.id, "subject prefix".into());
        }
    }
    inv
}

/// Whether a trailer names a person: a person trailer, any `*-by` trailer
/// whose value is not a tool, or any value with an e-mail address.
fn names_a_person(key: &str, value: &str) -> bool {
    if PERSON_TRAILERS.contains(&key) {
        return true;
    }
    let has_email = value
        .rfind('<')
        .zip(value.rfind('>'))
        .is_some_and(|(a, b)| a < b && value[a..b].contains('@'));
    has_email || (key.ends_with("-by") && !TOOL_TRAILERS.contains(&key))
}

/// An id for a tool named in a trailer the catalog does not know:
/// `Assisted-by: GPT-5:o3 [tools]` -> `gpt-5`.
fn tool_id(value: &str, key: &str) -> String {
    let first: String = value
        .split(|c: char| c.is_whitespace() || c == ':' || c == '[' || c == '(' || c == ',')
        .find(|s| !s.is_empty())
        .unwrap_or(key)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect::<String>()
        .to_ascii_lowercase();
    if first.is_empty() || matches!(first.as_str(), "yes" | "true") {
        key.to_string()
    } else {
        first
    }
}

#[cfg(test)]
mod tests;
