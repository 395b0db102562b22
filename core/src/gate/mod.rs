//! The gate (DESIGN §4): judge every commit of `base..head` against the
//! policies of the base commit, and block the merge until the right humans
//! have signed off.
//!
//! ```text
//! (base, head) -> policy set + config from the BASE tree (git objects)
//!              -> commits in base..head -> per commit: identities + changed paths
//!              -> requests (principal x action x File) -> Cedar -> per-path verdicts
//!              -> sign-offs -> report -> exit code
//! ```

pub mod carried;
pub mod identity;
pub mod report;
pub mod signoff;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use gix::ObjectId;
use serde::Serialize;
use serde_json::json;
use thiserror::Error;

use crate::decide::{Decider, Probe};
use crate::diag::Diags;
use crate::git::changes::{Change, Differ};
use crate::git::{GitError, Repo, short, walk};
use crate::policy::PolicyStore;
use crate::policy::codeowners::CodeOwners;
use crate::request::{Builder, Req, RequestError};
use crate::vocab::Verdict;
use crate::vocab::{Principal, Resource, Signer};
use identity::{AgentHit, CommitMeta, Involvement, Person, identify};
use signoff::{Excluded, Review, SignOffs};

/// Why the gate could not decide. Every variant is a block (exit 2).
#[derive(Debug, Error)]
pub enum GateError {
    /// Git could not give what the gate needs.
    #[error("{0}")]
    Git(#[from] GitError),
    /// The policies at the policy commit are unusable.
    #[error("the policies at {commit} cannot be used:\n{diags}")]
    Policies {
        /// The commit they were read from.
        commit: String,
        /// What is wrong with them.
        diags: Diags,
    },
    /// The reviews cannot be put in order.
    #[error("{0}")]
    Reviews(#[from] crate::gate::signoff::ReviewTimeError),
    /// A request could not be built or evaluated.
    #[error("cannot evaluate {what}: {source}")]
    Request {
        /// Which change.
        what: String,
        /// Why.
        source: RequestError,
    },
}

/// An account GitHub links to a commit (author or committer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Login.
    pub login: String,
    /// `User`, `Bot`, ...
    pub kind: String,
}

/// GitHub's account links of one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommitAccounts {
    /// The author's account, if the author e-mail links to one.
    pub author: Option<Account>,
    /// The committer's account, if linked.
    pub committer: Option<Account>,
}

/// What to judge and with which facts.
#[derive(Default)]
pub struct GateInput {
    /// Base revision: commits it has are not judged.
    pub base: String,
    /// Head revision.
    pub head: String,
    /// Where to read policies, schema and config (default: `base`). Must
    /// not come from the change under review.
    pub policy_rev: Option<String>,
    /// Reviews (GitHub's shape).
    pub reviews: Vec<Review>,
    /// Logins that may not sign off, with the reason (e.g. who asked the
    /// agent, the PR author when an agent opened it).
    pub excluded_logins: Vec<(String, String)>,
    /// GitHub's account links per commit id. When given, a commit whose
    /// accounts are bots or agents involves an agent, and (unless the
    /// config says otherwise) a commit linked to no account is an agent's.
    pub accounts: Option<BTreeMap<String, CommitAccounts>>,
    /// Agents involved in every commit of the range (on GitHub: the pull
    /// request's author when it is an agent or a bot).
    pub extra_agents: Vec<AgentHit>,
    /// Where the config is in the policy commit's tree (default
    /// `agentgate.toml`).
    pub config_path: Option<String>,
    /// Approvals count only on this commit (default: the head). A merge
    /// queue judges its group's head but the pull request's head was reviewed.
    pub review_head: Option<String>,
    /// Members of GitHub teams (`org/slug`, lower-case) learned from the
    /// API: added to the Cedar teams `[github.teams]` maps to them, and used
    /// for team owners in CODEOWNERS.
    pub team_members: BTreeMap<String, Vec<String>>,
}

/// pass or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateVerdict {
    /// Nothing needs more sign-off.
    Pass,
    /// Something does.
    Block,
}

