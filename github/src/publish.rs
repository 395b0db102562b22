//! Posting the verdict where GitHub users look: the job summary, a check
//! run (or a commit status) on the head, the pull request comment, and the
//! action's outputs. A report that cannot be delivered turns a pass into an
//! error.
//!
//! The comment is agentgate's own only when it carries the marker *and* was
//! written by the account this token acts as (the App's bot for an App or
//! `GITHUB_TOKEN`, the user for a personal token): nobody can make
//! agentgate edit their comment by pasting the marker, and a personal token
//! finds its earlier comment instead of adding a new one every run.

use std::collections::BTreeSet;

use agentgate_report::gate::signoff_text;

use crate::api::Api;
use crate::env::RunnerEnv;
use crate::event::Trigger;
use crate::outputs::{self, Posted};
use crate::queries;
use crate::runner::{CommentMode, Known, Options, Outcome, Verdict, run_url};

/// Why a read-only token cannot be helped, for `pull_request*` runs from
/// forks.
const FORK_READ_ONLY: &str = "GitHub gives workflows that a fork's pull request triggers (`pull_request`, `pull_request_review`) a read-only token, and no `permissions:` setting can change that. The verdict is posted by the `pull_request_target` and `workflow_run` workflow (examples/workflows/agentgate.yml), which runs the default branch's code with a token that may write; this run's exit code still carries the verdict";

/// Post the verdict where GitHub users look. Failures to post are logged;
/// a failure that hides the verdict turns a pass into an error.
pub(crate) async fn publish(
    env: &RunnerEnv,
    opts: &Options,
    api: &Api,
    known: &Known,
    outcome: &mut Outcome,
    log: &mut Vec<String>,
) {
    if let Some(path) = &env.step_summary
        && let Err(e) = outputs::write_summary(path, &outcome.markdown)
    {
        log.push(format!(
            "warning: cannot write the job summary {}: {e}",
            path.display()
        ));
    }
    let read_only = known.from_fork
        && matches!(&known.trigger, Some(Trigger::Pull { event, .. }) if event != "pull_request_target");

    // The account this token acts as: a check run names its App.
    let mut me: Option<String> = None;
    if let Some(head) = &known.head {
        let (conclusion, title) = check_title(outcome);
        let annotations: Vec<_> = outcome
            .pulls
            .iter()
            .flat_map(|p| outputs::annotations(&p.report))
            .collect();
        match outputs::post_check(
            api,
            head,
            conclusion,
            &title,
            &outcome.markdown,
            &annotations,
            run_url(env).as_deref(),
        )
        .await
        {
            Ok(Posted::CheckRun { id, app }) => {
                me = app.map(|slug| format!("{slug}[bot]"));
                log.push(format!("check run {id} on {head}: {conclusion}"));
            }
            Ok(Posted::Status) => log.push(format!(
                "commit status on {head}: {conclusion} (the token cannot write check runs; grant `checks: write`)"
            )),
            Err(e) if matches!(e.status(), Some(403)) && read_only => log.push(format!(
                "warning: this run's token is read-only ({e}). {FORK_READ_ONLY}."
            )),
            Err(e) if matches!(e.status(), Some(403)) => log.push(format!(
                "warning: the token can write neither check runs nor commit statuses ({e}); the job's own result carries the verdict"
            )),
            Err(e) => fail_publish(outcome, log, format!("cannot post the check run: {e}")),
        }
    }

    let mode = opts.comment.unwrap_or(match known.comment_default {
        Some(true) => CommentMode::Always,
        Some(false) => CommentMode::Never,
        None => CommentMode::Auto,
    });
    let comments = known.trigger.as_ref().is_some_and(Trigger::comments);
    if comments && mode != CommentMode::Never && !known.numbers.is_empty() {
        if me.is_none() {
            me = queries::whoami(api).await;
        }
        if me.is_none() {
            log.push(
                "warning: cannot tell which account this token acts as (neither a check run, `GET /user` nor GraphQL's `viewer` said), so no earlier agentgate comment is updated"
                    .into(),
            );
        }
        let create = mode == CommentMode::Always || outcome.verdict != Some(Verdict::Pass);
        let run_link = run_url(env)
            .map(|u| format!("\n<sub>[agentgate run]({u})</sub>\n"))
            .unwrap_or_default();
        for number in &known.numbers {
            // Each pull request gets its own report; an error, the whole run's.
            let body = match outcome.pulls.iter().find(|p| p.number == *number) {
                Some(p) if outcome.error.is_none() => format!("{}{run_link}", p.markdown),
                _ => outcome.markdown.clone(),
            };
            match outputs::upsert_comment(api, *number, &body, create, me.as_deref()).await {
                Ok(Some((id, true))) => log.push(format!("comment {id} on #{number} updated")),
                Ok(Some((id, false))) => log.push(format!("comment {id} on #{number} posted")),
                Ok(None) => {}
                Err(e) if matches!(e.status(), Some(403)) && read_only => log.push(format!(
                    "warning: cannot comment on #{number} with this run's read-only token ({e}). {FORK_READ_ONLY}."
                )),
                Err(e) if matches!(e.status(), Some(403)) => log.push(format!(
                    "warning: cannot comment on #{number} ({e}); grant `pull-requests: write`"
                )),
                Err(e) => fail_publish(
                    outcome,
                    log,
                    format!("cannot post the pull request comment: {e}"),
                ),
            }
        }
    }
    write_outputs(env, outcome, log);
}

