//! CODEOWNERS, as GitHub reads it: the first of `.github/CODEOWNERS`,
//! `CODEOWNERS`, `docs/CODEOWNERS` in the base tree; gitignore-like patterns
//! (without `!` negation, character ranges or `\` escapes); the last matching
//! line wins; a matching line without owners leaves the path unowned.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobMatcher};

use crate::file_tree::Tree;

/// Where GitHub looks, in order; the first file found is used.
pub const LOCATIONS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// An owner named on a CODEOWNERS line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    /// `@login`
    User(String),
    /// `@org/team-slug`
    Team(String),
    /// `someone@example.com` (GitHub maps it to an account; agentgate cannot
    /// offline, so e-mail owners never approve).
    Email(String),
}

#[derive(Debug)]
struct Rule {
    matcher: GlobMatcher,
    dir_only: bool,
    files_only: bool,
    owners: Vec<Owner>,
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    /// Which file it was read from.
    pub path: Option<String>,
    rules: Vec<Rule>,
    /// Lines that were skipped, with why (1-based line numbers).
    pub skipped: Vec<(usize, String)>,
}

impl CodeOwners {
    /// Read the CODEOWNERS file GitHub would use from `tree` (an empty set of
    /// rules when there is none).
    pub fn load(tree: &dyn Tree) -> Result<CodeOwners, crate::file_tree::TreeError> {
        for loc in LOCATIONS {
            if let Some(bytes) = tree.read(loc)? {
                let mut c = CodeOwners::parse(&String::from_utf8_lossy(&bytes));
                c.path = Some((*loc).to_string());
                return Ok(c);
            }
        }
        Ok(CodeOwners::default())
    }

    /// Parse CODEOWNERS text.
    pub fn parse(text: &str) -> CodeOwners {
        let mut out = CodeOwners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = match raw.find(" #").or_else(|| raw.find("\t#")) {
                Some(pos) => &raw[..pos],
                None => raw,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            if pattern.starts_with('!') {
                out.skipped.push((
                    i + 1,
                    format!("`{pattern}`: negation does not work in CODEOWNERS"),
                ));
                continue;
            }
            let owners = parts
                .map(|o| match o.strip_prefix('@') {
                    Some(rest) if rest.contains('/') => Owner::Team(rest.to_ascii_lowercase()),
                    Some(rest) => Owner::User(rest.to_ascii_lowercase()),
                    None => Owner::Email(o.to_ascii_lowercase()),
                })
                .collect();
            match compile(pattern) {
                Some((matcher, dir_only, files_only)) => out.rules.push(Rule {
                    matcher,
                    dir_only,
                    files_only,
                    owners,
                }),
                None => out
                    .skipped
                    .push((i + 1, format!("`{pattern}` is not a valid pattern"))),
            }
        }
        out
    }