/// One judged commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitReport {
    /// Full id.
    pub id: String,
    /// First line of the message.
    pub subject: String,
    /// Author.
    pub author: Person,
    /// Agents involved, and how each was recognised.
    pub agents: Vec<AgentHit>,
    /// When no agent is involved: the human it is judged as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    /// Paths it changes.
    pub changes: Vec<Change>,
    /// How many (principal, path) requests were denied.
    pub blocked: usize,
}

/// A change that needs sign-off (or can never be made).
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    /// Commit id.
    pub commit: String,
    /// Path.
    pub path: String,
    /// create / modify / delete.
    pub action: String,
    /// The agent it was judged as (`null` for a human's commit).
    pub agent: Option<String>,
    /// The human it was judged as, for a human's commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    /// `File.kind`.
    pub kind: String,
    /// For the create half of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For the delete half of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// A merge carries this version from outside the range (judged as the
    /// merge's change, relative to the base).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// The policies that denied it (empty: no permit applied).
    pub policies: Vec<String>,
    /// Whose sign-off would allow it: team names, `a+b`, or `*` (any
    /// eligible human). Empty: no sign-off would.
    pub signoff_from: Vec<String>,
    /// Policies whose evaluation failed for this request (a `forbid` that
    /// errors counts as applying).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::decide::PolicyError>,
}

/// Counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Commits in the range.
    pub commits: usize,
    /// Of which involve an agent.
    pub agent_commits: usize,
    /// Changed paths over all commits.
    pub changes: usize,
    /// Requests evaluated (a change times each principal).
    pub requests: usize,
    /// Requests denied.
    pub blocked: usize,
}

/// Where a policy is and what it is for.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    /// `file:line` or `<built-in floor>`.
    pub location: String,
    /// Its intent comment.
    pub intent: Option<String>,
}

/// The gate's answer.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// pass or block.
    pub verdict: GateVerdict,
    /// Base commit id.
    pub base: String,
    /// Head commit id.
    pub head: String,
    /// The commit policies, schema and config were read from.
    pub policy_commit: String,
    /// Counts.
    pub summary: Summary,
    /// Every change that needs sign-off.
    pub blocked: Vec<Blocked>,
    /// Sign-offs that count, and reviews that do not (with why).
    pub signoffs: SignOffs,
    /// The judged commits, oldest first.
    pub commits: Vec<CommitReport>,
    /// The policies named in `blocked`.
    pub policies: BTreeMap<String, PolicyRef>,
    /// Whether the range changes the policy set's files (policy directory,
    /// schema, config).
    pub policy_files_changed: bool,
}

/// The human a commit is judged as: the linked account's login, else the
/// login of a GitHub noreply address, else the author e-mail.
fn human_login(meta: &CommitMeta, accounts: Option<&CommitAccounts>) -> String {
    if let Some(a) = accounts.and_then(|a| a.author.as_ref()) {
        return a.login.to_ascii_lowercase();
    }
    meta.author
        .noreply_login()
        .unwrap_or_else(|| meta.author.email.to_ascii_lowercase())
}

/// Add what GitHub's account links prove about a commit.
fn add_account_facts(
    store: &PolicyStore,
    inv: &mut Involvement,
    accounts: Option<&BTreeMap<String, CommitAccounts>>,
    id: &str,
) {
    let Some(all) = accounts else { return };
    let links = all.get(id);
    let mut linked = false;
    for (role, acc) in [
        ("author", links.and_then(|l| l.author.as_ref())),
        ("committer", links.and_then(|l| l.committer.as_ref())),
    ] {
        let Some(acc) = acc else { continue };
        // GitHub's own web-flow committer is not a person.
        if role == "committer" && acc.login.eq_ignore_ascii_case("web-flow") {
            continue;
        }
        if role == "author" {
            linked = true;
        }
        let agent = crate::gate::identity::account_agent(&store.catalog, &acc.login, &acc.kind);
        if let Some(agent) = agent
            && !inv.agents.iter().any(|a| a.id == agent)
        {
            inv.agents.push(AgentHit {
                id: agent,
                via: format!("{role} account {} ({})", acc.login, acc.kind),
            });
        }
    }
    if !linked
        && store.config.github.unlinked_commits == crate::policy::config::Unlinked::Agent
        && inv.agents.is_empty()
    {
        inv.agents.push(AgentHit {
            id: "unlinked".into(),
            via: "the author links to no GitHub account (config: github.unlinked_commits = \"agent\")".into(),
        });
    }
}

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

