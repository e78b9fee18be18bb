//! What the HTTP vendors (Resend, Telnyx) share: one reqwest client shape, reading
//! `Retry-After`, and turning vendor text into something safe to log.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// Longest vendor message kept in an error: enough to diagnose, short enough for logs.
const MAX_MESSAGE_CHARS: usize = 300;

/// A client with a connect limit and an overall limit: these calls are small JSON
/// requests, so one deadline for the whole exchange is enough.
pub(crate) fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
        // Building only fails if the TLS backend can't initialise, which rustls with
        // bundled roots cannot; a panic here would be a build defect, not a runtime state.
        .expect("the rustls HTTP client builds")
}

/// The base URL without a trailing `/`, so `{base}/emails` never has `//`.
pub(crate) fn base_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// `Retry-After` in seconds (both vendors send seconds; the date form is ignored),
/// capped at a day so a bogus header can't park a message forever.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// Vendor text made safe for an error: the key removed wherever it appears, on one
/// line, and bounded.
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    let text = if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    };
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(MAX_MESSAGE_CHARS).collect();
    if out.len() < one_line.len() {
        out.push('…');
    }
    out
}

/// reqwest's own message ("error sending request") plus its causes, which say what
/// actually happened (refused, DNS, TLS, timed out).
pub(crate) fn describe(error: &reqwest::Error, secret: &str) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    scrub(&message, secret)
}

/// Whether a failed request certainly never reached the vendor (so a retry can't
/// duplicate it): it failed while connecting or before it was built.
pub(crate) fn never_sent(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_builder()
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
        h.insert("retry-after", HeaderValue::from_static("999999"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(86_400)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn scrub_removes_the_key_and_bounds_the_text() {
        assert_eq!(
            scrub("bad key re_123\n  here", "re_123"),
            "bad key [redacted] here"
        );
        assert_eq!(
            scrub(&"x".repeat(1000), "k").chars().count(),
            MAX_MESSAGE_CHARS + 1
        );
        assert_eq!(
            base_url("https://api.resend.com/ "),
            "https://api.resend.com"
        );
    }
}
