//! One gate run, the single way in for the CLI and every forge adapter:
//!
//! ```text
//! Session::open: revisions (full SHAs) -> policies, schema, config from the
//!                policy commit (git objects) -> commits of base..head
//! (the adapter gathers what its forge knows, using the session's store and commits)
//! Session::judge(forge): identities -> sign-offs -> changes -> requests
//!                -> Cedar -> what merges carry -> the report
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use gix::ObjectId;

use super::findings::{CommitReport, GateReport, GateVerdict, PolicyRef, Summary};
use super::forge::Forge;
use super::identity::{self, identify};
use super::judge::{Judge, judge_parallel, principals};
use super::signoff::{self, Excluded};
use super::{GateError, GateInput, carried};
use crate::git::changes::Change;
use crate::git::{GitError, Repo, walk};
use crate::policy::PolicyStore;
use crate::policy::codeowners::CodeOwners;
use crate::vocab::{Principal, Signer};

/// The commits a gate run is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revs {
    /// Commits it has are not judged.
    pub base: ObjectId,
    /// The tip judged.
    pub head: ObjectId,
    /// Where policies, schema, config and CODEOWNERS are read.
    pub policy: ObjectId,
}

/// A gate run, opened: the repository, the policy store of the policy
/// commit, and the commits of the range.
pub struct Session {
    repo: Repo,
    store: PolicyStore,
    revs: Revs,
    ids: Vec<ObjectId>,
}

impl Session {
    /// Open the repository at `path`, resolve the revisions, load the
    /// policies from the policy commit and walk the range. Fails closed on
    /// any of it.
    pub fn open(path: &Path, input: &GateInput) -> Result<Session, GateError> {
        let repo = Repo::open(path)?;
        let base = repo.resolve(&input.base)?;
        let head = repo.resolve(&input.head)?;
        let policy = match &input.policy_rev {
            Some(r) => repo.resolve(r)?,
            None => base,
        };
        let revs = Revs { base, head, policy };
        let store = load_store(&repo, policy, input.config_path.as_deref())?;
        let ids = walk::range(&repo, base, head)?;
        Ok(Session {
            repo,
            store,
            revs,
            ids,
        })
    }

    /// The policy store the range is judged by.
    pub fn store(&self) -> &PolicyStore {
        &self.store
    }

    /// The revisions, resolved.
    pub fn revs(&self) -> Revs {
        self.revs
    }

    /// The repository.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// The commits of the range, in topological order.
    pub fn commit_ids(&self) -> Vec<String> {
        self.ids.iter().map(ToString::to_string).collect()
    }

    /// CODEOWNERS of the policy commit.
    pub fn codeowners(&self) -> Result<CodeOwners, GateError> {
        CodeOwners::load(&self.repo.tree_at(self.revs.policy)?).map_err(|e| {
            GateError::Git(GitError::Object {
                what: "CODEOWNERS".into(),
                message: e.to_string(),
            })
        })
    }

    /// Judge the range with what `forge` knows.
    pub fn judge(&self, forge: &dyn Forge) -> Result<GateReport, GateError> {
        let mut store = self.store.clone();
        for (team, logins) in forge.cedar_team_members(&store) {
            let list = store.config.teams.entry(team).or_default();
            for l in logins {
                if !list.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                    list.push(l.to_ascii_lowercase());
                }
            }
        }
        let store = &store;
        let repo = &self.repo;
        let Revs { base, head, policy } = self.revs;
        let ids = &self.ids;

        let range_agents = forge.range_agents(store);
        let mut commits = Vec::with_capacity(ids.len());
        for id in ids {
            let meta = walk::meta(repo, *id)?;
            let mut inv = identify(&store.catalog, &meta);
            let facts = forge.commit(store, &meta);
            for a in facts.agents.iter().chain(&range_agents) {
                if !inv.agents.iter().any(|x| x.id == a.id) {
                    inv.agents.push(a.clone());
                }
            }
            commits.push((meta, inv, facts));
        }

        // Who may not sign off: everyone who took part in an agent commit.
        let mut excluded = Excluded {
            people: Vec::new(),
            logins: forge.excluded(store),
        };
        for (meta, inv, facts) in &commits {
            if inv.has_agents() {
                excluded.people.push(meta.author.clone());
                excluded.people.push(meta.committer.clone());
                excluded.people.extend(inv.named.iter().cloned());
                excluded.logins.extend(facts.participants.iter().cloned());
            }
        }
        excluded.people.retain(|p| !forge.is_machine(p));
        let review_head = forge.review_head().unwrap_or_else(|| head.to_string());
        let signoffs = signoff::evaluate(forge.reviews(), &review_head, &store.catalog, &excluded)?;
        let signers: Vec<Signer> = signoffs
            .approvers
            .iter()
            .map(|l| Signer::Human(l.clone()))
            .collect();

