//! `agentgate github` as teams adopt it: GitHub's own rule for whose
//! approval counts (write access), merge queue groups judged pull request
//! by pull request, reviews relayed through `workflow_run` to a judge the
//! pull request cannot replace, comments found by the token's own
//! identity, messages that fit the case (a fork's read-only token, a rate
//! limit that resets far away, the proof's solver), and the example
//! workflows tied to the events the binary handles. Each case runs the
//! real binary against the fake GitHub on 127.0.0.1.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::path::Path;

use crate::common::fake_github::{self, FakeGithub, Identity, review, user};
use crate::common::github_run::*;
use crate::common::*;
use serde_json::{Value, json};

fn ignored(r: &GithubRun) -> String {
    r.out.json()["report"]["signoffs"]["ignored"].to_string()
}

// ------------------------------------------------------ who may approve

#[test]
fn a_drive_by_approval_from_an_account_without_write_access_is_ignored() {
    // `stranger` and `ghost` are named in the maintainers team, but
    // cannot push.
    let (dir, _) = gate_repo();
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        cfg.replace(
            "maintainers = [\"alice\"]",
            "maintainers = [\"alice\", \"stranger\", \"ghost\"]",
        ),
    )
    .unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "stranger and ghost join the team");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Run CI on pull requests");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![
            review(1, "stranger", "User", "APPROVED", &head, T1),
            review(2, "stranger", "User", "COMMENTED", &head, T2),
            review(3, "ghost", "User", "APPROVED", &head, T1),
        ],
    );
    {
        let mut st = fake.state();
        st.permissions.insert("stranger".into(), "read".into());
        // ghost is no collaborator at all: GitHub answers 404.
        st.default_permission = None;
        st.permissions.insert("alice".into(), "admin".into());
    }
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let why = ignored(&r);
    assert!(
        why.contains("stranger cannot push to the repository (GitHub permission: read)"),
        "{why}"
    );
    assert!(why.contains("ghost cannot push"), "{why}");
    // Each reviewer's permission is asked once per run.
    let asked = fake
        .calls()
        .iter()
        .filter(|c| c.contains("/collaborators/stranger/permission"))
        .count();
    assert_eq!(asked, 1);

    // The same approval from an account that can push counts.
    fake.state()
        .permissions
        .insert("stranger".into(), "write".into());
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert_eq!(
        r.out.json()["report"]["signoffs"]["approvers"],
        json!(["stranger"])
    );
}

#[test]
fn a_token_that_cannot_read_permissions_blocks_with_the_fix() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.fail("GET", &format!("/repos/{REPO}/collaborators/"), 403, &[], 1);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(
        r.out.code,
        2,
        "an approval nobody can vouch for is no pass: {}",
        r.out.all()
    );
    assert!(
        r.out
            .stderr
            .contains("reading a reviewer's permission needs a token"),
        "{}",
        r.out.stderr
    );
}

// ------------------------------------------------------------ merge queue

/// GitHub's queue merges pull request `pr_head` onto `parent` in a commit
/// of its own: authored by the maintainer who queued it, committed by
/// GitHub.
fn queue_merge(dir: &Path, parent: &str, pr_head: &str, number: u64) -> String {
    git(dir, &["checkout", "-q", "--detach", parent]);
    git_as(
        dir,
        ALICE,
        GITHUB,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            &format!("Merge pull request #{number}"),
            pr_head,
        ],
    );
    sha_of(dir, "HEAD")
}

fn group_payload(base: &str, head: &str, number: u64) -> Value {
    let mut p = fake_github::webhook("merge_group.checks_requested.payload.json");
    p["merge_group"]["base_sha"] = json!(base);
    p["merge_group"]["head_sha"] = json!(head);
    p["merge_group"]["base_ref"] = json!("refs/heads/main");
    // The SHA in the ref is the entry's parent, not anyone's head.
    p["merge_group"]["head_ref"] = json!(format!(
        "refs/heads/gh-readonly-queue/main/pr-{number}-{base}"
    ));
    p
}

