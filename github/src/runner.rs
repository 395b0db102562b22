//! One `agentgate github` run: event -> what to judge (a pull request, the
//! pull requests a relayed review points at, or a merge group's) -> facts
//! from GitHub and git -> the gate's one entry (`Session`) per pull request
//! -> one verdict -> the report, published.
//!
//! Every failure along the way is a block (DESIGN §5.4): it is reported on
//! the check run, in the job summary and in the outputs, and the exit code
//! is 2, never 0.
//!
//! (It runs past 500 lines because the run's outcome types and the one flow
//! that fills them read best together, top to bottom.)

use agentgate_core::gate::{GateError, GateReport, GateVerdict};
use agentgate_impact::GateImpact;
use agentgate_report::Format;
use agentgate_report::diag::ErrorBlock;
use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

use crate::access::Access;
use crate::api::{Api, ApiError};
use crate::env::RunnerEnv;
use crate::event::{self, EventError, Trigger};
use crate::group::{self, Group, GroupError};
use crate::pull::{self, Judged};
use crate::queries::{self, PullRequest};

/// When to post the pull request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommentMode {
    /// When the gate blocks, and to update an earlier comment (the default:
    /// no noise on pull requests that pass).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// What to do about the proof of a policy edit's impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prover {
    /// Prove when cvc5 is here; otherwise the report says it was skipped.
    #[default]
    Report,
    /// When the range edits the policies and cvc5 is not here, publish
    /// nothing and ask the caller (the Action) to install it and run again
    /// (output `needs-prover=true`, exit 0).
    Defer,
    /// Never prove; the report says so.
    Skip,
}

/// How the run is set up beyond the runner's environment.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Config path in the base tree (default `agentgate.toml`).
    pub config: Option<String>,
    /// Comment mode from the action input; `None`: the config's
    /// `github.comment`, else [`CommentMode::Auto`].
    pub comment: Option<CommentMode>,
    /// Do not fetch missing commits.
    pub no_fetch: bool,
    /// The proof of a policy edit's impact.
    pub prover: Prover,
}

/// Why the run could not decide. Every variant blocks the merge.
#[derive(Debug, Error)]
pub enum RunError {
    /// The event payload cannot be read.
    #[error("{0}")]
    Payload(String),
    /// The event cannot be used.
    #[error(transparent)]
    Event(#[from] EventError),
    /// A relayed event whose commit no open pull request has as its head.
    #[error(
        "no open pull request has head {head} (the {event} run that triggered this one named it); nothing to judge, so the commit gets a failing check"
    )]
    NoPull {
        /// The commit.
        head: String,
        /// The triggering run's event.
        event: String,
    },
    /// GitHub's API failed.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The missing commits could not be fetched.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// The gate could not decide.
    #[error("{0}")]
    Gate(#[from] GateError),
    /// A merge group could not be judged as a whole.
    #[error(transparent)]
    Group(#[from] GroupError),
    /// The range edits the policies, cvc5 is missing and the caller asked
    /// to be told (`--prover defer`). Not a verdict: nothing is published.
    #[error("the range edits the policies and cvc5 is not installed; install it and run again")]
    NeedsProver,
}

impl RunError {
    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            RunError::Gate(GateError::Git(g)) => Some(g.help()),
            RunError::Gate(GateError::Policies { .. }) => {
                Some("fix the policy set on the base branch first (`agentgate validate` there)".into())
            }
            RunError::Fetch(_) => Some(
                "check out the base with `actions/checkout` and `fetch-depth: 0` (see examples/workflows/agentgate.yml)"
                    .into(),
            ),
            RunError::Group(GroupError::Unattributed { .. }) => Some(
                "remove the pull requests from the queue and add them again (the queue rebuilds the group from their heads)"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// A run's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing needs more sign-off.
    Pass,
    /// Something does.
    Block,
    /// The run could not decide (a block too).
    Error,
}

impl Verdict {
    /// `pass`, `block` or `error`, as the outputs and JSON say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Block => "block",
            Verdict::Error => "error",
        }
    }
}

