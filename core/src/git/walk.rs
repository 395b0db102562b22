//! Commits of a range, read from git objects: `base..head` for the gate (what
//! head has and base lacks), or any range / all history for `audit`.

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{CommitMeta, Person};
use super::{GitError, Repo, object_err, short};

/// Walk `base..head`, in topological order (every commit after its parents
/// in the range; otherwise oldest first). Fails closed when the walk meets a
/// shallow boundary (history is missing) or when base is not an ancestor of
/// head.
pub fn range(repo: &Repo, base: ObjectId, head: ObjectId) -> Result<Vec<ObjectId>, GitError> {
    let shallow = repo.shallow_commits()?;
    // In a shallow repository a missing merge base may only mean missing
    // history: say so, rather than blame the base.
    let ancestor = repo.is_ancestor(base, head);
    match (ancestor, shallow.first()) {
        (Ok(true), _) => {}
        (Ok(false) | Err(_), Some(boundary)) => {
            return Err(GitError::Shallow {
                commit: boundary.to_string(),
            });
        }
        (Ok(false), None) => {
            return Err(GitError::NotAncestor {
                base: base.to_string(),
                head: head.to_string(),
            });
        }
        (Err(e), None) => return Err(e),
    }
    let mut walked: Vec<(ObjectId, Vec<ObjectId>)> = Vec::new();
    let walk = repo
        .inner()
        .rev_walk([head])
        .with_hidden([base])
        .all()
        .map_err(object_err(format!("the history of {}", short(&head))))?;
    for info in walk {
        let info = info.map_err(object_err(format!("the history of {}", short(&head))))?;
        if shallow.binary_search(&info.id).is_ok() {
            return Err(GitError::Shallow {
                commit: info.id.to_string(),
            });
        }
        walked.push((info.id, info.parent_ids.iter().copied().collect()));
    }
    walked.reverse();
    Ok(topological(&walked))
}

/// Order `commits` (given oldest first, roughly) so that each comes after
/// its parents among them; ties keep the given order.
fn topological(commits: &[(ObjectId, Vec<ObjectId>)]) -> Vec<ObjectId> {
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, HashMap};
    let index: HashMap<ObjectId, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut waiting = vec![0usize; commits.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    for (i, (_, parents)) in commits.iter().enumerate() {
        for p in parents {
            if let Some(&pi) = index.get(p) {
                waiting[i] += 1;
                children[pi].push(i);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..commits.len())
        .filter(|&i| waiting[i] == 0)
        .map(Reverse)
        .collect();
    let mut out = Vec::with_capacity(commits.len());
    while let Some(Reverse(i)) = ready.pop() {
        out.push(commits[i].0);
        for &c in &children[i] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.push(Reverse(c));
            }
        }
    }
    out
}

/// Author, committer, message and parents of a commit.
pub fn meta(repo: &Repo, id: ObjectId) -> Result<CommitMeta, GitError> {
    read(repo, id).map(|(meta, _)| meta)
}

/// A commit's tree and parents, as ids.
#[derive(Debug, Clone)]
pub struct Ids {
    /// The commit's tree.
    pub tree: ObjectId,
    /// Its parents, in order.
    pub parents: Vec<ObjectId>,
}

/// A commit's metadata and the ids of its tree and parents, from one read
/// of the object.
pub fn read(repo: &Repo, id: ObjectId) -> Result<(CommitMeta, Ids), GitError> {
    let commit = repo
        .inner()
        .find_commit(id)
        .map_err(object_err(format!("commit {id}")))?;
    let decoded = commit
        .decode()
        .map_err(object_err(format!("commit {id}")))?;
    let person = |s: gix::actor::SignatureRef<'_>| Person {
        name: s.name.to_str_lossy().trim().to_string(),
        email: s.email.to_str_lossy().trim().to_string(),
    };
    let author = person(
        decoded
            .author()
            .map_err(object_err(format!("the author of {id}")))?,
    );
    let committer = person(
        decoded
            .committer()
            .map_err(object_err(format!("the committer of {id}")))?,
    );
    let time = decoded
        .committer()
        .ok()
        .and_then(|c| c.time().ok())
        .map(|t| t.seconds)
        .unwrap_or(0);
    let parents: Vec<ObjectId> = decoded.parents().collect();
    let meta = CommitMeta {
        id: id.to_string(),
        author,
        committer,
        message: decoded.message.to_str_lossy().into_owned(),
        parents: parents.iter().map(ObjectId::to_string).collect(),
        time,
    };
    Ok((
        meta,
        Ids {
            tree: decoded.tree(),
            parents,
        },
    ))
}
