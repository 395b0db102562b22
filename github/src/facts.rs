//! What GitHub knows that git does not, as the gate asks for it (the
//! [`Forge`] of agentgate-core): the accounts GitHub links to each commit
//! (a `Bot` account makes a commit an agent's, whatever its e-mail says; a
//! commit linked to no account is an agent's unless the config says
//! `github.unlinked_commits = "git"`), the pull request's author (an
//! agent's pull request makes every commit an agent's; its author and
//! assignees never approve it), the reviews (counted only from accounts
//! that can push, as GitHub counts them), and the members of the GitHub
//! teams the config maps to Cedar teams and CODEOWNERS names.

use std::collections::BTreeMap;

use agentgate_core::gate::identity::AgentHit;
use agentgate_core::gate::signoff::Review;
use agentgate_core::gate::{CommitFacts, Forge};
use agentgate_core::git::{CommitMeta, Person};
use agentgate_core::policy::PolicyStore;
use agentgate_core::policy::catalog::Catalog;
use agentgate_core::policy::config::Unlinked;
use serde::Serialize;

use crate::queries::PullRequest;

/// An account GitHub links to a commit (author or committer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Login.
    pub login: String,
    /// `User`, `Bot`, ...
    pub kind: String,
}

/// GitHub's account links of one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommitAccounts {
    /// The author's account, if the author e-mail links to one.
    pub author: Option<Account>,
    /// The committer's account, if linked.
    pub committer: Option<Account>,
}

/// The agent behind a GitHub account, if it is one: a catalog agent's
/// login, or any account that is not of type `User` (a `Bot`, or a type
/// GitHub did not say) or whose login ends in `[bot]`.
pub fn account_agent(catalog: &Catalog, login: &str, kind: &str) -> Option<String> {
    catalog.by_login(login).map(|a| a.id.clone()).or_else(|| {
        (kind != "User" || login.to_ascii_lowercase().ends_with("[bot]"))
            .then(|| login.to_ascii_lowercase())
    })
}

/// GitHub's facts for one gate run.
#[derive(Debug, Clone, Default)]
pub struct GithubFacts {
    /// Account links per commit id.
    pub accounts: BTreeMap<String, CommitAccounts>,
    /// The pull request (absent for a merge group made of several).
    pub pull_request: Option<PullRequest>,
    /// Its reviews.
    pub reviews: Vec<Review>,
    /// The commit approvals must name (the pull request's head).
    pub review_head: Option<String>,
    /// Members of GitHub teams, by `org/slug` (lower-case).
    pub team_members: BTreeMap<String, Vec<String>>,
    /// Reviewers who cannot push to the repository, with why: their
    /// reviews count for nothing, as on GitHub.
    pub without_write: Vec<(String, String)>,
}

/// GitHub's own committer for commits made in its web interface.
const WEB_FLOW: &str = "web-flow";

impl Forge for GithubFacts {
    fn commit(&self, store: &PolicyStore, commit: &CommitMeta) -> CommitFacts {
        let links = self.accounts.get(&commit.id);
        let mut facts = CommitFacts {
            author_login: links
                .and_then(|l| l.author.as_ref())
                .map(|a| a.login.clone()),
            ..CommitFacts::default()
        };
        for (role, acc) in [
            ("author", links.and_then(|l| l.author.as_ref())),
            ("committer", links.and_then(|l| l.committer.as_ref())),
        ] {
            let Some(acc) = acc else { continue };
            // GitHub's own web-flow committer is not a person.
            if role == "committer" && acc.login.eq_ignore_ascii_case(WEB_FLOW) {
                continue;
            }
            facts.participants.push((
                acc.login.clone(),
                format!(
                    "{} authored or committed agent commit {}",
                    acc.login,
                    agentgate_core::gate::short_id(&commit.id)
                ),
            ));
            if let Some(agent) = account_agent(&store.catalog, &acc.login, &acc.kind)
                && !facts.agents.iter().any(|a| a.id == agent)
            {
                facts.agents.push(AgentHit {
                    id: agent,
                    via: format!("{role} account {} ({})", acc.login, acc.kind),
                });
            }
        }
        let linked = links.is_some_and(|l| l.author.is_some());
        if !linked && store.config.github.unlinked_commits == Unlinked::Agent {
            facts.agents.push(AgentHit {
                id: "unlinked".into(),
                via: "the author links to no GitHub account (config: github.unlinked_commits = \"agent\")".into(),
            });
        }
        facts
    }

    fn range_agents(&self, store: &PolicyStore) -> Vec<AgentHit> {
        let Some(pr) = &self.pull_request else {
            return Vec::new();
        };
        account_agent(&store.catalog, &pr.author, &pr.author_type)
            .map(|id| AgentHit {
                id,
                via: format!(
                    "opened the pull request as {} ({})",
                    pr.author, pr.author_type
                ),
            })
            .into_iter()
            .collect()
    }

    fn reviews(&self) -> &[Review] {
        &self.reviews
    }

    fn excluded(&self, store: &PolicyStore) -> Vec<(String, String)> {
        let mut out = self.without_write.clone();
        let Some(pr) = &self.pull_request else {
            return out;
        };
        out.push((
            pr.author.clone(),
            format!("{} opened the pull request", pr.author),
        ));
        if !self.range_agents(store).is_empty() {
            for a in &pr.assignees {
                out.push((
                    a.clone(),
                    format!("{a} is assigned to the agent's pull request (asked the agent)"),
                ));
            }
        }
        out
    }

    fn review_head(&self) -> Option<String> {
        self.review_head.clone()
    }

    /// The Cedar teams `[github.teams]` maps to GitHub teams get those
    /// teams' members.
    fn cedar_team_members(&self, store: &PolicyStore) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for (team, slug) in &store.config.github.teams {
            if let Some(logins) = self.team_members.get(&slug.to_ascii_lowercase()) {
                out.insert(team.clone(), logins.clone());
            }
        }
        out
    }

    /// GitHub's own team members, and the members of the Cedar teams the
    /// config maps to them.
    fn owner_team_members(&self, store: &PolicyStore) -> BTreeMap<String, Vec<String>> {
        let mut out = self.team_members.clone();
        for (team, slug) in &store.config.github.teams {
            out.entry(slug.to_ascii_lowercase())
                .or_default()
                .extend(store.config.members(team));
        }
        out
    }

    /// `GitHub <noreply@github.com>` commits in the web interface.
    fn is_machine(&self, person: &Person) -> bool {
        person.email.eq_ignore_ascii_case("noreply@github.com")
    }
}
