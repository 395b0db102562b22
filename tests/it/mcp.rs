//! `agentgate mcp` through the real binary, between real MCP peers: MCP
//! clients built with rmcp (and a raw JSON-RPC line client for what no SDK
//! would send), the rmcp test server `examples/mcp_test_server.rs` (which
//! logs every call that reaches it), and the npm registry's reference
//! filesystem server driven by the official MCP Inspector's CLI, all in
//! repositories made by `agentgate init`.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::common::*;

// ------------------------------------------------------------------ peers --

/// The rmcp test server, built by `cargo test` (an example of the root
/// package).
fn test_server() -> PathBuf {
    let p = bin()
        .parent()
        .expect("target dir")
        .join("examples/mcp_test_server");
    assert!(
        p.exists(),
        "the MCP test server is not built ({} is missing): `cargo test` and scripts/test.sh build it; for a targeted run, `cargo build --example mcp_test_server` first",
        p.display()
    );
    p
}

/// A binary of the npm peers (tests/mcp-peers), installed by scripts/test.sh.
fn node_peer(name: &str) -> PathBuf {
    let p = repo_root()
        .join("tests/mcp-peers/node_modules/.bin")
        .join(name);
    assert!(
        p.exists(),
        "the npm MCP peers are not installed ({} is missing): run scripts/test.sh, which runs `npm ci --prefix tests/mcp-peers` (Node.js and npm needed)",
        p.display()
    );
    p
}

/// A repository made by `agentgate init`, with a decision log and the
/// test server's log.
fn repo_with(config: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = init_repo();
    let d = dir.path();
    let toml = std::fs::read_to_string(d.join("agentgate.toml")).expect("config");
    write(
        d,
        "agentgate.toml",
        &format!("{toml}\n[log]\ndecisions = \".agentgate/decisions.jsonl\"\n{config}\n"),
    );
    let log = d.join("server-calls.jsonl");
    (dir, log)
}

/// The calls that reached the test server.
fn reached(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("server log line"))
        .collect()
}

/// The proxy's command, with the environment of an attended session.
fn proxy_command(dir: &Path, log: &Path, args: &[&str]) -> Command {
    let mut c = agentgate_cmd();
    c.arg("mcp")
        .args(args)
        .current_dir(dir)
        .env("MCP_TEST_SERVER_LOG", log)
        .env_remove("CLAUDE_PROJECT_DIR")
        .env_remove("GEMINI_PROJECT_DIR");
    c
}

// ------------------------------------------------ a raw JSON-RPC client --

