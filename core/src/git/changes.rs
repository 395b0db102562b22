//! The paths a commit changes (DESIGN §4): against its first parent for an
//! ordinary commit; for a merge, the paths whose content differs from every
//! parent (what the merge itself authored). What a merge *carries* from a
//! parent is accounted for by the gate against the base (see
//! `gate::carried`), using [`Differ::between`] and each change's
//! [`Version`]. A rename is a delete of the old path and a create of the
//! new, paired and reported as a rename; mode, symlink and submodule
//! changes are modifications with the new `kind`. Paths that are not UTF-8
//! are kept (escaped), never skipped.

use std::collections::{HashMap, HashSet, VecDeque};

use gix::ObjectId;
use gix::bstr::BString;
use gix::diff::tree::recorder::Change as Rec;
use gix::objs::TreeRefIter;
use gix::objs::tree::{EntryKind, EntryMode};
use serde::Serialize;

use super::{GitError, Repo, object_err, path_text};
use crate::vocab::FileKind;

/// What a change does to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The path did not exist before.
    Create,
    /// The path's content, mode or kind changed.
    Modify,
    /// The path no longer exists.
    Delete,
}

impl Action {
    /// The Cedar action id.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Modify => "modify",
            Action::Delete => "delete",
        }
    }
}

/// What a path holds after a change: an object with its kind, or nothing
/// (deleted). Two changes that leave the same version at the same path
/// produced the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Version {
    /// The path does not exist.
    #[default]
    Absent,
    /// The path holds this object (blob, or commit for a submodule) as this
    /// kind.
    Object(ObjectId, FileKind),
}

/// One changed path of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The path, as text (non-UTF-8 bytes escaped as `\xNN`).
    pub path: String,
    /// create / modify / delete.
    pub action: Action,
    /// The kind after the change (before it, for a delete).
    pub kind: FileKind,
    /// The kind before a modification, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_kind: Option<FileKind>,
    /// On the create half of a rename: the old path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// On the delete half of a rename: the new path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// A merge carries this version from a parent, though no judged commit
    /// of the range produced it and the base does not have it (e.g. old
    /// content from a branch forked before the base): judged as the
    /// merge's own change, relative to the base.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// What the path holds after the change.
    #[serde(skip)]
    pub version: Version,
}

fn kind_of(mode: EntryMode) -> Option<FileKind> {
    match mode.kind() {
        EntryKind::Tree => None,
        EntryKind::Blob => Some(FileKind::File),
        EntryKind::BlobExecutable => Some(FileKind::Executable),
        EntryKind::Link => Some(FileKind::Symlink),
        EntryKind::Commit => Some(FileKind::Submodule),
    }
}

/// A raw file-level change, before renames are paired.
#[derive(Debug, Clone)]
struct Raw {
    path: BString,
    action: Action,
    kind: FileKind,
    old_kind: Option<FileKind>,
    oid: ObjectId,
}

/// Reusable buffers for tree diffs.
#[derive(Default)]
pub struct Differ {
    state: gix::diff::tree::State,
}

impl Differ {
    /// A differ with empty buffers.
    pub fn new() -> Differ {
        Differ::default()
    }

    /// Every path whose version differs between the trees of commits `old`
    /// and `new`, each as its own change (no rename pairing), sorted by
    /// path: what `new` holds that `old` does not.
    pub fn between(
        &mut self,
        repo: &Repo,
        old: ObjectId,
        new: ObjectId,
    ) -> Result<Vec<Change>, GitError> {
        let tree_of = |c: ObjectId| -> Result<ObjectId, GitError> {
            let commit = repo
                .inner()
                .find_commit(c)
                .map_err(object_err(format!("commit {c}")))?;
            Ok(commit
                .tree_id()
                .map_err(object_err(format!("the tree of {c}")))?
                .detach())
        };
        let (old_tree, new_tree) = (tree_of(old)?, tree_of(new)?);
        let mut out: Vec<Change> = self
            .diff(repo, Some(old_tree), new_tree)?
            .into_iter()
            .map(|r| r.into_change(None, None))
            .collect();
        out.sort_by(|a, b| (a.path.as_bytes(), a.action).cmp(&(b.path.as_bytes(), b.action)));
        Ok(out)
    }

    /// The changes `commit` makes (see the module docs).
    pub fn changes(&mut self, repo: &Repo, commit: ObjectId) -> Result<Vec<Change>, GitError> {
        let c = repo
            .inner()
            .find_commit(commit)
            .map_err(object_err(format!("commit {commit}")))?;
        let tree = c
            .tree_id()
            .map_err(object_err(format!("the tree of {commit}")))?
            .detach();
        let parents: Vec<ObjectId> = c.parent_ids().map(|p| p.detach()).collect();
        self.changes_of(repo, commit, tree, &parents)
    }

