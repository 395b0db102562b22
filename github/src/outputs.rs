//! Where the verdict goes: a check run named `agentgate` on the head commit
//! (falling back to a commit status when the token cannot write checks), the
//! job summary, one pull request comment updated in place (found by a hidden
//! marker), and the action's outputs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use agentgate_core::gate::{Blocked, GateReport};
use agentgate_report::gate::signoff_text;
use serde_json::{Value, json};

use crate::api::{Api, ApiError, Method};

/// The check run's (and commit status's) name.
pub const CHECK_NAME: &str = "agentgate";
/// Hidden marker that identifies agentgate's comment.
pub const MARKER: &str = "<!-- agentgate:report -->";
/// GitHub's limit on a check run summary.
const SUMMARY_LIMIT: usize = 65_000;
/// Annotations per check run request (GitHub's limit).
const ANNOTATIONS_PER_REQUEST: usize = 50;

/// How a check run or status was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// A check run: its id, and the slug of the App GitHub says made it
    /// (the token's own identity: its bot account is `<slug>[bot]`).
    CheckRun {
        /// The check run id.
        id: u64,
        /// `app.slug`.
        app: Option<String>,
    },
    /// A commit status (the token could not write checks).
    Status,
}

/// Cut `text` to GitHub's summary limit, saying so.
pub fn clip(text: &str) -> String {
    if text.len() <= SUMMARY_LIMIT {
        return text.to_string();
    }
    let mut end = SUMMARY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n\n… (report truncated; see the job summary or `agentgate gate --format json`)",
        &text[..end]
    )
}

/// At most this many annotations (one per blocked path); the summary
/// lists everything.
const MAX_ANNOTATIONS: usize = 500;

/// Annotations for the blocked paths of a report: one per path (with how
/// many changes of it are blocked), at most [`MAX_ANNOTATIONS`].
pub fn annotations(report: &GateReport) -> Vec<Value> {
    let mut by_path: BTreeMap<&str, Vec<&Blocked>> = BTreeMap::new();
    for b in &report.blocked {
        by_path.entry(b.path.as_str()).or_default().push(b);
    }
    by_path
        .into_iter()
        .take(MAX_ANNOTATIONS)
        .map(|(path, all)| {
            let b = all[0];
            let who = b.agent.clone().or_else(|| b.human.clone()).unwrap_or_default();
            let needs = signoff_text(&b.signoff_from);
            let more = if all.len() > 1 {
                format!(" ({} blocked changes of this path in all)", all.len())
            } else {
                String::new()
            };
            json!({
                "path": path,
                "start_line": 1,
                "end_line": 1,
                "annotation_level": "failure",
                "title": format!("{} by {who} needs sign-off", b.action),
                "message": format!(
                    "Commit {} ({} {path}) is denied by {}. Needs sign-off from: {needs}.{more}",
                    &b.commit[..b.commit.len().min(7)],
                    b.action,
                    if b.policies.is_empty() { "default deny (no permit applies)".to_string() } else { b.policies.join(", ") }
                ),
            })
        })
        .collect()
}

