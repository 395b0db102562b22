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
    /// The expected answer, as the report shows it.
    pub expected: Option<String>,
    /// The actual answer, as the report shows it.
    pub actual: Option<String>,
    /// This test's own time, in seconds.
    pub seconds: f64,
}

/// Which Cedar format a JSON file holds, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CedarFormat {
    /// `cedar run-tests` array.
    RunTests,
    /// cedar-integration-tests object.
    Integration,
}

/// Recognise a Cedar test file by shape, without building a JSON tree (a
/// test file can be tens of megabytes): a non-empty array whose every item
/// has a `request` is a `run-tests` file; an object with `requests` and
/// `shouldValidate` is an integration test. Anything else (an empty array,
/// an entities file, other JSON) is not a test file. `Err` when the text
/// is not JSON.
pub fn detect(text: &str) -> Result<Option<CedarFormat>, serde_json::Error> {
    use serde::de::IgnoredAny;
    #[derive(Deserialize)]
    struct Item {
        request: Option<IgnoredAny>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Integration {
        requests: Option<IgnoredAny>,
        should_validate: Option<IgnoredAny>,
    }
    // Validate the JSON first, so a syntax error is reported as one. Then
    // read only the shape (serde skips everything else without keeping it).
    serde_json::from_str::<IgnoredAny>(text)?;
    Ok(match text.trim_start().as_bytes().first() {
        Some(b'[') => match serde_json::from_str::<Vec<Option<Item>>>(text) {
            Ok(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.as_ref().is_some_and(|i| i.request.is_some())) =>
            {
                Some(CedarFormat::RunTests)
            }
            _ => None,
        },
        Some(b'{') => match serde_json::from_str::<Integration>(text) {
            Ok(Integration {
                requests: Some(_),
                should_validate: Some(_),
            }) => Some(CedarFormat::Integration),
            _ => None,
        },
        _ => None,
    })
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
