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
    /// `state` (`open`, `closed`).
    pub open: bool,
    /// Whether the head lives in another repository (a fork).
    pub from_fork: bool,
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

/// A pull request object (of a single fetch or a listing), read strictly.
fn pull_from(v: &Value, path: &str) -> Result<PullRequest, ApiError> {
    let number = v
        .get("number")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed(path, "a pull request has no `number`".into()))?;
    let login = v
        .pointer("/user/login")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(path, format!("pull request #{number} has no `user.login`")))?;
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
                    .ok_or_else(|| malformed(path, "an assignee has no login".into()))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(malformed(path, "`assignees` is not an array".into())),
    };
    let head_repo = v.pointer("/head/repo/full_name").and_then(Value::as_str);
    let base_repo = v.pointer("/base/repo/full_name").and_then(Value::as_str);
    Ok(PullRequest {
        number,
        base_sha: sha_at(v, "/base/sha", path)?,
        head_sha: sha_at(v, "/head/sha", path)?,
        author: login.to_string(),
        // An account without a type is not known to be a person.
        author_type: if kind.is_empty() {
            "Unknown".into()
        } else {
            kind.to_string()
        },
        assignees,
        open: v.get("state").and_then(Value::as_str) != Some("closed"),
        // A deleted head repository (`head.repo: null`) is a fork's.
        from_fork: v.pointer("/head/repo/fork").and_then(Value::as_bool) == Some(true)
            || v.pointer("/head/repo").is_some_and(Value::is_null)
            || matches!((head_repo, base_repo), (Some(h), Some(b)) if !h.eq_ignore_ascii_case(b)),
    })
}

/// `GET /repos/{repo}/pulls/{number}`.
pub async fn pull_request(api: &Api, number: u64) -> Result<PullRequest, ApiError> {
    let path = format!("/repos/{}/pulls/{number}", api.repo);
    let v = api.get(&path).await?;
    let pr = pull_from(&v, &path)?;
    if pr.number != number {
        return Err(malformed(
            &path,
            format!("asked for #{number}, GitHub answered #{}", pr.number),
        ));
    }
    Ok(pr)
}

/// The open pull requests whose head is `sha`, found through the API (the
/// triggering run's own list is never read). `owner:branch` narrows the
/// first search; when it finds nothing, every open pull request is listed.
pub async fn open_pulls_with_head(
    api: &Api,
    sha: &str,
    owner_branch: Option<(&str, &str)>,
) -> Result<Vec<PullRequest>, ApiError> {
    let base = format!("/repos/{}/pulls", api.repo);
    let mut searches = Vec::new();
    if let Some((owner, branch)) = owner_branch {
        searches.push(format!(
            "{base}?state=open&head={}",
            url::form_urlencoded::byte_serialize(format!("{owner}:{branch}").as_bytes())
                .collect::<String>()
        ));
    }
    searches.push(format!("{base}?state=open"));
    for path in searches {
        let items = api.list(&path).await?;
        let mut found = Vec::new();
        for item in &items {
            let pr = pull_from(item, &path)?;
            if pr.open && pr.head_sha.eq_ignore_ascii_case(sha) {
                found.push(pr);
            }
        }
        if !found.is_empty() {
            found.sort_by_key(|p| p.number);
            return Ok(found);
        }
    }
    Ok(Vec::new())
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

/// What an account may do in the repository, as GitHub's collaborator
/// permission API says (`admin`, `write`, `read`, `none`; `maintain` shows
/// as `write`, `triage` as `read`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// `permission`.
    pub permission: String,
    /// `role_name`, when given.
    pub role: Option<String>,
}

impl Permission {
    /// Whether the account can push: only then does GitHub count its review.
    pub fn can_write(&self) -> bool {
        matches!(self.permission.as_str(), "admin" | "write")
    }
}