#[test]
fn the_merge_queue_passes_an_approved_agent_pull_request() {
    // Copilot opened the pull request; alice approved it and queued it, so
    // the queue's merge commit names her as its author.
    let (dir, base, head) = agent_edits_ci();
    let group = queue_merge(dir.path(), &base, &head, PR);
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.state()
        .queue
        .insert("main".into(), vec![(PR, group.clone())]);
    let payload = group_payload(&base, &group, PR);
    let r = run_group(dir.path(), &fake, &payload);
    assert_eq!(
        r.out.code,
        0,
        "the queue's merge commit is GitHub's, not alice's work: {}",
        r.out.all()
    );
    let j = r.out.json();
    assert_eq!(j["group"]["pulls"], json!([PR]));
    let st = fake.state();
    assert_eq!(st.check_runs[0]["head_sha"], group.as_str());
    assert_eq!(st.check_runs[0]["conclusion"], "success");
    assert!(st.comments.is_empty(), "no comment for a merge group");
    drop(st);

    // Without the approval the group is blocked.
    fake.state().reviews.insert(PR, Vec::new());
    let r = run_group(dir.path(), &fake, &payload);
    assert_eq!(r.out.code, 1, "{}", r.out.all());

    // The same group relayed through workflow_run (the judge that runs the
    // default branch's code) gets the same verdicts; its base is found
    // from the branch tip GitHub reports.
    fake.state().branches.insert("main".into(), base.clone());
    let relay = relay_payload(
        "merge_group",
        &group,
        &format!("gh-readonly-queue/main/pr-{PR}-{base}"),
    );
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &relay,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    fake.state()
        .reviews
        .insert(PR, vec![review(1, "alice", "User", "APPROVED", &head, T1)]);
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &relay,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert_eq!(r.out.json()["group"]["base"], base.as_str());
}

#[test]
fn a_group_passes_only_if_each_pull_request_passes_on_its_own_approvals() {
    // #42: Copilot edits CI, approved by alice. #43: Copilot edits the
    // release workflow, approved by nobody. Queued together.
    let (dir, base, head42) = agent_edits_ci();
    git(dir.path(), &["checkout", "-q", "-b", "pr43", &base]);
    write(dir.path(), ".github/workflows/release.yml", "on: [push]\n");
    let head43 = commit_as(dir.path(), COPILOT, GITHUB, "Release on every push");
    let g1 = queue_merge(dir.path(), &base, &head42, 42);
    let g2 = queue_merge(dir.path(), &g1, &head43, 43);
    let fake = fake_for(
        dir.path(),
        &base,
        &head42,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head42, T1)],
    );
    {
        let mut st = fake.state();
        st.pulls.insert(
            43,
            fake_github::pull(43, &base, &head43, ("Copilot", "Bot")),
        );
        let items = commit_items(dir.path(), &base, &head43);
        st.pull_commits.insert(43, items.clone());
        st.compare.insert(format!("{base}...{head43}"), items);
        // alice approved #42 only: her approval must not cover #43.
        st.reviews.insert(43, Vec::new());
        st.queue
            .insert("main".into(), vec![(42, g1.clone()), (43, g2.clone())]);
    }
    let payload = group_payload(&base, &g2, 43);
    let r = run_group(dir.path(), &fake, &payload);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let j = r.out.json();
    assert_eq!(j["group"]["pulls"], json!([42, 43]));
    let verdicts: Vec<(u64, String)> = j["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["number"].as_u64().unwrap(),
                p["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(verdicts, vec![(42, "pass".into()), (43, "block".into())]);

    // With #43 approved too, the group passes.
    fake.state().reviews.insert(
        43,
        vec![review(2, "alice", "User", "APPROVED", &head43, T1)],
    );
    let r = run_group(dir.path(), &fake, &payload);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
}

#[test]
fn a_group_that_changes_what_no_pull_request_changed_is_blocked() {
    // The "queue commit" also rolls back agentgate.toml: no pull request of
    // the group changed it, so no judgement covers it.
    let (dir, base, head) = agent_edits_ci();
    let merged = queue_merge(dir.path(), &base, &head, PR);
    write(dir.path(), "agentgate.toml", "# emptied\n");
    git(dir.path(), &["add", "-A"]);
    git_as(
        dir.path(),
        ALICE,
        GITHUB,
        &["commit", "-q", "--amend", "--no-edit"],
    );
    let group = sha_of(dir.path(), "HEAD");
    let _ = merged;
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.state()
        .queue
        .insert("main".into(), vec![(PR, group.clone())]);
    let r = run_group(dir.path(), &fake, &group_payload(&base, &group, PR));
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("none of its pull requests changed")
            && r.out.stderr.contains("agentgate.toml"),
        "{}",
        r.out.stderr
    );
}