/// A client speaking JSON-RPC lines to the proxy by hand.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Raw {
    fn start(dir: &Path, log: &Path, args: &[&str]) -> Raw {
        let mut child = proxy_command(dir, log, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn agentgate mcp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("stderr")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdin = child.stdin.take();
        Raw {
            child,
            stdin,
            lines,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, v: Value) {
        self.send_line(&v.to_string());
    }

    /// The next message, within `secs`.
    fn recv(&self, secs: u64) -> Value {
        match self.lines.recv_timeout(Duration::from_secs(secs)) {
            Ok(l) => serde_json::from_str(&l)
                .unwrap_or_else(|e| panic!("the proxy wrote what is not JSON ({e}): {l}")),
            Err(e) => panic!(
                "no message from the proxy within {secs} s ({e}); stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// Messages until the response to `id` (notifications are returned
    /// too, in order).
    fn until(&self, id: &Value, secs: u64) -> (Value, Vec<Value>) {
        let mut others = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now()).as_secs() + 1;
            let m = self.recv(left);
            if m.get("id") == Some(id) && m.get("method").is_none() {
                return (m, others);
            }
            others.push(m);
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.until(&id, 30).0
    }

    fn initialize(&mut self) -> Value {
        let r = self.request(
            json!(0),
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}),
        );
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        r
    }

    fn call(&mut self, id: i64, tool: &str, args: Value) -> Value {
        self.request(
            json!(id),
            "tools/call",
            json!({"name": tool, "arguments": args}),
        )
    }

    /// Close stdin and wait for the proxy to exit; its exit code.
    fn finish(mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "the proxy did not exit after its client left; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of a tool result, and whether it is an error.
fn result_text(r: &Value) -> (String, bool) {
    let res = &r["result"];
    let text = res["content"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    (text, res["isError"] == json!(true))
}

fn tool_names(r: &Value) -> Vec<String> {
    r["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

// ------------------------------------------------------ an rmcp client --

/// A client whose human answers every elicitation the same way, and
/// remembers what it was asked; `None`: a client without elicitation.
#[derive(Clone)]
struct Human {
    answer: Option<(ElicitationAction, Option<Value>)>,
    asked: Arc<Mutex<Vec<Value>>>,
}

impl Human {
    fn new(answer: Option<(ElicitationAction, Option<Value>)>) -> Human {
        Human {
            answer,
            asked: Arc::new(Mutex::new(Vec::new())),
        }
    }
    fn asked(&self) -> Vec<Value> {
        self.asked.lock().expect("asked").clone()
    }
}

impl ClientHandler for Human {
    fn get_info(&self) -> ClientConfig {
        let caps = if self.answer.is_some() {
            ClientCapabilities::builder().enable_elicitation().build()
        } else {
            ClientCapabilities::default()
        };
        ClientConfig::new(caps, Implementation::new("test-human", "1"))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.asked
            .lock()
            .expect("asked")
            .push(serde_json::to_value(&request).expect("json"));
        let (action, content) = self
            .answer
            .clone()
            .unwrap_or((ElicitationAction::Decline, None));
        let mut r = ElicitResult::new(action);
        if let Some(c) = content {
            r = r.with_content(c);
        }
        Ok(r)
    }
}

async fn rmcp_client(
    dir: &Path,
    log: &Path,
    human: Human,
    args: &[&str],
) -> RunningService<RoleClient, Human> {
    let cmd = tokio::process::Command::from(proxy_command(dir, log, args));
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn agentgate mcp");
    human.serve(transport).await.expect("MCP handshake")
}

fn args(v: Value) -> CallToolRequestParams {
    CallToolRequestParams::new("x").with_arguments(v.as_object().cloned().expect("object"))
}

async fn call(client: &RunningService<RoleClient, Human>, tool: &str, a: Value) -> CallToolResult {
    let mut p = args(a);
    p.name = tool.to_string().into();
    client.call_tool(p).await.expect("tools/call")
}

fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_error(r: &CallToolResult) -> bool {
    r.is_error == Some(true)
}

const PRIVATE: &str = "[audience]\nprivate = [\"slack:#team-*\"]\npublic = [\"slack:#general\"]";

// ------------------------------------------------------------------ cases --

#[test]
fn allowed_calls_reach_the_server_and_denied_ones_never_do() {
    let (dir, log) = repo_with(PRIVATE);
    let d = dir.path();
    let server = test_server();
    let mut p = Raw::start(
        d,
        &log,
        &["--name", "github", "--", server.to_str().expect("utf-8")],
    );
    let init = p.initialize();
    assert_eq!(
        init["result"]["serverInfo"]["name"], "mcp-test-server",
        "{init}"
    );
    let r = p.call(1, "echo", json!({"text": "hi"}));
    assert_eq!(result_text(&r), ("hi".to_string(), false), "{r}");
    // Collaborators: never, and the server never hears of it.
    let r = p.call(
        2,
        "add_collaborator",
        json!({"owner": "acme", "repo": "app", "username": "eve", "permission": "admin"}),
    );
    let (text, err) = result_text(&r);
    assert!(err, "{r}");
    assert!(text.contains("agents-never-change-access"), "{text}");
    assert!(text.contains("never change"), "the intent is named: {text}");
    // An edit of a protected file through the server: denied.
    let r = p.call(
        3,
        "write_file",
        json!({"path": d.join(".github/workflows/ci.yml"), "content": "x"}),
    );
    let (text, err) = result_text(&r);
    assert!(
        err && text.contains("acl-files-need-maintainer-signoff"),
        "{r}"
    );
    // An ordinary file: allowed.
    let r = p.call(
        4,
        "write_file",
        json!({"path": d.join("src/lib.rs"), "content": "x"}),
    );
    assert_eq!(
        result_text(&r),
        ("write_file done".to_string(), false),
        "{r}"
    );
    let tools: Vec<String> = reached(&log)
        .iter()
        .map(|c| c["tool"].as_str().expect("tool").to_string())
        .collect();
    assert_eq!(
        tools,
        ["echo", "write_file"],
        "only the allowed calls reached the server"
    );
    assert_eq!(
        reached(&log)[1]["arguments"]["path"],
        json!(d.join("src/lib.rs"))
    );
    assert_eq!(p.finish(), 0);
}

#[test]
fn the_incidents_through_the_proxy() {
    let (dir, log) = repo_with(PRIVATE);
    let d = dir.path();
    let server = test_server();
    let server = server.to_str().expect("utf-8");
    // A client with nobody to ask: what needs confirming is denied.
    let mut p = Raw::start(d, &log, &["--name", "slack", "--", server]);
    p.initialize();
    // The public answer: asks (and without elicitation, is denied).
    let r = p.call(
        1,
        "chat_postMessage",
        json!({"channel": "#general", "text": "the answer"}),
    );
    let (text, err) = result_text(&r);
    assert!(err, "{r}");
    assert!(text.contains("confirm-unless-private"), "{text}");
    assert!(text.contains("needs a human to confirm"), "{text}");
    assert!(text.contains("elicitation"), "says how to approve: {text}");
    // The agent's claim of privacy changes nothing.
    let r = p.call(
        2,
        "chat_postMessage",
        json!({"channel": "#general", "text": "x", "private": true}),
    );
    assert!(result_text(&r).1, "{r}");
    // The same post to a channel the config lists as private: allowed.
    let r = p.call(
        3,
        "chat_postMessage",
        json!({"channel": "#team-core", "text": "x"}),
    );
    assert_eq!(
        result_text(&r),
        ("chat_postMessage done".into(), false),
        "{r}"
    );
    // Bulk mail deletion: asks.
    let ids: Vec<String> = (0..200).map(|i| format!("18c{i:05x}")).collect();
    let r = p.call(4, "batch_delete_emails", json!({"messageIds": ids}));
    let (text, err) = result_text(&r);
    assert!(err && text.contains("confirm-irreversible"), "{text}");
    // Visibility: denied, confirmed or not.
    let r = p.call(
        5,
        "update_repository",
        json!({"owner": "acme", "repo": "app", "private": false}),
    );
    let (text, err) = result_text(&r);
    assert!(err && text.contains("agents-never-change-access"), "{text}");
    // A repository update that changes no access is a plain call.
    let r = p.call(
        6,
        "update_repository",
        json!({"owner": "acme", "repo": "app", "description": "d"}),
    );
    assert!(!result_text(&r).1, "{r}");
    // The collaborator tool is hidden (no call of it could be allowed);
    // update_repository is not (a call without `private` is allowed).
    let list = p.request(json!(7), "tools/list", json!({}));
    let names = tool_names(&list);
    assert!(
        !names.contains(&"add_collaborator".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"update_repository".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"chat_postMessage".to_string()), "{names:?}");
    let r = p.call(
        8,
        "add_collaborator",
        json!({"owner": "acme", "repo": "app", "username": "eve"}),
    );
    let (text, err) = result_text(&r);
    assert!(err && text.contains("hidden"), "{text}");
    let reached: Vec<Value> = reached(&log);
    assert_eq!(
        reached.len(),
        2,
        "only the private post and the plain update: {reached:?}"
    );
    assert_eq!(reached[0]["arguments"]["channel"], "#team-core");
    // Every decision is in the log, judged as the proxy's agent.
    let decisions = std::fs::read_to_string(d.join(".agentgate/decisions.jsonl")).expect("log");
    let lines: Vec<Value> = decisions
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert!(lines.len() >= 7, "{decisions}");
    assert_eq!(lines[0]["source"], "mcp slack");
    assert_eq!(lines[0]["tool"], "mcp__slack__chat_postMessage");
    assert_eq!(lines[0]["agent"], "mcp-client");
    assert_eq!(lines[0]["decision"], "confirm");
    assert_eq!(
        lines[0]["request"]["resource"],
        "Channel::\"slack:#general\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_forwards_only_what_a_human_confirmed() {
    let (dir, log) = repo_with(PRIVATE);
    let d = dir.path();
    let server = test_server();
    let server = server.to_str().expect("utf-8");
    let post = json!({"channel": "#general", "text": "the answer"});

    // A human who confirms: forwarded, as confirmed.
    let yes = Human::new(Some((
        ElicitationAction::Accept,
        Some(json!({"confirm": true})),
    )));
    let c = rmcp_client(
        d,
        &log,
        yes.clone(),
        &["--agent", "claude-code", "--name", "slack", "--", server],
    )
    .await;
    let r = call(&c, "chat_postMessage", post.clone()).await;
    assert!(!is_error(&r), "{}", text_of(&r));
    assert_eq!(text_of(&r), "chat_postMessage done");
    let asked = yes.asked();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let q = &asked[0];
    let message = q["message"].as_str().expect("message");
    assert!(
        message.contains("claude-code") && message.contains("slack:#general"),
        "{message}"
    );
    assert!(message.contains("confirm-unless-private"), "{message}");
    assert_eq!(q["requestedSchema"]["type"], "object");
    assert_eq!(q["requestedSchema"]["required"], json!(["confirm"]));
    assert_eq!(
        q["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    // An allowed call asks nobody.
    let r = call(
        &c,
        "chat_postMessage",
        json!({"channel": "#team-x", "text": "t"}),
    )
    .await;
    assert!(!is_error(&r));
    assert_eq!(yes.asked().len(), 1);
    // Confirmed or not, what is never allowed is denied without asking.
    let r = call(
        &c,
        "update_repository",
        json!({"owner": "a", "repo": "b", "private": false}),
    )
    .await;
    assert!(is_error(&r));
    assert_eq!(yes.asked().len(), 1);
    c.cancel().await.expect("close");
    assert_eq!(reached(&log).len(), 2);
    // The log has the confirmation and the confirmed call.
    let decisions = std::fs::read_to_string(d.join(".agentgate/decisions.jsonl")).expect("log");
    let first: Vec<Value> = decisions
        .lines()
        .take(2)
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(first[0]["decision"], "confirm");
    assert_eq!(first[1]["decision"], "allow");
    assert_eq!(first[1]["request"]["context"]["confirmed"], true);

    // Declining, cancelling, answering without confirming, or a client
    // that cannot be asked: nothing reaches the server.
    for (answer, why) in [
        (Some((ElicitationAction::Decline, None)), "you declined it"),
        (Some((ElicitationAction::Cancel, None)), "cancelled"),
        (
            Some((ElicitationAction::Accept, Some(json!({"confirm": false})))),
            "without confirming",
        ),
        (None, "did not declare the `elicitation` capability"),
    ] {
        let human = Human::new(answer);
        let c = rmcp_client(d, &log, human, &["--name", "slack", "--", server]).await;
        let r = call(&c, "chat_postMessage", post.clone()).await;
        let text = text_of(&r);
        assert!(is_error(&r), "{text}");
        assert!(text.contains(why), "{why}: {text}");
        assert!(text.contains("to approve"), "{text}");
        c.cancel().await.expect("close");
    }
    assert_eq!(reached(&log).len(), 2, "no refused call reached the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_human_who_never_answers_is_a_no() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    #[derive(Clone)]
    struct Silent;
    impl ClientHandler for Silent {
        fn get_info(&self) -> ClientConfig {
            ClientConfig::new(
                ClientCapabilities::builder().enable_elicitation().build(),
                Implementation::new("silent", "1"),
            )
        }
        async fn create_elicitation(
            &self,
            _r: ElicitRequestParams,
            _c: RequestContext<RoleClient>,
        ) -> Result<ElicitResult, ErrorData> {
            std::future::pending::<()>().await;
            Ok(ElicitResult::new(ElicitationAction::Decline))
        }
    }
    let cmd = tokio::process::Command::from(proxy_command(
        d,
        &log,
        &[
            "--confirm-timeout",
            "1",
            "--name",
            "gmail",
            "--",
            server.to_str().expect("utf-8"),
        ],
    ));
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let c = Silent.serve(transport).await.expect("handshake");
    let started = Instant::now();
    let mut p = CallToolRequestParams::new("batch_delete_emails");
    p.arguments = json!({"messageIds": ["1", "2"]}).as_object().cloned();
    let r = c.call_tool(p).await.expect("tools/call");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(r.is_error, Some(true));
    assert!(
        text_of(&r).contains("nobody answered within 1 s"),
        "{}",
        text_of(&r)
    );
    assert!(reached(&log).is_empty());
    c.cancel().await.expect("close");
}

#[test]
fn malformed_input_gets_errors_and_the_proxy_keeps_serving() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    let mut p = Raw::start(d, &log, &["--", server.to_str().expect("utf-8")]);
    p.initialize();
    p.send_line("this is not json");
    let m = p.recv(10);
    assert_eq!(m["error"]["code"], -32700, "{m}");
    assert_eq!(m["id"], Value::Null);
    p.send(json!({"jsonrpc": "2.0", "id": 5, "bogus": true}));
    let m = p.recv(10);
    assert_eq!(
        (m["error"]["code"].clone(), m["id"].clone()),
        (json!(-32600), json!(5)),
        "{m}"
    );
    // A call whose arguments are not an object, and one the catalog cannot
    // read (a post without a destination).
    p.send(json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "echo", "arguments": "nope"}}));
    let m = p.until(&json!(6), 10).0;
    assert!(m.get("error").is_some(), "{m}");
    let r = p.call(7, "chat_postMessage", json!({"text": "no channel"}));
    let (text, err) = result_text(&r);
    assert!(
        err && text.contains("cannot tell what it would do"),
        "{text}"
    );
    // The server writes garbage: ignored and reported; the call is answered.
    let r = p.call(8, "garbage", json!({}));
    assert_eq!(result_text(&r), ("after garbage".to_string(), false), "{r}");
    // Still serving.
    let r = p.call(9, "echo", json!({"text": "still here"}));
    assert_eq!(result_text(&r).0, "still here");
    let tools: Vec<Value> = reached(&log);
    assert_eq!(
        tools.len(),
        2,
        "nothing unreadable was forwarded: {tools:?}"
    );
    assert_eq!(p.finish(), 0);
}

#[test]
fn a_crashing_or_silent_server_gives_errors_not_hangs() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    let server = server.to_str().expect("utf-8");
    // A server that never answers: the request times out, the proxy serves on.
    let mut p = Raw::start(d, &log, &["--server-timeout", "2", "--", server]);
    p.initialize();
    let started = Instant::now();
    let r = p.call(1, "hang", json!({}));
    assert!(started.elapsed() < Duration::from_secs(15));
    let message = r["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("did not answer within 2 s"), "{r}");
    let r = p.call(2, "echo", json!({"text": "after"}));
    assert_eq!(result_text(&r).0, "after");
    // A server that crashes: an error for its requests, answers for the rest.
    let r = p.call(3, "crash", json!({}));
    assert!(r.get("error").is_some(), "{r}");
    let r = p.call(4, "echo", json!({"text": "gone?"}));
    let message = r["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("is gone"), "{r}");
    let r = p.call(
        5,
        "add_collaborator",
        json!({"owner": "a", "repo": "b", "username": "c"}),
    );
    assert!(result_text(&r).1, "a denied call is still answered: {r}");
    let r = p.request(json!(6), "ping", json!({}));
    assert_eq!(r["result"], json!({}), "{r}");
    // The proxy says the server exited (on stderr, read by a thread).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !p.stderr().contains("exited") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        p.stderr().contains("exited (exit status: 3)"),
        "{}",
        p.stderr()
    );
    assert_eq!(p.finish(), 0);
}

#[test]
fn a_server_that_cannot_start_stops_the_proxy_with_a_message() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let out = run(
        &mut proxy_command(d, &log, &["--", "/nonexistent/mcp-server"]),
        Some(""),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("cannot start the MCP server `/nonexistent/mcp-server`"),
        "{}",
        out.stderr
    );
    let server = test_server();
    let out = run(
        &mut proxy_command(d, &log, &["--", server.to_str().expect("utf-8"), "--exit"]),
        Some(""),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("did not complete the MCP handshake"),
        "{}",
        out.stderr
    );
    let out = run(&mut proxy_command(d, &log, &[]), Some(""));
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("no MCP server to proxy"),
        "{}",
        out.stderr
    );
}

#[test]
fn concurrent_calls_keep_their_ids_and_progress_tokens() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    let mut p = Raw::start(d, &log, &["--", server.to_str().expect("utf-8")]);
    p.initialize();
    // Sent at once; the slowest first, so answers come back out of order.
    let ids = [
        json!("a"),
        json!(11),
        json!("b-2"),
        json!(13),
        json!(9_007_199_254_740_991_i64),
        json!(-4),
    ];
    for (i, id) in ids.iter().enumerate() {
        let ms = 600 - 100 * i as u64;
        p.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "slow", "arguments": {"ms": ms, "tag": format!("call {i}")},
                       "_meta": {"progressToken": format!("tok-{i}")}}}));
    }
    let mut answers = Vec::new();
    let mut progress = Vec::new();
    while answers.len() < ids.len() {
        let m = p.recv(20);
        if m["method"] == "notifications/progress" {
            progress.push(m["params"]["progressToken"].clone());
        } else {
            answers.push(m);
        }
    }
    for (i, id) in ids.iter().enumerate() {
        let a = answers
            .iter()
            .find(|a| a["id"] == *id)
            .unwrap_or_else(|| panic!("no answer for id {id}: {answers:?}"));
        assert!(
            result_text(a).0.ends_with(&format!("call {i}")),
            "id {id} got another call's answer: {a}"
        );
    }
    assert_ne!(answers[0]["id"], ids[0], "answers came back out of order");
    for i in 0..ids.len() {
        assert!(
            progress.contains(&json!(format!("tok-{i}"))),
            "progress for tok-{i} carried the client's token: {progress:?}"
        );
    }
    assert_eq!(p.finish(), 0);
}

