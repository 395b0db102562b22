//! `agentgate github` end to end: a real temp git repository, a recorded
//! webhook payload rewritten to its SHAs, the runner's environment, and a
//! fake GitHub on 127.0.0.1 (octocrab talks to it over HTTP). Each test
//! asserts what was posted (check run, comment, status), the job summary,
//! the outputs and the exit code.
//!
//! Every gate test in tests/gate.rs also runs through this path (see
//! `crate::common::gate_cli_and_github`), so the attacks are covered here too.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use crate::common::fake_github::{self, FakeGithub, review, user};
use crate::common::github_run::*;
use crate::common::*;
use serde_json::{Value, json};

const T3: &str = "2025-01-01T12:00:00Z";

fn blocked_paths(r: &GithubRun) -> Vec<String> {
    blocked_set(&r.out.json()["report"])
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

fn set_reviews(fake: &FakeGithub, reviews: Vec<Value>) {
    fake.state().reviews.insert(PR, reviews);
}

// ---------------------------------------------------------------- acceptance

#[test]
fn blocked_pr_gets_a_failing_check_run_a_comment_a_summary_and_outputs() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    assert_eq!(blocked_paths(&r), vec![".github/workflows/ci.yml"]);

    let st = fake.state();
    assert_eq!(st.check_runs.len(), 1);
    let run = &st.check_runs[0];
    assert_eq!(run["name"], "agentgate");
    assert_eq!(run["head_sha"], head.as_str());
    assert_eq!(run["status"], "completed");
    assert_eq!(run["conclusion"], "failure");
    assert!(
        run["output"]["title"]
            .as_str()
            .unwrap()
            .contains("maintainers"),
        "{}",
        run["output"]["title"]
    );
    let ann = run["output"]["annotations"].as_array().unwrap();
    assert_eq!(ann.len(), 1);
    assert_eq!(ann[0]["path"], ".github/workflows/ci.yml");
    assert_eq!(ann[0]["annotation_level"], "failure");
    assert_eq!(
        run["details_url"],
        "https://github.com/octo-org/widgets/actions/runs/777"
    );

    let comments = &st.comments[&PR];
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- agentgate:report -->"), "{body}");
    assert!(
        body.contains("blocked until sign-off") && body.contains(".github/workflows/ci.yml"),
        "{body}"
    );

    assert!(
        r.summary.contains("blocked until sign-off"),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("| `"),
        "the summary holds the table: {}",
        r.summary
    );
    assert_eq!(r.outputs["verdict"], "block");
    assert_eq!(r.outputs["blocked"], "1");
    assert_eq!(r.outputs["signoff-from"], "maintainers");
    // Every request carried the token as GitHub expects it.
    assert!(
        st.requests
            .iter()
            .all(|q| q.authorization.as_deref() == Some(&format!("Bearer {TOKEN}") as &str))
    );
}

#[test]
fn approval_on_head_passes_and_the_second_run_edits_the_comment() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let first = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(first.out.code, 1);
    let comment_id = fake.state().comments[&PR][0]["id"].clone();

    set_reviews(
        &fake,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    let second = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(second.out.code, 0, "{}", second.out.all());
    assert_eq!(second.outputs["verdict"], "pass");
    assert_eq!(second.outputs["signoff-from"], "");
    let st = fake.state();
    assert_eq!(st.comments[&PR].len(), 1, "one comment, edited in place");
    assert_eq!(st.comments[&PR][0]["id"], comment_id);
    assert!(
        st.comments[&PR][0]["body"]
            .as_str()
            .unwrap()
            .contains("agentgate: pass")
    );
    assert!(
        st.requests
            .iter()
            .any(|q| q.method == "PATCH" && q.target.contains("/issues/comments/"))
    );
    assert_eq!(st.check_runs.len(), 2);
    assert_eq!(st.check_runs[1]["conclusion"], "success");
}

#[test]
fn a_passing_pr_gets_no_comment_in_auto_mode_but_one_with_always() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/main.rs", "fn main() { println!(); }\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "print");
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert!(fake.state().comments.get(&PR).is_none_or(Vec::is_empty));
    assert_eq!(fake.state().check_runs[0]["conclusion"], "success");
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "always"]);
    assert_eq!(r.out.code, 0);
    assert_eq!(fake.state().comments[&PR].len(), 1);
}

