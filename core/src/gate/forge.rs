//! What a forge (GitHub, ...) knows that git does not, as the gate asks
//! for it: who is behind a commit by account, who took part, the reviews,
//! who may not approve, the members of its teams. The gate knows no forge
//! by name: the GitHub adapter implements [`Forge`] in its own crate, and
//! [`Offline`] is the gate run on git alone with reviews from a file.

use std::collections::BTreeMap;

use super::identity::AgentHit;
use super::signoff::Review;
use crate::git::{CommitMeta, Person};
use crate::policy::PolicyStore;

/// What a forge knows of one commit.
#[derive(Debug, Clone, Default)]
pub struct CommitFacts {
    /// Agents behind it beyond its git identity (a bot account the forge
    /// links to it, a commit linked to no account where the config says
    /// that makes an agent's).
    pub agents: Vec<AgentHit>,
    /// Accounts that took part in it (author, committer), with why: none
    /// of them may approve it when an agent is involved.
    pub participants: Vec<(String, String)>,
    /// The account of its author, when the forge links one: a human's
    /// commit is judged as that login.
    pub author_login: Option<String>,
}

/// Facts beyond git, for one gate run.
pub trait Forge {
    /// What the forge knows of `commit`.
    fn commit(&self, store: &PolicyStore, commit: &CommitMeta) -> CommitFacts;

    /// Agents behind every commit of the range (on GitHub: the pull
    /// request's author, when an agent opened it).
    fn range_agents(&self, _store: &PolicyStore) -> Vec<AgentHit> {
        Vec::new()
    }

    /// Every review of the change, as the forge lists them.
    fn reviews(&self) -> &[Review];

    /// Logins that may not approve, and why (the pull request's author,
    /// whoever asked the agent).
    fn excluded(&self, _store: &PolicyStore) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The commit approvals must name (default: the head judged). A merge
    /// queue judges its group's head, but the pull request's head was
    /// reviewed.
    fn review_head(&self) -> Option<String> {
        None
    }

    /// Members to add to Cedar teams (by Cedar team name), learned from the
    /// forge's own teams.
    fn cedar_team_members(&self, _store: &PolicyStore) -> BTreeMap<String, Vec<String>> {
        BTreeMap::new()
    }

    /// Members of the teams CODEOWNERS names, by `org/slug` (lower-case).
    fn owner_team_members(&self, store: &PolicyStore) -> BTreeMap<String, Vec<String>>;

    /// Whether a git identity is the forge's own machinery rather than a
    /// person who could review.
    fn is_machine(&self, _person: &Person) -> bool {
        false
    }
}

/// The gate on git alone: reviews from a file (GitHub's shape), teams from
/// the config.
#[derive(Debug, Clone, Default)]
pub struct Offline {
    /// The reviews.
    pub reviews: Vec<Review>,
}

impl Forge for Offline {
    fn commit(&self, _store: &PolicyStore, _commit: &CommitMeta) -> CommitFacts {
        CommitFacts::default()
    }

    fn reviews(&self) -> &[Review] {
        &self.reviews
    }

    /// CODEOWNERS teams the config maps to Cedar teams (`[github.teams]`)
    /// have those teams' members.
    fn owner_team_members(&self, store: &PolicyStore) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (team, slug) in &store.config.github.teams {
            out.entry(slug.to_ascii_lowercase())
                .or_default()
                .extend(store.config.members(team));
        }
        out
    }

    /// Commits made in a forge's web interface name the forge as
    /// committer (`GitHub <noreply@github.com>`): not a person.
    fn is_machine(&self, person: &Person) -> bool {
        person.email.eq_ignore_ascii_case("noreply@github.com")
    }
}
