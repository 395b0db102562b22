//! Posting the verdict where GitHub users look: the job summary, a check
//! run (or a commit status) on the head, the pull request comment, and the
//! action's outputs. A report that cannot be delivered turns a pass into an
//! error.

use std::collections::BTreeSet;

use agentgate_report::gate::signoff_text;

use crate::api::Api;
use crate::env::RunnerEnv;
use crate::outputs::{self, Posted};
use crate::runner::{CommentMode, Known, Options, Outcome, Verdict, run_url};

/// Post the verdict where GitHub users look. Failures to post are logged;
/// a failure that hides the verdict turns a pass into an error.
pub(crate) async fn publish(
    env: &RunnerEnv,
    opts: &Options,
    api: &Api,
    known: &Known,
    comment_default: Option<bool>,
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

    if let Some(head) = &known.head {
        let (conclusion, title) = check_title(outcome);
        let annotations = outcome
            .report
            .as_ref()
            .map(outputs::annotations)
            .unwrap_or_default();
        match outputs::post_check(api, head, conclusion, &title, &outcome.markdown, &annotations, run_url(env).as_deref()).await {
            Ok(Posted::CheckRun(id)) => log.push(format!("check run {id} on {head}: {conclusion}")),
            Ok(Posted::Status) => log.push(format!(
                "commit status on {head}: {conclusion} (the token cannot write check runs; grant `checks: write`)"
            )),
            Err(e) if matches!(e.status(), Some(403)) => log.push(format!(
                "warning: the token can write neither check runs nor commit statuses ({e}); the job's own result carries the verdict"
            )),
            Err(e) => fail_publish(outcome, log, format!("cannot post the check run: {e}")),
        }
    }

    let mode = opts.comment.unwrap_or(match comment_default {
        Some(true) => CommentMode::Always,
        Some(false) => CommentMode::Never,
        None => CommentMode::Auto,
    });
    if let Some(target) = &known.target
        && target.merge_group.is_none()
        && mode != CommentMode::Never
    {
        let create = mode == CommentMode::Always || outcome.verdict != Verdict::Pass;
        match outputs::upsert_comment(api, target.number, &outcome.markdown, create).await {
            Ok(Some((id, true))) => log.push(format!("comment {id} on #{} updated", target.number)),
            Ok(Some((id, false))) => log.push(format!("comment {id} on #{} posted", target.number)),
            Ok(None) => {}
            Err(e) if matches!(e.status(), Some(403)) => {
                log.push(format!(
                    "warning: cannot comment on #{} ({e}); grant `pull-requests: write`",
                    target.number
                ));
            }
            Err(e) => fail_publish(
                outcome,
                log,
                format!("cannot post the pull request comment: {e}"),
            ),
        }
    }

    if let Some(path) = &env.output {
        let signoff: BTreeSet<String> = outcome
            .report
            .iter()
            .flat_map(|r| r.blocked.iter())
            .flat_map(|b| b.signoff_from.iter().cloned())
            .collect();
        let blocked = outcome.report.as_ref().map_or(0, |r| r.blocked.len());
        let values = [
            ("verdict", outcome.verdict.as_str().to_string()),
            ("blocked", blocked.to_string()),
            (
                "signoff-from",
                signoff.into_iter().collect::<Vec<_>>().join(","),
            ),
        ];
        if let Err(e) = outputs::write_outputs(path, &values) {
            fail_publish(
                outcome,
                log,
                format!("cannot write the action outputs {}: {e}", path.display()),
            );
        }
    }
}

/// A report that could not be delivered: a pass becomes an error.
fn fail_publish(outcome: &mut Outcome, log: &mut Vec<String>, message: String) {
    log.push(format!("error: {message}"));
    if outcome.verdict == Verdict::Pass {
        outcome.verdict = Verdict::Error;
        outcome.error = Some(message);
    }
}

fn check_title(outcome: &Outcome) -> (&'static str, String) {
    match (&outcome.report, outcome.verdict) {
        (Some(r), Verdict::Pass) => (
            "success",
            format!(
                "pass: {} commit{}, {} involving agents, nothing needs sign-off",
                r.summary.commits,
                if r.summary.commits == 1 { "" } else { "s" },
                r.summary.agent_commits
            ),
        ),
        (Some(r), _) => {
            let teams: BTreeSet<String> = r
                .blocked
                .iter()
                .map(|b| signoff_text(&b.signoff_from))
                .collect();
            (
                "failure",
                format!(
                    "blocked: {} change{} need{} sign-off from {}",
                    r.blocked.len(),
                    if r.blocked.len() == 1 { "" } else { "s" },
                    if r.blocked.len() == 1 { "s" } else { "" },
                    teams.into_iter().collect::<Vec<_>>().join("; ")
                ),
            )
        }
        (None, _) => (
            "failure",
            "error: agentgate cannot decide, so the merge is blocked".into(),
        ),
    }
}
