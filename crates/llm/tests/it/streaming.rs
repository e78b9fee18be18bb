//! Real-time behaviour over a raw TCP server: text reaches the sink while the stream is
//! still open, byte-level splits anywhere are harmless, and each timeout fires.

use std::time::Duration;

use frontdesk_core::llm::{LanguageModel, ModelError, StopReason};
use frontdesk_llm::{AnthropicClient, AnthropicConfig, OpenAiClient, OpenAiConfig, Timeouts};
use tokio::time::Instant;

use crate::common::*;

fn anthropic(base_url: String, timeouts: Timeouts) -> AnthropicClient {
    let mut config = AnthropicConfig::new(SECRET, "claude-sonnet-4-5");
    config.base_url = base_url;
    config.timeouts = timeouts;
    AnthropicClient::new(config).unwrap()
}

fn openai(base_url: String, timeouts: Timeouts) -> OpenAiClient {
    let mut config = OpenAiConfig::new(base_url, None, "local");
    config.timeouts = timeouts;
    OpenAiClient::new(config).unwrap()
}

#[tokio::test]
async fn anthropic_first_delta_reaches_the_sink_before_the_stream_ends() {
    let events = events_of(&fixture("anthropic-text.sse"));
    // message_start, content_block_start, ping, first text delta; then the server waits
    // until the sink has seen that delta before sending anything else.
    let recorder = Recorder::default();
    let mut steps = vec![sse_head(), write(&events[..4].concat())];
    steps.push(Step::WaitFor(recorder.notify.clone()));
    steps.push(Step::Sleep(Duration::from_millis(200)));
    steps.push(write(&events[4..].concat()));
    let (url, log) = raw_server(steps).await;
    let started = Instant::now();
    let response = anthropic(url, fast_timeouts())
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    let ended = Instant::now();
    let log = log.lock().unwrap();
    assert_eq!(
        log.waited_ok,
        [true],
        "the first delta was not delivered while the stream was open"
    );
    let first = recorder.first_at().unwrap();
    assert!(
        ended - first >= Duration::from_millis(200),
        "first delta only {:?} before the end",
        ended - first
    );
    eprintln!("anthropic: time to first delta {:?}", first - started);
    assert_eq!(recorder.texts()[0], "Hello");
    assert_eq!(response.text, "Hello! How can I help you today?");
    assert!(log
        .request_head
        .to_ascii_lowercase()
        .contains("x-api-key: "));
}

#[tokio::test]
async fn openai_first_delta_reaches_the_sink_before_the_stream_ends() {
    let events = events_of(&fixture("openai-text.sse"));
    let recorder = Recorder::default();
    let steps = vec![
        sse_head(),
        write(&events[..2].concat()),
        Step::WaitFor(recorder.notify.clone()),
        Step::Sleep(Duration::from_millis(200)),
        write(&events[2..].concat()),
    ];
    let (url, log) = raw_server(steps).await;
    let started = Instant::now();
    let response = openai(url, fast_timeouts())
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    let ended = Instant::now();
    let log = log.lock().unwrap();
    assert_eq!(log.waited_ok, [true]);
    let first = recorder.first_at().unwrap();
    assert!(ended - first >= Duration::from_millis(200));
    eprintln!("openai: time to first delta {:?}", first - started);
    assert_eq!(response.text, "Hello! How can I assist you today?");
    assert!(!log
        .request_head
        .to_ascii_lowercase()
        .contains("authorization"));
    assert!(log.request_body.contains("\"include_usage\":true"));
}

#[tokio::test]
async fn bytes_split_anywhere_with_crlf_and_multibyte_text() {
    // CRLF line ends, a delta full of multi-byte characters, and 5-byte writes with pauses
    // so chunks really arrive separately, cutting lines, CRLF pairs and characters.
    let text = "Caf\u{e9} \u{2615} ouvert \u{1f600} \u{2014} \u{65e5}\u{672c}";
    let body = fixture("anthropic-text.sse")
        .replace(" help you today?", &format!(" {text}"))
        .replace('\n', "\r\n");
    let mut steps = vec![sse_head()];
    for piece in body.as_bytes().chunks(5) {
        steps.push(Step::Write(piece.to_vec()));
        steps.push(Step::Sleep(Duration::from_millis(1)));
    }
    let (url, _log) = raw_server(steps).await;
    let recorder = Recorder::default();
    let response = anthropic(url, fast_timeouts())
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert_eq!(response.text, format!("Hello! How can I {text}"));
    assert_eq!(recorder.joined(), response.text);
    assert_eq!(response.stop, StopReason::EndTurn);
}

#[tokio::test]
async fn idle_stream_hits_the_idle_timeout() {
    let events = events_of(&fixture("openai-text.sse"));
    let steps = vec![
        sse_head(),
        write(&events[..2].concat()),
        Step::Sleep(Duration::from_secs(5)),
    ];
    let (url, _log) = raw_server(steps).await;
    let timeouts = Timeouts {
        idle: Duration::from_millis(300),
        ..fast_timeouts()
    };
    let recorder = Recorder::default();
    let started = Instant::now();
    let error = openai(url, timeouts)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error, ModelError::Timeout);
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(recorder.joined(), "Hello");
}

#[tokio::test]
async fn silent_server_hits_the_first_byte_timeout() {
    // Accepts and reads the request, then says nothing.
    let (url, _log) = raw_server(vec![Step::Sleep(Duration::from_secs(5))]).await;
    let timeouts = Timeouts {
        first_byte: Duration::from_millis(300),
        ..fast_timeouts()
    };
    let started = Instant::now();
    let error = anthropic(url, timeouts)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn headers_without_a_body_hit_the_first_byte_timeout() {
    // A local model still reading a long prompt: the head is out, no token yet.
    let (url, _log) = raw_server(vec![sse_head(), Step::Sleep(Duration::from_secs(5))]).await;
    let timeouts = Timeouts {
        first_byte: Duration::from_millis(300),
        idle: Duration::from_secs(10),
        ..fast_timeouts()
    };
    let started = Instant::now();
    let error = openai(url, timeouts)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn refused_connection_is_a_transport_error_without_the_key() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = anthropic(format!("http://{addr}"), fast_timeouts())
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_no_secret(&error);
}
