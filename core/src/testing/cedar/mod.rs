//! Cedar's own test formats, run with Cedar's semantics:
//!
//! - the `cedar run-tests` JSON array (`name`, `request`, `entities`,
//!   `decision`, `reason`, `num_errors`), evaluated against the repository's
//!   policy files (without agentgate's floor, as the `cedar` CLI would see
//!   them) and schema: decision equal, declared reasons a subset of Cedar's,
//!   error count equal, and a policy set that fails strict validation (or
//!   warns) makes every test an error;
//! - the cedar-integration-tests JSON object (`policies`, `entities`,
//!   `schema`, `shouldValidate`, `requests`), which brings its own files
//!   (relative to a root directory): strict validation must pass exactly when
//!   `shouldValidate`, and per request the decision is equal and `reason` and
//!   `errors` are set-equal.

mod error;
mod integration;
mod run_tests;

pub use error::CaseError;
pub use integration::{RootNotFound, integration_root, run_integration};
pub use run_tests::run_tests;

use cedar_policy::Decision;
use serde::Deserialize;
use serde_json::Value;

/// Result of one Cedar-format test.
#[derive(Debug, Clone)]
pub struct CedarTestResult {
    /// Test name or request description.
    pub name: String,
    /// `None` on pass, else why it failed.
    pub failure: Option<String>,
    /// Whether the failure is an error (the test could not run) rather than
    /// a wrong answer.
    pub errored: bool,
    /// Policies that determined Cedar's decision (for coverage).
    pub reasons: Vec<String>,
}

/// Which Cedar format a JSON file holds, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CedarFormat {
    /// `cedar run-tests` array.
    RunTests,
    /// cedar-integration-tests object.
    Integration,
}

/// Recognise a Cedar test file by shape.
pub fn detect(json: &Value) -> Option<CedarFormat> {
    match json {
        Value::Array(items) => {
            if items.is_empty() || items.iter().all(|i| i.get("request").is_some()) {
                Some(CedarFormat::RunTests)
            } else {
                None
            }
        }
        Value::Object(o) if o.contains_key("requests") && o.contains_key("shouldValidate") => {
            Some(CedarFormat::Integration)
        }
        _ => None,
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dec {
    #[serde(rename = "allow", alias = "Allow")]
    Allow,
    #[serde(rename = "deny", alias = "Deny")]
    Deny,
}

impl Dec {
    pub(crate) fn decision(self) -> Decision {
        match self {
            Dec::Allow => Decision::Allow,
            Dec::Deny => Decision::Deny,
        }
    }
}

pub(crate) fn flat(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut c = e.source();
    while let Some(x) = c {
        let m = x.to_string();
        if !s.contains(&m) {
            s = format!("{s}: {m}");
        }
        c = x.source();
    }
    s
}