/// `GET /repos/{repo}/collaborators/{login}/permission`. An account GitHub
/// does not know as a collaborator (404) has permission `none`.
pub async fn permission(api: &Api, login: &str) -> Result<Permission, ApiError> {
    let path = format!(
        "/repos/{}/collaborators/{}/permission",
        api.repo,
        url::form_urlencoded::byte_serialize(login.as_bytes()).collect::<String>()
    );
    match api.get(&path).await {
        Ok(v) => {
            let permission = v
                .get("permission")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(&path, "no `permission`".into()))?
                .to_ascii_lowercase();
            Ok(Permission {
                permission,
                role: v
                    .get("role_name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        }
        Err(e) if e.status() == Some(404) => Ok(Permission {
            permission: "none".into(),
            role: None,
        }),
        Err(mut e) => {
            if let ApiError::Status {
                status: 403, hint, ..
            } = &mut e
            {
                hint.push_str("; reading a reviewer's permission needs a token that may (the workflow's GITHUB_TOKEN may; a personal token needs push access)");
            }
            Err(e)
        }
    }
}

/// The login the token acts as, when GitHub tells: `GET /user` answers for
/// user tokens; installation tokens (GITHUB_TOKEN, GitHub Apps) are asked
/// through GraphQL's `viewer`. `None` when neither says.
pub async fn whoami(api: &Api) -> Option<String> {
    if let Ok(v) = api.get("/user").await
        && let Some(l) = v.get("login").and_then(Value::as_str)
    {
        return Some(l.to_string());
    }
    let v = api
        .graphql("query { viewer { login } }", serde_json::json!({}))
        .await
        .ok()?;
    v.pointer("/viewer/login")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// One entry of a merge queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The pull request.
    pub number: u64,
    /// The entry's own commit (the group's state up to this pull request).
    pub head_commit: String,
}

const QUEUE_QUERY: &str =
    "query($owner: String!, $name: String!, $branch: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: $branch) {
      entries(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { headCommit { oid } pullRequest { number } }
      }
    }
  }
}";

/// The entries of `branch`'s merge queue (GraphQL: REST has no merge queue).
pub async fn merge_queue(api: &Api, branch: &str) -> Result<Vec<QueueEntry>, ApiError> {
    let (owner, name) = api.repo.split_once('/').unwrap_or((api.repo.as_str(), ""));
    let path = format!("graphql mergeQueue(branch: {branch:?})");
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let data = api
            .graphql(
                QUEUE_QUERY,
                serde_json::json!({"owner": owner, "name": name, "branch": branch, "after": after}),
            )
            .await?;
        let entries = match data.pointer("/repository/mergeQueue") {
            Some(Value::Null) | None => {
                return Err(malformed(
                    &path,
                    format!("branch {branch} has no merge queue GitHub will show this token"),
                ));
            }
            Some(q) => q
                .get("entries")
                .ok_or_else(|| malformed(&path, "no `entries`".into()))?,
        };
        let nodes = entries
            .get("nodes")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(&path, "no `entries.nodes`".into()))?;
        for n in nodes {
            out.push(QueueEntry {
                number: n
                    .pointer("/pullRequest/number")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| malformed(&path, "an entry has no pull request".into()))?,
                head_commit: sha_at(n, "/headCommit/oid", &path)?,
            });
        }
        let more = entries
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !more {
            return Ok(out);
        }
        after = entries
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        if after.is_none() {
            return Err(ApiError::Truncated {
                path,
                message: "a next page without a cursor".into(),
            });
        }
    }
    Err(ApiError::Truncated {
        path,
        message: "more than 100 pages".into(),
    })
}

/// The commit at the tip of `branch`, as GitHub reports it.
pub async fn branch_tip(api: &Api, branch: &str) -> Result<String, ApiError> {
    let path = format!(
        "/repos/{}/branches/{}",
        api.repo,
        branch
            .split('/')
            .map(|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())
            .collect::<Vec<_>>()
            .join("/")
    );
    let v = api.get(&path).await?;
    sha_at(&v, "/commit/sha", &path)
}
