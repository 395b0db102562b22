//! A fake GitHub for integration tests: a real HTTP/1.1 server on
//! 127.0.0.1 serving the documented REST shapes (items start from the
//! responses recorded from the real API, vendored in tests/data/github/api),
//! paginating with `Link` headers like GitHub, injecting faults on request,
//! and recording every request it was sent (with what was posted).
//!
//! (Past 500 lines: the routes, their recorded shapes and the fault
//! injection are one fake server, kept in one place.)

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path with query.
    pub target: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A canned failure: the next `times` requests matching `method` and a
/// path starting with `prefix` get `status`, `body` and `headers`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: String,
    pub prefix: String,
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    pub times: usize,
}

/// What the fake knows and what it was told.
#[derive(Debug, Default)]
pub struct State {
    /// `owner/name` it serves.
    pub repo: String,
    /// Pull requests by number (GitHub's pull request object).
    pub pulls: BTreeMap<u64, Value>,
    /// Commit listing items per pull request (GitHub returns at most 250).
    pub pull_commits: BTreeMap<u64, Vec<Value>>,
    /// Commit listing items of `base...head` comparisons.
    pub compare: BTreeMap<String, Vec<Value>>,
    /// Reviews per pull request.
    pub reviews: BTreeMap<u64, Vec<Value>>,
    /// Team members by `org/slug`.
    pub teams: BTreeMap<String, Vec<Value>>,
    /// Issue comments per pull request.
    pub comments: BTreeMap<u64, Vec<Value>>,
    /// Check runs created (with later PATCHes applied to `output.annotations`).
    pub check_runs: Vec<Value>,
    /// Commit statuses created.
    pub statuses: Vec<Value>,
    /// Faults still to inject.
    pub faults: Vec<Fault>,
    /// Every request received.
    pub requests: Vec<Recorded>,
    /// Serve unknown teams as empty instead of 404.
    pub unknown_teams_empty: bool,
    /// Largest page the fake serves (GitHub: 100).
    pub max_per_page: usize,
    /// Who the token acts as.
    pub identity: Identity,
    /// Repository permission per login (lower-case); a login not listed
    /// gets `default_permission` (`None`: 404, not a collaborator).
    pub permissions: BTreeMap<String, String>,
    /// What a login not in `permissions` has.
    pub default_permission: Option<String>,
    /// Merge queue entries per base branch: (pull request, entry commit).
    pub queue: BTreeMap<String, Vec<(u64, String)>>,
    /// Branch tips.
    pub branches: BTreeMap<String, String>,
    next_id: u64,
}

/// Who the fake's token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// An installation token (a GitHub App, or GITHUB_TOKEN: the App
    /// `github-actions`): `GET /user` is forbidden, check runs name the App.
    App(String),
    /// A personal token: `GET /user` answers; check runs are forbidden.
    User(String),
}

impl Default for Identity {
    fn default() -> Identity {
        Identity::App("github-actions".into())
    }
}

impl Identity {
    /// The account comments are written as.
    pub fn account(&self) -> (String, &'static str) {
        match self {
            Identity::App(slug) => (format!("{slug}[bot]"), "Bot"),
            Identity::User(login) => (login.clone(), "User"),
        }
    }
}

/// The running fake.
pub struct FakeGithub {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

/// The recorded fixtures.
pub fn fixtures_dir() -> PathBuf {
    super::repo_root().join("tests/data/github")
}

/// The `index`th response body of a recorded API fixture.
pub fn fixture_response(name: &str, index: usize) -> Value {
    let path = fixtures_dir().join("api").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).expect("fixture JSON");
    v[index]["response_body"].clone()
}

/// A webhook payload fixture.
pub fn webhook(name: &str) -> Value {
    let path = fixtures_dir().join("webhooks").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("webhook JSON")
}

/// A user object in GitHub's shape (from a recorded review's user).
pub fn user(login: &str, kind: &str) -> Value {
    let mut u = fixture_response("PullRequestReview.testAttributes.json", 0)[0]["user"].clone();
    u["login"] = json!(login);
    u["type"] = json!(kind);
    u["url"] = json!(format!("https://api.github.com/users/{login}"));
    u["html_url"] = json!(format!("https://github.com/{login}"));
    u
}

