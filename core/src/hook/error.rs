//! Why a hook payload cannot be read. Every one of these answers "block"
//! in the harness's own form: a payload agentgate cannot read is a call it
//! cannot judge, and a call it cannot judge does not run.

use thiserror::Error;

/// A hook payload cannot be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HookError {
    /// The payload is not JSON at all.
    #[error("the hook payload is not JSON: {0}")]
    NotJson(String),
    /// The payload is JSON, but not an object.
    #[error("the hook payload is not a JSON object")]
    NotObject,
    /// The hook is wired to an event it does not answer.
    #[error("`agentgate hook {harness}` answers {expected}, not `{event}`: {hint}")]
    WrongEvent {
        /// The harness's command-line name.
        harness: &'static str,
        /// The event the payload names.
        event: String,
        /// The events it answers.
        expected: &'static str,
        /// Where to register it instead.
        hint: &'static str,
    },
    /// A field that must be an object (or a JSON string holding one) is
    /// not.
    #[error("`{field}` is not an object")]
    NotAnObject {
        /// The field.
        field: String,
    },
    /// A field given as a JSON string does not hold an object.
    #[error("`{field}` is a string but not a JSON object")]
    StringNotAnObject {
        /// The field.
        field: String,
    },
    /// A field that must be text is something else.
    #[error("`{field}` is not a string")]
    NotText {
        /// The field.
        field: String,
    },
    /// A field the event needs is missing.
    #[error("the payload has no `{field}`, which a `{event}` event carries")]
    Missing {
        /// The field.
        field: String,
        /// The event.
        event: String,
    },
}