#[test]
fn policies_are_reloaded_when_they_change() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    let mut p = Raw::start(
        d,
        &log,
        &["--name", "github", "--", server.to_str().expect("utf-8")],
    );
    p.initialize();
    let r = p.call(1, "echo", json!({"text": "x"}));
    assert!(!result_text(&r).1);
    let names = tool_names(&p.request(json!(2), "tools/list", json!({})));
    assert!(names.contains(&"echo".to_string()));
    // A new policy forbids the tool outright: it is hidden, and the client
    // is told the list changed.
    write(
        d,
        "policies/no-echo.cedar",
        "// Agents never echo.\n@id(\"no-echo\")\nforbid (principal is Agent, action, resource == Tool::\"mcp__github__echo\");\n",
    );
    let r = p.call(3, "echo", json!({"text": "x"}));
    let (text, err) = result_text(&r);
    assert!(
        err && text.contains("no-echo: Agents never echo."),
        "{text}"
    );
    // The forbid names the resource, so only calls on that Tool are denied;
    // the catalog maps `echo` to a `call` of it whatever the arguments.
    let (list, notes) = {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut notes = Vec::new();
        loop {
            let m = p.recv(10);
            if m["method"] == "notifications/tools/list_changed" {
                notes.push(m);
                break;
            }
            assert!(Instant::now() < deadline, "no list_changed");
        }
        (p.request(json!(4), "tools/list", json!({})), notes)
    };
    assert_eq!(notes.len(), 1);
    let names = tool_names(&list);
    assert!(!names.contains(&"echo".to_string()), "{names:?}");
    // Broken policies: every call denied with the reason, the proxy serves on.
    write(
        d,
        "policies/broken.cedar",
        "permit (principal, action, resource) when {",
    );
    let r = p.call(
        5,
        "write_file",
        json!({"path": d.join("a.txt"), "content": "x"}),
    );
    let (text, err) = result_text(&r);
    assert!(err && text.contains("cannot be used"), "{text}");
    std::fs::remove_file(d.join("policies/broken.cedar")).expect("rm");
    let r = p.call(
        6,
        "write_file",
        json!({"path": d.join("a.txt"), "content": "x"}),
    );
    assert!(!result_text(&r).1, "{r}");
    assert_eq!(reached(&log).len(), 2);
}

