//! The HTTP plumbing both vendors share: timeouts, sending, mapping error statuses, and
//! turning the response body into SSE events under an idle timeout.

use std::collections::VecDeque;
use std::time::Duration;

use frontdesk_core::llm::ModelError;
use futures_util::{Stream, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use tokio::time::{timeout_at, Instant};

use crate::sse::{SseEvent, SseParser};

/// How long the clients wait at each stage of a call. Separate limits because the stages
/// fail differently: a dead host fails at connect, an overloaded one is slow to start, and
/// a stalled stream goes quiet in the middle — a single overall timeout would either cut
/// long, healthy answers or wait far too long on a dead connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the TCP (and TLS) connection.
    pub connect: Duration,
    /// From sending the request to the first byte of the response body (headers
    /// included): covers the provider queueing us and processing the prompt.
    pub first_byte: Duration,
    /// Between two chunks of the streamed body once it has started.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(30),
            idle: Duration::from_secs(30),
        }
    }
}

/// Which vendor's error conventions apply (only OpenAI has `insufficient_quota`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    Anthropic,
    OpenAi,
}

/// Longest vendor message we keep in an error: enough to diagnose, short enough for logs.
const MAX_MESSAGE_CHARS: usize = 500;

pub(crate) fn build_client(timeouts: &Timeouts) -> Result<reqwest::Client, ModelError> {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .build()
        .map_err(|e| ModelError::Transport(format!("could not build the HTTP client: {e}")))
}

/// Strips a trailing `/` and a trailing `/v1`, so `http://localhost:11434/v1` (the form
/// Ollama and vLLM document) and `http://localhost:11434` both work.
pub(crate) fn normalize_base_url(base_url: &str) -> String {
    let trimmed = base_url.trim().trim_end_matches('/');
    trimmed
        .strip_suffix("/v1")
        .unwrap_or(trimmed)
        .trim_end_matches('/')
        .to_owned()
}

/// Sends the request and returns the SSE events of a successful response; an error status
/// becomes the matching [`ModelError`].
pub(crate) async fn open_stream(
    request: RequestBuilder,
    timeouts: &Timeouts,
    vendor: Vendor,
    api_key: Option<&str>,
) -> Result<Events<impl Stream<Item = reqwest::Result<impl AsRef<[u8]>>>>, ModelError> {
    let deadline = Instant::now() + timeouts.first_byte;
    let response = match timeout_at(deadline, request.send()).await {
        Err(_) => return Err(ModelError::Timeout),
        Ok(Err(e)) => return Err(transport_error(&e, api_key)),
        Ok(Ok(r)) => r,
    };
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = match timeout_at(
            deadline.max(Instant::now() + timeouts.idle),
            response.text(),
        )
        .await
        {
            Ok(Ok(body)) => body,
            _ => String::new(),
        };
        return Err(status_error(status, &headers, &body, vendor, api_key));
    }
    if is_json(&response) {
        // The server ignored `stream: true` or answered an error with 200; either way it
        // is not the protocol we speak.
        let body = timeout_at(
            deadline.max(Instant::now() + timeouts.idle),
            response.text(),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
        return Err(ModelError::Protocol(format!(
            "expected an event stream, got JSON: {}",
            redact(&excerpt(&body), api_key)
        )));
    }
    Ok(Events {
        body: Box::pin(response.bytes_stream()),
        parser: SseParser::new(),
        queue: VecDeque::new(),
        deadline: Some(deadline),
        idle: timeouts.idle,
        ended: false,
        api_key: api_key.map(str::to_owned),
    })
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

/// The SSE events of a response body, pulled one at a time so the caller can hand text to
/// its sink as soon as each chunk arrives.
pub(crate) struct Events<S> {
    body: std::pin::Pin<Box<S>>,
    parser: SseParser,
    queue: VecDeque<SseEvent>,
    /// Deadline for the first body chunk; after it, the idle timeout applies per chunk.
    deadline: Option<Instant>,
    idle: Duration,
    ended: bool,
    api_key: Option<String>,
}

impl<S, B> Events<S>
where
    S: Stream<Item = reqwest::Result<B>>,
    B: AsRef<[u8]>,
{
    /// The next event, or `None` when the body has ended.
    pub(crate) async fn next(&mut self) -> Result<Option<SseEvent>, ModelError> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Ok(Some(event));
            }
            if self.ended {
                return Ok(None);
            }
            let deadline = self
                .deadline
                .take()
                .unwrap_or_else(|| Instant::now() + self.idle);
            match timeout_at(deadline, self.body.next()).await {
                Err(_) => return Err(ModelError::Timeout),
                Ok(Some(Ok(chunk))) => self.queue.extend(self.parser.push(chunk.as_ref())),
                Ok(Some(Err(e))) => return Err(transport_error(&e, self.api_key.as_deref())),
                Ok(None) => {
                    self.ended = true;
                    self.queue.extend(self.parser.finish());
                }
            }
        }
    }
}

fn transport_error(e: &reqwest::Error, api_key: Option<&str>) -> ModelError {
    if e.is_timeout() {
        return ModelError::Timeout;
    }
    // reqwest's top-level message is vague ("error sending request"); the cause chain
    // says what actually happened (refused, DNS, TLS...).
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    ModelError::Transport(redact(&message, api_key))
}

