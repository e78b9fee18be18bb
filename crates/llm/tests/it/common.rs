//! Shared helpers: fixtures, a recording sink, sample requests, and a tiny raw HTTP/1.1
//! server that can pause between writes (wiremock sends a body all at once).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontdesk_core::llm::{ModelMessage, ModelRequest, ToolCall, ToolResult, ToolSpec};
use frontdesk_llm::Timeouts;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::time::Instant;

pub const SECRET: &str = "sk-test-SUPERSECRET-key-0123456789";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Records every text delta and when it arrived.
#[derive(Default, Clone)]
pub struct Recorder {
    pub deltas: Arc<Mutex<Vec<(Instant, String)>>>,
    pub notify: Arc<Notify>,
}

impl Recorder {
    pub fn sink(&self) -> impl Fn(&str) + Send + Sync + '_ {
        move |text: &str| {
            self.deltas
                .lock()
                .unwrap()
                .push((Instant::now(), text.to_owned()));
            self.notify.notify_one();
        }
    }

    pub fn texts(&self) -> Vec<String> {
        self.deltas
            .lock()
            .unwrap()
            .iter()
            .map(|(_, t)| t.clone())
            .collect()
    }

    pub fn joined(&self) -> String {
        self.texts().concat()
    }

    pub fn first_at(&self) -> Option<Instant> {
        self.deltas.lock().unwrap().first().map(|(t, _)| *t)
    }
}

pub fn fast_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        first_byte: Duration::from_secs(5),
        idle: Duration::from_secs(5),
    }
}

pub fn lookup_tool() -> ToolSpec {
    ToolSpec {
        name: "lookup_knowledge",
        description: "Looks up the business's verified facts.",
        input_schema: json!({
            "type": "object",
            "properties": {"question": {"type": "string"}},
            "required": ["question"],
        }),
    }
}

pub fn simple_request() -> ModelRequest {
    ModelRequest {
        system: "You are the front desk of Example Café.".into(),
        messages: vec![ModelMessage::User("hello".into())],
        tools: vec![lookup_tool()],
        max_tokens: 512,
    }
}

/// A conversation after one tool round trip, followed by a new visitor message.
pub fn tool_round_trip_request() -> ModelRequest {
    ModelRequest {
        system: "You are the front desk of Example Café.".into(),
        messages: vec![
            ModelMessage::User("what are your hours on saturday?".into()),
            ModelMessage::Assistant {
                text: "Let me look that up.".into(),
                tool_calls: vec![
                    ToolCall {
                        id: "call_1".into(),
                        name: "lookup_knowledge".into(),
                        arguments: r#"{"question":"saturday hours"}"#.into(),
                    },
                    ToolCall {
                        id: "call_2".into(),
                        name: "lookup_knowledge".into(),
                        arguments: r#"{"question":"holidays"}"#.into(),
                    },
                ],
            },
            ModelMessage::ToolResults(vec![
                ToolResult {
                    call_id: "call_1".into(),
                    content: "Saturday 9:00-14:00".into(),
                    is_error: false,
                },
                ToolResult {
                    call_id: "call_2".into(),
                    content: "unknown question".into(),
                    is_error: true,
                },
            ]),
            ModelMessage::User("and sunday?".into()),
        ],
        tools: vec![lookup_tool()],
        max_tokens: 256,
    }
}

/// One step of a scripted raw HTTP response.
#[derive(Debug)]
pub enum Step {
    /// Writes these bytes and flushes.
    Write(Vec<u8>),
    Sleep(Duration),
    /// Waits (at most 5 s) until the notify fires; records in `ServerLog::waited_ok`
    /// whether it did.
    WaitFor(Arc<Notify>),
}

pub fn write(s: &str) -> Step {
    Step::Write(s.as_bytes().to_vec())
}

/// Response head of a close-delimited event stream (no length, no chunking).
pub fn sse_head() -> Step {
    write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
}

#[derive(Debug, Default)]
pub struct ServerLog {
    pub request_head: String,
    pub request_body: String,
    pub waited_ok: Vec<bool>,
    pub finished_at: Option<Instant>,
}

/// Serves one connection on 127.0.0.1 with the scripted steps, then closes it.
pub async fn raw_server(steps: Vec<Step>) -> (String, Arc<Mutex<ServerLog>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(ServerLog::default()));
    let server_log = log.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = socket.read(&mut chunk).await.unwrap();
            assert!(n > 0, "client closed before sending its request");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let n = socket.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        {
            let mut log = server_log.lock().unwrap();
            log.request_head = head;
            log.request_body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
        }
        for step in steps {
            match step {
                Step::Write(bytes) => {
                    if socket.write_all(&bytes).await.is_err() {
                        return; // the client gave up, as some tests expect
                    }
                    let _ = socket.flush().await;
                }
                Step::Sleep(d) => tokio::time::sleep(d).await,
                Step::WaitFor(notify) => {
                    let ok = tokio::time::timeout(Duration::from_secs(5), notify.notified())
                        .await
                        .is_ok();
                    server_log.lock().unwrap().waited_ok.push(ok);
                }
            }
        }
        server_log.lock().unwrap().finished_at = Some(Instant::now());
        let _ = socket.shutdown().await;
    });
    (format!("http://{addr}"), log)
}

/// Splits an SSE fixture into its events (each with its blank line).
pub fn events_of(sse: &str) -> Vec<String> {
    sse.split_inclusive("\n\n").map(str::to_owned).collect()
}

/// Asserts the secret appears in neither the Display nor the Debug form of `value`.
pub fn assert_no_secret<T: std::fmt::Display + std::fmt::Debug>(value: &T) {
    let shown = format!("{value} / {value:?}");
    assert!(!shown.contains(SECRET), "secret leaked: {shown}");
    assert!(!shown.contains("SUPERSECRET"), "secret leaked: {shown}");
}
