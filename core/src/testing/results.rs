//! What a test run found: each case's status, per file, and coverage.

use serde::Serialize;

/// Outcome of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// As expected.
    Pass,
    /// A different answer than expected.
    Fail,
    /// Could not be evaluated (bad request, entities or policies).
    Error,
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Case name.
    pub name: String,
    /// File it is defined in.
    pub file: String,
    /// Line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// pass / fail / error.
    pub status: Status,
    /// Why it failed or errored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Expected answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Actual answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Policies that decided the actual answer.
    pub policies: Vec<String>,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// What kind of test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// agentgate TOML suite.
    Suite,
    /// Gate scenario (TOML).
    Scenario,
    /// `cedar run-tests` JSON.
    CedarRunTests,
    /// cedar-integration-tests JSON.
    CedarIntegration,
}

/// Results of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    /// File path as shown.
    pub file: String,
    /// Its format.
    pub kind: FileKind,
    /// Its cases (after `--filter`).
    pub cases: Vec<CaseResult>,
}

/// A policy coverage measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Percentage of policies covered (100 when there are none).
    pub percent: f64,
    /// How many policies.
    pub total: usize,
    /// Covered policy ids.
    pub covered: Vec<String>,
    /// Uncovered policies with their location.
    pub uncovered: Vec<Uncovered>,
}

/// A policy no test decided with.
#[derive(Debug, Clone, Serialize)]
pub struct Uncovered {
    /// Policy id.
    pub id: String,
    /// File.
    pub file: String,
    /// Line.
    pub line: usize,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    /// Per file.
    pub files: Vec<FileResult>,
    /// Coverage of the repository's policies (absent when no file tested
    /// them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

impl TestRun {
    /// Count of cases with a status.
    pub fn count(&self, s: Status) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.cases)
            .filter(|c| c.status == s)
            .count()
    }
}
