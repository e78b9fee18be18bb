//! What the product adds on top of a language model: the time from the model's first
//! token to the visitor's first visible token, through the real server, the real
//! Anthropic client and the sentence gate. A fake model streams a fixed reply at a fixed
//! token rate over HTTP; visitors ask one after another.
//!
//! Run with `cargo run --release -p frontdesk-server --example llm_overhead [requests] [token_ms]`.
//! Prints p50/p99 of: first model token → first visible token (includes the sentence
//! buffer), and first completed sentence at the model → first visible token (the product's
//! own overhead: gate, post-check, storage of nothing yet, SSE framing, loopback HTTP).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontdesk_core::llm::ModelProvider;
use frontdesk_llm::{AnthropicClient, AnthropicConfig, Resilient};
use frontdesk_server::{Application, Config};
use futures_util::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The fake model's reply, as tokens of about four characters.
const REPLY: &[&str] = &[
    "Happy",
    " to",
    " help",
    " with",
    " that",
    ". ",
    "Our",
    " team",
    " can",
    " answer",
    " any",
    " question",
    " about",
    " our",
    " services",
    ". ",
    "Anything",
    " else",
    "?",
];

/// Index of the token that completes the first sentence.
const FIRST_SENTENCE_END: usize = 5;

/// When the fake model sent its first token and completed its first sentence.
#[derive(Default, Clone, Copy)]
struct ModelTimes {
    first_token: Option<Instant>,
    first_sentence: Option<Instant>,
}

async fn fake_anthropic(
    listener: TcpListener,
    token_interval: Duration,
    times: Arc<Mutex<ModelTimes>>,
) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let times = times.clone();
        tokio::spawn(async move {
            // Read the request head and its body (Content-Length), then answer.
            let mut request = Vec::new();
            let mut buffer = [0u8; 16 * 1024];
            loop {
                let Ok(read) = socket.read(&mut buffer).await else {
                    return;
                };
                if read == 0 {
                    return;
                }
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= head_end + 4 + length {
                        break;
                    }
                }
            }
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
            let event =
                |name: &str, data: serde_json::Value| format!("event: {name}\ndata: {data}\n\n");
            let mut out = String::from(head);
            out += &event(
                "message_start",
                json!({"type": "message_start", "message": {"id": "msg_bench", "type": "message", "role": "assistant", "content": [], "model": "bench", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 900, "output_tokens": 1}}}),
            );
            out += &event(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            );
            if socket.write_all(out.as_bytes()).await.is_err() {
                return;
            }
            for (index, token) in REPLY.iter().enumerate() {
                tokio::time::sleep(token_interval).await;
                let delta = event(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}}),
                );
                if socket.write_all(delta.as_bytes()).await.is_err() {
                    return;
                }
                let now = Instant::now();
                let mut times = times.lock().unwrap();
                if index == 0 {
                    times.first_token = Some(now);
                }
                if index == FIRST_SENTENCE_END {
                    times.first_sentence = Some(now);
                }
            }
            let mut tail = event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            );
            tail += &event(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": REPLY.len()}}),
            );
            tail += &event("message_stop", json!({"type": "message_stop"}));
            let _ = socket.write_all(tail.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let token_ms: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);

    let times = Arc::new(Mutex::new(ModelTimes::default()));
    let model_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let model_url = format!("http://{}", model_listener.local_addr().unwrap());
    tokio::spawn(fake_anthropic(
        model_listener,
        Duration::from_millis(token_ms),
        times.clone(),
    ));

    let database =
        std::env::temp_dir().join(format!("frontdesk-llm-bench-{}.db", std::process::id()));
    let mut config = Config::new(format!("sqlite://{}?mode=rwc", database.display()));
    config.stream_pace = Duration::ZERO;
    let mut anthropic = AnthropicConfig::new("bench-key", "bench");
    anthropic.base_url = model_url;
    let model = Resilient::new(AnthropicClient::new(anthropic).unwrap());
    config.provider = Arc::new(ModelProvider::new(Arc::new(model)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::build(config, listener).await.unwrap();
    let endpoint = format!(
        "http://{}/api/v1/businesses/demo/messages",
        app.local_addr().unwrap()
    );
    tokio::spawn(app.run_until(std::future::pending()));

    let client = reqwest::Client::new();
    let (mut from_token, mut from_sentence) = (Vec::new(), Vec::new());
    for request in 0..requests {
        *times.lock().unwrap() = ModelTimes::default();
        let response = client
            .post(&endpoint)
            .header("accept", "text/event-stream")
            .json(&json!({"visitor_id": format!("bench-visitor-{request:05}"), "text": "hello there"}))
            .send()
            .await
            .unwrap();
        let mut body = response.bytes_stream();
        let mut seen = String::new();
        let mut first_visible = None;
        while let Some(chunk) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if first_visible.is_none() && seen.contains("event: delta") {
                first_visible = Some(Instant::now());
            }
        }
        assert!(seen.contains("event: done"), "the turn completed: {seen}");
        let model = *times.lock().unwrap();
        let visible = first_visible.expect("text was released");
        from_token.push(
            visible
                .duration_since(model.first_token.unwrap())
                .as_secs_f64()
                * 1000.0,
        );
        from_sentence.push(
            visible
                .duration_since(model.first_sentence.unwrap())
                .as_secs_f64()
                * 1000.0,
        );
    }
    let _ = std::fs::remove_file(&database);
    println!(
        "{requests} replies, fake model at {token_ms} ms/token, first sentence = {} tokens",
        FIRST_SENTENCE_END + 1
    );
    println!(
        "model first token → visitor first token: p50 {:.2} ms, p99 {:.2} ms (includes the sentence buffer)",
        percentile(&mut from_token, 0.5),
        percentile(&mut from_token, 0.99)
    );
    println!(
        "model first sentence → visitor first token: p50 {:.2} ms, p99 {:.2} ms (the product's overhead)",
        percentile(&mut from_sentence, 0.5),
        percentile(&mut from_sentence, 0.99)
    );
}