/// Resolve the input's revisions.
pub fn resolve(repo: &Repo, input: &GateInput) -> Result<Revs, GateError> {
    let base = repo.resolve(&input.base)?;
    let head = repo.resolve(&input.head)?;
    let policy = match &input.policy_rev {
        Some(r) => repo.resolve(r)?,
        None => base,
    };
    Ok(Revs { base, head, policy })
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

/// The CODEOWNERS GitHub would use, read from the policy commit.
pub fn load_codeowners(repo: &Repo, policy: ObjectId) -> Result<CodeOwners, GateError> {
    CodeOwners::load(&repo.tree_at(policy)?).map_err(|e| {
        GateError::Git(GitError::Object {
            what: "CODEOWNERS".into(),
            message: e.to_string(),
        })
    })
}

/// Add team members learned elsewhere (e.g. from GitHub, by `org/slug`) to
/// the Cedar teams the config maps to those slugs (`[github.teams]`).
pub fn apply_team_members(store: &mut PolicyStore, members: &BTreeMap<String, Vec<String>>) {
    let mapping: Vec<(String, String)> = store
        .config
        .github
        .teams
        .iter()
        .map(|(team, slug)| (team.clone(), slug.to_ascii_lowercase()))
        .collect();
    for (team, slug) in mapping {
        if let Some(logins) = members.get(&slug) {
            let list = store.config.teams.entry(team).or_default();
            for l in logins {
                if !list.iter().any(|x| x.eq_ignore_ascii_case(l)) {
                    list.push(l.to_ascii_lowercase());
                }
            }
        }
    }
}

/// Run the gate on the repository at `path`.
pub fn run(path: &Path, input: &GateInput) -> Result<GateReport, GateError> {
    let repo = Repo::open(path)?;
    let revs = resolve(&repo, input)?;
    let mut store = load_store(&repo, revs.policy, input.config_path.as_deref())?;
    apply_team_members(&mut store, &input.team_members);
    evaluate(&repo, &store, revs, input)
}

/// Judge `base..head` with an already-loaded store.
pub fn evaluate(
    repo: &Repo,
    store: &PolicyStore,
    revs: Revs,
    input: &GateInput,
) -> Result<GateReport, GateError> {
    let ids = walk::range(repo, revs.base, revs.head)?;
    judge(repo, store, revs.base, revs.head, revs.policy, &ids, input)
}

/// Judge the commits `ids` (oldest first) with `store`.
pub fn judge(
    repo: &Repo,
    store: &PolicyStore,
    base: ObjectId,
    head: ObjectId,
    policy_commit: ObjectId,
    ids: &[ObjectId],
    input: &GateInput,
) -> Result<GateReport, GateError> {
    let mut commits = Vec::with_capacity(ids.len());
    for id in ids {
        let meta = walk::meta(repo, *id)?;
        let mut inv = identify(&store.catalog, &meta);
        add_account_facts(store, &mut inv, input.accounts.as_ref(), &meta.id);
        for a in &input.extra_agents {
            if !inv.agents.iter().any(|x| x.id == a.id) {
                inv.agents.push(a.clone());
            }
        }
        commits.push((meta, inv));
    }

    // Who may not sign off: everyone who took part in an agent commit.
    let mut excluded = Excluded {
        people: Vec::new(),
        logins: input.excluded_logins.clone(),
    };
    for (meta, inv) in &commits {
        if inv.has_agents() {
            excluded.people.push(meta.author.clone());
            excluded.people.push(meta.committer.clone());
            excluded.people.extend(inv.named.iter().cloned());
            if let Some(links) = input.accounts.as_ref().and_then(|a| a.get(&meta.id)) {
                for acc in [&links.author, &links.committer].into_iter().flatten() {
                    excluded.logins.push((
                        acc.login.clone(),
                        format!(
                            "{} authored or committed agent commit {}",
                            acc.login,
                            &meta.id[..7.min(meta.id.len())]
                        ),
                    ));
                }
            }
        }
    }
    // GitHub's web-flow committer is not a person who could review.
    excluded
        .people
        .retain(|p| !p.email.eq_ignore_ascii_case("noreply@github.com"));
    let review_head = input
        .review_head
        .clone()
        .unwrap_or_else(|| head.to_string());
    let signoffs = signoff::evaluate(&input.reviews, &review_head, &store.catalog, &excluded)?;
    let signers: Vec<Signer> = signoffs
        .approvers
        .iter()
        .map(|l| Signer::Human(l.clone()))
        .collect();

    let jobs: Vec<(ObjectId, Vec<Principal>)> = commits
        .iter()
        .zip(ids)
        .map(|((meta, inv), id)| {
            let links = input.accounts.as_ref().and_then(|a| a.get(&meta.id));
            (*id, principals(meta, inv, links))
        })
        .collect();
    // CODEOWNERS of the policy commit: does an eligible approver own a path?
    let owners = load_codeowners(repo, policy_commit)?;
    let mut owner_teams = input.team_members.clone();
    for (team, slug) in &store.config.github.teams {
        let members = owner_teams.entry(slug.to_ascii_lowercase()).or_default();
        members.extend(store.config.members(team));
    }
    let approvers = signoffs.approvers.clone();
    let owner_approved = |path: &str| owners.approved_by_owner(path, &approvers, &owner_teams);
    let mut judged = judge_parallel(repo, store, &jobs, &signers, Some(&owner_approved))?;

    // What merges carry that nothing judged produced: judged as theirs.
    let shapes: Vec<(ObjectId, bool)> = commits
        .iter()
        .zip(ids)
        .map(|((meta, _), id)| (*id, meta.parents.len() > 1))
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
    for ((meta, inv), (changes, found, requests)) in commits.into_iter().zip(judged) {
        let links = input.accounts.as_ref().and_then(|a| a.get(&meta.id));
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
            human: (!inv.has_agents()).then(|| human_login(&meta, links)),
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
        policy_commit: policy_commit.to_string(),
        summary,
        blocked,
        signoffs,
        commits: reports,
        policies,
        policy_files_changed,
    })
}