#[test]
fn server_requests_and_list_changes_are_relayed() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let server = test_server();
    let mut p = Raw::start(d, &log, &["--", server.to_str().expect("utf-8")]);
    p.request(
        json!(0),
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
               "clientInfo": {"name": "raw", "version": "1"}}),
    );
    p.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    // The server asks the human (elicitation): relayed, with the proxy's id.
    p.send(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "ask_name", "arguments": {}}}));
    let ask = p.recv(10);
    assert_eq!(ask["method"], "elicitation/create", "{ask}");
    assert_eq!(ask["params"]["message"], "What is your name?");
    p.send(json!({"jsonrpc": "2.0", "id": ask["id"], "result": {"action": "accept", "content": {"name": "Ada"}}}));
    let r = p.until(&json!(1), 10).0;
    assert_eq!(result_text(&r).0, "hello Ada", "{r}");
    let (r, notes) = {
        p.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "notify_list_changed", "arguments": {}}}));
        p.until(&json!(2), 10)
    };
    assert!(!result_text(&r).1);
    let mut notes = notes;
    if notes.is_empty() {
        notes.push(p.recv(5));
    }
    assert_eq!(
        notes[0]["method"], "notifications/tools/list_changed",
        "{notes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamable_http_carries_sessions_and_headers() {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let (dir, log) = repo_with(PRIVATE);
    let d = dir.path();
    // The upstream: the test server over streamable HTTP.
    let mut upstream = Command::new(test_server())
        .args(["--http", "127.0.0.1:0"])
        .env("MCP_TEST_SERVER_LOG", &log)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the HTTP test server");
    let mut url = String::new();
    BufReader::new(upstream.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("its URL");
    let url = url.trim().to_string();
    // A non-loopback listen address needs --allow-remote.
    let out = run(
        &mut proxy_command(d, &log, &["--upstream", &url, "--listen", "0.0.0.0:0"]),
        None,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("not a loopback address"),
        "{}",
        out.stderr
    );
    // The proxy, listening on a free loopback port.
    let mut proxy = proxy_command(
        d,
        &log,
        &[
            "--name",
            "slack",
            "--upstream",
            &url,
            "--listen",
            "127.0.0.1:0",
        ],
    )
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn agentgate mcp --listen");
    let mut err = BufReader::new(proxy.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("the address");
    let at = line
        .trim()
        .strip_prefix("agentgate mcp: serving MCP at ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    agentgate_mcp::upstream::install_tls_provider();
    let connect = |token: &str| {
        let config = StreamableHttpClientTransportConfig::with_uri(at.as_str()).auth_header(token);
        StreamableHttpClientTransport::from_config(config)
    };
    // Two sessions, each with its own token, reaching the server with it.
    let alice = Human::new(None)
        .serve(connect("alice-token"))
        .await
        .expect("session 1");
    let bob = Human::new(None)
        .serve(connect("bob-token"))
        .await
        .expect("session 2");
    let r = call(&alice, "whoami", json!({})).await;
    assert_eq!(text_of(&r), "Bearer alice-token");
    let r = call(&bob, "whoami", json!({})).await;
    assert_eq!(text_of(&r), "Bearer bob-token");
    // Judged as over stdio.
    let r = call(
        &alice,
        "chat_postMessage",
        json!({"channel": "#general", "text": "x"}),
    )
    .await;
    assert!(
        is_error(&r) && text_of(&r).contains("confirm-unless-private"),
        "{}",
        text_of(&r)
    );
    let r = call(
        &bob,
        "chat_postMessage",
        json!({"channel": "#team-a", "text": "x"}),
    )
    .await;
    assert!(!is_error(&r), "{}", text_of(&r));
    let tools = alice.list_all_tools().await.expect("tools/list");
    assert!(!tools.iter().any(|t| t.name == "add_collaborator"));
    let reached: Vec<String> = reached(&log)
        .iter()
        .map(|c| c["tool"].as_str().expect("tool").to_string())
        .collect();
    assert_eq!(reached, ["whoami", "whoami", "chat_postMessage"]);
    alice.cancel().await.expect("close");
    bob.cancel().await.expect("close");
    let _ = proxy.kill();
    let _ = proxy.wait();
    let _ = upstream.kill();
    let _ = upstream.wait();
}

#[test]
fn the_reference_filesystem_server_and_the_inspector_cli() {
    let (dir, log) = repo_with("");
    let d = dir.path();
    let inspector = node_peer("mcp-inspector");
    let fs_server = node_peer("mcp-server-filesystem");
    // Wired as a client's config file would wire it. (The Inspector adds
    // its own options after the server's arguments and stops reading at a
    // `--`, so the server's command follows without one.)
    let config = json!({"mcpServers": {"fs": {
        "command": bin(),
        "args": ["mcp", "--repo", d, "--agent", "claude-code", "--name", "filesystem",
                 fs_server, d],
    }}});
    write(d, "mcp.json", &config.to_string());
    let inspect = |extra: &[&str]| {
        let mut c = Command::new(&inspector);
        c.args(["--cli", "--config"])
            .arg(d.join("mcp.json"))
            .args(["--server", "fs"])
            .args(extra)
            .current_dir(d)
            .env("MCP_TEST_SERVER_LOG", &log)
            .env_remove("CI")
            .env_remove("GITHUB_ACTIONS");
        run(&mut c, None)
    };
    let out = inspect(&["--method", "tools/list"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let names: Vec<String> = out.json()["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect();
    assert!(names.contains(&"write_file".to_string()), "{names:?}");
    // An ordinary file: written by the real server.
    let target = d.join("notes.txt");
    let out = inspect(&[
        "--method",
        "tools/call",
        "--tool-name",
        "write_file",
        "--tool-arg",
        &format!("path={}", target.display()),
        "--tool-arg",
        "content=hello",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(std::fs::read_to_string(&target).expect("written"), "hello");
    // A workflow: denied, and the file was never written.
    std::fs::create_dir_all(d.join(".github/workflows")).expect("mkdir");
    let wf = d.join(".github/workflows/ci.yml");
    let out = inspect(&[
        "--method",
        "tools/call",
        "--tool-name",
        "write_file",
        "--tool-arg",
        &format!("path={}", wf.display()),
        "--tool-arg",
        "content=on: push",
    ]);
    let j = out.json();
    assert_eq!(j["isError"], true, "{}", out.all());
    assert!(
        j.to_string().contains("acl-files-need-maintainer-signoff"),
        "{j}"
    );
    assert!(!wf.exists(), "the denied write never reached the server");
    // A move out of the repository asks; the inspector cannot be asked.
    let out = inspect(&[
        "--method",
        "tools/call",
        "--tool-name",
        "move_file",
        "--tool-arg",
        &format!("source={}", target.display()),
        "--tool-arg",
        "destination=/tmp/agentgate-mcp-test-moved.txt",
    ]);
    let j = out.json();
    assert_eq!(j["isError"], true, "{}", out.all());
    assert!(j.to_string().contains("elicitation"), "{j}");
    assert!(target.exists(), "the move never happened");
}
