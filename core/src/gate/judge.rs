//! Judging changes: each (principal, change) through the one request
//! builder and Cedar, with answers remembered where no policy can tell
//! commits apart and shared by paths no policy can tell apart
//! ([`crate::policy::path_classes`]), and one entity set per batch of
//! commits for the questions actually asked. Shared by the gate and `audit`.

use std::collections::HashMap;

use gix::ObjectId;
use serde_json::json;

use super::GateError;
use super::findings::Blocked;
use super::identity::Involvement;
use crate::decide::{Decider, Probe};
use crate::git::Repo;
use crate::git::changes::{Change, Differ};
use crate::policy::PolicyStore;
use crate::policy::path_classes::{PathClass, PathClassifier};
use crate::request::{Builder, Req};
use crate::vocab::{Principal, Resource, Signer, Verdict};

/// Who a commit is judged as: each agent involved, or else the human.
pub fn principals(inv: &Involvement, human: impl FnOnce() -> String) -> Vec<Principal> {
    if inv.has_agents() {
        inv.agents
            .iter()
            .map(|a| Principal::Agent(a.id.clone()))
            .collect()
    } else {
        vec![Principal::Human(human())]
    }
}

/// What an answer depends on besides the principal, action and sign-off
/// context: the path itself, or the class of paths the policies cannot tell
/// apart (see [`crate::policy::path_classes`]).
#[derive(Clone, PartialEq, Eq, Hash)]
enum PathKey {
    Path(String, crate::vocab::FileKind),
    Class(PathClass),
}

/// A question's key: the principal (interned), the action, what the answer
/// depends on of the path, and whether the path's owners approved.
type CacheKey = (u32, &'static str, PathKey, bool);

/// What the gate keeps of an answer: the verdict, the deciding policies and
/// who could sign off.
#[derive(Clone)]
struct Kept {
    verdict: Verdict,
    policies: Vec<String>,
    signoff_from: Vec<String>,
    errors: Vec<crate::decide::PolicyError>,
}

/// At most this many remembered answers (or principals); then the memory
/// starts over, so a long audit does not grow with history.
const CACHE_LIMIT: usize = 50_000;

/// Evaluates the changes of commits, one commit at a time, through the one
/// request builder; shared by the gate and `audit`.
pub struct Judge<'s> {
    decider: Decider<'s>,
    cacheable: bool,
    /// `AGENTGATE_NO_SHORTCUTS` is set: no remembered answers, no path
    /// classes, no entity set shared with the sign-off probes.
    plain: bool,
    classes: Option<PathClassifier>,
    cache: HashMap<CacheKey, Kept>,
    /// Principals met so far, so a key holds a number, not a copy of a name.
    principal_ids: HashMap<Principal, u32>,
}

/// Set (to anything) to judge every request on its own: no remembered
/// answers, no path classes, sign-off probes with entity sets of their own,
/// and audit judging one commit at a time. The differential tests compare
/// both ways.
pub const NO_SHORTCUTS_ENV: &str = "AGENTGATE_NO_SHORTCUTS";

/// One question of a batch: which commit, which of its changes, which of
/// its principals.
#[derive(Clone, Copy)]
struct Question {
    commit: usize,
    change: usize,
    principal: usize,
}

/// A batch of commits to judge: id, principals, changes.
type Batch<'b> = [(&'b str, &'b [Principal], &'b [Change])];