/// Maps an HTTP error status and its body to the port's error kinds, keeping the vendor's
/// own message because it is what tells an owner *why* (bad key, model not found...).
pub(crate) fn status_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    vendor: Vendor,
    api_key: Option<&str>,
) -> ModelError {
    let code = status.as_u16();
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    let message = parsed
        .as_ref()
        .and_then(error_message)
        .unwrap_or_else(|| excerpt(body));
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        redact(&message, api_key)
    };
    let retry_after = retry_after(headers);
    match code {
        429 if vendor == Vendor::OpenAi && parsed.as_ref().is_some_and(is_quota_error) => {
            ModelError::Rejected {
                status: code,
                message,
            }
        }
        429 => ModelError::RateLimited { retry_after },
        503 | 529 => ModelError::Overloaded { retry_after },
        500..=599 => ModelError::Server {
            status: code,
            message,
        },
        400..=499 => ModelError::Rejected {
            status: code,
            message,
        },
        _ => ModelError::Protocol(format!("unexpected HTTP status {code}: {message}")),
    }
}

/// `error.message` (Anthropic, OpenAI, Ollama, llama.cpp, new vLLM), a string `error`,
/// or a top-level `message` (vLLM before 2025).
pub(crate) fn error_message(body: &serde_json::Value) -> Option<String> {
    let message = match body.get("error") {
        Some(serde_json::Value::String(s)) => Some(s.as_str()),
        Some(e) => e.get("message").and_then(|m| m.as_str()),
        None => None,
    }
    .or_else(|| body.get("message").and_then(|m| m.as_str()))?;
    Some(excerpt(message))
}

/// An exhausted OpenAI quota also answers 429 but never clears by waiting.
fn is_quota_error(body: &serde_json::Value) -> bool {
    let Some(error) = body.get("error") else {
        return false;
    };
    ["code", "type"]
        .iter()
        .any(|k| error.get(k).and_then(|v| v.as_str()) == Some("insufficient_quota"))
}

/// `retry-after-ms` (the SDKs' precise form) first, then `retry-after` in seconds. The
/// HTTP-date form is not used by either vendor for these APIs and is ignored.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    if let Some(ms) = header("retry-after-ms") {
        return Some(Duration::from_secs_f64(ms.min(86_400_000.0) / 1000.0));
    }
    header("retry-after").map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// A bounded, single-line-ish excerpt of an arbitrary (maybe HTML) body.
pub(crate) fn excerpt(body: &str) -> String {
    let body = body.trim();
    let mut out: String = body.chars().take(MAX_MESSAGE_CHARS).collect();
    if out.len() < body.len() {
        out.push('…');
    }
    out
}

/// Removes credentials from text that came from a vendor: the configured key itself, and
/// any `sk-…` token (OpenAI echoes a masked form of a wrong key in its 401 message).
pub(crate) fn redact(text: &str, api_key: Option<&str>) -> String {
    let mut out = match api_key {
        Some(key) if !key.is_empty() => text.replace(key, "[redacted]"),
        _ => text.to_owned(),
    };
    if out.contains("sk-") {
        out = out
            .split(' ')
            .map(|word| {
                if word.starts_with("sk-") {
                    let tail = word.trim_end_matches(|c: char| {
                        c.is_ascii_punctuation() && c != '*' && c != '-'
                    });
                    format!("[redacted]{}", &word[tail.len()..])
                } else {
                    word.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn base_url_forms() {
        assert_eq!(normalize_base_url("http://h:1/v1/"), "http://h:1");
        assert_eq!(normalize_base_url("http://h:1/"), "http://h:1");
        assert_eq!(
            normalize_base_url("https://api.openai.com"),
            "https://api.openai.com"
        );
        assert_eq!(normalize_base_url("http://h/proxy/v1"), "http://h/proxy");
    }

    #[test]
    fn retry_after_prefers_milliseconds() {
        let h = headers(&[("retry-after", "7"), ("retry-after-ms", "1500")]);
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        let h = headers(&[("retry-after", "7")]);
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let h = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(retry_after(&h), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
    }

    #[test]
    fn redact_removes_key_and_sk_tokens() {
        let s = redact(
            "Incorrect API key provided: sk-abc123. Key my-secret-key leaked",
            Some("my-secret-key"),
        );
        assert_eq!(
            s,
            "Incorrect API key provided: [redacted]. Key [redacted] leaked"
        );
        assert_eq!(redact("nothing here", None), "nothing here");
    }

    #[test]
    fn status_mapping() {
        let h = HeaderMap::new();
        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert!(matches!(
            status_error(
                StatusCode::TOO_MANY_REQUESTS,
                &h,
                quota,
                Vendor::OpenAi,
                None
            ),
            ModelError::Rejected { status: 429, .. }
        ));
        assert!(matches!(
            status_error(
                StatusCode::TOO_MANY_REQUESTS,
                &h,
                quota,
                Vendor::Anthropic,
                None
            ),
            ModelError::RateLimited { .. }
        ));
        let e = status_error(
            StatusCode::from_u16(529).unwrap(),
            &h,
            "",
            Vendor::Anthropic,
            None,
        );
        assert_eq!(e, ModelError::Overloaded { retry_after: None });
        let e = status_error(
            StatusCode::BAD_GATEWAY,
            &h,
            "<html>bad gateway</html>",
            Vendor::OpenAi,
            None,
        );
        assert_eq!(
            e,
            ModelError::Server {
                status: 502,
                message: "<html>bad gateway</html>".into()
            }
        );
        let e = status_error(StatusCode::NOT_FOUND, &h, "", Vendor::OpenAi, None);
        assert_eq!(
            e,
            ModelError::Rejected {
                status: 404,
                message: "Not Found".into()
            }
        );
        let old_vllm =
            r#"{"object":"error","message":"model x not found","type":"NotFoundError","code":404}"#;
        assert_eq!(
            status_error(StatusCode::NOT_FOUND, &h, old_vllm, Vendor::OpenAi, None),
            ModelError::Rejected {
                status: 404,
                message: "model x not found".into()
            }
        );
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = "x".repeat(2000);
        assert_eq!(excerpt(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
