//! Judging one pull request: make sure its commits are here, open the
//! gate's session on `base.sha..head.sha` (policies from its base, or from
//! the merge group's base when it is judged inside a group), gather what
//! GitHub knows (account links, reviews from accounts that can push, team
//! members) and judge. A pull request that edits the policies also gets
//! what the edit grants.

use std::collections::{BTreeMap, BTreeSet};

use agentgate_core::gate::{GateInput, GateReport, Session};
use agentgate_impact::GateImpact;

use crate::access::Access;
use crate::api::{Api, ApiError};
use crate::env::RunnerEnv;
use crate::facts::{CommitAccounts, GithubFacts};
use crate::fetch::{self, Want};
use crate::queries::{self, PullRequest};
use crate::runner::{Options, Prover, RunError};

/// One pull request, judged.
#[derive(Debug)]
pub struct Judged {
    /// The pull request.
    pub number: u64,
    /// Its head (what reviews must name).
    pub head: String,
    /// The gate's report.
    pub report: GateReport,
    /// What its policy edits grant, when it makes any.
    pub impact: Option<GateImpact>,
    /// The config's `github.comment` setting.
    pub comment_default: Option<bool>,
}

/// Everything a judgement needs besides the pull request.
pub struct Ctx<'a> {
    /// The runner.
    pub env: &'a RunnerEnv,
    /// The run's options.
    pub opts: &'a Options,
    /// GitHub.
    pub api: &'a Api,
}

/// Judge `pr`. `policy_rev` overrides where the policies are read (a merge
/// group's base).
pub async fn judge(
    cx: &Ctx<'_>,
    access: &mut Access,
    pr: &PullRequest,
    policy_rev: Option<String>,
    log: &mut Vec<String>,
) -> Result<Judged, RunError> {
    let (env, opts, api) = (cx.env, cx.opts, cx.api);
    let (base, head) = (pr.base_sha.clone(), pr.head_sha.clone());
    if !opts.no_fetch {
        let wants = [
            Want {
                commit: base.clone(),
                refspec: base.clone(),
            },
            Want {
                commit: head.clone(),
                refspec: format!(
                    "+refs/pull/{n}/head:refs/remotes/agentgate/pull/{n}",
                    n = pr.number
                ),
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
        policy_rev,
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
        review_head: Some(head.clone()),
        ..GithubFacts::default()
    };
    for slug in slugs {
        let members = queries::team_members(api, &slug).await?;
        facts.team_members.insert(slug, members);
    }
    facts.reviews = queries::reviews(api, pr.number).await?;
    facts.without_write = access.without_write(api, &facts.reviews).await?;
    facts.accounts = account_links(api, pr.number, &base, &head, &session.commit_ids()).await?;
    facts.pull_request = Some(pr.clone());
    let report = session.judge(&facts)?;

    // A range that edits the policies also shows what the edit grants.
    let impact = if report.policy_files_changed {
        let mut io = agentgate_impact::Options::default();
        match opts.prover {
            Prover::Skip => {
                io.prove = false;
                io.skipped_because = Some(
                    "no proof: the action's `prove` input is false (`--prover skip`); the concrete impact above still holds"
                        .into(),
                );
            }
            Prover::Defer => {
                // The check spawns the solver under a runtime of its own.
                let available =
                    tokio::task::spawn_blocking(agentgate_impact::proof::solver_available)
                        .await
                        .is_ok_and(|r| r.is_ok());
                if !available {
                    return Err(RunError::NeedsProver);
                }
            }
            Prover::Report => {}
        }
        let (repo, store, revs) = (
            session.repo().handle(),
            session.store().clone(),
            session.revs(),
        );
        // The proof drives its own solver runtime, so it runs off this one.
        Some(
            tokio::task::spawn_blocking(move || {
                agentgate_impact::for_gate(&repo, &store, revs.base, revs.head, &io)
            })
            .await
            .unwrap_or_else(|e| GateImpact::Error {
                error: format!("the impact computation failed: {e}"),
            }),
        )
    } else {
        None
    };
    Ok(Judged {
        number: pr.number,
        head,
        report,
        impact,
        comment_default: session.store().config.github.comment,
    })
}

/// Account links for every commit of the range: the pull request's commit
/// listing first, and the comparison `base...head` (paginated, so beyond the
/// 250 commits the pull request listing stops at) for the rest. A commit
/// GitHub does not list is an error: who made it cannot be told.
async fn account_links(
    api: &Api,
    number: u64,
    base: &str,
    head: &str,
    ids: &[String],
) -> Result<BTreeMap<String, CommitAccounts>, RunError> {
    let mut links = queries::pull_commits(api, number).await?;
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
