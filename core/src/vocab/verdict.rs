//! The three answers agentgate gives.

use serde::Serialize;

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Allowed as asked.
    Allow,
    /// Denied, and confirmation would not change it.
    Deny,
    /// Denied unless a human confirms.
    Confirm,
}

impl Verdict {
    /// `allow`, `deny` or `confirm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Confirm => "confirm",
        }
    }

    /// How serious: deny over confirm over allow.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Allow => 0,
            Verdict::Confirm => 1,
            Verdict::Deny => 2,
        }
    }
}
