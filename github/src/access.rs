//! GitHub's rule for whose review counts: only an account that can push to
//! the repository. GitHub's own required reviews ignore approvals from
//! anyone else, and so does agentgate: a drive-by approval from a stranger
//! (or an account the agent controls) signs off nothing. Each reviewer's
//! permission is asked of GitHub once per run and remembered.

use std::collections::BTreeMap;

use agentgate_core::gate::signoff::Review;

use crate::api::{Api, ApiError};
use crate::queries::{self, Permission};

/// Reviewers' permissions, asked once per run.
#[derive(Debug, Default)]
pub struct Access {
    known: BTreeMap<String, Permission>,
}

/// Review states whose author's standing matters (the others sign nothing).
const WEIGHTY: &[&str] = &["APPROVED", "CHANGES_REQUESTED"];

impl Access {
    /// The reviewers of `reviews` who cannot push, each with why their
    /// review does not count.
    pub async fn without_write(
        &mut self,
        api: &Api,
        reviews: &[Review],
    ) -> Result<Vec<(String, String)>, ApiError> {
        let mut out = Vec::new();
        for r in reviews {
            let Some(user) = &r.user else { continue };
            if !WEIGHTY.contains(&r.state.to_ascii_uppercase().as_str()) {
                continue;
            }
            let key = user.login.to_ascii_lowercase();
            if out.iter().any(|(l, _): &(String, String)| *l == key) {
                continue;
            }
            let permission = match self.known.get(&key) {
                Some(p) => p.clone(),
                None => {
                    let p = queries::permission(api, &user.login).await?;
                    self.known.insert(key.clone(), p.clone());
                    p
                }
            };
            if !permission.can_write() {
                let role = permission.role.as_deref().unwrap_or(&permission.permission);
                out.push((
                    key,
                    format!(
                        "{} cannot push to the repository (GitHub permission: {role}), and GitHub counts only reviews from accounts with write access",
                        user.login
                    ),
                ));
            }
        }
        Ok(out)
    }
}