/// Who a commit is judged as: each agent involved, or else the human.
pub fn principals(
    meta: &CommitMeta,
    inv: &Involvement,
    links: Option<&CommitAccounts>,
) -> Vec<Principal> {
    if inv.has_agents() {
        inv.agents
            .iter()
            .map(|a| Principal::Agent(a.id.clone()))
            .collect()
    } else {
        vec![Principal::Human(human_login(meta, links))]
    }
}

type CacheKey = (Principal, String, String, crate::vocab::FileKind, bool);

/// What the gate keeps of an answer: the verdict, the deciding policies and
/// who could sign off.
#[derive(Clone)]
struct Kept {
    verdict: Verdict,
    policies: Vec<String>,
    signoff_from: Vec<String>,
    errors: Vec<crate::decide::PolicyError>,
}

/// At most this many remembered answers; then the memory starts over, so a
/// long audit does not grow with history.
const CACHE_LIMIT: usize = 50_000;

/// Evaluates the changes of commits, one commit at a time, through the one
/// request builder; shared by the gate and `audit`.
pub struct Judge<'s> {
    decider: Decider<'s>,
    cacheable: bool,
    cache: HashMap<CacheKey, Kept>,
}

impl<'s> Judge<'s> {
    /// A judge for `store`'s policies.
    pub fn new(store: &'s PolicyStore) -> Judge<'s> {
        // Answers depend on the commit only through `context.commit`; when
        // no policy can read it, equal requests share one answer.
        let cacheable = !store.may_read("commit");
        Judge {
            decider: Decider::new(Builder::trusted(store)),
            cacheable,
            cache: HashMap::new(),
        }
    }

    /// Judge one commit's changes for each principal. Returns the denied
    /// changes and how many requests were evaluated.
    pub fn commit(
        &mut self,
        commit: &str,
        principals: &[Principal],
        changes: &[Change],
        signers: &[Signer],
        owner_approved: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<(Vec<Blocked>, usize), GateError> {
        let mut out = self.commits(&[(commit, principals, changes)], signers, owner_approved)?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Judge several commits' changes at once: one Cedar entity set serves
    /// the whole batch (built only if some answer is not remembered), which
    /// spares a transitive closure per commit. Returns, per commit, the
    /// denied changes and how many requests were evaluated.
    pub fn commits(
        &mut self,
        batch: &[(&str, &[Principal], &[Change])],
        signers: &[Signer],
        owner_approved: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Vec<(Vec<Blocked>, usize)>, GateError> {
        // Every request of the batch, with the commit and change it is for.
        let mut reqs = Vec::new();
        let mut origin: Vec<(usize, usize)> = Vec::new();
        for (bi, (commit, principals, changes)) in batch.iter().enumerate() {
            for (ci, c) in changes.iter().enumerate() {
                let owner = owner_approved.is_some_and(|f| f(&c.path));
                for p in principals.iter() {
                    let mut context = serde_json::Map::new();
                    context.insert("commit".into(), json!(commit));
                    context.insert("owner_approved".into(), json!(owner));
                    reqs.push(Req {
                        principal: p.clone(),
                        action: c.action.as_str().to_string(),
                        resource: Resource::File {
                            path: c.path.clone(),
                            kind: c.kind,
                        },
                        context,
                        signoff: signers.to_vec(),
                    });
                    origin.push((bi, ci));
                }
            }
        }
        let mut out: Vec<(Vec<Blocked>, usize)> = batch
            .iter()
            .map(|(_, principals, changes)| (Vec::new(), principals.len() * changes.len()))
            .collect();
        // One entity set holds one `File` per path, so a path whose kind
        // differs between commits of the batch (a file, then a symlink)
        // needs another set: each request goes to the first layer where its
        // path has its own kind, and each layer gets its own entities.
        let layer_of = layers(&reqs);
        let layer_count = layer_of.iter().max().map_or(0, |m| m + 1);
        let mut entities: Vec<Option<cedar_policy::Entities>> = vec![None; layer_count];
        for ((req, &(bi, ci)), &layer) in reqs.iter().zip(&origin).zip(&layer_of) {
            let commit = batch[bi].0;
            let change = &batch[bi].2[ci];
            let owner = req.context.get("owner_approved") == Some(&json!(true));
            let key: CacheKey = (
                req.principal.clone(),
                req.action.clone(),
                change.path.clone(),
                change.kind,
                owner,
            );
            let cached = if self.cacheable {
                self.cache.get(&key).cloned()
            } else {
                None
            };
            let answer = match cached {
                Some(a) => a,
                None => {
                    if entities[layer].is_none() {
                        let members: Vec<Req> = reqs
                            .iter()
                            .zip(&layer_of)
                            .filter(|(_, l)| **l == layer)
                            .map(|(r, _)| r.clone())
                            .collect();
                        entities[layer] = Some(self.decider.builder().entities(&members).map_err(
                            |source| GateError::Request {
                                what: format!("commit {}", short_str(commit)),
                                source,
                            },
                        )?);
                    }
                    let Some(ents) = &entities[layer] else {
                        continue;
                    };
                    let a = self
                        .decider
                        .answer_with(req, ents, Probe::SignOff)
                        .map_err(|source| GateError::Request {
                            what: format!(
                                "{} {} in {}",
                                req.action,
                                change.path,
                                short_str(commit)
                            ),
                            source,
                        })?;
                    let kept = Kept {
                        verdict: a.decision,
                        policies: a.policies,
                        signoff_from: a.signoff_from.unwrap_or_default(),
                        errors: a.errors,
                    };
                    if self.cacheable {
                        if self.cache.len() >= CACHE_LIMIT {
                            self.cache.clear();
                        }
                        self.cache.insert(key, kept.clone());
                    }
                    kept
                }
            };
            if answer.verdict != Verdict::Allow {
                let (agent, human) = match &req.principal {
                    Principal::Agent(a) => (Some(a.clone()), None),
                    Principal::Human(h) => (None, Some(h.clone())),
                    Principal::Other(o) => (None, Some(o.clone())),
                };
                out[bi].0.push(Blocked {
                    commit: commit.to_string(),
                    path: change.path.clone(),
                    action: req.action.clone(),
                    agent,
                    human,
                    kind: change.kind.as_str().to_string(),
                    renamed_from: change.renamed_from.clone(),
                    renamed_to: change.renamed_to.clone(),
                    carried: change.carried,
                    policies: answer.policies,
                    signoff_from: answer.signoff_from,
                    errors: answer.errors,
                });
            }
        }
        Ok(out)
    }
}

/// For each request, the entity layer it belongs to: the first in which
/// every path keeps one kind.
fn layers(reqs: &[Req]) -> Vec<usize> {
    let mut kinds: Vec<HashMap<&str, crate::vocab::FileKind>> = vec![HashMap::new()];
    reqs.iter()
        .map(|r| {
            let Resource::File { path, kind } = &r.resource else {
                return 0;
            };
            let layer = kinds
                .iter()
                .position(|k| k.get(path.as_str()).is_none_or(|have| have == kind))
                .unwrap_or_else(|| {
                    kinds.push(HashMap::new());
                    kinds.len() - 1
                });
            kinds[layer].insert(path.as_str(), *kind);
            layer
        })
        .collect()
}

/// Commits judged with one entity set (bounded, so a batch of huge commits
/// stays small in memory).
const BATCH: usize = 32;

/// One judged commit: its changes, the denied ones, requests evaluated.
type Judged = (Vec<Change>, Vec<Blocked>, usize);

/// Diff and judge commits on every core. Each worker has its own
/// repository handle, differ and judge; results come back in input order.
fn judge_parallel(
    repo: &Repo,
    store: &PolicyStore,
    jobs: &[(ObjectId, Vec<Principal>)],
    signers: &[Signer],
    owner_approved: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Vec<Judged>, GateError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(jobs.len() / 32 + 1);
    let work = |offset: usize, handle: Repo| -> Result<Vec<(usize, Judged)>, GateError> {
        let mut differ = Differ::new();
        let mut judge = Judge::new(store);
        let mut out = Vec::new();
        let owner: Option<&dyn Fn(&str) -> bool> = match owner_approved {
            Some(f) => Some(f),
            None => None,
        };
        let mine: Vec<usize> = (offset..jobs.len()).step_by(workers).collect();
        for chunk in mine.chunks(BATCH) {
            let mut diffed = Vec::with_capacity(chunk.len());
            for &i in chunk {
                diffed.push((
                    i,
                    jobs[i].0.to_string(),
                    differ.changes(&handle, jobs[i].0)?,
                ));
            }
            let batch: Vec<(&str, &[Principal], &[Change])> = diffed
                .iter()
                .map(|(i, id, changes)| (id.as_str(), jobs[*i].1.as_slice(), changes.as_slice()))
                .collect();
            let judged = judge.commits(&batch, signers, owner)?;
            for ((i, _, changes), (found, requests)) in diffed.into_iter().zip(judged) {
                out.push((i, (changes, found, requests)));
            }
        }
        Ok(out)
    };
    let mut results: Vec<(usize, Judged)> = if workers <= 1 {
        work(0, repo.handle())?
    } else {
        let parts: Vec<Result<Vec<(usize, Judged)>, GateError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let handle = repo.handle();
                    let work = &work;
                    scope.spawn(move || work(w, handle))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(GateError::Git(GitError::Object {
                            what: "a worker thread".into(),
                            message: "it panicked".into(),
                        }))
                    })
                })
                .collect()
        });
        let mut all = Vec::with_capacity(jobs.len());
        for p in parts {
            all.extend(p?);
        }
        all
    };
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, j)| j).collect())
}

fn short_str(id: &str) -> &str {
    id.char_indices().nth(7).map_or(id, |(i, _)| &id[..i])
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

/// `short` re-exported for reports.
pub fn short_id(id: &str) -> String {
    match id.parse::<ObjectId>() {
        Ok(o) => short(&o),
        Err(_) => short_str(id).to_string(),
    }
}