#[test]
fn a_group_head_the_queue_does_not_list_is_an_error() {
    let (dir, base, head) = agent_edits_ci();
    let group = queue_merge(dir.path(), &base, &head, PR);
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    // A branch named like a queue ref, pushed by someone: the queue lists
    // another commit.
    fake.state()
        .queue
        .insert("main".into(), vec![(PR, base.clone())]);
    let r = run_group(dir.path(), &fake, &group_payload(&base, &group, PR));
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out
            .stderr
            .contains("is not an entry of main's merge queue"),
        "{}",
        r.out.stderr
    );
    // A branch without a merge queue at all.
    fake.state().queue.clear();
    let r = run_group(dir.path(), &fake, &group_payload(&base, &group, PR));
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("no merge queue"), "{}", r.out.stderr);
}

/// `agentgate github --format json` on a `merge_group` event.
fn run_group(dir: &Path, fake: &FakeGithub, payload: &Value) -> GithubRun {
    run_github(
        dir,
        fake,
        "merge_group",
        payload,
        &["--format", "json"],
        &[],
    )
}

// ------------------------------------------------------------ workflow_run

/// GitHub's recorded `workflow_run.completed` payload, rewritten to a run
/// of `event` for `head_sha` on `head_branch`.
fn relay_payload(event: &str, head_sha: &str, head_branch: &str) -> Value {
    let mut p = fake_github::webhook("workflow_run.completed.with-pull-requests.payload.json");
    let run = &mut p["workflow_run"];
    run["event"] = json!(event);
    run["head_sha"] = json!(head_sha);
    run["head_branch"] = json!(head_branch);
    run["name"] = json!("agentgate review");
    run["head_repository"]["owner"]["login"] = json!("octo-org");
    p["repository"]["full_name"] = json!(REPO);
    p
}

#[test]
fn a_relayed_review_finds_its_pull_request_through_the_api() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    {
        let mut st = fake.state();
        let p = st.pulls.get_mut(&PR).unwrap();
        p["head"]["label"] = json!("octo-org:pr");
        p["state"] = json!("open");
        // Another open pull request, with another head: not judged.
        let other = fake_github::pull(7, &base, &base, OPENER);
        st.pulls.insert(7, other);
    }
    let mut payload = relay_payload("pull_request_review", &head, "pr");
    // The triggering run's own list names another pull request: never read.
    payload["workflow_run"]["pull_requests"][0]["number"] = json!(999);
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &payload,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 0, "alice's approval counts: {}", r.out.all());
    let j = r.out.json();
    assert_eq!(j["pulls"][0]["number"], PR);
    assert!(
        r.out
            .stderr
            .contains(&format!("judging pull request #{PR}")),
        "{}",
        r.out.stderr
    );
    let calls = fake.calls();
    assert!(!calls.iter().any(|c| c.contains("/pulls/999")), "{calls:?}");
    assert!(!calls.iter().any(|c| c.contains("/pulls/7/")), "{calls:?}");
    assert_eq!(fake.state().check_runs[0]["head_sha"], head.as_str());

    // The search by branch is only a hint: a relay without one lists every
    // open pull request and still finds it.
    let mut bare = relay_payload("pull_request_review", &head, "renamed-branch");
    bare["workflow_run"]["head_repository"] = Value::Null;
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &bare,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());

    // A head no open pull request has: nothing to judge is no pass.
    let stray = relay_payload("pull_request_review", &base, "main");
    fake.state().pulls.remove(&7);
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &stray,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("no open pull request has head"),
        "{}",
        r.out.stderr
    );

    // A relay of an event that names no pull request.
    let push = relay_payload("push", &head, "pr");
    let r = run_github(
        dir.path(),
        &fake,
        "workflow_run",
        &push,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("ran on `push`"), "{}", r.out.stderr);
}