/// A run that deferred to a second one: only the outputs, saying why.
pub(crate) fn outputs_only(env: &RunnerEnv, outcome: &mut Outcome, log: &mut Vec<String>) {
    write_outputs(env, outcome, log);
}

fn write_outputs(env: &RunnerEnv, outcome: &mut Outcome, log: &mut Vec<String>) {
    let Some(path) = &env.output else { return };
    let signoff: BTreeSet<String> = outcome
        .blocked()
        .flat_map(|b| b.signoff_from.iter().cloned())
        .collect();
    let values = [
        (
            "verdict",
            outcome
                .verdict
                .map_or("deferred", Verdict::as_str)
                .to_string(),
        ),
        ("blocked", outcome.blocked().count().to_string()),
        (
            "signoff-from",
            signoff.into_iter().collect::<Vec<_>>().join(","),
        ),
        ("needs-prover", outcome.needs_prover.to_string()),
    ];
    if let Err(e) = outputs::write_outputs(path, &values) {
        fail_publish(
            outcome,
            log,
            format!("cannot write the action outputs {}: {e}", path.display()),
        );
    }
}

/// A report that could not be delivered: a pass becomes an error.
fn fail_publish(outcome: &mut Outcome, log: &mut Vec<String>, message: String) {
    log.push(format!("error: {message}"));
    if matches!(outcome.verdict, Some(Verdict::Pass) | None) {
        outcome.verdict = Some(Verdict::Error);
        outcome.error = Some(message);
    }
}

fn check_title(outcome: &Outcome) -> (&'static str, String) {
    let commits: usize = outcome.pulls.iter().map(|p| p.report.summary.commits).sum();
    let agent_commits: usize = outcome
        .pulls
        .iter()
        .map(|p| p.report.summary.agent_commits)
        .sum();
    let blocked: Vec<_> = outcome.blocked().collect();
    match outcome.verdict {
        Some(Verdict::Pass) => (
            "success",
            format!(
                "pass: {commits} commit{}, {agent_commits} involving agents, nothing needs sign-off",
                if commits == 1 { "" } else { "s" },
            ),
        ),
        Some(Verdict::Block) => {
            let teams: BTreeSet<String> = blocked
                .iter()
                .map(|b| signoff_text(&b.signoff_from))
                .collect();
            (
                "failure",
                format!(
                    "blocked: {} change{} need{} sign-off from {}",
                    blocked.len(),
                    if blocked.len() == 1 { "" } else { "s" },
                    if blocked.len() == 1 { "s" } else { "" },
                    teams.into_iter().collect::<Vec<_>>().join("; ")
                ),
            )
        }
        Some(Verdict::Error) | None => (
            "failure",
            "error: agentgate cannot decide, so the merge is blocked".into(),
        ),
    }
}