    /// The changes `commit`, with this tree and these parents, makes (for
    /// a caller that has read the commit already).
    pub fn changes_of(
        &mut self,
        repo: &Repo,
        commit: ObjectId,
        tree: ObjectId,
        parents: &[ObjectId],
    ) -> Result<Vec<Change>, GitError> {
        let r = repo.inner();
        let parent_tree = |p: ObjectId| -> Result<ObjectId, GitError> {
            let pc = r
                .find_commit(p)
                .map_err(object_err(format!("commit {p} (a parent of {commit})")))?;
            Ok(pc
                .tree_id()
                .map_err(object_err(format!("the tree of {p}")))?
                .detach())
        };
        let first = match parents.first() {
            Some(p) => Some(parent_tree(*p)?),
            None => None,
        };
        let mut raw = self.diff(repo, first, tree)?;
        // A merge authored only what differs from every parent.
        for p in parents.iter().skip(1) {
            let other = self.diff(repo, Some(parent_tree(*p)?), tree)?;
            let touched: HashSet<&BString> = other.iter().map(|c| &c.path).collect();
            raw.retain(|c| touched.contains(&c.path));
        }
        Ok(pair_renames(raw))
    }

    fn diff(
        &mut self,
        repo: &Repo,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<Raw>, GitError> {
        let r = repo.inner();
        let hash = new.kind();
        // The trees are borrowed, not copied; their buffers go back to the
        // repository's free list when dropped.
        let old_tree = match old {
            Some(id) => Some(r.find_tree(id).map_err(object_err(format!("tree {id}")))?),
            None => None,
        };
        let old_data: &[u8] = old_tree.as_ref().map_or(&[], |t| &t.data);
        let new_tree = r
            .find_tree(new)
            .map_err(object_err(format!("tree {new}")))?;
        let new_data: &[u8] = &new_tree.data;
        let mut rec = gix::diff::tree::Recorder::default();
        gix::diff::tree(
            TreeRefIter::from_bytes(old_data, hash),
            TreeRefIter::from_bytes(new_data, hash),
            &mut self.state,
            &r.objects,
            &mut rec,
        )
        .map_err(|e| GitError::Object {
            what: format!("the changes of tree {new}"),
            message: e.to_string(),
        })?;
        let mut out = Vec::with_capacity(rec.records.len());
        for change in rec.records {
            match change {
                Rec::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => {
                    if let Some(kind) = kind_of(entry_mode) {
                        out.push(Raw {
                            path,
                            action: Action::Create,
                            kind,
                            old_kind: None,
                            oid,
                        });
                    }
                }
                Rec::Deletion {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => {
                    if let Some(kind) = kind_of(entry_mode) {
                        out.push(Raw {
                            path,
                            action: Action::Delete,
                            kind,
                            old_kind: None,
                            oid,
                        });
                    }
                }
                Rec::Modification {
                    previous_entry_mode,
                    entry_mode,
                    oid,
                    previous_oid,
                    path,
                } => match (kind_of(previous_entry_mode), kind_of(entry_mode)) {
                    (Some(before), Some(after)) => out.push(Raw {
                        path,
                        action: Action::Modify,
                        kind: after,
                        old_kind: (before != after).then_some(before),
                        oid,
                    }),
                    // A directory became a file: the file is created (the
                    // directory's files are reported as deleted).
                    (None, Some(after)) => out.push(Raw {
                        path,
                        action: Action::Create,
                        kind: after,
                        old_kind: None,
                        oid,
                    }),
                    // A file became a directory: the file is deleted.
                    (Some(before), None) => out.push(Raw {
                        path,
                        action: Action::Delete,
                        kind: before,
                        old_kind: None,
                        oid: previous_oid,
                    }),
                    (None, None) => {}
                },
            }
        }
        Ok(out)
    }
}

impl Raw {
    fn into_change(self, renamed_from: Option<String>, renamed_to: Option<String>) -> Change {
        let version = match self.action {
            Action::Delete => Version::Absent,
            Action::Create | Action::Modify => Version::Object(self.oid, self.kind),
        };
        Change {
            path: path_text(&self.path),
            action: self.action,
            kind: self.kind,
            old_kind: self.old_kind,
            renamed_from,
            renamed_to,
            carried: false,
            version,
        }
    }
}

/// Pair deletions and creations of identical content and kind as renames;
/// everything else stays as it is. Output is sorted by path.
fn pair_renames(raw: Vec<Raw>) -> Vec<Change> {
    // Creations by (content, kind), in path order, consumed as deletions of
    // the same content (in path order) claim them.
    let mut creates: HashMap<(ObjectId, FileKind), VecDeque<usize>> = HashMap::new();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by(|a, b| raw[*a].path.cmp(&raw[*b].path));
    for &i in &order {
        if raw[i].action == Action::Create {
            creates
                .entry((raw[i].oid, raw[i].kind))
                .or_default()
                .push_back(i);
        }
    }
    let mut renamed_to: Vec<Option<usize>> = vec![None; raw.len()];
    let mut renamed_from: Vec<Option<usize>> = vec![None; raw.len()];
    for &di in &order {
        let d = &raw[di];
        if d.action != Action::Delete {
            continue;
        }
        if let Some(ci) = creates
            .get_mut(&(d.oid, d.kind))
            .and_then(VecDeque::pop_front)
        {
            renamed_to[di] = Some(ci);
            renamed_from[ci] = Some(di);
        }
    }
    let names: Vec<String> = raw.iter().map(|r| path_text(&r.path)).collect();
    let mut out: Vec<Change> = raw
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.into_change(
                renamed_from[i].map(|j| names[j].clone()),
                renamed_to[i].map(|j| names[j].clone()),
            )
        })
        .collect();
    out.sort_by(|a, b| (a.path.as_bytes(), a.action).cmp(&(b.path.as_bytes(), b.action)));
    out
}