impl<'s> Judge<'s> {
    /// A judge for `store`'s policies.
    pub fn new(store: &'s PolicyStore) -> Judge<'s> {
        // Answers depend on the commit only through `context.commit`; when
        // no policy can read it, equal requests share one answer.
        let plain = std::env::var_os(NO_SHORTCUTS_ENV).is_some();
        let cacheable = !plain && !store.may_read("commit");
        Judge {
            decider: Decider::new(Builder::trusted(store)),
            cacheable,
            plain,
            classes: if cacheable {
                PathClassifier::new(&store.policies)
            } else {
                None
            },
            cache: HashMap::new(),
            principal_ids: HashMap::new(),
        }
    }

    /// Whether the shortcuts are off (`AGENTGATE_NO_SHORTCUTS`): callers
    /// then judge one commit at a time, the plain path the differential
    /// tests compare with.
    pub fn is_plain(&self) -> bool {
        self.plain
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

    /// Judge several commits' changes at once. Each distinct question is
    /// asked once: a request whose answer is remembered (or shared by a path
    /// of the same class earlier in the batch) is not evaluated, and one
    /// Cedar entity set serves the requests that are, which spares a
    /// transitive closure per commit. Returns, per commit, the denied
    /// changes and how many requests were evaluated.
    pub fn commits(
        &mut self,
        batch: &Batch<'_>,
        signers: &[Signer],
        owner_approved: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Vec<(Vec<Blocked>, usize)>, GateError> {
        if self.principal_ids.len() >= CACHE_LIMIT {
            self.principal_ids.clear();
            self.cache.clear();
        }
        // Every question of the batch, with its key. Requests are built
        // only for the questions that are evaluated.
        let mut questions: Vec<Question> = Vec::new();
        let mut keys: Vec<CacheKey> = Vec::new();
        let mut owners: Vec<bool> = Vec::new();
        for (bi, (_, principals, changes)) in batch.iter().enumerate() {
            let mut ids = Vec::with_capacity(principals.len());
            for p in principals.iter() {
                let next = u32::try_from(self.principal_ids.len()).unwrap_or(u32::MAX);
                ids.push(*self.principal_ids.entry(p.clone()).or_insert(next));
            }
            for (ci, c) in changes.iter().enumerate() {
                let owner = owner_approved.is_some_and(|f| f(&c.path));
                let path_key = match &self.classes {
                    Some(cl) => PathKey::Class(cl.class(&c.path, c.kind)),
                    None => PathKey::Path(c.path.clone(), c.kind),
                };
                for (pi, id) in ids.iter().enumerate() {
                    keys.push((*id, c.action.as_str(), path_key.clone(), owner));
                    owners.push(owner);
                    questions.push(Question {
                        commit: bi,
                        change: ci,
                        principal: pi,
                    });
                }
            }
        }

        // Which questions must be evaluated: each key not remembered, once.
        let mut answers: Vec<Option<Kept>> = vec![None; questions.len()];
        let mut first_of: HashMap<&CacheKey, usize> = HashMap::new();
        let mut share: Vec<Option<usize>> = vec![None; questions.len()];
        let mut asked: Vec<usize> = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            if !self.cacheable {
                asked.push(i);
                continue;
            }
            if let Some(k) = self.cache.get(key) {
                answers[i] = Some(k.clone());
            } else if let Some(&rep) = first_of.get(key) {
                share[i] = Some(rep);
            } else {
                first_of.insert(key, i);
                asked.push(i);
            }
        }
        let request = |i: usize| -> Req {
            let q = questions[i];
            let (commit, principals, changes) = &batch[q.commit];
            let c = &changes[q.change];
            let mut context = serde_json::Map::new();
            context.insert("commit".into(), json!(commit));
            context.insert("owner_approved".into(), json!(owners[i]));
            Req {
                principal: principals[q.principal].clone(),
                action: c.action.as_str().to_string(),
                resource: Resource::File {
                    path: c.path.clone(),
                    kind: c.kind,
                },
                context,
                signoff: signers.to_vec(),
            }
        };
        let asked_reqs: Vec<(usize, Req)> = asked.iter().map(|&i| (i, request(i))).collect();
        self.evaluate(batch, &questions, &asked_reqs, &mut answers)?;
        // An evaluation error's message names the path: such an answer is
        // not shared with another path; that one is asked on its own.
        let mut again = Vec::new();
        for i in 0..questions.len() {
            if let Some(rep) = share[i] {
                match &answers[rep] {
                    Some(k) if k.errors.is_empty() || self.classes.is_none() => {
                        answers[i] = Some(k.clone());
                    }
                    _ => again.push(i),
                }
            }
        }
        for i in again {
            self.evaluate(batch, &questions, &[(i, request(i))], &mut answers)?;
        }
        if self.cacheable {
            for &i in &asked {
                if let Some(k) = &answers[i]
                    && (k.errors.is_empty() || self.classes.is_none())
                {
                    if self.cache.len() >= CACHE_LIMIT {
                        self.cache.clear();
                    }
                    self.cache.insert(keys[i].clone(), k.clone());
                }
            }
        }

        let mut out: Vec<(Vec<Blocked>, usize)> = batch
            .iter()
            .map(|(_, principals, changes)| (Vec::new(), principals.len() * changes.len()))
            .collect();
        for (q, answer) in questions.iter().zip(answers) {
            let Some(answer) = answer else { continue };
            if answer.verdict == Verdict::Allow {
                continue;
            }
            let (commit, principals, changes) = &batch[q.commit];
            let change = &changes[q.change];
            let (agent, human) = match &principals[q.principal] {
                Principal::Agent(a) => (Some(a.clone()), None),
                Principal::Human(h) => (None, Some(h.clone())),
                Principal::Other(o) => (None, Some(o.clone())),
            };
            out[q.commit].0.push(Blocked {
                commit: commit.to_string(),
                path: change.path.clone(),
                action: change.action.as_str().to_string(),
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
        Ok(out)
    }

    /// Evaluate `asked` (question index, request), with entity sets built
    /// for them alone, into `answers`.
    fn evaluate(
        &self,
        batch: &Batch<'_>,
        questions: &[Question],
        asked: &[(usize, Req)],
        answers: &mut [Option<Kept>],
    ) -> Result<(), GateError> {
        if asked.is_empty() {
            return Ok(());
        }
        // One entity set holds one `File` per path, so a path whose kind
        // differs between commits of the batch (a file, then a symlink)
        // needs another set: each request goes to the first layer where its
        // path has its own kind, and each layer gets its own entities.
        let chosen: Vec<&Req> = asked.iter().map(|(_, r)| r).collect();
        let layer_of = layers(&chosen);
        let layer_count = layer_of.iter().max().map_or(0, |m| m + 1);
        for layer in 0..layer_count {
            let in_layer = || {
                asked
                    .iter()
                    .zip(&layer_of)
                    .filter(move |(_, l)| **l == layer)
                    .map(|(a, _)| a)
            };
            let mut members: Vec<Req> = in_layer().map(|(_, r)| r.clone()).collect();
            // Every request of a batch has the same signers, so the sign-off
            // probes of one (any human, a member of each team) add the
            // entities the probes of all need: a denied request asks who
            // could sign off with this set instead of building its own.
            if let Some(first) = members.first().filter(|_| !self.plain) {
                let probes = self.decider.signoff_probes(first);
                members.extend(probes);
            }
            let first = in_layer().next().map_or(0, |(i, _)| questions[*i].commit);
            let ents = self
                .decider
                .builder()
                .entities(&members)
                .map_err(|source| GateError::Request {
                    what: format!("commit {}", short_str(batch[first].0)),
                    source,
                })?;
            for (i, req) in in_layer() {
                let q = questions[*i];
                let a = self
                    .decider
                    .answer_with(req, &ents, Probe::SignOff)
                    .map_err(|source| GateError::Request {
                        what: format!(
                            "{} {} in {}",
                            req.action,
                            batch[q.commit].2[q.change].path,
                            short_str(batch[q.commit].0)
                        ),
                        source,
                    })?;
                answers[*i] = Some(Kept {
                    verdict: a.decision,
                    policies: a.policies,
                    signoff_from: a.signoff_from.unwrap_or_default(),
                    errors: a.errors,
                });
            }
        }
        Ok(())
    }
}

/// For each request, the entity layer it belongs to: the first in which
/// every path keeps one kind.
fn layers(reqs: &[&Req]) -> Vec<usize> {
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

/// Ranges longer than this are diffed on several threads.
const PARALLEL_FROM: usize = 20_000;

/// Overrides [`PARALLEL_FROM`] (the tests run small ranges in parallel to
/// hold both ways equal).
pub const PARALLEL_FROM_ENV: &str = "AGENTGATE_PARALLEL_FROM";

/// One judged commit: its changes, the denied ones, requests evaluated.
pub(super) type Judged = (Vec<Change>, Vec<Blocked>, usize);

/// Diff and judge commits: on one thread, or on every core for a huge range
/// (each worker with its own repository handle, differ and judge, over a
/// contiguous run of commits); results come back in input order.
pub(super) fn judge_parallel(
    repo: &Repo,
    store: &PolicyStore,
    jobs: &[(ObjectId, Vec<Principal>)],
    signers: &[Signer],
    owner_approved: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Vec<Judged>, GateError> {
    // One thread, unless the range is huge: splitting it decodes the same
    // pack deltas in each thread (measured: +19% CPU on 2,000 commits, for
    // a wall time that is well under a second either way).
    let parallel_from = std::env::var(PARALLEL_FROM_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(PARALLEL_FROM);
    let workers = if jobs.len() > parallel_from {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
    } else {
        1
    };
    let work = |offset: usize, handle: Repo| -> Result<Vec<(usize, Judged)>, GateError> {
        let mut differ = Differ::new();
        let mut judge = Judge::new(store);
        let mut out = Vec::new();
        let owner: Option<&dyn Fn(&str) -> bool> = match owner_approved {
            Some(f) => Some(f),
            None => None,
        };
        // A contiguous run of commits each: a commit's parent tree is the
        // tree its neighbour just read, which the object cache still holds.
        let per = jobs.len().div_ceil(workers);
        let mine: Vec<usize> = (offset * per..((offset + 1) * per).min(jobs.len())).collect();
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
                .map(|h| h.join().unwrap_or(Err(GateError::WorkerPanicked)))
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
