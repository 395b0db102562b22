//! The webhook event that triggered the run: which pull request (or merge
//! queue group) to judge. Any other event is a clear error, never a pass.

use serde_json::Value;
use thiserror::Error;

/// The event cannot be used.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct EventError(pub String);

/// Events `agentgate github` handles.
pub const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "merge_group",
];

/// What to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The event name.
    pub event: String,
    /// The pull request number.
    pub number: u64,
    /// For a merge queue group: its base and head commits.
    pub merge_group: Option<(String, String)>,
    /// For a merge queue group: the ref of its head (fetched when missing).
    pub head_ref: Option<String>,
    /// For a merge queue group: the pull request head that was queued, as
    /// the queue ref names it (`.../pr-<number>-<sha>`).
    pub queued_head: Option<String>,
}

/// Read the target from an event name and its payload.
pub fn parse(event: &str, payload: &Value) -> Result<Target, EventError> {
    match event {
        "pull_request" | "pull_request_target" | "pull_request_review" => {
            let number = payload
                .pointer("/pull_request/number")
                .or_else(|| payload.get("number"))
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    EventError(format!("the {event} payload has no pull_request.number"))
                })?;
            Ok(Target {
                event: event.into(),
                number,
                merge_group: None,
                head_ref: None,
                queued_head: None,
            })
        }
        "merge_group" => {
            let mg = payload
                .get("merge_group")
                .ok_or_else(|| EventError("the merge_group payload has no merge_group".into()))?;
            let field = |k: &str| {
                mg.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        EventError(format!("the merge_group payload has no merge_group.{k}"))
                    })
            };
            let head_ref = field("head_ref")?;
            let number = pr_from_queue_ref(&head_ref).ok_or_else(|| {
                EventError(format!("cannot tell the pull request from merge queue ref {head_ref:?} (expected .../pr-<number>-<sha>)"))
            })?;
            let queued_head = head_ref
                .rsplit('/')
                .next()
                .and_then(|last| last.rsplit_once('-'))
                .map(|(_, sha)| sha.to_ascii_lowercase())
                .filter(|sha| sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
            Ok(Target {
                event: event.into(),
                number,
                merge_group: Some((field("base_sha")?, field("head_sha")?)),
                head_ref: Some(head_ref),
                queued_head,
            })
        }
        other => Err(EventError(format!(
            "event `{other}` is not one agentgate judges; trigger the workflow on {} (see examples/workflows/agentgate.yml)",
            EVENTS.join(", ")
        ))),
    }
}

/// `refs/heads/gh-readonly-queue/main/pr-104-<sha>` -> 104.
pub fn pr_from_queue_ref(r: &str) -> Option<u64> {
    let last = r.rsplit('/').next()?;
    let rest = last.strip_prefix("pr-")?;
    rest.split('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events() {
        assert_eq!(
            parse(
                "pull_request_target",
                &json!({"number": 7, "pull_request": {"number": 7}})
            )
            .unwrap()
            .number,
            7
        );
        let mg = parse("merge_group", &json!({"merge_group": {"head_ref": "refs/heads/gh-readonly-queue/main/pr-104-929f", "base_sha": "a", "head_sha": "b"}})).unwrap();
        assert_eq!(mg.number, 104);
        assert_eq!(mg.merge_group, Some(("a".into(), "b".into())));
        assert_eq!(mg.queued_head, None, "a short sha is not a commit id");
        let sha = "929f8209d40f77f4abc622a499c93a83babdbe64";
        let full = parse("merge_group", &json!({"merge_group": {"head_ref": format!("refs/heads/gh-readonly-queue/main/pr-104-{sha}"), "base_sha": "a", "head_sha": "b"}})).unwrap();
        assert_eq!(full.queued_head.as_deref(), Some(sha));
        assert!(
            parse("push", &json!({}))
                .unwrap_err()
                .0
                .contains("not one agentgate judges")
        );
        assert!(parse("pull_request", &json!({})).is_err());
        assert!(
            parse(
                "merge_group",
                &json!({"merge_group": {"head_ref": "refs/heads/x"}})
            )
            .is_err()
        );
    }
}
