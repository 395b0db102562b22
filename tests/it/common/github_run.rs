//! Running `agentgate github` as a GitHub Actions runner would: a webhook
//! payload (a recorded one, rewritten to the test repository's SHAs), the
//! runner's environment variables, and a fake GitHub on 127.0.0.1 holding
//! the pull request, account links, reviews and teams.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::fake_github::{self, FakeGithub};
use super::{Out, bin, run};

/// The repository the fake serves.
pub const REPO: &str = "octo-org/widgets";
/// The token handed to the runner; it must never be printed.
pub const TOKEN: &str = "ghs_s3cr3tTokenThatMustNeverAppear0000";
/// The pull request number used by default.
pub const PR: u64 = 42;
/// The pull request's author when a test does not say (a human who takes
/// no other part).
pub const OPENER: (&str, &str) = ("pr-opener", "User");

/// The GitHub account an e-mail address links to, as GitHub would link the
/// identities the tests use: noreply addresses to their login, example.com
/// addresses to their local part, GitHub's own committer to `web-flow`;
/// anything else links to no account.
pub fn account_for(email: &str) -> Option<(String, String)> {
    let e = email.to_ascii_lowercase();
    if e == "noreply@github.com" {
        return Some(("web-flow".into(), "User".into()));
    }
    if let Some(local) = e.strip_suffix("@users.noreply.github.com") {
        let login = local.split_once('+').map_or(local, |(_, l)| l);
        if login == "copilot" {
            return Some(("Copilot".into(), "Bot".into()));
        }
        let kind = if login.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        };
        return Some((login.to_string(), kind.into()));
    }
    e.strip_suffix("@example.com")
        .map(|l| (l.to_string(), "User".to_string()))
}

/// Commit listing items for `base..head` with account links from
/// [`account_for`], oldest first.
pub fn commit_items(dir: &Path, base: &str, head: &str) -> Vec<Value> {
    // An unknown revision lists nothing (the run must fail closed anyway).
    let log = run(
        Command::new("git")
            .args([
                "log",
                "--reverse",
                "--format=%H%x09%ae%x09%ce",
                &format!("{base}..{head}"),
            ])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null"),
        None,
    )
    .stdout;
    log.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let sha = f.next()?;
            let a = account_for(f.next()?);
            let c = account_for(f.next()?);
            Some(fake_github::commit_item(
                sha,
                a.as_ref().map(|(l, k)| (l.as_str(), k.as_str())),
                c.as_ref().map(|(l, k)| (l.as_str(), k.as_str())),
            ))
        })
        .collect()
}

/// A fake GitHub holding pull request [`PR`] from `base` to `head`, opened
/// by `author`, with `reviews` and the commits' account links.
pub fn fake_for(
    dir: &Path,
    base: &str,
    head: &str,
    author: (&str, &str),
    reviews: Vec<Value>,
) -> FakeGithub {
    let fake = FakeGithub::start(REPO);
    {
        let mut st = fake.state();
        st.pulls
            .insert(PR, fake_github::pull(PR, base, head, author));
        let items = commit_items(dir, base, head);
        st.compare.insert(format!("{base}...{head}"), items.clone());
        st.pull_commits.insert(PR, items);
        st.reviews.insert(PR, reviews);
    }
    fake
}

/// The recorded `pull_request.synchronize` payload rewritten to this pull
/// request.
pub fn pr_payload(base: &str, head: &str, author: (&str, &str)) -> Value {
    let mut p = fake_github::webhook("pull_request.synchronize.payload.json");
    p["number"] = json!(PR);
    p["pull_request"]["number"] = json!(PR);
    p["pull_request"]["base"]["sha"] = json!(base);
    p["pull_request"]["head"]["sha"] = json!(head);
    p["pull_request"]["user"] = fake_github::user(author.0, author.1);
    p["after"] = json!(head);
    p["repository"]["full_name"] = json!(REPO);
    p
}

/// What a run left behind.
#[derive(Debug)]
pub struct GithubRun {
    pub out: Out,
    /// `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// `$GITHUB_OUTPUT`, parsed.
    pub outputs: BTreeMap<String, String>,
}

/// Parse `$GITHUB_OUTPUT`'s `name<<DELIM` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((name, delim)) = l.split_once("<<") {
            let mut value = Vec::new();
            for v in lines.by_ref() {
                if v == delim {
                    break;
                }
                value.push(v);
            }
            out.insert(name.to_string(), value.join("\n"));
        }
    }
    out
}