#[test]
fn a_human_commit_editing_the_workflow_passes() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), BOB, BOB, "CI");
    let fake = fake_for(dir.path(), &base, &head, ("bob", "User"), Vec::new());
    let payload = pr_payload(&base, &head, ("bob", "User"));
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request",
        &payload,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
}

// ------------------------------------------------------------- sign-off rules

#[test]
fn pagination_across_pages_finds_the_approval_on_the_last_page() {
    let (dir, base, head) = agent_edits_ci();
    let mut reviews: Vec<Value> = (0..5)
        .map(|i| {
            review(
                i + 1,
                &format!("commenter{i}"),
                "User",
                "COMMENTED",
                &head,
                T1,
            )
        })
        .collect();
    reviews.push(review(9, "alice", "User", "APPROVED", &head, T2));
    let fake = fake_for(dir.path(), &base, &head, OPENER, reviews);
    fake.state().max_per_page = 2;
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    let review_pages = fake
        .calls()
        .iter()
        .filter(|c| c.contains("/pulls/42/reviews"))
        .count();
    assert_eq!(review_pages, 3, "{:?}", fake.calls());
}

#[test]
fn approvals_that_do_not_count_through_the_api() {
    let (dir, base) = gate_repo();
    write(dir.path(), "src/lib.rs", "\n");
    let old = commit_as(dir.path(), COPILOT, GITHUB, "lib");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    let cases: Vec<(&str, Vec<Value>)> = vec![
        (
            "an approval on an older commit",
            vec![review(1, "alice", "User", "APPROVED", &old, T1)],
        ),
        (
            "a bot's approval",
            vec![review(1, "alice", "Bot", "APPROVED", &head, T1)],
        ),
        (
            "a dismissed approval",
            vec![
                review(1, "alice", "User", "APPROVED", &head, T1),
                review(2, "alice", "User", "DISMISSED", &head, T2),
            ],
        ),
        (
            "an approval followed by changes requested",
            vec![
                review(1, "alice", "User", "APPROVED", &head, T1),
                review(2, "alice", "User", "CHANGES_REQUESTED", &head, T2),
                review(3, "alice", "User", "COMMENTED", &head, T3),
            ],
        ),
        (
            "the pull request author's approval",
            vec![review(1, "pr-opener", "User", "APPROVED", &head, T1)],
        ),
    ];
    for (what, reviews) in cases {
        let fake = fake_for(dir.path(), &base, &head, OPENER, reviews);
        let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
        assert_eq!(r.out.code, 1, "{what} must not count: {}", r.out.all());
        let j = r.out.json();
        assert!(
            j["report"]["signoffs"]["approvers"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{what}"
        );
    }
}

#[test]
fn a_team_approval_counts_through_github_team_membership() {
    let (dir, _) = gate_repo();
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        format!(
            "{}\n[github.teams]\nmaintainers = \"octo-org/Maintainers\"\n",
            cfg.replace("maintainers = [\"alice\"]", "maintainers = []")
        ),
    )
    .unwrap();
    let base = commit_as(dir.path(), ALICE, ALICE, "map maintainers to a GitHub team");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "CI");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "carol", "User", "APPROVED", &head, T1)],
    );
    let members: Vec<Value> = ["dave", "erin", "Carol"]
        .iter()
        .map(|l| user(l, "User"))
        .collect();
    fake.state()
        .teams
        .insert("octo-org/maintainers".into(), members);
    fake.state().max_per_page = 2;
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(
        r.out.code,
        0,
        "carol is in the team (page 2 of its members): {}",
        r.out.all()
    );
    assert!(
        fake.calls()
            .iter()
            .any(|c| c.starts_with("GET /orgs/octo-org/teams/maintainers/members"))
    );

    // Someone outside the team does not unblock it.
    set_reviews(
        &fake,
        vec![review(1, "mallory", "User", "APPROVED", &head, T1)],
    );
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    assert_eq!(r.outputs["signoff-from"], "maintainers");
}

