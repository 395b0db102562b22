//! Who can see a destination, from the repository's `[audience]` lists,
//! never from the agent's own arguments: a post with `"private": true` to
//! `#general` is as public as `#general` is. A destination no list names
//! is "" (not private), so a rule that asks for anything not private asks.

use globset::{Glob, GlobMatcher};

use crate::policy::config::AudienceConfig;

/// The `[audience]` lists, compiled.
pub struct Audience {
    lists: Vec<(&'static str, Vec<GlobMatcher>)>,
}

impl Audience {
    /// Compile the lists (globs that do not compile match nothing; the
    /// config loader has already refused them).
    pub fn new(config: &AudienceConfig) -> Audience {
        let compile = |globs: &[String]| -> Vec<GlobMatcher> {
            globs
                .iter()
                .filter_map(|g| Glob::new(&g.to_lowercase()).ok())
                .map(|g| g.compile_matcher())
                .collect()
        };
        Audience {
            lists: vec![
                ("private", compile(&config.private)),
                ("internal", compile(&config.internal)),
                ("public", compile(&config.public)),
            ],
        }
    }

    /// `private`, `internal`, `public`, or `""` for a destination
    /// (`kind:name`, e.g. `slack:#general`, `email:bob@example.com`).
    pub fn of(&self, destination: &str) -> &'static str {
        let d = destination.to_lowercase();
        self.lists
            .iter()
            .find(|(_, globs)| globs.iter().any(|g| g.is_match(&d)))
            .map_or("", |(name, _)| name)
    }
}

/// The least private of several visibilities: a call that posts to a
/// private and a public place is public; one unknown makes it unknown.
pub fn least_private<'a>(all: impl IntoIterator<Item = &'a str>) -> &'a str {
    let rank = |v: &str| match v {
        "private" => 3,
        "internal" => 2,
        "public" => 1,
        _ => 0,
    };
    all.into_iter().min_by_key(|v| rank(v)).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_decide_and_unknown_is_not_private() {
        let a = Audience::new(&AudienceConfig {
            private: vec!["slack:#team-*".into(), "email:*@example.com".into()],
            internal: vec!["slack:#all-hands".into()],
            public: vec!["slack:#general".into()],
        });
        assert_eq!(a.of("slack:#team-core"), "private");
        assert_eq!(a.of("email:Bob@Example.com"), "private");
        assert_eq!(a.of("email:bob@example.com.evil.org"), "");
        assert_eq!(a.of("slack:#all-hands"), "internal");
        assert_eq!(a.of("slack:#general"), "public");
        assert_eq!(a.of("slack:#random"), "");
        assert_eq!(least_private(["private", "public"]), "public");
        assert_eq!(least_private(["private", ""]), "");
        assert_eq!(least_private(["private", "internal"]), "internal");
    }
}
