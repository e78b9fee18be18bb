//! The HTTP plumbing the OAuth and Calendar clients share: one client with timeouts, and
//! turning failures into `CalendarError`s that carry no credentials.

use std::time::Duration;

use frontdesk_core::calendar::CalendarError;
use reqwest::header::HeaderMap;

/// A dead host fails here, without waiting for the overall limit.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole request. Every call is small (a token, a page of busy times, one event), and a
/// visitor is waiting for the answer, so a slow Google is better reported than awaited.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest piece of Google's error text we keep: enough to diagnose, short for logs.
const MAX_MESSAGE_CHARS: usize = 300;

pub(crate) fn build_client() -> Result<reqwest::Client, CalendarError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| CalendarError::Unavailable(format!("could not build the HTTP client: {e}")))
}

/// A request that got no HTTP answer. The URL is dropped (it adds nothing but noise), and
/// the cause chain kept because reqwest's top-level message is vague.
pub(crate) fn transport_error(e: reqwest::Error) -> CalendarError {
    if e.is_timeout() {
        return CalendarError::Unavailable("Google did not answer in time".to_owned());
    }
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    CalendarError::Unavailable(message)
}

/// `Retry-After` in seconds (Google does not send the HTTP-date form on these APIs).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(86_400)))
}

/// Google's message, bounded and with every credential of the call replaced.
/// Secrets are replaced before cutting, so no prefix of one survives at the cut.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut text = text.trim().to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "[redacted]");
    }
    let mut out: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn scrub_bounds_and_redacts() {
        assert_eq!(
            scrub(" bad token ya29.abc here ", &["ya29.abc", ""]),
            "bad token [redacted] here"
        );
        assert_eq!(scrub(&"x".repeat(400), &[]).chars().count(), 301);
    }
}
