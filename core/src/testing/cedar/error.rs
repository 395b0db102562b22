//! Why a Cedar-format test (or a whole integration test file) could not run.
//! The messages follow the `cedar` CLI's own wording where it has one.

use std::path::PathBuf;

/// A Cedar-format test that could not run: it errors rather than fails.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A required request field is absent.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A principal, action or resource is not an entity uid.
    #[error("failed to parse {what} `{text}`: {detail}")]
    Uid {
        /// `principal`, `action` or `resource`.
        what: &'static str,
        /// The text given.
        text: String,
        /// Cedar's message.
        detail: String,
    },
    /// A principal, action or resource in JSON form is not an entity uid.
    #[error("failed to parse {what}: {detail}")]
    UidJson {
        /// `principal`, `action` or `resource`.
        what: &'static str,
        /// Cedar's message.
        detail: String,
    },
    /// The context does not fit the action's context type.
    #[error("failed to parse context `{text}`: {detail}")]
    Context {
        /// The context given.
        text: String,
        /// Cedar's message.
        detail: String,
    },
    /// A context in an integration test does not fit the action's context type.
    #[error("failed to parse context: {0}")]
    ContextJson(String),
    /// The request does not fit the schema.
    #[error("failed to create request: {0}")]
    Request(String),
    /// A path could not be canonicalised.
    #[error("failed to canonicalize path `{}`: {source}", path.display())]
    Canonicalize {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An entities file lies outside the test file's directory.
    #[error("entities file `{}` is outside of the test file directory `{}`", file.display(), dir.display())]
    Outside {
        /// The entities file.
        file: PathBuf,
        /// The test file's directory.
        dir: PathBuf,
    },
    /// An entities file could not be read or parsed.
    #[error("failed to load entities from file `{file}`: {detail}")]
    EntitiesFile {
        /// The file as named by the test.
        file: String,
        /// Why.
        detail: String,
    },
    /// Inline entities do not parse.
    #[error("failed to parse entities: {0}")]
    Entities(String),
    /// A file an integration test names cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file an integration test names does not parse.
    #[error("error parsing {what} in {file}: {detail}")]
    Parse {
        /// `policies`, `schema` or `entities`.
        what: &'static str,
        /// The file as named by the test.
        file: String,
        /// Cedar's message.
        detail: String,
    },
    /// An integration request does not validate against the schema.
    #[error("error validating request: {0}")]
    Validate(String),
    /// The test file does not have the format's shape.
    #[error("malformed {what}: {source}")]
    Malformed {
        /// `test` or `integration test`.
        what: &'static str,
        /// serde's message.
        source: serde_json::Error,
    },
}
