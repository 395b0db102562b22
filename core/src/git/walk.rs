//! Commits of a range, read from git objects: `base..head` for the gate (what
//! head has and base lacks), or any range / all history for `audit`.

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{GitError, Repo, object_err, short};
use crate::identity::{CommitMeta, Person};

/// Walk `base..head`, oldest first. Fails closed when the walk meets a
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
    let mut out = Vec::new();
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
        out.push(info.id);
    }
    out.reverse();
    Ok(out)
}

/// Author, committer, message and parents of a commit.
pub fn meta(repo: &Repo, id: ObjectId) -> Result<CommitMeta, GitError> {
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
    Ok(CommitMeta {
        id: id.to_string(),
        author,
        committer,
        message: decoded.message.to_str_lossy().into_owned(),
        parents: decoded.parents().map(|p| p.to_string()).collect(),
        time,
    })
}