// -------------------------------------------------------------- comments

#[test]
fn a_personal_token_keeps_one_comment_and_updates_it_when_the_pull_request_passes() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.state().identity = Identity::User("gate-keeper".into());
    // Blocked twice: one comment, edited.
    for _ in 0..2 {
        let r = run_pr(dir.path(), &fake, &base, &head, &[]);
        assert_eq!(r.out.code, 1, "{}", r.out.all());
    }
    {
        let st = fake.state();
        assert_eq!(st.comments[&PR].len(), 1, "{:?}", st.comments[&PR]);
        assert_eq!(st.comments[&PR][0]["user"]["login"], "gate-keeper");
        // A personal token cannot write check runs: a commit status instead.
        assert!(st.check_runs.is_empty());
        assert_eq!(st.statuses.last().unwrap()["state"], "failure");
    }
    // Approved: the stale "blocked" comment is brought up to date.
    fake.state()
        .reviews
        .insert(PR, vec![review(1, "alice", "User", "APPROVED", &head, T1)]);
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    let st = fake.state();
    assert_eq!(st.comments[&PR].len(), 1);
    let body = st.comments[&PR][0]["body"].as_str().unwrap();
    assert!(body.contains("pass") && !body.contains("blocked"), "{body}");
}

#[test]
fn a_planted_marker_is_never_adopted_whoever_planted_it() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    // Another bot, and a human, plant comments that look like agentgate's.
    fake.state().comments.insert(
        PR,
        vec![
            json!({"id": 5, "body": "<!-- agentgate:report -->\n### ✅ agentgate: pass", "user": user("evil-helper[bot]", "Bot")}),
            json!({"id": 6, "body": "<!-- agentgate:report -->\n### ✅ agentgate: pass", "user": user("mallory", "User")}),
        ],
    );
    // An App token (here the Actions App): the check run names it.
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    {
        let st = fake.state();
        let comments = &st.comments[&PR];
        assert_eq!(comments.len(), 3, "a new comment of agentgate's own");
        for planted in &comments[..2] {
            assert!(
                planted["body"].as_str().unwrap().contains("pass"),
                "planted comments are untouched"
            );
        }
        assert_eq!(comments[2]["user"]["login"], "github-actions[bot]");
    }
    // The next run finds its own comment by its identity, not the others.
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 1);
    let st = fake.state();
    assert_eq!(st.comments[&PR].len(), 3);
    assert!(
        r.out.stderr.contains(&format!("on #{PR} updated")),
        "{}",
        r.out.stderr
    );
    // A token of a GitHub App of its own is told apart from the Actions App.
    drop(st);
    fake.state().identity = Identity::App("agentgate-judge".into());
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 1);
    let st = fake.state();
    assert_eq!(
        st.comments[&PR].len(),
        4,
        "github-actions[bot]'s comment is not this App's"
    );
    assert_eq!(st.comments[&PR][3]["user"]["login"], "agentgate-judge[bot]");
}

// -------------------------------------------------------------- messages