/// One judged pull request of a run.
#[derive(Debug, Serialize)]
pub struct PullOutcome {
    /// The pull request.
    pub number: u64,
    /// Its verdict.
    pub verdict: &'static str,
    /// The gate's report.
    pub report: GateReport,
    /// What its policy edits grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<GateImpact>,
    /// Its report in Markdown (its comment).
    #[serde(skip)]
    pub markdown: String,
}

/// A merge group, as judged.
#[derive(Debug, Clone, Serialize)]
pub struct GroupOutcome {
    /// Its base commit.
    pub base: String,
    /// Its head commit.
    pub head: String,
    /// Its pull requests, in queue order.
    pub pulls: Vec<u64>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The verdict (`None` when the run deferred to a second run).
    pub verdict: Option<Verdict>,
    /// Every pull request judged.
    pub pulls: Vec<PullOutcome>,
    /// The merge group, for a merge queue run.
    pub group: Option<GroupOutcome>,
    /// Why it could not decide (token redacted).
    pub error: Option<String>,
    /// What to do about the error.
    pub help: Option<String>,
    /// The markdown report (job summary, check run summary).
    pub markdown: String,
    /// What was posted where, and warnings, one line each (token redacted).
    pub log: Vec<String>,
    /// The run stopped before publishing: cvc5 is wanted (`--prover defer`).
    pub needs_prover: bool,
}

impl Outcome {
    /// The exit code: 0 pass (or deferred), 1 block, 2 error.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            None | Some(Verdict::Pass) => 0,
            Some(Verdict::Block) => 1,
            Some(Verdict::Error) => 2,
        }
    }

    /// The report of the one pull request judged, if exactly one was.
    pub fn report(&self) -> Option<&GateReport> {
        match self.pulls.as_slice() {
            [one] => Some(&one.report),
            _ => None,
        }
    }

    /// The impact section of the one pull request judged.
    pub fn impact(&self) -> Option<&GateImpact> {
        match self.pulls.as_slice() {
            [one] => one.impact.as_ref(),
            _ => None,
        }
    }

    /// Every blocked change of every pull request judged.
    pub fn blocked(&self) -> impl Iterator<Item = &agentgate_core::gate::Blocked> {
        self.pulls.iter().flat_map(|p| p.report.blocked.iter())
    }
}

/// What the run learned before judging, kept for publishing even when
/// judging fails.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub(crate) trigger: Option<Trigger>,
    /// The commit the check run goes on.
    pub(crate) head: Option<String>,
    /// The pull requests a comment may go on.
    pub(crate) numbers: Vec<u64>,
    /// Whether a pull request's head lives in a fork (a read-only token
    /// for `pull_request*` runs).
    pub(crate) from_fork: bool,
    /// The config's `github.comment` setting.
    pub(crate) comment_default: Option<bool>,
}

/// Run the gate for the event in `env`.
pub fn run(env: &RunnerEnv, opts: &Options) -> Outcome {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return failed(env, format!("cannot start the async runtime: {e}")),
    };
    rt.block_on(run_async(env, opts))
}

/// An outcome that never got to judging: the runtime or the client failed.
fn failed(env: &RunnerEnv, error: String) -> Outcome {
    let error = env.redact(&error);
    Outcome {
        verdict: Some(Verdict::Error),
        markdown: error_markdown(&error, None),
        error: Some(error),
        ..Outcome::default()
    }
}

fn error_markdown(error: &str, help: Option<&str>) -> String {
    ErrorBlock {
        message: error.to_string(),
        help: help.map(str::to_string),
        diagnostics: Vec::new(),
    }
    .markdown()
}

