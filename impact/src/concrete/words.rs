//! Changed answers as sentences a reviewer reads: who may now do what to
//! which files, and what it was before.

use std::collections::BTreeSet;

use agentgate_core::vocab::Principal;

use super::{ANY_HUMAN, Direction, Level};

pub(super) fn join_or(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(" or ")
}

pub(super) fn principal_text(p: &Principal) -> String {
    match p {
        Principal::Agent(a) => format!("agent:{a}"),
        Principal::Human(h) => format!("human:{h}"),
        Principal::Other(o) => o.clone(),
    }
}

pub(super) fn who(principals: &[Principal]) -> String {
    let agents: Vec<&str> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::Agent(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    let humans: Vec<&str> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::Human(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    let list = |kind: &str, names: &[&str]| -> String {
        let shown: Vec<String> = names
            .iter()
            .map(|n| {
                if *n == ANY_HUMAN {
                    "anyone in no team".to_string()
                } else {
                    (*n).to_string()
                }
            })
            .collect();
        match shown.len() {
            0 => String::new(),
            1 => format!("{kind} {}", shown[0]),
            2..=3 => format!("{kind}s {}", shown.join(", ")),
            n => format!("{kind}s {} and {} more", shown[..3].join(", "), n - 3),
        }
    };
    let parts: Vec<String> = [list("Agent", &agents), list("Human", &humans)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    parts.join(" and ")
}

/// "14 files under .github/", or the one path.
pub(super) fn files_text(paths: &[String]) -> String {
    if paths.len() == 1 {
        return paths[0].clone();
    }
    let mut common: &str = paths
        .first()
        .map_or("", |p| agentgate_core::vocab::parent_dir(p));
    for p in paths {
        while !p.starts_with(common) {
            common = agentgate_core::vocab::parent_dir(common.trim_end_matches('/'));
        }
    }
    if common.is_empty() {
        format!("{} files", paths.len())
    } else {
        format!("{} files under {common}", paths.len())
    }
}

pub(super) fn sentence(
    direction: Direction,
    principals: &[Principal],
    action: &str,
    paths: &[String],
    was: &Level,
    now: &Level,
) -> String {
    let w = who(principals);
    let f = files_text(paths);
    match (direction, now) {
        (Direction::Widening, Level::Allow) => match was {
            Level::SignOff(t) => format!(
                "{w} may now {action} {f} without sign-off (was: sign-off from {})",
                join_or(t)
            ),
            Level::Confirm => format!("{w} may now {action} {f} without a human's confirmation"),
            _ => format!("{w} may now {action} {f} (was denied)"),
        },
        (Direction::Widening, Level::Confirm) => format!(
            "{w} may now {action} {f} once a human confirms (was {})",
            was.text()
        ),
        (Direction::Widening, Level::SignOff(t)) => {
            let added: BTreeSet<String> = match was {
                Level::SignOff(old) => t.difference(old).cloned().collect(),
                _ => t.clone(),
            };
            format!(
                "{w} may now {action} {f} with sign-off from {} (was {})",
                join_or(&added),
                was.text()
            )
        }
        (Direction::Narrowing, Level::Deny) => {
            format!("{w} may no longer {action} {f} (was {})", was.text())
        }
        (Direction::Narrowing, Level::SignOff(t)) => match was {
            Level::SignOff(old) => {
                let gone: BTreeSet<String> = old.difference(t).cloned().collect();
                format!(
                    "{w} may no longer {action} {f} with sign-off from {} alone",
                    join_or(&gone)
                )
            }
            _ => format!(
                "{w} now need sign-off from {} to {action} {f} (was {})",
                join_or(t),
                was.text()
            ),
        },
        (Direction::Narrowing, Level::Confirm) => format!(
            "{w} now need a human's confirmation to {action} {f} (was {})",
            was.text()
        ),
        (d, _) => format!(
            "{w}: {action} {f} went from {} to {} ({d:?})",
            was.text(),
            now.text()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_summarised_by_their_common_directory() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(files_text(&v(&[".github/a.md"])), ".github/a.md");
        assert_eq!(
            files_text(&v(&[".github/a.md", ".github/workflows/b.md"])),
            "2 files under .github/"
        );
        assert_eq!(files_text(&v(&["a.md", "docs/b.md"])), "2 files");
    }
}