        let jobs: Vec<(ObjectId, Vec<Principal>)> = commits
            .iter()
            .zip(ids)
            .map(|((meta, inv, facts), id)| {
                (
                    *id,
                    principals(inv, || {
                        identity::human_login(meta, facts.author_login.as_deref())
                    }),
                )
            })
            .collect();
        // CODEOWNERS of the policy commit: does an eligible approver own a path?
        let owners = self.codeowners()?;
        let owner_teams = forge.owner_team_members(store);
        let approvers = signoffs.approvers.clone();
        let owner_approved = |path: &str| owners.approved_by_owner(path, &approvers, &owner_teams);
        let mut judged = judge_parallel(repo, store, &jobs, &signers, Some(&owner_approved))?;

        // What merges carry that nothing judged produced: judged as theirs.
        let shapes: Vec<(ObjectId, bool)> = commits
            .iter()
            .zip(ids)
            .map(|((meta, _, _), id)| (*id, meta.parents.len() > 1))
            .collect();
        let extra = {
            let done: Vec<&[Change]> = judged.iter().map(|(c, _, _)| c.as_slice()).collect();
            carried::carried(repo, base, &shapes, &done)?
        };
        if !extra.is_empty() {
            let mut judge = Judge::new(store);
            let owner: &dyn Fn(&str) -> bool = &owner_approved;
            for (i, changes) in extra {
                let id = ids[i].to_string();
                let (found, requests) =
                    judge.commit(&id, &jobs[i].1, &changes, &signers, Some(owner))?;
                let entry = &mut judged[i];
                entry.0.extend(changes);
                entry.1.extend(found);
                entry.2 += requests;
            }
        }

        let mut summary = Summary {
            commits: commits.len(),
            ..Summary::default()
        };
        let mut blocked = Vec::new();
        let mut reports = Vec::with_capacity(commits.len());
        let policy_paths = policy_file_paths(store);
        let mut policy_files_changed = false;
        for ((meta, inv, facts), (changes, found, requests)) in commits.into_iter().zip(judged) {
            if inv.has_agents() {
                summary.agent_commits += 1;
            }
            summary.changes += changes.len();
            summary.requests += requests;
            summary.blocked += found.len();
            policy_files_changed |= changes
                .iter()
                .any(|c| policy_paths.iter().any(|p| is_under(&c.path, p)));
            reports.push(CommitReport {
                subject: meta.message.lines().next().unwrap_or("").to_string(),
                human: (!inv.has_agents())
                    .then(|| identity::human_login(&meta, facts.author_login.as_deref())),
                blocked: found.len(),
                id: meta.id,
                author: meta.author,
                agents: inv.agents,
                changes,
            });
            blocked.extend(found);
        }

        let mut policies = BTreeMap::new();
        for b in &blocked {
            for id in &b.policies {
                if let Some(m) = store.meta.get(id) {
                    policies.insert(
                        id.clone(),
                        PolicyRef {
                            location: m.location(),
                            intent: m.intent.clone(),
                        },
                    );
                }
            }
        }
        Ok(GateReport {
            verdict: if blocked.is_empty() {
                GateVerdict::Pass
            } else {
                GateVerdict::Block
            },
            base: base.to_string(),
            head: head.to_string(),
            policy_commit: policy.to_string(),
            summary,
            blocked,
            signoffs,
            commits: reports,
            policies,
            policy_files_changed,
        })
    }
}

/// Load the policy store of the policy commit (git objects only), with the
/// config at `config_path` (default `agentgate.toml`).
pub fn load_store(
    repo: &Repo,
    policy: ObjectId,
    config_path: Option<&str>,
) -> Result<PolicyStore, GateError> {
    let tree = repo.tree_at(policy)?;
    let err = |diags| GateError::Policies {
        commit: policy.to_string(),
        diags,
    };
    let (config, source) = crate::policy::load_config_at(
        &tree,
        config_path.unwrap_or(crate::policy::config::CONFIG_FILE),
    )
    .map_err(err)?;
    PolicyStore::load_with_config(&tree, config, source).map_err(err)
}

/// The policy set's own files: policy directory, schema, config (at the
/// default place and where it was read from).
fn policy_file_paths(store: &PolicyStore) -> Vec<String> {
    let mut out = vec![
        crate::policy::config::dir_path(&store.config.policies),
        store.config.schema.clone(),
        crate::policy::config::CONFIG_FILE.to_string(),
        // A config named elsewhere (`agentgate github --config`) is as much
        // a policy file.
        store.config.config_path.clone(),
    ];
    out.extend(store.config.schemas.iter().cloned());
    out
}

fn is_under(path: &str, p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    if p.ends_with('/') {
        path.starts_with(p)
    } else {
        path == p
    }
}
