//! The webhook event that triggered the run, read for what it may be
//! trusted with: which pull request, merge group or commit to look at.
//! What the gate then judges comes from the API and from git, never from
//! the payload (a payload's SHAs and numbers only point the way). Any other
//! event is a clear error, never a pass.

use serde_json::Value;
use thiserror::Error;

/// Events `agentgate github` handles.
pub const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "merge_group",
    "workflow_run",
];

/// Events a `workflow_run` may relay: what the triggering workflow ran on.
pub const RELAYED: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "merge_group",
];

/// The event cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EventError {
    /// The workflow ran on an event agentgate does not judge.
    #[error(
        "event `{0}` is not one agentgate judges; trigger the workflow on {events} (see examples/workflows/agentgate.yml)",
        events = EVENTS.join(", ")
    )]
    Unsupported(String),
    /// A `workflow_run` relayed an event agentgate does not judge.
    #[error(
        "the workflow run that triggered this one ran on `{0}`, which names no pull request or merge group; relay only {relayed} (see examples/workflows/agentgate-review.yml)",
        relayed = RELAYED.join(", ")
    )]
    UnsupportedRelay(String),
    /// A field the event must carry is missing or malformed.
    #[error("the {event} payload has no usable `{field}`")]
    Missing {
        /// The event name.
        event: String,
        /// The field (a JSON path).
        field: &'static str,
    },
    /// A merge group whose base branch cannot be told.
    #[error(
        "cannot tell the merge queue's base branch from `{0}` (expected refs/heads/gh-readonly-queue/<branch>/pr-<number>-<sha>)"
    )]
    QueueRef(String),
}

/// What the event points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// One pull request, by number (`pull_request*` events).
    Pull {
        /// The event name.
        event: String,
        /// The pull request number.
        number: u64,
        /// The head the event saw (the pull request may have moved since).
        head_seen: Option<String>,
        /// Whether the head lives in another repository (a fork): such
        /// runs get a read-only token, whatever `permissions:` says.
        from_fork: bool,
    },
    /// A merge queue group.
    Group {
        /// The base branch (`main`).
        branch: String,
        /// `merge_group.base_sha` when the event says it (a relayed group
        /// does not; it is found from git then).
        base: Option<String>,
        /// The group's head commit.
        head: String,
        /// The queue ref of the group's head (fetched when missing).
        head_ref: String,
    },
    /// A `workflow_run` relaying a pull request event: the pull request is
    /// found through the API by its head commit.
    Relayed {
        /// The triggering run's event.
        event: String,
        /// The commit that run was for.
        head: String,
        /// `owner` of the head repository, when the payload says (a hint
        /// for the search only).
        head_owner: Option<String>,
        /// The head branch (a hint for the search only).
        head_branch: Option<String>,
    },
}

impl Trigger {
    /// The commit the verdict is posted on, when the event alone tells it.
    pub fn head_hint(&self) -> Option<&str> {
        match self {
            Trigger::Pull { head_seen, .. } => head_seen.as_deref(),
            Trigger::Group { head, .. } | Trigger::Relayed { head, .. } => Some(head),
        }
    }

    /// Whether a pull request comment belongs to this run (not for groups).
    pub fn comments(&self) -> bool {
        !matches!(self, Trigger::Group { .. })
    }
}

fn sha(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

/// Read the trigger from an event name and its payload.
pub fn parse(event: &str, payload: &Value) -> Result<Trigger, EventError> {
    let missing = |field: &'static str| EventError::Missing {
        event: event.to_string(),
        field,
    };
    match event {
        "pull_request" | "pull_request_target" | "pull_request_review" => {
            let number = payload
                .pointer("/pull_request/number")
                .or_else(|| payload.get("number"))
                .and_then(Value::as_u64)
                .ok_or_else(|| missing("pull_request.number"))?;
            let head_repo = payload
                .pointer("/pull_request/head/repo/full_name")
                .and_then(Value::as_str);
            let base_repo = payload
                .pointer("/pull_request/base/repo/full_name")
                .or_else(|| payload.pointer("/repository/full_name"))
                .and_then(Value::as_str);
            let from_fork = payload
                .pointer("/pull_request/head/repo/fork")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || matches!((head_repo, base_repo), (Some(h), Some(b)) if !h.eq_ignore_ascii_case(b));
            Ok(Trigger::Pull {
                event: event.into(),
                number,
                head_seen: sha(payload.pointer("/pull_request/head/sha")),
                from_fork,
            })
        }
        "merge_group" => {
            let head_ref = payload
                .pointer("/merge_group/head_ref")
                .and_then(Value::as_str)
                .ok_or_else(|| missing("merge_group.head_ref"))?
                .to_string();
            let branch = match payload
                .pointer("/merge_group/base_ref")
                .and_then(Value::as_str)
            {
                Some(b) => b.trim_start_matches("refs/heads/").to_string(),
                None => queue_branch(&head_ref).ok_or(EventError::QueueRef(head_ref.clone()))?,
            };
            Ok(Trigger::Group {
                branch,
                base: Some(
                    sha(payload.pointer("/merge_group/base_sha"))
                        .ok_or_else(|| missing("merge_group.base_sha"))?,
                ),
                head: sha(payload.pointer("/merge_group/head_sha"))
                    .ok_or_else(|| missing("merge_group.head_sha"))?,
                head_ref,
            })
        }
        "workflow_run" => {
            let run = payload
                .get("workflow_run")
                .ok_or_else(|| missing("workflow_run"))?;
            let relayed = run
                .get("event")
                .and_then(Value::as_str)
                .ok_or_else(|| missing("workflow_run.event"))?;
            let head = sha(run.get("head_sha")).ok_or_else(|| missing("workflow_run.head_sha"))?;
            let head_branch = run
                .get("head_branch")
                .and_then(Value::as_str)
                .map(str::to_string);
            match relayed {
                "merge_group" => {
                    let branch_ref =
                        head_branch.ok_or_else(|| missing("workflow_run.head_branch"))?;
                    let head_ref = if branch_ref.starts_with("refs/") {
                        branch_ref
                    } else {
                        format!("refs/heads/{branch_ref}")
                    };
                    let branch =
                        queue_branch(&head_ref).ok_or(EventError::QueueRef(head_ref.clone()))?;
                    Ok(Trigger::Group {
                        branch,
                        base: None,
                        head,
                        head_ref,
                    })
                }
                e if RELAYED.contains(&e) => Ok(Trigger::Relayed {
                    event: e.to_string(),
                    head,
                    head_owner: run
                        .pointer("/head_repository/owner/login")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    head_branch,
                }),
                other => Err(EventError::UnsupportedRelay(other.to_string())),
            }
        }
        other => Err(EventError::Unsupported(other.to_string())),
    }
}