/// Post the check run (all annotations, in batches); fall back to a
/// commit status when checks cannot be written (403/404).
pub async fn post_check(
    api: &Api,
    head: &str,
    conclusion: &str,
    title: &str,
    summary: &str,
    annotations: &[Value],
    details_url: Option<&str>,
) -> Result<Posted, ApiError> {
    let mut batches = annotations.chunks(ANNOTATIONS_PER_REQUEST);
    let first: Vec<Value> = batches.next().map(<[Value]>::to_vec).unwrap_or_default();
    let mut body = json!({
        "name": CHECK_NAME,
        "head_sha": head,
        "status": "completed",
        "conclusion": conclusion,
        "output": {"title": title, "summary": clip(summary), "annotations": first},
    });
    if let Some(url) = details_url {
        body["details_url"] = json!(url);
    }
    match api
        .call(
            Method::Post,
            &format!("/repos/{}/check-runs", api.repo),
            Some(&body),
        )
        .await
    {
        Ok(reply) => {
            let id = reply
                .body
                .get("id")
                .and_then(Value::as_u64)
                .ok_or_else(|| ApiError::Malformed {
                    method: "POST".into(),
                    path: format!("/repos/{}/check-runs", api.repo),
                    message: "the check run has no id".into(),
                })?;
            let app = reply
                .body
                .pointer("/app/slug")
                .and_then(Value::as_str)
                .map(str::to_string);
            for batch in batches {
                let more = json!({"output": {"title": title, "summary": clip(summary), "annotations": batch}});
                api.call(
                    Method::Patch,
                    &format!("/repos/{}/check-runs/{id}", api.repo),
                    Some(&more),
                )
                .await?;
            }
            Ok(Posted::CheckRun { id, app })
        }
        Err(e) if matches!(e.status(), Some(403) | Some(404)) => {
            let state = match conclusion {
                "success" => "success",
                "failure" => "failure",
                _ => "error",
            };
            let mut description: String = title.chars().take(140).collect();
            if description.is_empty() {
                description = CHECK_NAME.into();
            }
            let mut status =
                json!({"state": state, "context": CHECK_NAME, "description": description});
            if let Some(url) = details_url {
                status["target_url"] = json!(url);
            }
            api.call(
                Method::Post,
                &format!("/repos/{}/statuses/{head}", api.repo),
                Some(&status),
            )
            .await?;
            Ok(Posted::Status)
        }
        Err(e) => Err(e),
    }
}

/// Create or update agentgate's one comment on the pull request: an
/// existing one is always brought up to date; a new one is posted only when
/// `create`. Returns the comment id and whether it was an update. Only a
/// comment carrying the marker *and* written by `me` (the account the token
/// acts as) is edited, so nobody can make agentgate overwrite their comment
/// by pasting the marker; with `me` unknown, none is.
pub async fn upsert_comment(
    api: &Api,
    number: u64,
    markdown: &str,
    create: bool,
    me: Option<&str>,
) -> Result<Option<(u64, bool)>, ApiError> {
    let body = json!({"body": clip(&format!("{MARKER}\n{markdown}"))});
    let comments = api
        .list(&format!("/repos/{}/issues/{number}/comments", api.repo))
        .await?;
    let mine = comments.iter().rev().find(|c| {
        c.get("body")
            .and_then(Value::as_str)
            .is_some_and(|b| b.starts_with(MARKER))
            && me.is_some_and(|me| {
                c.pointer("/user/login")
                    .and_then(Value::as_str)
                    .is_some_and(|l| l.eq_ignore_ascii_case(me))
            })
    });
    let (reply, updated) = match mine.and_then(|c| c.get("id")).and_then(Value::as_u64) {
        Some(id) => (
            api.call(
                Method::Patch,
                &format!("/repos/{}/issues/comments/{id}", api.repo),
                Some(&body),
            )
            .await?,
            true,
        ),
        None if create => (
            api.call(
                Method::Post,
                &format!("/repos/{}/issues/{number}/comments", api.repo),
                Some(&body),
            )
            .await?,
            false,
        ),
        None => return Ok(None),
    };
    Ok(Some((
        reply.body.get("id").and_then(Value::as_u64).unwrap_or(0),
        updated,
    )))
}

/// Append action outputs to `$GITHUB_OUTPUT` (heredoc form, so values can
/// hold anything).
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        let mut delim = String::from("AGENTGATE_EOF");
        while value.contains(&delim) {
            delim.push('_');
        }
        text.push_str(&format!("{name}<<{delim}\n{value}\n{delim}\n"));
    }
    append(path, &text)
}

/// Append markdown to `$GITHUB_STEP_SUMMARY`.
pub fn write_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    append(path, &format!("{markdown}\n"))
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}