#[test]
fn a_code_owner_approval_through_a_github_team() {
    let (dir, _) = gate_repo();
    write(
        dir.path(),
        "policies/owners.cedar",
        "// Infrastructure changes by agents need a code owner's approval.\n@id(\"infra-needs-owner\")\nforbid (principal is Agent, action in Action::\"change\", resource in Dir::\"infra/\")\nunless { context.owner_approved };\n",
    );
    write(
        dir.path(),
        ".github/CODEOWNERS",
        "* @alice\n/infra/ @octo-org/sre\n",
    );
    write(dir.path(), "infra/main.tf", "x\n");
    let base = commit_as(dir.path(), ALICE, ALICE, "owners");
    write(dir.path(), "infra/main.tf", "y\n");
    let head = commit_as(dir.path(), COPILOT, GITHUB, "tweak infra");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.state()
        .teams
        .insert("octo-org/sre".into(), vec![user("sam", "User")]);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "alice owns `*`, not infra/: {}", r.out.all());
    assert_eq!(blocked_paths(&r), vec!["infra/main.tf"]);

    set_reviews(&fake, vec![review(1, "sam", "User", "APPROVED", &head, T1)]);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(
        r.out.code,
        0,
        "sam is in @octo-org/sre, which owns infra/: {}",
        r.out.all()
    );
}

// ------------------------------------------------------------------ identity

#[test]
fn a_commit_with_a_humans_email_linked_to_no_account_is_an_agents() {
    // The e-mail says alice; GitHub links it to no account (anyone can
    // write any e-mail into a commit). Unlinked commits count as agents'.
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), ALICE, ALICE, "CI");
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let item = fake_github::commit_item(&head, None, None);
    fake.state().pull_commits.insert(PR, vec![item]);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    assert_eq!(r.out.json()["report"]["blocked"][0]["agent"], "unlinked");
}

#[test]
fn a_commit_whose_account_is_a_bot_is_an_agents_whatever_git_says() {
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), ALICE, ALICE, "CI");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    let item = fake_github::commit_item(
        &head,
        Some(("sneaky-agent[bot]", "Bot")),
        Some(("sneaky-agent[bot]", "Bot")),
    );
    fake.state().pull_commits.insert(PR, vec![item]);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let j = r.out.json();
    assert_eq!(j["report"]["blocked"][0]["agent"], "sneaky-agent[bot]");
    // The commit names alice as its author, so her approval does not count
    // either: a participant of an agent commit never signs it off.
    let ignored = j["report"]["signoffs"]["ignored"].to_string();
    assert!(ignored.contains("authored"), "{ignored}");
}

#[test]
fn an_agent_opened_pr_makes_every_commit_an_agents_and_its_assignee_cannot_approve() {
    // Copilot opened the PR; the commit itself claims to be alice's.
    let (dir, base) = gate_repo();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), ALICE, ALICE, "CI");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.state().pulls.get_mut(&PR).unwrap()["assignees"] =
        json!([user("alice", "User"), user("Copilot", "Bot")]);
    let payload = pr_payload(&base, &head, ("Copilot", "Bot"));
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &["--format", "json", "--comment", "never"],
        &[],
    );
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let j = r.out.json();
    assert_eq!(j["report"]["blocked"][0]["agent"], "copilot");
    let ignored = j["report"]["signoffs"]["ignored"].to_string();
    assert!(ignored.contains("asked the agent"), "{ignored}");

    // Alice takes no part in this commit (Bob's): only the rule that the
    // agent's assignee cannot approve its work keeps her approval out.
    git(dir.path(), &["checkout", "-q", "-b", "bobs-pr", &base]);
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [pull_request]\n",
    );
    let head = commit_as(dir.path(), BOB, BOB, "CI again");
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        ("Copilot", "Bot"),
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    let payload = pr_payload(&base, &head, ("Copilot", "Bot"));
    let run = |fake: &FakeGithub| {
        run_github(
            dir.path(),
            fake,
            "pull_request_target",
            &payload,
            &["--format", "json", "--comment", "never"],
            &[],
        )
    };
    let unassigned = run(&fake);
    assert_eq!(
        unassigned.out.code,
        0,
        "alice may approve when she did not ask the agent: {}",
        unassigned.out.all()
    );
    fake.state().pulls.get_mut(&PR).unwrap()["assignees"] = json!([user("alice", "User")]);
    let assigned = run(&fake);
    assert_eq!(assigned.out.code, 1, "{}", assigned.out.all());
    let ignored = assigned.out.json()["report"]["signoffs"]["ignored"].to_string();
    assert!(ignored.contains("asked the agent"), "{ignored}");
}

// ---------------------------------------------------------------- robustness

