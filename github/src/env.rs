//! The GitHub Actions runner's environment, read once.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

/// A required variable is missing or malformed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EnvError {
    /// No token anywhere.
    #[error("no token: set GITHUB_TOKEN (or the action's `token` input)")]
    NoToken,
    /// A variable the runner always sets is missing.
    #[error("{0} is not set: run `agentgate github` inside a GitHub Actions job (see action.yml)")]
    Missing(&'static str),
    /// `GITHUB_REPOSITORY` is not `owner/name`.
    #[error("GITHUB_REPOSITORY {0:?} is not owner/name")]
    Repository(String),
}

/// What `agentgate github` reads from the runner.
#[derive(Clone)]
pub struct RunnerEnv {
    /// `GITHUB_EVENT_NAME`.
    pub event_name: String,
    /// `GITHUB_EVENT_PATH`: the webhook payload.
    pub event_path: PathBuf,
    /// `GITHUB_REPOSITORY`: `owner/name`.
    pub repository: String,
    /// `GITHUB_API_URL` (default `https://api.github.com`).
    pub api_url: String,
    /// `GITHUB_GRAPHQL_URL` (default: derived from the API URL).
    pub graphql_url: String,
    /// `GITHUB_SERVER_URL` (default `https://github.com`), for links.
    pub server_url: String,
    /// `GITHUB_RUN_ID`, for links.
    pub run_id: Option<String>,
    /// The token (`--token`/`INPUT_TOKEN`, else `GITHUB_TOKEN`). Never printed.
    pub token: String,
    /// `GITHUB_STEP_SUMMARY`: where the job summary goes.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: where action outputs go.
    pub output: Option<PathBuf>,
    /// `GITHUB_WORKSPACE`: the checked-out repository (the base).
    pub workspace: PathBuf,
    /// First delay between retries (`AGENTGATE_RETRY_BASE_MS`, default 1 s).
    pub retry_base: Duration,
}

impl std::fmt::Debug for RunnerEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnerEnv")
            .field("event_name", &self.event_name)
            .field("repository", &self.repository)
            .field("api_url", &self.api_url)
            .field("token", &"***")
            .finish_non_exhaustive()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn need(name: &'static str) -> Result<String, EnvError> {
    var(name).ok_or(EnvError::Missing(name))
}

/// GraphQL's endpoint beside a REST API root: `api.github.com/graphql`, or
/// `HOST/api/graphql` for GitHub Enterprise Server's `HOST/api/v3`.
pub fn graphql_beside(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{api}/graphql"),
    }
}

impl RunnerEnv {
    /// Read the environment. `token` overrides `INPUT_TOKEN`/`GITHUB_TOKEN`.
    pub fn from_env(token: Option<String>) -> Result<RunnerEnv, EnvError> {
        let token = token
            .filter(|t| !t.trim().is_empty())
            .or_else(|| var("INPUT_TOKEN"))
            .or_else(|| var("GITHUB_TOKEN"))
            .ok_or(EnvError::NoToken)?;
        let repository = need("GITHUB_REPOSITORY")?;
        if repository.split('/').count() != 2 || repository.split('/').any(str::is_empty) {
            return Err(EnvError::Repository(repository));
        }
        let retry_base = var("AGENTGATE_RETRY_BASE_MS")
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis);
        let api_url = var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
        Ok(RunnerEnv {
            event_name: need("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(need("GITHUB_EVENT_PATH")?),
            repository,
            graphql_url: var("GITHUB_GRAPHQL_URL").unwrap_or_else(|| graphql_beside(&api_url)),
            api_url,
            server_url: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            run_id: var("GITHUB_RUN_ID"),
            token,
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            workspace: PathBuf::from(var("GITHUB_WORKSPACE").unwrap_or_else(|| ".".into())),
            retry_base,
        })
    }

    /// `(owner, name)`.
    pub fn owner_repo(&self) -> (&str, &str) {
        self.repository
            .split_once('/')
            .unwrap_or((&self.repository, ""))
    }

    /// Remove the token from a text that is about to be shown.
    pub fn redact(&self, text: &str) -> String {
        if self.token.len() >= 4 {
            text.replace(&self.token, "***")
        } else {
            text.to_string()
        }
    }
}
