//! MCP's stdio framing (one JSON-RPC message per line) as an rmcp
//! transport that says what it could not read, instead of dropping it.
//!
//! From the client: a line that is not JSON gets a JSON-RPC parse error
//! (`-32700`, `id: null`), and JSON that is not a JSON-RPC message gets an
//! invalid-request error (`-32600`) carrying the line's `id` when it has
//! one, so a client never waits for an answer that will not come. A
//! notification nobody can read is dropped, as JSON-RPC wants. From the
//! server: nothing is answered (the proxy is its client); the line is
//! reported on stderr, and the request it may have been meant to answer
//! runs into the proxy's timeout. Nothing that could not be read is ever
//! forwarded. Lines longer than [`MAX_LINE`] are refused the same way,
//! without being held in memory.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

use rmcp::service::{RxJsonRpcMessage, ServiceRole, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

/// The longest message accepted (16 MiB, as rmcp's own transports).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// Who is on the other end: what to do with a line that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The MCP client: answer with a JSON-RPC error.
    Client,
    /// The MCP server (named, for messages): report on stderr.
    Server,
}

/// A line-delimited JSON-RPC transport over a reader and a writer.
pub struct Lines<R: ServiceRole, Rd, Wr> {
    read: BufReader<Rd>,
    write: Arc<Mutex<Wr>>,
    buf: Vec<u8>,
    discarding: bool,
    peer: Peer,
    label: Arc<str>,
    _role: PhantomData<fn() -> R>,
}

impl<R: ServiceRole, Rd: AsyncRead + Unpin, Wr: AsyncWrite + Unpin> Lines<R, Rd, Wr> {
    /// A transport reading `read` and writing `write`; `label` names the
    /// peer in messages on stderr.
    pub fn new(read: Rd, write: Wr, peer: Peer, label: &str) -> Self {
        Lines {
            read: BufReader::new(read),
            write: Arc::new(Mutex::new(write)),
            buf: Vec::new(),
            discarding: false,
            peer,
            label: label.into(),
            _role: PhantomData,
        }
    }
}

/// One read of a line.
enum Line {
    Whole,
    TooLong,
    End,
}

impl<R: ServiceRole, Rd: AsyncRead + Unpin + Send, Wr: AsyncWrite + Unpin + Send + 'static>
    Lines<R, Rd, Wr>
{
    /// Read up to a newline into `buf`, never holding more than
    /// [`MAX_LINE`] bytes. Cancellation-safe: a partial line stays in
    /// `buf` for the next call.
    async fn read_line(&mut self) -> Line {
        loop {
            let (used, done) = {
                let available = match self.read.fill_buf().await {
                    Ok(a) => a,
                    Err(e) => {
                        eprintln!("agentgate mcp: cannot read from {}: {e}", self.label);
                        return Line::End;
                    }
                };
                if available.is_empty() {
                    return Line::End;
                }
                let newline = available.iter().position(|b| *b == b'\n');
                let take = newline.map_or(available.len(), |i| i + 1);
                if self.discarding {
                    (take, newline.map(|_| Some(false)))
                } else if self.buf.len() + take > MAX_LINE {
                    self.buf.clear();
                    self.discarding = newline.is_none();
                    (take, Some(Some(true)))
                } else {
                    self.buf.extend_from_slice(&available[..take]);
                    (take, newline.map(|_| None))
                }
            };
            self.read.consume(used);
            match done {
                // A whole line.
                Some(None) => return Line::Whole,
                // Too long (its tail, if any, is being discarded).
                Some(Some(true)) => return Line::TooLong,
                // The end of a discarded line.
                Some(Some(false)) => self.discarding = false,
                None => {}
            }
        }
    }
}

/// Answer the client with a JSON-RPC error.
async fn answer<Wr: AsyncWrite + Unpin>(write: &Mutex<Wr>, id: Value, code: i64, message: String) {
    let mut line = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes();
    line.push(b'\n');
    let mut w = write.lock().await;
    if w.write_all(&line).await.is_ok() {
        let _ = w.flush().await;
    }
}