/// The base branch a merge queue ref is for:
/// `refs/heads/gh-readonly-queue/release/1.x/pr-104-<sha>` -> `release/1.x`.
/// (The SHA in the name is the entry's parent, not the pull request's
/// head; nothing is read from it.)
pub fn queue_branch(r: &str) -> Option<String> {
    let rest = r
        .trim_start_matches("refs/heads/")
        .strip_prefix("gh-readonly-queue/")?;
    let (branch, last) = rest.rsplit_once('/')?;
    (last.starts_with("pr-") && !branch.is_empty()).then(|| branch.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "929f8209d40f77f4abc622a499c93a83babdbe64";
    const B: &str = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";

    #[test]
    fn pull_request_events() {
        let t = parse(
            "pull_request_target",
            &json!({"number": 7, "pull_request": {"number": 7, "head": {"sha": A, "repo": {"full_name": "x/y", "fork": true}}, "base": {"repo": {"full_name": "o/r"}}}}),
        )
        .unwrap();
        assert_eq!(
            t,
            Trigger::Pull {
                event: "pull_request_target".into(),
                number: 7,
                head_seen: Some(A.into()),
                from_fork: true
            }
        );
        assert!(parse("pull_request", &json!({})).is_err());
    }

    #[test]
    fn merge_groups_name_their_branch_not_a_head() {
        let t = parse(
            "merge_group",
            &json!({"merge_group": {"head_ref": format!("refs/heads/gh-readonly-queue/release/1.x/pr-104-{A}"), "base_sha": A, "head_sha": B}}),
        )
        .unwrap();
        assert_eq!(
            t,
            Trigger::Group {
                branch: "release/1.x".into(),
                base: Some(A.into()),
                head: B.into(),
                head_ref: format!("refs/heads/gh-readonly-queue/release/1.x/pr-104-{A}"),
            }
        );
        assert!(
            parse(
                "merge_group",
                &json!({"merge_group": {"head_ref": "refs/heads/x", "base_sha": A, "head_sha": B}})
            )
            .is_err()
        );
        assert!(parse("merge_group", &json!({"merge_group": {"head_ref": format!("refs/heads/gh-readonly-queue/main/pr-1-{A}"), "base_sha": "short", "head_sha": B}})).is_err());
    }

    #[test]
    fn workflow_runs_relay_reviews_and_groups() {
        let review = parse(
            "workflow_run",
            &json!({"workflow_run": {"event": "pull_request_review", "head_sha": A, "head_branch": "copilot/fix", "head_repository": {"owner": {"login": "octo"}}, "pull_requests": [{"number": 99}]}}),
        )
        .unwrap();
        assert_eq!(
            review,
            Trigger::Relayed {
                event: "pull_request_review".into(),
                head: A.into(),
                head_owner: Some("octo".into()),
                head_branch: Some("copilot/fix".into()),
            },
            "the run's own pull_requests list is not read"
        );
        let group = parse(
            "workflow_run",
            &json!({"workflow_run": {"event": "merge_group", "head_sha": B, "head_branch": format!("gh-readonly-queue/main/pr-5-{A}")}}),
        )
        .unwrap();
        assert_eq!(
            group,
            Trigger::Group {
                branch: "main".into(),
                base: None,
                head: B.into(),
                head_ref: format!("refs/heads/gh-readonly-queue/main/pr-5-{A}")
            }
        );
        assert_eq!(
            parse(
                "workflow_run",
                &json!({"workflow_run": {"event": "push", "head_sha": A}})
            ),
            Err(EventError::UnsupportedRelay("push".into()))
        );
        assert!(
            parse(
                "workflow_run",
                &json!({"workflow_run": {"event": "pull_request_review"}})
            )
            .is_err()
        );
    }

    #[test]
    fn other_events_are_errors() {
        assert_eq!(
            parse("push", &json!({})),
            Err(EventError::Unsupported("push".into()))
        );
        assert!(
            EventError::Unsupported("push".into())
                .to_string()
                .contains("workflow_run")
        );
    }
}
