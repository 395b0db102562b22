//! Where a path a tool names really is: resolved as the operating system
//! would resolve it (each symbolic link followed where it occurs, so `..`
//! after a link goes up from the link's target, not from the link), then
//! made relative to the repository root. `w -> .github/workflows` makes
//! `w/../dependabot.yml` the file `.github/dependabot.yml`, as the kernel
//! writes it, never `dependabot.yml`.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// At most this many links are followed (as the kernel's ELOOP limit).
const MAX_LINKS: usize = 40;

/// At most this many files under a directory are judged one by one.
pub const MAX_EXPANDED: usize = 500;

/// `p` (absolute) with every symbolic link resolved where it occurs and
/// `.`/`..` applied in order, as the OS would. Components that do not
/// exist are taken as they are.
pub fn resolve_os(p: &Path) -> PathBuf {
    let mut queue: VecDeque<OsString> = VecDeque::new();
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Prefix(pre) => out.push(pre.as_os_str()),
            Component::RootDir => out.push(Component::RootDir.as_os_str()),
            other => queue.push_back(other.as_os_str().to_os_string()),
        }
    }
    let mut links = 0;
    while let Some(part) = queue.pop_front() {
        if part == "." {
            continue;
        }
        if part == ".." {
            out.pop();
            continue;
        }
        let next = out.join(&part);
        match std::fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() && links < MAX_LINKS => {
                links += 1;
                let Ok(target) = std::fs::read_link(&next) else {
                    out = next;
                    continue;
                };
                if target.is_absolute() {
                    out = PathBuf::new();
                }
                let mut parts: Vec<OsString> = Vec::new();
                for c in target.components() {
                    match c {
                        Component::Prefix(pre) => out.push(pre.as_os_str()),
                        Component::RootDir => out.push(Component::RootDir.as_os_str()),
                        other => parts.push(other.as_os_str().to_os_string()),
                    }
                }
                for p in parts.into_iter().rev() {
                    queue.push_front(p);
                }
            }
            _ => out = next,
        }
    }
    out
}

/// The path a tool names, as the gate would see it: relative to the
/// repository root when inside it (with `/` separators), absolute (under
/// `Dir::"/"`) otherwise. Relative paths start at `cwd`; `~` is the home
/// directory.
pub fn file_path(root: Option<&Path>, cwd: &Path, given: &str) -> String {
    let expanded = match given.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => std::env::var_os("HOME")
            .map(|h| format!("{}{rest}", Path::new(&h).display()))
            .unwrap_or_else(|| given.to_string()),
        _ => given.to_string(),
    };
    let raw = Path::new(&expanded);
    let abs = if raw.is_absolute() {
        raw.to_path_buf()
    } else {
        cwd.join(raw)
    };
    let abs = if abs.is_absolute() {
        abs
    } else {
        std::env::current_dir().map(|d| d.join(&abs)).unwrap_or(abs)
    };
    let real = resolve_os(&abs);
    if let Some(root) = root {
        let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| resolve_os(root));
        if let Ok(rel) = real.strip_prefix(&root_real) {
            let text = rel.to_string_lossy().replace('\\', "/");
            return if text.is_empty() { String::new() } else { text };
        }
    }
    real.to_string_lossy().into_owned()
}

/// A repository path named in a remote repository (an API write): `./`
/// and leading `/` stripped, `.` and `..` applied lexically.
pub fn repo_path(given: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in given.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// What writing `rel` (a path from [`file_path`]) touches: the path itself,
/// or, for an existing directory of the repository, the directory (as
/// `dir/`) and the files under it (at most [`MAX_EXPANDED`], symbolic
/// links not followed), so `mv .github /tmp/x` is judged for every file it
/// moves.
pub fn touched(root: Option<&Path>, rel: &str) -> Vec<String> {
    let full = match root {
        Some(r) if !rel.starts_with('/') => r.join(rel),
        _ => PathBuf::from(rel),
    };
    let meta = std::fs::symlink_metadata(&full);
    if meta.is_err() && !rel.is_empty() && !rel.ends_with('/') {
        // Nothing there yet: it may become a file or a directory (`mv
        // .github /tmp/x` moves a directory, whether or not this checkout
        // has it), so it is judged as both.
        return vec![rel.to_string(), format!("{rel}/")];
    }
    if !meta.is_ok_and(|m| m.is_dir()) {
        return vec![rel.to_string()];
    }
    let base = if rel.is_empty() {
        String::new()
    } else {
        format!("{}/", rel.trim_end_matches('/'))
    };
    let mut out = if base.is_empty() {
        Vec::new()
    } else {
        vec![base.clone()]
    };
    let mut stack = vec![(full, base)];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if out.len() > MAX_EXPANDED {
                return out;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    out.push(format!("{path}/"));
                    stack.push((e.path(), format!("{path}/")));
                }
                _ => out.push(path),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_resolved_before_dotdot() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::os::unix::fs::symlink(".github/workflows", root.join("w")).unwrap();
        // The OS writes w/../dependabot.yml to .github/dependabot.yml.
        assert_eq!(
            file_path(Some(root), root, "w/../dependabot.yml"),
            ".github/dependabot.yml"
        );
        assert_eq!(
            file_path(Some(root), root, "w/ci.yml"),
            ".github/workflows/ci.yml"
        );
        // A link to a directory outside the repository leaves it.
        std::os::unix::fs::symlink("/tmp", root.join("t")).unwrap();
        assert!(file_path(Some(root), root, "t/x").starts_with('/'));
        // Plain `..` stays lexical where nothing is a link.
        assert_eq!(
            file_path(Some(root), &root.join("src"), "../CODEOWNERS"),
            "CODEOWNERS"
        );
        // A link loop ends.
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        let _ = file_path(Some(root), root, "loop/x");
    }

    #[test]
    fn directories_expand_to_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::write(root.join(".github/workflows/ci.yml"), "x").unwrap();
        std::fs::write(root.join(".github/CODEOWNERS"), "x").unwrap();
        let t = touched(Some(root), ".github");
        for want in [
            ".github/",
            ".github/CODEOWNERS",
            ".github/workflows/",
            ".github/workflows/ci.yml",
        ] {
            assert!(t.contains(&want.to_string()), "{want} in {t:?}");
        }
        assert_eq!(touched(Some(root), "nope/x"), vec!["nope/x", "nope/x/"]);
        assert_eq!(
            touched(Some(root), ".github/CODEOWNERS"),
            vec![".github/CODEOWNERS"]
        );
        assert_eq!(
            repo_path("./a/../.github//workflows/ci.yml"),
            ".github/workflows/ci.yml"
        );
    }
}
