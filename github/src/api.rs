//! GitHub's REST API over octocrab, with the robustness a merge gate needs:
//! retries with backoff on 5xx and rate limits (honouring `Retry-After` and
//! `x-ratelimit-reset`), timeouts, pagination that refuses to truncate, and
//! errors that say what to do. The token never appears in an error.
//!
//! (It runs past 500 lines because REST, pagination and GraphQL share one
//! retry loop and one error type, and read best side by side.)

use std::time::Duration;

use octocrab::Octocrab;
use serde_json::Value;
use thiserror::Error;

/// A GitHub API failure. Every variant blocks the merge.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The client could not be built.
    #[error("cannot set up the GitHub client: {0}")]
    Setup(String),
    /// No response (network, timeout).
    #[error("{method} {path}: no response from GitHub ({message})")]
    Transport {
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
        /// What failed.
        message: String,
    },
    /// GitHub answered with an error status.
    #[error("{method} {path}: GitHub answered {status}: {message}{hint}")]
    Status {
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
        /// HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
        /// What to do.
        hint: String,
    },
    /// The body is not the documented shape.
    #[error("{method} {path}: unexpected response from GitHub: {message}")]
    Malformed {
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// GitHub's rate limit is used up.
    #[error("{method} {path}: GitHub's API rate limit for this token is used up; {}", rate_limit_advice(*resets_in, *retried))]
    RateLimited {
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
        /// When it resets, if GitHub said.
        resets_in: Option<Duration>,
        /// How many times the request was retried.
        retried: u32,
    },
    /// A listing did not end where it should.
    #[error("{path}: the listing was truncated ({message}); refusing to judge on part of it")]
    Truncated {
        /// Path.
        path: String,
        /// Why.
        message: String,
    },
}

impl ApiError {
    /// The HTTP status, when GitHub answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// What to say about a used-up rate limit: when it resets, and whether
/// agentgate waited for it.
fn rate_limit_advice(resets_in: Option<Duration>, retried: u32) -> String {
    let when = resets_in.map(|d| {
        let secs = d.as_secs();
        if secs >= 3600 {
            format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
        } else if secs >= 60 {
            format!("{} min", (secs + 30) / 60)
        } else {
            format!("{secs} s")
        }
    });
    match (when, retried) {
        (Some(w), 0) => format!(
            "it resets in {w}, longer than agentgate waits ({} s), so it did not retry: re-run the job after the reset, or give the action a token with its own limit (a GitHub App's)",
            MAX_WAIT.as_secs()
        ),
        (Some(w), n) => format!(
            "still limited after {n} retr{}; it resets in {w}: re-run the job after the reset",
            if n == 1 { "y" } else { "ies" }
        ),
        (None, n) => format!(
            "still limited after {n} retr{} and GitHub did not say when it resets: re-run the job later",
            if n == 1 { "y" } else { "ies" }
        ),
    }
}

/// A response: status, headers we care about, parsed body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `Link` header.
    pub link: Option<String>,
    /// The body as JSON (`Null` when empty).
    pub body: Value,
}

/// HTTP methods used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// Most pages followed for one listing (10,000 items at 100 per page).
const MAX_PAGES: usize = 100;
/// Attempts per request (the first and three retries).
const ATTEMPTS: u32 = 4;
/// The longest wait for a rate limit to reset before giving up.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// A client for one repository.
pub struct Api {
    octo: Octocrab,
    base: String,
    /// The GraphQL endpoint's client (rooted at its origin) and path.
    graph: (Octocrab, String),
    retry_base: Duration,
    /// `owner/name`.
    pub repo: String,
}

