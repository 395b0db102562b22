//! A real MCP server (rmcp) for the integration tests of `agentgate mcp`
//! (tests/it/mcp.rs) and the latency benchmark (bench/mcp_latency.py):
//! tools named and shaped as the servers agents use (Slack, Gmail, GitHub,
//! a filesystem), plus tools that misbehave on purpose.
//!
//! Every `tools/call` it receives is appended, as one JSON line, to the
//! file `MCP_TEST_SERVER_LOG` names: the server's own record of what
//! reached it, so a test can show a denied call never did.
//!
//! ```text
//! mcp_test_server                  stdio
//! mcp_test_server --http ADDR      streamable HTTP at http://ADDR/mcp (prints the address)
//! mcp_test_server --exit           exits at once (a server that cannot start)
//! ```
//!
//! Tools: `echo` (returns `text`), `slow` (sleeps `ms`, sending progress),
//! `hang` (never answers), `crash` (the process exits), `garbage` (writes
//! a line that is not JSON-RPC, then answers), `whoami` (the HTTP
//! `Authorization` header it was sent), `ask_name` (asks the client by
//! elicitation), `notify_list_changed`, and the real-world shapes
//! `chat_postMessage`, `batch_delete_emails`, `update_repository`,
//! `add_collaborator`, `write_file`.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequestParams,
    ElicitationAction, ElicitationSchema, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};

#[derive(Clone)]
struct TestServer;

fn schema(props: Value, required: &[&str]) -> Arc<JsonObject> {
    let v = json!({"type": "object", "properties": props, "required": required});
    Arc::new(v.as_object().cloned().unwrap_or_default())
}

fn tools() -> Vec<Tool> {
    let s = json!({"type": "string"});
    let n = json!({"type": "number"});
    vec![
        Tool::new(
            "echo",
            "Return `text`.",
            schema(json!({"text": s}), &["text"]),
        ),
        Tool::new(
            "slow",
            "Sleep `ms`, with progress.",
            schema(json!({"ms": n, "tag": s}), &["ms"]),
        ),
        Tool::new("hang", "Never answer.", schema(json!({}), &[])),
        Tool::new("crash", "Exit the server.", schema(json!({}), &[])),
        Tool::new(
            "garbage",
            "Write a non-JSON line, then answer.",
            schema(json!({}), &[]),
        ),
        Tool::new(
            "whoami",
            "The Authorization header seen.",
            schema(json!({}), &[]),
        ),
        Tool::new(
            "ask_name",
            "Ask the client's human for a name.",
            schema(json!({}), &[]),
        ),
        Tool::new(
            "notify_list_changed",
            "Send tools/list_changed.",
            schema(json!({}), &[]),
        ),
        Tool::new(
            "chat_postMessage",
            "Post a Slack message.",
            schema(json!({"channel": s, "text": s}), &["channel", "text"]),
        ),
        Tool::new(
            "batch_delete_emails",
            "Delete mail in bulk.",
            schema(
                json!({"messageIds": {"type": "array", "items": s}}),
                &["messageIds"],
            ),
        ),
        Tool::new(
            "update_repository",
            "Change repository settings.",
            schema(
                json!({"owner": s, "repo": s, "private": {"type": "boolean"}, "description": s}),
                &["owner", "repo"],
            ),
        ),
        Tool::new(
            "add_collaborator",
            "Add a collaborator.",
            schema(
                json!({"owner": s, "repo": s, "username": s, "permission": s}),
                &["owner", "repo", "username"],
            ),
        ),
        Tool::new(
            "write_file",
            "Write a file.",
            schema(json!({"path": s, "content": s}), &["path", "content"]),
        ),
    ]
}

/// Append what reached the server to its log.
fn record(name: &str, args: &JsonObject) {
    let Ok(path) = std::env::var("MCP_TEST_SERVER_LOG") else {
        return;
    };
    let line = json!({"tool": name, "arguments": args}).to_string() + "\n";
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

fn text(t: impl Into<String>) -> CallToolResponse {
    CallToolResult::success(vec![ContentBlock::text(t.into())]).into()
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new("mcp-test-server", "1.0.0"))
    }

    async fn list_tools(
        &self,
        _params: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = params.arguments.clone().unwrap_or_default();
        record(&params.name, &args);
        let arg = |k: &str| args.get(k).cloned().unwrap_or(Value::Null);
        match params.name.as_ref() {
            "echo" => Ok(text(arg("text").as_str().unwrap_or(""))),
            "slow" => {
                let ms = arg("ms").as_u64().unwrap_or(0);
                if let Some(token) = ctx.meta.get_progress_token() {
                    let _ = ctx
                        .peer
                        .notify_progress(ProgressNotificationParam::new(token, 0.5))
                        .await;
                }
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(text(format!(
                    "slept {ms} ms: {}",
                    arg("tag").as_str().unwrap_or("")
                )))
            }
            "hang" => {
                std::future::pending::<()>().await;
                Ok(text("never"))
            }
            "crash" => std::process::exit(3),
            "garbage" => {
                let mut out = std::io::stdout();
                let _ = out.write_all(b"this is not JSON-RPC\n");
                let _ = out.flush();
                Ok(text("after garbage"))
            }
            "whoami" => {
                let auth = ctx
                    .extensions
                    .get::<http::request::Parts>()
                    .and_then(|p| p.headers.get("authorization"))
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                Ok(text(auth))
            }
            "ask_name" => {
                let schema = ElicitationSchema::builder()
                    .required_string("name")
                    .build()
                    .map_err(|e| ErrorData::internal_error(e, None))?;
                let r = ctx
                    .peer
                    .create_elicitation(ElicitRequestParams::FormElicitationParams {
                        meta: None,
                        message: "What is your name?".into(),
                        requested_schema: schema,
                    })
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                let name = match r.action {
                    ElicitationAction::Accept => r
                        .content
                        .and_then(|c| c.get("name").and_then(Value::as_str).map(String::from))
                        .unwrap_or_default(),
                    _ => "nobody".into(),
                };
                Ok(text(format!("hello {name}")))
            }
            "notify_list_changed" => {
                let _ = ctx.peer.notify_tool_list_changed().await;
                Ok(text("sent"))
            }
            name => Ok(text(format!("{name} done"))),
        }
    }
}

async fn serve_http(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    use rmcp::transport::StreamableHttpService;
    use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    let service = StreamableHttpService::new(
        || Ok(TestServer),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default(),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}/mcp", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, router).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--exit") => std::process::exit(4),
        Some("--http") => serve_http(args.get(1).map_or("127.0.0.1:0", String::as_str)).await,
        _ => {
            let running = TestServer.serve(rmcp::transport::stdio()).await?;
            running.waiting().await?;
            Ok(())
        }
    }
}