/// A line that is not a message: answer it (the client) or report it
/// (the server).
async fn refuse<Wr: AsyncWrite + Unpin>(
    peer: Peer,
    label: &str,
    write: &Mutex<Wr>,
    line: &[u8],
    error: Refusal,
) {
    let shown = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
    match peer {
        Peer::Server => eprintln!(
            "agentgate mcp: {label} sent what is not a JSON-RPC message ({}); ignored: {shown}",
            error.text()
        ),
        Peer::Client => {
            eprintln!(
                "agentgate mcp: the client sent what is not a JSON-RPC message ({}): {shown}",
                error.text()
            );
            let (id, code, message) = match error {
                Refusal::NotJson(e) => (
                    Value::Null,
                    -32700,
                    format!("Parse error: the line is not JSON ({e}); agentgate forwarded nothing"),
                ),
                Refusal::TooLong => (
                    Value::Null,
                    -32600,
                    format!(
                        "Invalid request: a message longer than {MAX_LINE} bytes; agentgate forwarded nothing"
                    ),
                ),
                Refusal::NotMessage { id: Some(id), why } => (
                    id,
                    -32600,
                    format!("Invalid request: {why}; agentgate forwarded nothing"),
                ),
                // A notification that cannot be read gets no answer.
                Refusal::NotMessage { id: None, .. } => return,
            };
            answer(write, id, code, message).await;
        }
    }
}

/// Why a line is not a message.
enum Refusal {
    NotJson(serde_json::Error),
    TooLong,
    NotMessage { id: Option<Value>, why: String },
}

impl Refusal {
    fn text(&self) -> String {
        match self {
            Refusal::NotJson(e) => format!("not JSON: {e}"),
            Refusal::TooLong => format!("longer than {MAX_LINE} bytes"),
            Refusal::NotMessage { why, .. } => why.clone(),
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R, Rd, Wr> Transport<R> for Lines<R, Rd, Wr>
where
    R: ServiceRole,
    Rd: AsyncRead + Unpin + Send + 'static,
    Wr: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn name() -> Cow<'static, str> {
        "agentgate-lines".into()
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<R>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = Arc::clone(&self.write);
        async move {
            let mut line = serde_json::to_vec(&item).map_err(std::io::Error::other)?;
            line.push(b'\n');
            let mut w = write.lock().await;
            w.write_all(&line).await?;
            w.flush().await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<R>> {
        loop {
            match self.read_line().await {
                Line::End => return None,
                Line::TooLong => {
                    refuse(self.peer, &self.label, &self.write, b"", Refusal::TooLong).await;
                    continue;
                }
                Line::Whole => {}
            }
            let raw = std::mem::take(&mut self.buf);
            let mut line: &[u8] = raw.strip_suffix(b"\n").unwrap_or(&raw);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            line = line.strip_prefix(UTF8_BOM).unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<RxJsonRpcMessage<R>>(line) {
                Ok(message) => return Some(message),
                Err(e) => {
                    let refusal = match serde_json::from_slice::<Value>(line) {
                        Err(e) => Refusal::NotJson(e),
                        Ok(v) => Refusal::NotMessage {
                            id: v
                                .get("id")
                                .filter(|id| id.is_string() || id.is_number())
                                .cloned(),
                            why: format!("not a JSON-RPC message MCP knows ({e})"),
                        },
                    };
                    refuse(self.peer, &self.label, &self.write, line, refusal).await;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.write.lock().await.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::RoleServer;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn unreadable_lines_are_answered_and_readable_ones_pass() {
        let input = b"not json\n{\"jsonrpc\":\"2.0\",\"id\":7,\"nonsense\":true}\n{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":5}\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".to_vec();
        let (out_w, mut out_r) = tokio::io::duplex(1 << 16);
        let mut t: Lines<RoleServer, _, _> =
            Lines::new(std::io::Cursor::new(input), out_w, Peer::Client, "client");
        let m = t.receive().await.expect("the ping");
        assert!(
            serde_json::to_string(&m)
                .expect("json")
                .contains("\"ping\"")
        );
        assert!(t.receive().await.is_none());
        drop(t);
        let mut answers = String::new();
        out_r.read_to_string(&mut answers).await.expect("read");
        let answers: Vec<Value> = answers
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(answers.len(), 2, "{answers:?}");
        assert_eq!(answers[0]["error"]["code"], -32700);
        assert_eq!(answers[0]["id"], Value::Null);
        assert_eq!(answers[1]["error"]["code"], -32600);
        assert_eq!(answers[1]["id"], 7);
    }
}
