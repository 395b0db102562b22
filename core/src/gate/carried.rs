//! What merges carry (DESIGN §4, README "threat model"). The invariant:
//! **every path whose content at head differs from base is attributed to a
//! change the gate judged; a merge may carry, unjudged, only a version that
//! a judged commit of the range produced or that the base itself has.**
//!
//! Ordinary commits are judged for what they change against their first
//! parent, and merges for what differs from every parent (what they
//! authored). That leaves one way for content to reach head unjudged: a
//! merge carrying a version from a parent whose history lies outside the
//! range (a branch forked before the base and merged with `-s ours`, a
//! merge made with `git commit-tree -p HEAD -p <old commit>`, an orphan
//! root joined by a merge). One mechanism closes it, whatever the merge's
//! shape: each merge's tree is compared with the base's, and every version
//! it holds that is neither the base's nor produced by a judged change is
//! judged as the merge's own change, relative to the base.

use std::collections::HashSet;

use gix::ObjectId;

use crate::git::changes::{Change, Differ, Version};
use crate::git::{GitError, Repo};

/// For each merge among `commits` (in topological order, with whether each
/// is a merge), the changes it carries that nothing judged produced.
/// `judged[i]` are the changes already judged for `commits[i]`. Returns
/// (index into `commits`, carried changes) for each merge that carries any.
pub fn carried(
    repo: &Repo,
    base: ObjectId,
    commits: &[(ObjectId, bool)],
    judged: &[&[Change]],
) -> Result<Vec<(usize, Vec<Change>)>, GitError> {
    if !commits.iter().any(|(_, merge)| *merge) {
        return Ok(Vec::new());
    }
    let mut produced: HashSet<(String, Version)> = judged
        .iter()
        .flat_map(|changes| changes.iter())
        .map(|c| (c.path.clone(), c.version))
        .collect();
    let mut differ = Differ::new();
    let mut out = Vec::new();
    for (i, (id, merge)) in commits.iter().enumerate() {
        if !merge {
            continue;
        }
        let mut carried = Vec::new();
        for mut c in differ.between(repo, base, *id)? {
            if produced.insert((c.path.clone(), c.version)) {
                c.carried = true;
                carried.push(c);
            }
        }
        if !carried.is_empty() {
            out.push((i, carried));
        }
    }
    Ok(out)
}