/// Run `agentgate github` in `dir` for `event` with `payload`, against
/// `fake`, plus `args` and extra environment.
pub fn run_github(
    dir: &Path,
    fake: &FakeGithub,
    event: &str,
    payload: &Value,
    args: &[&str],
    env: &[(&str, &str)],
) -> GithubRun {
    let scratch = tempfile::tempdir().expect("tempdir");
    let event_path = scratch.path().join("event.json");
    std::fs::write(&event_path, payload.to_string()).expect("write payload");
    let summary = scratch.path().join("summary.md");
    let output = scratch.path().join("output.txt");
    let mut cmd = Command::new(bin());
    cmd.arg("github")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", scratch.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", &fake.url)
        .env("GITHUB_GRAPHQL_URL", format!("{}/graphql", fake.url))
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "777")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_WORKSPACE", dir)
        .env("AGENTGATE_RETRY_BASE_MS", "5");
    cmd.env("GITHUB_TOKEN", TOKEN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd, None);
    GithubRun {
        out,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        outputs: parse_outputs(&std::fs::read_to_string(&output).unwrap_or_default()),
    }
}

/// The SHA a revision names in `dir`, or the revision itself when git
/// cannot resolve it.
pub fn sha_of(dir: &Path, rev: &str) -> String {
    let out = run(
        Command::new("git")
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null"),
        None,
    );
    if out.code == 0 {
        out.stdout.trim().to_string()
    } else {
        rev.to_string()
    }
}

/// The reviews of a `--signoffs` file, for the fake to serve (`None` when
/// the file is not a JSON array: an offline input error with no GitHub
/// counterpart).
pub fn reviews_from_file(path: &Path) -> Option<Vec<Value>> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Run the GitHub path for the same pull request the offline gate judged:
/// `base..head` with `reviews`, opened by [`OPENER`].
pub fn mirror(dir: &Path, base: &str, head: &str, reviews: Vec<Value>) -> GithubRun {
    let (b, h) = (sha_of(dir, base), sha_of(dir, head));
    let fake = fake_for(dir, &b, &h, OPENER, reviews);
    // Teams the config maps stay as the config says: GitHub adds nobody.
    fake.state().unknown_teams_empty = true;
    let payload = pr_payload(&b, &h, OPENER);
    run_github(
        dir,
        &fake,
        "pull_request_target",
        &payload,
        &["--no-fetch", "--format", "json", "--comment", "never"],
        &[],
    )
}

/// `(path, action)` of every blocked change in a gate report.
pub fn blocked_set(report: &Value) -> std::collections::BTreeSet<(String, String)> {
    report["blocked"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| {
                    (
                        b["path"].as_str().unwrap_or("").to_string(),
                        b["action"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The offline gate and the GitHub path agree: same exit code and, when
/// they judged, the same blocked changes; and the token never shows.
pub fn assert_same_verdict(gate: &Out, github: &GithubRun) {
    assert_eq!(
        gate.code,
        github.out.code,
        "`agentgate gate` and `agentgate github` disagree.\ngate: {}\ngithub: {}",
        gate.all(),
        github.out.all()
    );
    if gate.code == 0 || gate.code == 1 {
        let g = gate.json();
        let h = github.out.json();
        assert_eq!(
            blocked_set(&g),
            blocked_set(&h["report"]),
            "blocked changes differ: github run: {}",
            github.out.all()
        );
    }
    assert_no_token(github);
}

/// The token appears nowhere the run wrote.
pub fn assert_no_token(r: &GithubRun) {
    for (what, text) in [
        ("stdout", &r.out.stdout),
        ("stderr", &r.out.stderr),
        ("summary", &r.summary),
    ] {
        assert!(
            !text.contains(TOKEN),
            "the token leaked into {what}: {text}"
        );
    }
    for (k, v) in &r.outputs {
        assert!(!v.contains(TOKEN), "the token leaked into output {k}");
    }
}

/// Review times, in order.
pub const T1: &str = "2025-01-01T10:00:00Z";
pub const T2: &str = "2025-01-01T11:00:00Z";

/// A repository from `agentgate init` with `maintainers = ["alice"]` and a
/// pull request whose one Copilot commit edits the CI workflow.
pub fn agent_edits_ci() -> (tempfile::TempDir, String, String) {
    let (dir, base) = super::gate_repo();
    super::write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = super::commit_as(
        dir.path(),
        super::COPILOT,
        super::GITHUB,
        "Run CI on pull requests",
    );
    (dir, base, head)
}

/// `agentgate github --format json ARGS` on a `pull_request_target` event
/// for `base..head` opened by [`OPENER`]; the token never shows in its output.
pub fn run_pr(dir: &Path, fake: &FakeGithub, base: &str, head: &str, args: &[&str]) -> GithubRun {
    let payload = pr_payload(base, head, OPENER);
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let r = run_github(dir, fake, "pull_request_target", &payload, &all, &[]);
    assert_no_token(&r);
    r
}