async fn run_async(env: &RunnerEnv, opts: &Options) -> Outcome {
    let api = match Api::new(
        &env.api_url,
        &env.graphql_url,
        &env.token,
        &env.repository,
        env.retry_base,
    ) {
        Ok(a) => a,
        Err(e) => return failed(env, e.to_string()),
    };
    let mut known = Known::default();
    let mut log = Vec::new();
    let mut judged = Vec::new();
    let mut group_seen = None;
    let result = judge(
        env,
        opts,
        &api,
        &mut known,
        &mut judged,
        &mut group_seen,
        &mut log,
    )
    .await;
    if let Err(RunError::NeedsProver) = result {
        log.push(
            "the range edits the policies and cvc5 is not installed: nothing published; install cvc5 and run again (`--prover report`)"
                .into(),
        );
        let mut outcome = Outcome {
            needs_prover: true,
            log: Vec::new(),
            ..Outcome::default()
        };
        crate::publish::outputs_only(env, &mut outcome, &mut log);
        outcome.log = log.into_iter().map(|l| env.redact(&l)).collect();
        return outcome;
    }
    let pulls: Vec<PullOutcome> = judged
        .into_iter()
        .map(|j: Judged| {
            let verdict = match j.report.verdict {
                GateVerdict::Pass => Verdict::Pass,
                GateVerdict::Block => Verdict::Block,
            };
            PullOutcome {
                number: j.number,
                verdict: verdict.as_str(),
                markdown: agentgate_report::gate::render(
                    &j.report,
                    j.impact.as_ref(),
                    Format::Markdown,
                ),
                report: j.report,
                impact: j.impact,
            }
        })
        .collect();
    let judged_verdict = pulls
        .iter()
        .map(|p| match p.report.verdict {
            GateVerdict::Pass => Verdict::Pass,
            GateVerdict::Block => Verdict::Block,
        })
        .max()
        .unwrap_or(Verdict::Pass);
    let (verdict, error, help) = match &result {
        Ok(()) => (judged_verdict, None, None),
        Err(e) => (Verdict::Error, Some(env.redact(&e.to_string())), e.help()),
    };
    let mut markdown = combined_markdown(&pulls, group_seen.as_ref());
    if let Some(e) = &error {
        markdown.push_str(&error_markdown(e, help.as_deref()));
    }
    if let Some(url) = run_url(env) {
        markdown.push_str(&format!("\n<sub>[agentgate run]({url})</sub>\n"));
    }
    let mut outcome = Outcome {
        verdict: Some(verdict),
        pulls,
        group: group_seen.map(|g: Group| GroupOutcome {
            base: g.base,
            head: g.head,
            pulls: g.pulls,
        }),
        error,
        help,
        markdown,
        log: Vec::new(),
        needs_prover: false,
    };
    crate::publish::publish(env, opts, &api, &known, &mut outcome, &mut log).await;
    outcome.log = log.into_iter().map(|l| env.redact(&l)).collect();
    outcome
}

/// The report of every pull request judged: one report as it is; several
/// (a merge group, pull requests sharing a head) each under its heading.
fn combined_markdown(pulls: &[PullOutcome], group: Option<&Group>) -> String {
    match (pulls, group) {
        ([one], None) => one.markdown.clone(),
        _ => {
            let mut md = String::new();
            if let Some(g) = group {
                md.push_str(&format!(
                    "## agentgate: merge group {}..{}\n\nEach pull request of the group is judged on its own, with its own approvals, under the policies of the group's base.\n\n",
                    agentgate_core::gate::short_id(&g.base),
                    agentgate_core::gate::short_id(&g.head)
                ));
            }
            for p in pulls {
                md.push_str(&format!(
                    "### Pull request #{}: {}\n\n{}\n",
                    p.number, p.verdict, p.markdown
                ));
            }
            md
        }
    }
}

pub(crate) fn run_url(env: &RunnerEnv) -> Option<String> {
    env.run_id.as_ref().map(|id| {
        format!(
            "{}/{}/actions/runs/{id}",
            env.server_url.trim_end_matches('/'),
            env.repository
        )
    })
}

