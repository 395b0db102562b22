//! The facts agentgate asks GitHub for, read into agentgate-core's types:
//! the pull request, the accounts linked to commits, reviews and team
//! members. Each reader checks the documented shape and calls anything else
//! malformed (a block), never a default.

use std::collections::BTreeMap;

use crate::facts::{Account, CommitAccounts};
use agentgate_core::gate::signoff::Review;
use serde_json::Value;

use crate::api::{Api, ApiError};

/// What the gate needs of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// The pull request number.
    pub number: u64,
    /// `base.sha`.
    pub base_sha: String,
    /// `head.sha`.
    pub head_sha: String,
    /// `user.login`.
    pub author: String,
    /// `user.type` (`User`, `Bot`, ...).
    pub author_type: String,
    /// `assignees[].login`.
    pub assignees: Vec<String>,
}

fn malformed(path: &str, message: String) -> ApiError {
    ApiError::Malformed {
        method: "GET".into(),
        path: path.into(),
        message,
    }
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn sha_at(v: &Value, pointer: &str, path: &str) -> Result<String, ApiError> {
    match v.pointer(pointer).and_then(Value::as_str) {
        Some(s) if is_sha(s) => Ok(s.to_ascii_lowercase()),
        Some(s) => Err(malformed(
            path,
            format!("`{pointer}` is {s:?}, not a commit id"),
        )),
        None => Err(malformed(path, format!("no `{pointer}`"))),
    }
}

/// `GET /repos/{repo}/pulls/{number}`.
pub async fn pull_request(api: &Api, number: u64) -> Result<PullRequest, ApiError> {
    let path = format!("/repos/{}/pulls/{number}", api.repo);
    let v = api.get(&path).await?;
    let login = v
        .pointer("/user/login")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(&path, "no `user.login`".into()))?;
    let kind = v
        .pointer("/user/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let assignees = match v.get("assignees") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.get("login")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| malformed(&path, "an assignee has no login".into()))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(malformed(&path, "`assignees` is not an array".into())),
    };
    Ok(PullRequest {
        number,
        base_sha: sha_at(&v, "/base/sha", &path)?,
        head_sha: sha_at(&v, "/head/sha", &path)?,
        author: login.to_string(),
        // An account without a type is not known to be a person.
        author_type: if kind.is_empty() {
            "Unknown".into()
        } else {
            kind.to_string()
        },
        assignees,
    })
}

/// `GET /repos/{repo}/pulls/{number}/reviews`, every page.
pub async fn reviews(api: &Api, number: u64) -> Result<Vec<Review>, ApiError> {
    let path = format!("/repos/{}/pulls/{number}/reviews", api.repo);
    api.list(&path)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v)
                .map_err(|e| malformed(&path, format!("review #{}: {e}", i + 1)))
        })
        .collect()
}

/// The account GitHub links as `author` or `committer` of a listed commit
/// (`null` when the e-mail links to no account).
fn account(v: &Value, role: &str, path: &str) -> Result<Option<Account>, ApiError> {
    match v.get(role) {
        None | Some(Value::Null) => Ok(None),
        Some(a) if a.as_object().is_some_and(|o| o.is_empty()) => Ok(None),
        Some(a) => {
            let login = a
                .get("login")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(path, format!("a commit's `{role}` has no login")))?;
            let kind = a.get("type").and_then(Value::as_str).unwrap_or("Unknown");
            Ok(Some(Account {
                login: login.to_string(),
                kind: kind.to_string(),
            }))
        }
    }
}

fn links_of(items: Vec<Value>, path: &str) -> Result<BTreeMap<String, CommitAccounts>, ApiError> {
    let mut out = BTreeMap::new();
    for item in items {
        let sha = sha_at(&item, "/sha", path)?;
        out.insert(
            sha,
            CommitAccounts {
                author: account(&item, "author", path)?,
                committer: account(&item, "committer", path)?,
            },
        );
    }
    Ok(out)
}

/// Account links of a pull request's commits (GitHub lists at most 250).
pub async fn pull_commits(
    api: &Api,
    number: u64,
) -> Result<BTreeMap<String, CommitAccounts>, ApiError> {
    let path = format!("/repos/{}/pulls/{number}/commits", api.repo);
    let items = api.list(&path).await?;
    links_of(items, &path)
}

/// Account links of every commit in `base...head` (paginated, no cap).
pub async fn compare_commits(
    api: &Api,
    base: &str,
    head: &str,
) -> Result<BTreeMap<String, CommitAccounts>, ApiError> {
    let path = format!("/repos/{}/compare/{base}...{head}", api.repo);
    let (items, first) = api.list_in(&path, Some("commits")).await?;
    if let Some(total) = first.get("total_commits").and_then(Value::as_u64)
        && (items.len() as u64) < total
    {
        return Err(ApiError::Truncated {
            path,
            message: format!("{} of {total} commits listed", items.len()),
        });
    }
    links_of(items, &path)
}

/// Members (logins, lower-case) of the team `org/slug`.
pub async fn team_members(api: &Api, slug: &str) -> Result<Vec<String>, ApiError> {
    let Some((org, team)) = slug.split_once('/') else {
        return Err(ApiError::Setup(format!(
            "team {slug:?} is not `org/team-slug` (see [github.teams] in agentgate.toml)"
        )));
    };
    let path = format!("/orgs/{org}/teams/{team}/members");
    let items = api.list(&path).await.map_err(|mut e| {
        if let ApiError::Status {
            status: 403 | 404,
            hint,
            ..
        } = &mut e
        {
            hint.push_str(&format!(
                "; reading team {slug} needs a token that can see the organization's teams (a GitHub App or a token with `read:org`): the workflow's GITHUB_TOKEN cannot"
            ));
        }
        e
    })?;
    items
        .iter()
        .map(|m| {
            m.get("login")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| malformed(&path, "a member has no login".into()))
        })
        .collect()
}