    /// The owners of `path`: `None` when no line matches, `Some(empty)` when
    /// the last matching line names no owners.
    pub fn owners(&self, path: &str) -> Option<&[Owner]> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.matches(path))
            .map(|r| r.owners.as_slice())
    }

    /// Whether any of `approvers` (logins, lower-case) owns `path`, directly
    /// or through a team whose members `team_members` lists (by `org/slug`).
    pub fn approved_by_owner(
        &self,
        path: &str,
        approvers: &[String],
        team_members: &BTreeMap<String, Vec<String>>,
    ) -> bool {
        let Some(owners) = self.owners(path) else {
            return false;
        };
        owners.iter().any(|o| match o {
            Owner::User(u) => approvers.iter().any(|a| a.eq_ignore_ascii_case(u)),
            Owner::Team(t) => team_members.get(t).is_some_and(|members| {
                members
                    .iter()
                    .any(|m| approvers.iter().any(|a| a.eq_ignore_ascii_case(m)))
            }),
            Owner::Email(_) => false,
        })
    }

    /// Every team named as an owner (`org/slug`).
    pub fn teams(&self) -> Vec<String> {
        let mut t: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| &r.owners)
            .filter_map(|o| match o {
                Owner::Team(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        t.sort();
        t.dedup();
        t
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        if !self.dir_only && self.matcher.is_match(path) {
            return true;
        }
        if self.files_only {
            return false;
        }
        // A pattern that names a directory owns everything below it.
        let mut end = 0;
        while let Some(pos) = path[end..].find('/') {
            let dir = &path[..end + pos];
            if self.matcher.is_match(dir) {
                return true;
            }
            end += pos + 1;
        }
        false
    }
}

/// Compile a pattern: (matcher, matches directories only, matches files
/// directly only).
fn compile(pattern: &str) -> Option<(GlobMatcher, bool, bool)> {
    let dir_only = pattern.ends_with('/');
    let body = pattern.trim_end_matches('/');
    let anchored = body.starts_with('/') || body.contains('/');
    let body = body.trim_start_matches('/');
    if body.is_empty() {
        // "/" alone: everything.
        let m = GlobBuilder::new("**")
            .literal_separator(true)
            .build()
            .ok()?
            .compile_matcher();
        return Some((m, false, false));
    }
    // `docs/*` owns the files directly in docs, not those in its subfolders.
    let files_only = body.ends_with("/*") && !body.ends_with("**/*");
    let mut glob = String::new();
    if !anchored {
        glob.push_str("**/");
    }
    for c in body.chars() {
        // Brackets and braces are literal in CODEOWNERS.
        if matches!(c, '[' | ']' | '{' | '}') {
            glob.push('\\');
        }
        glob.push(c);
    }
    let m = GlobBuilder::new(&glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()?
        .compile_matcher();
    Some((m, dir_only, files_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's documented example file ("About code owners").
    const DOC: &str = "\
# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
";

    fn owners(path: &str) -> Option<Vec<String>> {
        CodeOwners::parse(DOC).owners(path).map(|os| {
            os.iter()
                .map(|o| match o {
                    Owner::User(u) => format!("@{u}"),
                    Owner::Team(t) => format!("@{t}"),
                    Owner::Email(e) => e.clone(),
                })
                .collect()
        })
    }

    #[test]
    fn githubs_documented_examples() {
        assert_eq!(
            owners("some/deeply/nested/file.rb").unwrap(),
            ["@global-owner1", "@global-owner2"]
        );
        assert_eq!(owners("src/app.js").unwrap(), ["@js-owner"]);
        assert_eq!(owners("main.go").unwrap(), ["docs@example.com"]);
        assert_eq!(owners("a/b/notes.txt").unwrap(), ["@octo-org/octocats"]);
        // /build/logs/ matches, but the later **/logs wins (last match).
        assert_eq!(owners("build/logs/x/y.log").unwrap(), ["@octocat"]);
        assert_eq!(
            owners("build/other/y.log").unwrap(),
            ["@global-owner1", "@global-owner2"]
        );
        let anchored = CodeOwners::parse("/build/logs/ @doctocat\n");
        assert!(anchored.owners("build/logs/y.log").is_some());
        assert!(
            anchored.owners("src/build/logs/y.log").is_none(),
            "anchored at the root"
        );
        // /docs/ is later than docs/*, so it wins for files directly in docs too.
        assert_eq!(owners("docs/getting-started.md").unwrap(), ["@doctocat"]);
        assert_eq!(
            owners("docs/build-app/troubleshooting.md").unwrap(),
            ["@doctocat"]
        );
        assert_eq!(
            owners("scripts/deploy.sh").unwrap(),
            ["@doctocat", "@octocat"]
        );
        assert_eq!(owners("deeply/nested/logs/x").unwrap(), ["@octocat"]);
        // A matching line without owners leaves the path unowned.
        assert_eq!(
            owners("apps/github/index.js").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(owners("apps/main/index.js").unwrap(), ["@octocat"]);
    }

    #[test]
    fn files_only_star_and_nested_dirs() {
        let c = CodeOwners::parse("docs/* @a\napps/ @b\n");
        assert!(c.owners("docs/x.md").is_some());
        assert!(c.owners("docs/sub/x.md").is_none());
        assert!(
            c.owners("x/apps/y/z.rs").is_some(),
            "unanchored dir at any depth"
        );
        assert!(
            c.owners("apps").is_none(),
            "a file named apps is not the apps/ directory"
        );
    }

    #[test]
    fn brackets_are_literal_and_negation_is_skipped() {
        let c = CodeOwners::parse("[ab].md @a\n!x @b\n");
        assert!(c.owners("[ab].md").is_some());
        assert!(c.owners("a.md").is_none());
        assert_eq!(c.skipped.len(), 1);
    }

    #[test]
    fn owner_approval_direct_and_through_teams() {
        let c = CodeOwners::parse("* @alice @org/sec\n");
        let mut teams = BTreeMap::new();
        teams.insert("org/sec".to_string(), vec!["bob".to_string()]);
        assert!(c.approved_by_owner("x", &["alice".into()], &teams));
        assert!(c.approved_by_owner("x", &["Bob".into()], &teams));
        assert!(!c.approved_by_owner("x", &["carol".into()], &teams));
        assert_eq!(c.teams(), vec!["org/sec"]);
    }
}