#[test]
fn a_server_error_is_retried_then_the_run_succeeds() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.fail(
        "GET",
        &format!("/repos/{REPO}/pulls/{PR}/reviews"),
        500,
        &[],
        1,
    );
    fake.fail("GET", &format!("/repos/{REPO}/pulls/{PR}"), 502, &[], 2);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    let calls = fake.calls();
    let reviews = calls.iter().filter(|c| c.contains("/reviews")).count();
    assert_eq!(reviews, 2, "one failure, one retry: {calls:?}");
}

#[test]
fn a_rate_limit_is_waited_out_as_retry_after_says() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.fail(
        "GET",
        &format!("/repos/{REPO}/pulls/{PR}/commits"),
        403,
        &[("retry-after", "1"), ("x-ratelimit-remaining", "0")],
        1,
    );
    fake.fail(
        "GET",
        &format!("/repos/{REPO}/pulls/{PR}/reviews"),
        429,
        &[("retry-after", "0")],
        1,
    );
    let started = std::time::Instant::now();
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "the verdict, not an error: {}", r.out.all());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[test]
fn a_forbidden_api_call_blocks_with_a_message_and_exit_2() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    fake.fail(
        "GET",
        &format!("/repos/{REPO}/pulls/{PR}/reviews"),
        403,
        &[],
        10,
    );
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "always"]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("403"), "{}", r.out.stderr);
    assert!(
        r.out.stderr.contains("permissions"),
        "says what to do: {}",
        r.out.stderr
    );
    assert!(
        r.out.stderr.contains("::error title=agentgate::"),
        "{}",
        r.out.stderr
    );
    assert_eq!(r.outputs["verdict"], "error");
    assert!(r.summary.contains("cannot decide"), "{}", r.summary);
    let st = fake.state();
    assert_eq!(st.check_runs.len(), 1, "the block is posted");
    assert_eq!(st.check_runs[0]["conclusion"], "failure");
    assert_eq!(st.check_runs[0]["head_sha"], head.as_str());
    assert_eq!(st.comments[&PR].len(), 1);
}

#[test]
fn the_token_never_appears_even_when_github_echoes_it() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.state().faults.push(fake_github::Fault {
        method: "GET".into(),
        prefix: format!("/repos/{REPO}/pulls/{PR}"),
        status: 401,
        body: json!({"message": format!("Bad credentials: {TOKEN}")}),
        headers: Vec::new(),
        times: 10,
    });
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("Bad credentials: ***"),
        "{}",
        r.out.stderr
    );
    let st = fake.state();
    for q in &st.requests {
        assert!(
            !q.body.to_string().contains(TOKEN),
            "the token was posted to {}",
            q.target
        );
    }
}

#[test]
fn malformed_api_responses_block() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.state().pulls.get_mut(&PR).unwrap()["head"]["sha"] = json!("not-a-sha");
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("not a commit id"), "{}", r.out.stderr);

    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.state().reviews.insert(
        PR,
        vec![json!({"user": {"login": "alice"}, "no_state": true})],
    );
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("review #1"), "{}", r.out.stderr);
}

#[test]
fn a_pr_with_more_than_250_commits_is_judged_whole() {
    // 300 commits; only the last edits CI. GitHub's PR listing stops at
    // 250, so the links of the rest come from the paginated comparison.
    let (dir, base) = gate_repo();
    for i in 0..299 {
        write(
            dir.path(),
            &format!("src/f{}.rs", i % 7),
            &format!("// {i}\n"),
        );
        commit_as(dir.path(), COPILOT, GITHUB, &format!("step {i}"));
    }
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n",
    );
    let head = commit_as(dir.path(), COPILOT, GITHUB, "and CI");
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    assert_eq!(fake.state().pull_commits[&PR].len(), 300);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let j = r.out.json();
    assert_eq!(j["report"]["summary"]["commits"], 300);
    assert_eq!(blocked_paths(&r), vec![".github/workflows/ci.yml"]);
    let calls = fake.calls();
    assert!(calls.iter().any(|c| c.contains("/compare/")), "{calls:?}");

    // A comparison that lists fewer commits than the range is a block.
    fake.state().compare.values_mut().for_each(|v| {
        v.pop();
    });
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("does not list"), "{}", r.out.stderr);
}

#[test]
fn the_check_falls_back_to_a_commit_status_when_checks_are_forbidden() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.fail("POST", &format!("/repos/{REPO}/check-runs"), 403, &[], 1);
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    let st = fake.state();
    assert!(st.check_runs.is_empty());
    assert_eq!(st.statuses.len(), 1);
    assert_eq!(st.statuses[0]["state"], "failure");
    assert_eq!(st.statuses[0]["context"], "agentgate");
    assert_eq!(st.statuses[0]["sha"], head.as_str());
}

