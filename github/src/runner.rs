//! One `agentgate github` run: read the event, ask GitHub for the facts git
//! cannot give (the pull request, account links, reviews, team members),
//! judge `base..head` with the gate of agentgate-core, and report.
//!
//! Every failure along the way is a block (DESIGN §5.4): it is reported on
//! the check run, in the job summary and in the outputs, and the exit code
//! is 2, never 0.

use std::collections::{BTreeMap, BTreeSet};

use agentgate_core::gate::{GateError, GateInput, GateReport, GateVerdict, Session};
use agentgate_impact::GateImpact;
use agentgate_report::Format;
use agentgate_report::diag::ErrorBlock;
use serde_json::Value;
use thiserror::Error;

use crate::api::{Api, ApiError};
use crate::env::RunnerEnv;
use crate::event::{self, Target};
use crate::facts::{CommitAccounts, GithubFacts};
use crate::fetch::{self, Want};
use crate::queries;

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
}

/// Why the run could not decide. Every variant blocks the merge.
#[derive(Debug, Error)]
pub enum RunError {
    /// The event payload is unusable.
    #[error("{0}")]
    Event(String),
    /// GitHub's API failed.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The missing commits could not be fetched.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// The gate could not decide.
    #[error("{0}")]
    Gate(#[from] GateError),
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
            _ => None,
        }
    }
}

/// A run's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The gate's report, when it got that far.
    pub report: Option<GateReport>,
    /// What the range's policy edits grant, when it edits them.
    pub impact: Option<GateImpact>,
    /// Why it could not decide (token redacted).
    pub error: Option<String>,
    /// What to do about the error.
    pub help: Option<String>,
    /// The markdown report (job summary, comment, check run summary).
    pub markdown: String,
    /// What was posted where, and warnings, one line each (token redacted).
    pub log: Vec<String>,
}

impl Outcome {
    /// The exit code: 0 pass, 1 block, 2 error.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => 0,
            Verdict::Block => 1,
            Verdict::Error => 2,
        }
    }
}

/// What the run learned before judging, kept for reporting.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub(crate) target: Option<Target>,
    /// The commit the check run goes on.
    pub(crate) head: Option<String>,
}

/// Run the gate for the event in `env`.
pub fn run(env: &RunnerEnv, opts: &Options) -> Outcome {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return failed(env, format!("cannot start the async runtime: {e}"));
        }
    };
    rt.block_on(run_async(env, opts))
}