/// A review in GitHub's shape.
pub fn review(id: u64, login: &str, kind: &str, state: &str, commit: &str, at: &str) -> Value {
    let mut r = fixture_response("PullRequestReview.testAttributes.json", 0)[0].clone();
    r["id"] = json!(id);
    r["user"] = user(login, kind);
    r["state"] = json!(state);
    r["commit_id"] = json!(commit);
    r["submitted_at"] = json!(at);
    r
}

/// A commit listing item in GitHub's shape: `author`/`committer` are the
/// linked accounts (`None`: the e-mail links to no account).
pub fn commit_item(
    sha: &str,
    author: Option<(&str, &str)>,
    committer: Option<(&str, &str)>,
) -> Value {
    let mut c = fixture_response("PullRequest.testGetCommits.json", 0)[0].clone();
    c["sha"] = json!(sha);
    c["url"] = json!(format!("https://api.github.com/repos/o/r/commits/{sha}"));
    c["author"] = author.map_or(Value::Null, |(l, k)| user(l, k));
    c["committer"] = committer.map_or(Value::Null, |(l, k)| user(l, k));
    c
}

/// A pull request object in GitHub's shape (from the recorded webhook's
/// `pull_request`), with the given number, SHAs and author.
pub fn pull(number: u64, base: &str, head: &str, author: (&str, &str)) -> Value {
    let mut p = webhook("pull_request.opened.payload.json")["pull_request"].clone();
    p["number"] = json!(number);
    p["base"]["sha"] = json!(base);
    p["head"]["sha"] = json!(head);
    p["user"] = user(author.0, author.1);
    p["assignees"] = json!([]);
    p
}

impl FakeGithub {
    /// Start a fake serving `repo` (`owner/name`).
    pub fn start(repo: &str) -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            repo: repo.into(),
            max_per_page: 100,
            next_id: 1000,
            default_permission: Some("write".into()),
            ..State::default()
        }));
        let shared = state.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                let base = base.clone();
                std::thread::spawn(move || serve(stream, &shared, &base));
            }
        });
        FakeGithub { url, state }
    }

    /// Lock the state.
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Inject a fault.
    pub fn fail(
        &self,
        method: &str,
        prefix: &str,
        status: u16,
        headers: &[(&str, &str)],
        times: usize,
    ) {
        self.state().faults.push(Fault {
            method: method.into(),
            prefix: prefix.into(),
            status,
            body: json!({"message": format!("injected {status}"), "documentation_url": "https://docs.github.com/rest"}),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            times,
        });
    }

    /// Requests received, as `METHOD target`.
    pub fn calls(&self) -> Vec<String> {
        self.state()
            .requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.target))
            .collect()
    }
}