fn read_payload(env: &RunnerEnv) -> Result<Value, RunError> {
    let text = std::fs::read_to_string(&env.event_path).map_err(|e| {
        RunError::Payload(format!(
            "cannot read the event payload {}: {e}",
            env.event_path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        RunError::Payload(format!(
            "the event payload {} is not JSON: {e}",
            env.event_path.display()
        ))
    })
}

/// Resolve what to judge and judge it, filling `known` (for publishing)
/// and `judged` as it goes.
async fn judge(
    env: &RunnerEnv,
    opts: &Options,
    api: &Api,
    known: &mut Known,
    judged: &mut Vec<Judged>,
    group_seen: &mut Option<Group>,
    log: &mut Vec<String>,
) -> Result<(), RunError> {
    let payload = read_payload(env)?;
    let trigger = event::parse(&env.event_name, &payload)?;
    known.trigger = Some(trigger.clone());
    known.head = trigger.head_hint().map(str::to_string);
    let cx = pull::Ctx { env, opts, api };
    let mut access = Access::default();
    let remember = |known: &mut Known, j: &Judged| {
        if known.comment_default.is_none() {
            known.comment_default = j.comment_default;
        }
    };

    match trigger {
        Trigger::Pull {
            number,
            head_seen,
            from_fork,
            ..
        } => {
            known.numbers = vec![number];
            known.from_fork = from_fork;
            let pr = queries::pull_request(api, number).await?;
            known.from_fork |= pr.from_fork;
            known.head = Some(pr.head_sha.clone());
            if let Some(seen) = head_seen
                && !seen.eq_ignore_ascii_case(&pr.head_sha)
            {
                log.push(format!(
                    "note: the event named head {seen}, but the pull request's head is now {}; judging {}",
                    pr.head_sha, pr.head_sha
                ));
            }
            let j = pull::judge(&cx, &mut access, &pr, None, log).await?;
            remember(known, &j);
            judged.push(j);
        }
        Trigger::Relayed {
            event,
            head,
            head_owner,
            head_branch,
        } => {
            let hint = head_owner.as_deref().zip(head_branch.as_deref());
            let prs: Vec<PullRequest> = queries::open_pulls_with_head(api, &head, hint).await?;
            if prs.is_empty() {
                return Err(RunError::NoPull { head, event });
            }
            known.numbers = prs.iter().map(|p| p.number).collect();
            known.from_fork = prs.iter().any(|p| p.from_fork);
            log.push(format!(
                "the {event} run names head {head}: judging pull request{} {}",
                if prs.len() == 1 { "" } else { "s" },
                prs.iter()
                    .map(|p| format!("#{}", p.number))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            for pr in &prs {
                let j = pull::judge(&cx, &mut access, pr, None, log).await?;
                remember(known, &j);
                judged.push(j);
            }
        }
        Trigger::Group {
            branch,
            base,
            head,
            head_ref,
        } => {
            let g = group::resolve(&cx, &branch, base, &head, &head_ref, log).await?;
            known.head = Some(g.head.clone());
            log.push(format!(
                "merge group {}..{} holds pull request{} {}",
                g.base,
                g.head,
                if g.pulls.len() == 1 { "" } else { "s" },
                g.pulls
                    .iter()
                    .map(|n| format!("#{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            *group_seen = Some(g.clone());
            for n in &g.pulls {
                let pr = queries::pull_request(api, *n).await?;
                let j = pull::judge(&cx, &mut access, &pr, Some(g.base.clone()), log).await?;
                remember(known, &j);
                judged.push(j);
            }
            let reports: Vec<&GateReport> = judged.iter().map(|j| &j.report).collect();
            let loose = group::unattributed(env, &g, &reports)?;
            if !loose.is_empty() {
                return Err(GroupError::Unattributed { paths: loose }.into());
            }
        }
    }
    Ok(())
}