/// An outcome that never got to judging: the runtime or the client failed.
fn failed(env: &RunnerEnv, error: String) -> Outcome {
    let error = env.redact(&error);
    let markdown = error_markdown(&error, None);
    Outcome {
        verdict: Verdict::Error,
        report: None,
        impact: None,
        error: Some(error),
        help: None,
        markdown,
        log: Vec::new(),
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
    let api = match Api::new(&env.api_url, &env.token, &env.repository, env.retry_base) {
        Ok(a) => a,
        Err(e) => return failed(env, e.to_string()),
    };
    let mut known = Known::default();
    let mut log = Vec::new();
    let judged = judge(env, opts, &api, &mut known, &mut log).await;
    let (verdict, report, impact, error, help, mut markdown, comment_default) = match judged {
        Ok((report, impact, comment_default)) => {
            let verdict = match report.verdict {
                GateVerdict::Pass => Verdict::Pass,
                GateVerdict::Block => Verdict::Block,
            };
            let md = agentgate_report::gate::render(&report, impact.as_ref(), Format::Markdown);
            (
                verdict,
                Some(report),
                impact,
                None,
                None,
                md,
                comment_default,
            )
        }
        Err(e) => {
            let help = e.help();
            let error = env.redact(&e.to_string());
            let md = error_markdown(&error, help.as_deref());
            (Verdict::Error, None, None, Some(error), help, md, None)
        }
    };
    if let Some(url) = run_url(env) {
        markdown.push_str(&format!("\n<sub>[agentgate run]({url})</sub>\n"));
    }
    let mut outcome = Outcome {
        verdict,
        report,
        impact,
        error,
        help,
        markdown,
        log: Vec::new(),
    };
    crate::publish::publish(
        env,
        opts,
        &api,
        &known,
        comment_default,
        &mut outcome,
        &mut log,
    )
    .await;
    outcome.log = log.into_iter().map(|l| env.redact(&l)).collect();
    outcome
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

/// Gather the facts and judge. Returns the report and the config's comment
/// setting.
async fn judge(
    env: &RunnerEnv,
    opts: &Options,
    api: &Api,
    known: &mut Known,
    log: &mut Vec<String>,
) -> Result<(GateReport, Option<GateImpact>, Option<bool>), RunError> {
    let text = std::fs::read_to_string(&env.event_path).map_err(|e| {
        RunError::Event(format!(
            "cannot read the event payload {}: {e}",
            env.event_path.display()
        ))
    })?;
    let payload: Value = serde_json::from_str(&text).map_err(|e| {
        RunError::Event(format!(
            "the event payload {} is not JSON: {e}",
            env.event_path.display()
        ))
    })?;
    let target = event::parse(&env.event_name, &payload).map_err(|e| RunError::Event(e.0))?;
    known.target = Some(target.clone());
    known.head = target
        .merge_group
        .as_ref()
        .map(|(_, h)| h.clone())
        .or_else(|| {
            payload
                .pointer("/pull_request/head/sha")
                .and_then(Value::as_str)
                .map(str::to_string)
        });

    let pr = queries::pull_request(api, target.number).await?;
    let (base, head) = match &target.merge_group {
        Some((b, h)) => {
            if let Some(queued) = &target.queued_head
                && !queued.eq_ignore_ascii_case(&pr.head_sha)
            {
                return Err(RunError::Event(format!(
                    "pull request #{} was queued at {queued} but its head is now {}; approvals of one do not cover the other",
                    target.number, pr.head_sha
                )));
            }
            (b.clone(), h.clone())
        }
        None => (pr.base_sha.clone(), pr.head_sha.clone()),
    };
    known.head = Some(head.clone());
    if target.merge_group.is_none()
        && let Some(seen) = payload
            .pointer("/pull_request/head/sha")
            .and_then(Value::as_str)
        && !seen.eq_ignore_ascii_case(&head)
    {
        log.push(format!(
            "note: the event named head {seen}, but the pull request's head is now {head}; judging {head}"
        ));
    }

    // Git: the commits must be here, with full history between them.
    if !opts.no_fetch {
        let head_ref = match &target.merge_group {
            Some(_) => target.head_ref.clone().unwrap_or_else(|| head.clone()),
            None => format!(
                "+refs/pull/{}/head:refs/remotes/agentgate/pull/{}",
                target.number, target.number
            ),
        };
        let wants = [
            Want {
                commit: base.clone(),
                refspec: base.clone(),
            },
            Want {
                commit: head.clone(),
                refspec: head_ref,
            },
        ];
        for f in fetch::ensure(&env.workspace, &wants)? {
            log.push(format!("fetched {f}"));
        }
    }
    let input = GateInput {
        base: base.clone(),
        head: head.clone(),
        config_path: opts.config.clone(),
        ..GateInput::default()
    };
    let session = Session::open(&env.workspace, &input)?;
    let store = session.store();

    // Teams the policies can ask for: those the config maps to GitHub teams,
    // and CODEOWNERS teams when a policy reads `owner_approved`.
    let mut slugs: BTreeSet<String> = store
        .config
        .github
        .teams
        .values()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if store.may_read("owner_approved") {
        let owners = session.codeowners()?;
        slugs.extend(owners.teams().into_iter().map(|t| t.to_ascii_lowercase()));
    }
    let mut facts = GithubFacts {
        review_head: Some(pr.head_sha.clone()),
        ..GithubFacts::default()
    };
    for slug in slugs {
        let members = queries::team_members(api, &slug).await?;
        facts.team_members.insert(slug, members);
    }
    facts.reviews = queries::reviews(api, target.number).await?;
    facts.accounts = account_links(api, &target, &base, &head, &session.commit_ids()).await?;
    facts.pull_request = Some(pr);
    let report = session.judge(&facts)?;
    // A range that edits the policies also shows what the edit grants.
    // (The proof drives its own solver runtime, so it runs off this one.)
    let impact = if report.policy_files_changed {
        let (repo, store, revs) = (
            session.repo().handle(),
            session.store().clone(),
            session.revs(),
        );
        Some(
            tokio::task::spawn_blocking(move || {
                agentgate_impact::for_gate(&repo, &store, revs.base, revs.head)
            })
            .await
            .unwrap_or_else(|e| GateImpact::Error {
                error: format!("the impact computation failed: {e}"),
            }),
        )
    } else {
        None
    };
    Ok((report, impact, session.store().config.github.comment))
}

/// Account links for every commit of the range: the pull request's commit
/// listing first, and the comparison `base...head` (paginated, so beyond the
/// 250 commits the pull request listing stops at) for the rest. A commit
/// GitHub does not list is an error: who made it cannot be told.
async fn account_links(
    api: &Api,
    target: &Target,
    base: &str,
    head: &str,
    ids: &[String],
) -> Result<BTreeMap<String, CommitAccounts>, RunError> {
    let mut links = BTreeMap::new();
    if target.merge_group.is_none() {
        links.extend(queries::pull_commits(api, target.number).await?);
    }
    let missing = |links: &BTreeMap<String, CommitAccounts>| {
        ids.iter()
            .filter(|i| !links.contains_key(*i))
            .cloned()
            .collect::<Vec<_>>()
    };
    if !missing(&links).is_empty() {
        links.extend(queries::compare_commits(api, base, head).await?);
    }
    let still = missing(&links);
    if let Some(first) = still.first() {
        return Err(RunError::Api(ApiError::Truncated {
            path: format!("/repos/{}/compare/{base}...{head}", api.repo),
            message: format!(
                "GitHub does not list {} of the {} commits of the range (first: {first}), so who made them cannot be told",
                still.len(),
                ids.len()
            ),
        }));
    }
    Ok(links)
}