#[test]
fn a_comment_carrying_the_marker_by_someone_else_is_never_edited() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    fake.state().comments.insert(
        PR,
        vec![json!({"id": 5, "body": "<!-- agentgate:report -->\n### ✅ agentgate: pass", "user": user("mallory", "User")})],
    );
    let r = run_pr(dir.path(), &fake, &base, &head, &[]);
    assert_eq!(r.out.code, 1);
    let st = fake.state();
    assert_eq!(
        st.comments[&PR].len(),
        2,
        "a new comment, not an edit of mallory's"
    );
    assert!(
        st.comments[&PR][0]["body"]
            .as_str()
            .unwrap()
            .contains("pass")
    );
}

// -------------------------------------------------------------------- events

#[test]
fn unknown_events_and_bad_payloads_are_errors_not_passes() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let payload = pr_payload(&base, &head, OPENER);
    let r = run_github(dir.path(), &fake, "push", &payload, &[], &[]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("`push` is not one agentgate judges"),
        "{}",
        r.out.stderr
    );
    assert_eq!(r.outputs["verdict"], "error");

    let r = run_github(
        dir.path(),
        &fake,
        "pull_request",
        &json!({"action": "opened"}),
        &[],
        &[],
    );
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("pull_request.number"),
        "{}",
        r.out.stderr
    );

    let r = run_github(
        dir.path(),
        &fake,
        "pull_request",
        &json!("[not an object"),
        &[],
        &[("GITHUB_EVENT_PATH", "/nonexistent/event.json")],
    );
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("/nonexistent/event.json"),
        "{}",
        r.out.stderr
    );

    let r = run_github(
        dir.path(),
        &fake,
        "pull_request",
        &payload,
        &[],
        &[("GITHUB_REPOSITORY", "")],
    );
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("GITHUB_REPOSITORY"),
        "{}",
        r.out.stderr
    );
}

#[test]
fn a_review_event_judges_the_current_head() {
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(
        dir.path(),
        &base,
        &head,
        OPENER,
        vec![review(1, "alice", "User", "APPROVED", &head, T1)],
    );
    let mut payload = fake_github::webhook("pull_request_review.submitted.payload.json");
    payload["pull_request"]["number"] = json!(PR);
    payload["pull_request"]["head"]["sha"] = json!(head);
    payload["review"]["commit_id"] = json!(head);
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_review",
        &payload,
        &["--format", "json"],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    assert_eq!(fake.state().check_runs[0]["head_sha"], head.as_str());
}

// ----------------------------------------------------------------------- git

#[test]
fn missing_pr_commits_are_fetched_from_refs_pull() {
    // origin has the PR head only under refs/pull/42/head; the workspace is
    // a clone of main, as actions/checkout of the base leaves it.
    let (origin, base, head) = agent_edits_ci();
    git(origin.path(), &["checkout", "-q", "main"]);
    git(origin.path(), &["update-ref", "refs/pull/42/head", &head]);
    git(origin.path(), &["branch", "-q", "-D", "pr"]);
    let ws = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(ws.path(), &["clone", "-q", "--branch", "main", &url, "."]);
    assert!(
        run(
            std::process::Command::new("git")
                .args(["cat-file", "-e", &head])
                .current_dir(ws.path()),
            None
        )
        .code
            != 0
    );

    let fake = fake_for(origin.path(), &base, &head, OPENER, Vec::new());
    let r = run_pr(ws.path(), &fake, &base, &head, &["--comment", "never"]);
    assert_eq!(r.out.code, 1, "{}", r.out.all());
    assert!(
        r.out.stderr.contains("fetched +refs/pull/42/head"),
        "{}",
        r.out.stderr
    );
    assert_eq!(blocked_paths(&r), vec![".github/workflows/ci.yml"]);
}

#[test]
fn a_shallow_checkout_blocks_with_the_fix() {
    let (origin, base, head) = agent_edits_ci();
    write(origin.path(), "src/main.rs", "fn main() { 2; }\n");
    let head2 = commit_as(origin.path(), COPILOT, GITHUB, "more");
    let ws = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        ws.path(),
        &["clone", "-q", "--depth", "1", "--branch", "pr", &url, "."],
    );
    let fake = fake_for(origin.path(), &base, &head2, OPENER, Vec::new());
    let _ = head;
    let r = run_pr(ws.path(), &fake, &base, &head2, &["--comment", "never"]);
    assert_eq!(r.out.code, 2, "{}", r.out.all());
    assert!(r.out.stderr.contains("fetch-depth: 0"), "{}", r.out.stderr);
    assert_eq!(fake.state().check_runs[0]["conclusion"], "failure");
}

