//! agentgate's vocabulary, shared by every layer: who acts ([`Principal`]),
//! on what ([`Resource`], [`FileKind`]), whose sign-off counts ([`Signer`]),
//! what the answer is ([`Verdict`]), and Cedar uids for them ([`uid`]).
//! It depends on nothing else in the crate, so the policy store, the
//! request builder, git and the gate can all use it without depending on
//! each other.

mod principal;
mod resource;
mod uid;
mod verdict;

pub use principal::{Principal, Signer};
pub use resource::{FileKind, Resource, parent_dir, split_tool};
pub use uid::{action_uid, cedar_string, parse_uid, uid};
pub use verdict::Verdict;

/// A principal, resource, action or uid written as text that is not
/// understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SyntaxError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse() {
        assert_eq!(
            Principal::parse("agent:copilot").unwrap(),
            Principal::Agent("copilot".into())
        );
        assert_eq!(
            Principal::parse("human:Alice").unwrap(),
            Principal::Human("alice".into())
        );
        assert_eq!(
            Principal::parse("Agent::\"x\"").unwrap(),
            Principal::Agent("x".into())
        );
        assert!(Principal::parse("alice").is_err());
        assert!(Principal::parse("agent:").is_err());
    }

    #[test]
    fn resources_parse() {
        assert_eq!(
            Resource::parse("./src/a.rs").unwrap(),
            Resource::File {
                path: "src/a.rs".into(),
                kind: FileKind::File
            }
        );
        assert_eq!(
            Resource::parse("Url::\"https://x\"").unwrap(),
            Resource::Entity("Url::\"https://x\"".into())
        );
        assert!(Resource::parse("src/").is_err());
    }

    #[test]
    fn tools_split() {
        assert_eq!(
            split_tool("mcp__gmail__delete_mail"),
            ("gmail".into(), "delete_mail".into())
        );
        assert_eq!(split_tool("Bash"), ("".into(), "Bash".into()));
    }
}