/// A GraphQL answer that carries errors instead of data.
fn graphql_errors(v: &Value) -> Option<String> {
    let errors = v.get("errors")?.as_array()?;
    if errors.is_empty() {
        return None;
    }
    Some(
        errors
            .iter()
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unnamed error")
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

impl Api {
    /// A client for `api_url` (REST) and `graphql_url` with `token`.
    pub fn new(
        api_url: &str,
        graphql_url: &str,
        token: &str,
        repo: &str,
        retry_base: Duration,
    ) -> Result<Api, ApiError> {
        let client = |root: &str, var: &str| {
            Octocrab::builder()
                .base_uri(root)
                .map_err(|e| ApiError::Setup(format!("{var} {root:?}: {e}")))?
                .personal_token(token.to_string())
                .set_connect_timeout(Some(Duration::from_secs(10)))
                .set_read_timeout(Some(Duration::from_secs(30)))
                .set_write_timeout(Some(Duration::from_secs(30)))
                .build()
                .map_err(|e| ApiError::Setup(e.to_string()))
        };
        let parsed = url::Url::parse(graphql_url)
            .map_err(|e| ApiError::Setup(format!("GITHUB_GRAPHQL_URL {graphql_url:?}: {e}")))?;
        let origin = parsed.origin().ascii_serialization();
        let graph_path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        Ok(Api {
            octo: client(api_url, "GITHUB_API_URL")?,
            base: api_url.trim_end_matches('/').to_string(),
            graph: (client(&origin, "GITHUB_GRAPHQL_URL")?, graph_path),
            retry_base,
            repo: repo.to_string(),
        })
    }

    /// A GraphQL query; returns its `data`. Errors GitHub reports beside
    /// (or instead of) data are failures: a partial answer is not judged.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, ApiError> {
        let body = serde_json::json!({"query": query, "variables": variables});
        let (client, path) = &self.graph;
        let reply = self
            .send(client, Method::Post, path.clone(), Some(&body))
            .await?;
        if let Some(message) = graphql_errors(&reply.body) {
            return Err(ApiError::Malformed {
                method: "POST".into(),
                path: path.clone(),
                message: format!("GraphQL errors: {message}"),
            });
        }
        reply
            .body
            .get("data")
            .cloned()
            .filter(|d| !d.is_null())
            .ok_or_else(|| ApiError::Malformed {
                method: "POST".into(),
                path: path.clone(),
                message: "no `data` in the GraphQL answer".into(),
            })
    }

    /// One request with retries. `path` is relative to the API root, or an
    /// absolute URL under it (a pagination link).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let target = if path.starts_with("http://") || path.starts_with("https://") {
            // Only follow links back to the API we were given.
            match path.strip_prefix(&self.base) {
                Some(rest) if rest.starts_with('/') || rest.starts_with('?') => rest.to_string(),
                _ => {
                    return Err(ApiError::Malformed {
                        method: method.as_str().into(),
                        path: path.into(),
                        message: format!("a link points outside {}", self.base),
                    });
                }
            }
        } else {
            path.to_string()
        };
        self.send(&self.octo, method, target, body).await
    }

    /// Send with retries: 5xx, transport failures and rate limits that
    /// reset soon are retried; a rate limit that resets later is reported
    /// with when it resets, not waited for.
    async fn send(
        &self,
        client: &Octocrab,
        method: Method,
        target: String,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = match method {
                Method::Get => client._get(target.as_str()).await,
                Method::Post => client._post(target.as_str(), body).await,
                Method::Patch => client._patch(target.as_str(), body).await,
            };
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(ApiError::Transport {
                        method: method.as_str().into(),
                        path: target,
                        message: e.to_string(),
                    });
                }
            };
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let link = header("link");
            let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
            let remaining =
                header("x-ratelimit-remaining").and_then(|v| v.trim().parse::<u64>().ok());
            let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok());
            // A body that cannot be read is a failed attempt, not an empty one.
            let text = match client.body_to_string(response).await {
                Ok(t) => t,
                Err(_) if attempt < ATTEMPTS => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Err(e) => {
                    return Err(ApiError::Transport {
                        method: method.as_str().into(),
                        path: target,
                        message: format!("the response body could not be read: {e}"),
                    });
                }
            };
            let rate_limited =
                status == 429 || (status == 403 && (retry_after.is_some() || remaining == Some(0)));
            // How long until the limit resets, when GitHub says.
            let reset_in = if let Some(s) = retry_after {
                Some(Duration::from_secs(s))
            } else if let (Some(0), Some(reset)) = (remaining, reset) {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                Some(Duration::from_secs(reset.saturating_sub(now) + 1))
            } else {
                None
            };
            if rate_limited {
                let wait = reset_in.unwrap_or_else(|| self.backoff(attempt));
                if wait > MAX_WAIT {
                    return Err(ApiError::RateLimited {
                        method: method.as_str().into(),
                        path: target,
                        resets_in: Some(wait),
                        retried: attempt - 1,
                    });
                }
                if attempt < ATTEMPTS {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(ApiError::RateLimited {
                    method: method.as_str().into(),
                    path: target,
                    resets_in: reset_in,
                    retried: attempt - 1,
                });
            }
            if status >= 500 && attempt < ATTEMPTS {
                tokio::time::sleep(self.backoff(attempt)).await;
                continue;
            }
            let parsed: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) if (200..300).contains(&status) => {
                        return Err(ApiError::Malformed {
                            method: method.as_str().into(),
                            path: target,
                            message: format!("not JSON: {e}"),
                        });
                    }
                    Err(_) => Value::String(text.chars().take(300).collect()),
                }
            };
            if (200..300).contains(&status) {
                return Ok(Reply {
                    status,
                    link,
                    body: parsed,
                });
            }
            let message = parsed
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| parsed.as_str().map(str::to_string))
                .unwrap_or_default();
            let hint = match status {
                401 => " (the token is missing, expired or invalid)".to_string(),
                403 => " (the token lacks a permission: see the `permissions` block in examples/workflows/agentgate.yml)".to_string(),
                404 => " (not found, or not visible to this token)".to_string(),
                s if s >= 500 => format!(" (retried {} times)", ATTEMPTS - 1),
                _ => String::new(),
            };
            return Err(ApiError::Status {
                method: method.as_str().into(),
                path: target,
                status,
                message,
                hint,
            });
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry_base * 2u32.saturating_pow(attempt.saturating_sub(1))
    }

    /// GET a JSON value.
    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        Ok(self.call(Method::Get, path, None).await?.body)
    }

    /// Every item of a paginated listing (`per_page=100`), following `Link:
    /// rel="next"`. More pages than [`MAX_PAGES`] is a truncation, an error.
    pub async fn list(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        self.list_in(path, None).await.map(|(items, _)| items)
    }

    /// Like [`Api::list`], for listings whose items sit in `field` of an
    /// object (e.g. `commits` of a comparison); also returns the first
    /// page's object (for totals).
    pub async fn list_in(
        &self,
        path: &str,
        field: Option<&str>,
    ) -> Result<(Vec<Value>, Value), ApiError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut items = Vec::new();
        let mut first = Value::Null;
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ApiError::Truncated {
                    path: path.into(),
                    message: format!("more than {MAX_PAGES} pages"),
                });
            }
            let mut reply = self.call(Method::Get, &url, None).await?;
            let page = match field {
                None => reply.body.take(),
                Some(f) => reply
                    .body
                    .get_mut(f)
                    .map(Value::take)
                    .unwrap_or(Value::Null),
            };
            match page {
                Value::Array(a) => items.extend(a),
                other => {
                    return Err(ApiError::Malformed {
                        method: "GET".into(),
                        path: url,
                        message: match field {
                            None => format!("expected a JSON array, got {}", kind(&other)),
                            Some(f) => format!("expected an array in `{f}`, got {}", kind(&other)),
                        },
                    });
                }
            }
            if pages == 1 {
                first = reply.body;
            }
            next = reply.link.as_deref().and_then(next_link);
        }
        Ok((items, first))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let url = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        (is_next && url.starts_with('<') && url.ends_with('>'))
            .then(|| url[1..url.len() - 1].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let h = "<https://api.github.com/repositories/1/pulls/2/reviews?per_page=100&page=2>; rel=\"next\", <https://api.github.com/repositories/1/pulls/2/reviews?per_page=100&page=3>; rel=\"last\"";
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/pulls/2/reviews?per_page=100&page=2")
        );
        assert_eq!(next_link("<x>; rel=\"prev\""), None);
    }
}