// ------------------------------------------------------- action and workflow

#[test]
fn action_yml_declares_the_outputs_the_binary_writes_and_runs_it() {
    let action = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let (dir, base, head) = agent_edits_ci();
    let fake = fake_for(dir.path(), &base, &head, OPENER, Vec::new());
    let r = run_pr(dir.path(), &fake, &base, &head, &["--comment", "never"]);
    assert!(!r.outputs.is_empty());
    for name in r.outputs.keys() {
        if name == "needs-prover" {
            // The action's own business: it installs cvc5 and runs again.
            assert!(
                action.contains("steps.gate.outputs.needs-prover == 'true'"),
                "action.yml does not act on needs-prover"
            );
            continue;
        }
        assert!(
            action.contains(&format!("  {name}:\n"))
                && action.contains(&format!("steps.result.outputs.{name} }}}}")),
            "action.yml does not declare output {name}"
        );
    }
    for input in ["token", "config", "comment", "version", "prove"] {
        assert!(action.contains(&format!("  {input}:\n")), "input {input}");
    }
    assert!(
        action.contains("agentgate \"${args[@]}\"") && action.contains("args=(github"),
        "runs agentgate github"
    );
    assert!(
        action.contains("scripts/install.sh\" release"),
        "installs through the tested install script (which verifies SHA256SUMS)"
    );
    assert!(
        !action.contains("github.head_ref") && !action.contains("pull_request.head"),
        "nothing from the head"
    );
}

#[test]
fn a_pr_that_edits_the_policies_shows_their_impact() {
    let (dir, base) = gate_repo();
    let acl = std::fs::read_to_string(dir.path().join("policies/acl.cedar")).unwrap();
    std::fs::write(
        dir.path().join("policies/acl.cedar"),
        acl.replacen(
            "unless { context.signoff in Team::\"maintainers\" };",
            "unless { context.signoff in Team::\"maintainers\" || resource.path like \"*.md\" };",
            1,
        ),
    )
    .unwrap();
    let head = commit_as(dir.path(), BOB, BOB, "docs under .github need no sign-off");
    let fake = fake_for(dir.path(), &base, &head, ("bob", "User"), Vec::new());
    let payload = pr_payload(&base, &head, ("bob", "User"));
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &["--format", "json"],
        &[],
    );
    assert_eq!(
        r.out.code,
        0,
        "a human's policy edit passes: {}",
        r.out.all()
    );
    assert_eq!(r.out.json()["impact"]["verdict"], "widening");
    assert!(
        r.summary.contains("Policy impact: this change grants more"),
        "{}",
        r.summary
    );
    let st = fake.state();
    let summary = st.check_runs[0]["output"]["summary"].as_str().unwrap();
    assert!(summary.contains("Policy impact"), "{summary}");
}

#[test]
fn a_config_read_from_elsewhere_counts_as_a_policy_file() {
    let (dir, _) = gate_repo();
    git(dir.path(), &["mv", "agentgate.toml", "ci-agentgate.toml"]);
    let base = commit_as(dir.path(), ALICE, ALICE, "config elsewhere");
    let cfg = std::fs::read_to_string(dir.path().join("ci-agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("ci-agentgate.toml"),
        format!("{cfg}\n# reviewed\n"),
    )
    .unwrap();
    let head = commit_as(dir.path(), BOB, BOB, "touch the config");
    let fake = fake_for(dir.path(), &base, &head, ("bob", "User"), Vec::new());
    let payload = pr_payload(&base, &head, ("bob", "User"));
    let r = run_github(
        dir.path(),
        &fake,
        "pull_request_target",
        &payload,
        &[
            "--format",
            "json",
            "--config",
            "ci-agentgate.toml",
            "--comment",
            "never",
        ],
        &[],
    );
    assert_eq!(r.out.code, 0, "{}", r.out.all());
    let j = r.out.json();
    assert_eq!(
        j["report"]["policy_files_changed"], true,
        "{}",
        r.out.stdout
    );
}