struct Request {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if let Some(n) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(n, 0);
        reader.read_exact(&mut body).ok()?;
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn serve(stream: TcpStream, shared: &Arc<Mutex<State>>, base: &str) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut out = write_half;
    // One request per connection (`connection: close`), as clients expect.
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    let (status, headers, body) = {
        let mut st = shared.lock().unwrap_or_else(|e| e.into_inner());
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        st.requests.push(Recorded {
            method: req.method.clone(),
            target: req.target.clone(),
            authorization: req.headers.get("authorization").cloned(),
            body: body.clone(),
        });
        respond(&mut st, &req, body, base)
    };
    let text = if body.is_null() && status == 204 {
        String::new()
    } else {
        body.to_string()
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
        reason(status),
        text.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

type Reply = (u16, Vec<(String, String)>, Value);

fn not_found() -> Reply {
    (
        404,
        Vec::new(),
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn query(target: &str) -> (String, BTreeMap<String, String>) {
    let (path, q) = target.split_once('?').unwrap_or((target, ""));
    let params = q
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (path.to_string(), params)
}

/// One page of `items` with GitHub's `Link` header.
fn page(
    st: &State,
    base: &str,
    path: &str,
    params: &BTreeMap<String, String>,
    items: &[Value],
) -> (Vec<Value>, Vec<(String, String)>) {
    let per = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, st.max_per_page.max(1));
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let last = items.len().div_ceil(per).max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    let mut links = Vec::new();
    let keep: String = params
        .iter()
        .filter(|(k, _)| *k != "page" && *k != "per_page")
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    let link = |n: usize, rel: &str| {
        format!("<{base}{path}?{keep}per_page={per}&page={n}>; rel=\"{rel}\"")
    };
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link(page - 1, "prev"));
    }
    let headers = if links.is_empty() {
        Vec::new()
    } else {
        vec![("link".to_string(), links.join(", "))]
    };
    (slice, headers)
}

fn respond(st: &mut State, req: &Request, body: Value, base: &str) -> Reply {
    if let Some(i) = st
        .faults
        .iter()
        .position(|f| f.method == req.method && req.target.starts_with(&f.prefix) && f.times > 0)
    {
        let f = &mut st.faults[i];
        f.times -= 1;
        return (f.status, f.headers.clone(), f.body.clone());
    }
    let (path, params) = query(&req.target);
    let repo_prefix = format!("/repos/{}/", st.repo);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if let Some(rest) = path.strip_prefix(&repo_prefix) {
        let r: Vec<&str> = rest.split('/').collect();
        let num = |s: &str| s.parse::<u64>().ok();
        match (req.method.as_str(), r.as_slice()) {
            ("GET", ["pulls"]) => {
                let state = params.get("state").map_or("open", String::as_str);
                let head = params.get("head").map(|h| h.replace("%3A", ":"));
                let items: Vec<Value> = st
                    .pulls
                    .values()
                    .filter(|p| state == "all" || p["state"].as_str().unwrap_or("open") == state)
                    .filter(|p| {
                        head.as_deref()
                            .is_none_or(|h| p["head"]["label"].as_str() == Some(h))
                    })
                    .cloned()
                    .collect();
                let (slice, headers) = page(st, base, &path, &params, &items);
                (200, headers, Value::Array(slice))
            }
            ("GET", ["branches", rest @ ..]) => match st.branches.get(&rest.join("/")) {
                Some(sha) => (
                    200,
                    Vec::new(),
                    json!({"name": rest.join("/"), "commit": {"sha": sha}, "protected": true}),
                ),
                None => not_found(),
            },
            ("GET", ["collaborators", login, "permission"]) => {
                let login = login.to_ascii_lowercase();
                let found = st
                    .permissions
                    .get(&login)
                    .cloned()
                    .or_else(|| st.default_permission.clone());
                match found {
                    Some(permission) => {
                        let mut v =
                            fixture_response("Repository.testCollaboratorPermission.json", 0);
                        v["permission"] = json!(permission);
                        v["role_name"] = json!(match permission.as_str() {
                            "admin" => "admin",
                            "write" => "write",
                            "read" => "read",
                            _ => "none",
                        });
                        v["user"] = user(&login, "User");
                        (200, Vec::new(), v)
                    }
                    None => not_found(),
                }
            }
            ("GET", ["pulls", n]) => match num(n).and_then(|n| st.pulls.get(&n)) {
                Some(p) => (200, Vec::new(), p.clone()),
                None => not_found(),
            },
            ("GET", ["pulls", n, "commits"]) => {
                let Some(items) = num(n).and_then(|n| st.pull_commits.get(&n)) else {
                    return not_found();
                };
                // GitHub lists at most 250 commits of a pull request.
                let capped: Vec<Value> = items.iter().take(250).cloned().collect();
                let (slice, headers) = page(st, base, &path, &params, &capped);
                (200, headers, Value::Array(slice))
            }
            ("GET", ["pulls", n, "reviews"]) => {
                let items = num(n)
                    .and_then(|n| st.reviews.get(&n))
                    .cloned()
                    .unwrap_or_default();
                let (slice, headers) = page(st, base, &path, &params, &items);
                (200, headers, Value::Array(slice))
            }
            ("GET", ["compare", spec]) => {
                let Some(items) = st.compare.get(*spec) else {
                    return not_found();
                };
                let (slice, headers) = page(st, base, &path, &params, items);
                (
                    200,
                    headers,
                    json!({"status": "ahead", "ahead_by": items.len(), "behind_by": 0, "total_commits": items.len(), "commits": slice, "files": []}),
                )
            }
            ("GET", ["issues", n, "comments"]) => {
                let items = num(n)
                    .and_then(|n| st.comments.get(&n))
                    .cloned()
                    .unwrap_or_default();
                let (slice, headers) = page(st, base, &path, &params, &items);
                (200, headers, Value::Array(slice))
            }
            ("POST", ["issues", n, "comments"]) => {
                let Some(n) = num(n) else { return not_found() };
                st.next_id += 1;
                let (login, kind) = st.identity.account();
                let c = json!({
                    "id": st.next_id,
                    "body": body["body"],
                    "user": user(&login, kind),
                    "html_url": format!("https://github.com/{}/pull/{n}#issuecomment-{}", st.repo, st.next_id),
                });
                st.comments.entry(n).or_default().push(c.clone());
                (201, Vec::new(), c)
            }
            ("PATCH", ["issues", "comments", id]) => {
                let id = num(id);
                for list in st.comments.values_mut() {
                    for c in list.iter_mut() {
                        if c["id"].as_u64() == id {
                            c["body"] = body["body"].clone();
                            return (200, Vec::new(), c.clone());
                        }
                    }
                }
                not_found()
            }
            ("POST", ["check-runs"]) => {
                let Identity::App(slug) = st.identity.clone() else {
                    return (
                        403,
                        Vec::new(),
                        json!({"message": "You must authenticate via a GitHub App.", "documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run"}),
                    );
                };
                st.next_id += 1;
                let mut run = fixture_response("CheckRun.testCreateCheckRunCompleted.json", 0);
                run["id"] = json!(st.next_id);
                run["app"]["slug"] = json!(slug);
                for k in [
                    "name",
                    "head_sha",
                    "status",
                    "conclusion",
                    "output",
                    "details_url",
                ] {
                    if !body[k].is_null() {
                        run[k] = body[k].clone();
                    }
                }
                st.check_runs.push(run.clone());
                (201, Vec::new(), run)
            }
            ("PATCH", ["check-runs", id]) => {
                let id = num(id);
                let Some(run) = st.check_runs.iter_mut().find(|c| c["id"].as_u64() == id) else {
                    return not_found();
                };
                if let Some(more) = body
                    .pointer("/output/annotations")
                    .and_then(Value::as_array)
                {
                    let mut all = run["output"]["annotations"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    all.extend(more.iter().cloned());
                    run["output"]["annotations"] = Value::Array(all);
                }
                (200, Vec::new(), run.clone())
            }
            ("POST", ["statuses", sha]) => {
                let mut s = fixture_response("Commit.testCreateStatusWithAllParameters.json", 0);
                for k in ["state", "target_url", "description", "context"] {
                    s[k] = body[k].clone();
                }
                s["sha"] = json!(sha);
                st.statuses.push(s.clone());
                (201, Vec::new(), s)
            }
            _ => not_found(),
        }
    } else if req.method == "GET" && path == "/user" {
        match st.identity.clone() {
            Identity::User(login) => (200, Vec::new(), user(&login, "User")),
            Identity::App(_) => (
                403,
                Vec::new(),
                json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user", "status": "403"}),
            ),
        }
    } else if req.method == "POST" && path == "/graphql" {
        graphql(st, &body)
    } else if req.method == "GET"
        && segs.len() == 5
        && segs[0] == "orgs"
        && segs[2] == "teams"
        && segs[4] == "members"
    {
        let slug = format!("{}/{}", segs[1], segs[3]).to_ascii_lowercase();
        let items = match st.teams.get(&slug).cloned() {
            Some(items) => items,
            None if st.unknown_teams_empty => Vec::new(),
            None => return not_found(),
        };
        let (slice, headers) = page(st, base, &path, &params, &items);
        (200, headers, Value::Array(slice))
    } else {
        not_found()
    }
}

/// GitHub's GraphQL endpoint, for the two queries agentgate sends: the
/// token's `viewer`, and a branch's `mergeQueue` entries.
fn graphql(st: &State, body: &Value) -> Reply {
    let query = body["query"].as_str().unwrap_or("");
    if query.contains("mergeQueue") {
        let branch = body["variables"]["branch"].as_str().unwrap_or("");
        let Some(entries) = st.queue.get(branch) else {
            return (
                200,
                Vec::new(),
                json!({"data": {"repository": {"mergeQueue": null}}}),
            );
        };
        let nodes: Vec<Value> = entries
            .iter()
            .enumerate()
            .map(|(i, (n, commit))| {
                json!({"position": i + 1, "state": "AWAITING_CHECKS", "headCommit": {"oid": commit}, "pullRequest": {"number": n}})
            })
            .collect();
        return (
            200,
            Vec::new(),
            json!({"data": {"repository": {"mergeQueue": {"entries": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": nodes}}}}}),
        );
    }
    if query.contains("viewer") {
        let (login, _) = st.identity.account();
        return (
            200,
            Vec::new(),
            json!({"data": {"viewer": {"login": login}}}),
        );
    }
    (
        200,
        Vec::new(),
        json!({"errors": [{"message": format!("the fake does not answer: {query}")}]}),
    )
}