#[test]
fn a_forks_read_only_review_run_says_no_permission_can_fix_it() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    {
        let mut st = fake.state();
        let p = st.pulls.get_mut(&PR).unwrap();
        p["head"]["repo"]["fork"] = json!(true);
        p["head"]["repo"]["full_name"] = json!("someone/widgets");
    }
    let read_only = [
        ("POST", format!("/repos/{REPO}/check-runs")),
        ("POST", format!("/repos/{REPO}/statuses/")),
        ("POST", format!("/repos/{REPO}/issues/")),
    ];
    for (m, prefix) in &read_only {
        fake.fail(m, prefix, 403, &[], 5);
    }
    let mut payload = fake_github::webhook("pull_request_review.submitted.payload.json");
    payload["pull_request"] = fake.state().pulls[&PR].clone();
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_review",
        &payload,
        &["--format", "json", "--comment", "always"],
        &[],
    );
    assert_eq!(
        r.out.code,
        1,
        "the verdict stands in the exit code: {}",
        r.out.all()
    );
    assert!(
        r.out
            .stderr
            .contains("no `permissions:` setting can change that")
            && r.out.stderr.contains("workflow_run"),
        "{}",
        r.out.stderr
    );
}

#[test]
fn a_rate_limit_that_resets_far_away_says_so_and_does_not_pretend_to_retry() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 47 * 60;
    let reset = reset.to_string();
    fake.fail(
        "GET",
        &format!("/repos/{REPO}/pulls/{PR}"),
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", reset.as_str()),
        ],
        5,
    );
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("resets in 47 min") && r.out.stderr.contains("did not retry"),
        "{}",
        r.out.stderr
    );
    let asked = fake
        .calls()
        .iter()
        .filter(|c| c.ends_with(&format!("/pulls/{PR}")))
        .count();
    assert_eq!(
        asked, 1,
        "no retries against a limit that resets in 47 minutes"
    );
}

/// A pull request whose agent commit edits a policy file (approved, so the
/// gate passes) and so gets the impact section.
fn agent_edits_policies() -> (tempfile::TempDir, String, String, FakeGithub) {
    let (dir, base) = gate_repo();
    let path = dir.path().join("policies/runtime.cedar");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n// tidied\n")).unwrap();
    let head = commit_as(dir.path(), COPILOT, GITHUB, "Tidy the runtime policies");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    (dir, base, head, fake)
}

#[test]
fn without_cvc5_the_action_can_defer_or_the_report_says_the_proof_was_skipped() {
    let (dir, base, head, fake) = agent_edits_policies();
    let payload = pr_payload(&base, &head, OPENER);
    let no_solver = [("CVC5", "/nonexistent/cvc5")];
    // defer: nothing published, the output asks for cvc5, exit 0.
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &["--format", "json", "--prover", "defer"],
        &no_solver,
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert_eq!(
        r.outputs.get("needs-prover").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        r.outputs.get("verdict").map(String::as_str),
        Some("deferred")
    );
    {
        let st = fake.state();
        assert!(st.check_runs.is_empty() && st.statuses.is_empty() && st.comments.is_empty());
    }
    // report (the default): judged and published; the proof says it was skipped.
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &["--format", "json"],
        &no_solver,
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert_eq!(
        r.outputs.get("needs-prover").map(String::as_str),
        Some("false")
    );
    let proof = r.out.json()["impact"]["proof"].to_string();
    assert!(proof.contains("cvc5 cannot be started"), "{proof}");
    // skip: the report says the proof was not asked for.
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &["--format", "json", "--prover", "skip"],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    let proof = r.out.json()["impact"]["proof"].to_string();
    assert!(proof.contains("`prove` input is false"), "{proof}");
    // defer with cvc5 installed: judged, proved, published.
    if std::process::Command::new("cvc5")
        .arg("--version")
        .output()
        .is_ok()
    {
        let r = run_github(
            dir.path(),
            &fake,
            "pull_request_target",
            &payload,
            &["--format", "json", "--prover", "defer"],
            &[],
        );
        assert_eq!(r.out.code, 0, "{}", r.out.all());
        assert_eq!(
            r.outputs.get("needs-prover").map(String::as_str),
            Some("false")
        );
        let proof = r.out.json()["impact"]["proof"]["status"].clone();
        assert_ne!(proof, json!("unavailable"), "{proof}");
    }
}

// -------------------------------------------------------------- workflows

fn yaml(path: &str) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(repo_root().join(path)).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .remove(0)
}

fn triggers(doc: &yaml_rust2::Yaml) -> Vec<String> {
    doc["on"]
        .as_hash()
        .expect("`on:` is a map")
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_example_workflows_trigger_only_on_events_the_binary_handles() {
    // The events `agentgate github` handles, as its own error lists them.
    let (dir, _, _) = agent_edits_ci();
    let fake = FakeGithub::start(REPO);
    let r = run_github(
        dir.path(),
        &fake,
        "push",
        &json!({}),
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 2);
    let handled: Vec<&str> = [
        "pull_request",
        "pull_request_target",
        "pull_request_review",
        "merge_group",
        "workflow_run",
    ]
    .into_iter()
    .filter(|e| r.out.stderr.contains(e))
    .collect();
    assert_eq!(handled.len(), 5, "{}", r.out.stderr);

    let judge = yaml("examples/workflows/agentgate.yml");
    let relay = yaml("examples/workflows/agentgate-review.yml");
    // The judge: only events whose workflow file is the default branch's.
    assert_eq!(
        triggers(&judge),
        vec!["pull_request_target", "workflow_run"]
    );
    for t in triggers(&judge) {
        assert!(handled.contains(&t.as_str()), "{t}");
    }
    // It listens for the relay by the relay's own name.
    let listens: Vec<&str> = judge["on"]["workflow_run"]["workflows"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(listens, vec![relay["name"].as_str().unwrap()]);
    // The relay: the events a pull request's own workflow file runs on,
    // with no permissions and no checkout.
    assert_eq!(triggers(&relay), vec!["pull_request_review", "merge_group"]);
    assert!(
        relay["permissions"].as_hash().is_some_and(|h| h.is_empty()),
        "permissions: {{}}"
    );
    let relay_text =
        std::fs::read_to_string(repo_root().join("examples/workflows/agentgate-review.yml"))
            .unwrap();
    assert!(!relay_text.contains("uses:"), "the relay runs no action");
    // Each relayed event is one the binary reads from a workflow_run.
    for t in triggers(&relay) {
        let r = run_github(
            dir.path(),
            &fake,
            "workflow_run",
            &relay_payload(&t, "0000000000000000000000000000000000000000", "x"),
            &["--format", "json", "--no-fetch"],
            &[],
        );
        assert!(
            !r.out.stderr.contains("names no pull request"),
            "{t}: {}",
            r.out.stderr
        );
    }
    // The judge checks out the base or default branch, never the head.
    let steps = judge["jobs"]["gate"]["steps"].as_vec().unwrap();
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .unwrap();
    let r = checkout["with"]["ref"].as_str().unwrap();
    assert_eq!(
        r,
        "${{ github.event.pull_request.base.sha || github.event.repository.default_branch }}"
    );
    assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0));
    let text =
        std::fs::read_to_string(repo_root().join("examples/workflows/agentgate.yml")).unwrap();
    assert!(
        !text.contains("head.sha") && !text.contains("head_ref"),
        "never names the head"
    );
    assert!(!text.contains("write-all"));
}

#[test]
fn this_repository_gates_itself_with_the_example_workflows() {
    for name in ["agentgate.yml", "agentgate-review.yml"] {
        let example =
            std::fs::read_to_string(repo_root().join("examples/workflows").join(name)).unwrap();
        let own = std::fs::read_to_string(repo_root().join(".github/workflows").join(name))
            .unwrap_or_else(|e| panic!(".github/workflows/{name}: {e}"));
        // The same workflow, but for the action it uses: this repository's
        // own (from the checked-out base).
        let normalise = |t: &str| t.replace("agentgate/agentgate@v0", "./");
        assert_eq!(
            normalise(&example),
            normalise(&own),
            "{name} drifted from the example"
        );
    }
    assert!(repo_root().join("agentgate.toml").is_file());
}
