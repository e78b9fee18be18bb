//! Resend's email API (`POST /emails`).

use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::mail::{Mail, MailError, MailFuture, Mailer};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::http;
use crate::key::IdempotencyKey;

/// Resend's public API.
pub const RESEND_API: &str = "https://api.resend.com";

/// Where to reach Resend and who the mail is from. `Debug` is derived safely: the key is
/// an [`ApiKey`], which never prints.
#[derive(Debug, Clone)]
pub struct ResendConfig {
    /// [`RESEND_API`] by default; a proxy or a test server otherwise.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; a sending-only key is enough.
    pub api_key: ApiKey,
    /// `Front desk <desk@example.com>`, on a domain verified in Resend.
    pub from: String,
    /// The whole exchange, connect included.
    pub timeout: Duration,
}

impl ResendConfig {
    /// The public API with a 30-second limit.
    pub fn new(api_key: ApiKey, from: impl Into<String>) -> Self {
        Self {
            base_url: RESEND_API.to_owned(),
            api_key,
            from: from.into(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A [`Mailer`] backed by Resend. Every send carries an `Idempotency-Key`, so a retry of
/// a send Resend already performed (a timeout after it accepted, say) returns the first
/// answer instead of a second email.
#[derive(Debug)]
pub struct ResendMailer {
    config: ResendConfig,
    endpoint: String,
    http: reqwest::Client,
}

/// Resend's success answer.
#[derive(Deserialize)]
struct Sent {
    id: String,
}

/// Resend's error body: `{"statusCode", "name", "message"}`.
#[derive(Deserialize)]
struct VendorError {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
}

impl ResendMailer {
    /// A client for `config`; nothing is contacted until the first send.
    pub fn new(config: ResendConfig) -> Self {
        let endpoint = format!("{}/emails", http::base_url(&config.base_url));
        Self {
            http: http::client(config.timeout),
            config,
            endpoint,
        }
    }

    /// Sends with the caller's key — an outbox passes its row id, so retries of one row
    /// are one email and two rows with the same text are two. Returns Resend's email id
    /// (to match delivery webhooks), `None` if an accepting answer carried none.
    pub async fn send_with_key(
        &self,
        mail: &Mail,
        key: &IdempotencyKey,
    ) -> Result<Option<String>, MailError> {
        let secret = self.config.api_key.expose();
        let body = json!({
            "from": self.config.from,
            "to": [mail.to],
            "subject": mail.subject,
            "text": mail.body,
        });
        let response = self
            .http
            .post(&self.endpoint)
            .bearer_auth(secret)
            .header("Idempotency-Key", key.as_str())
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                let cause = http::describe(&e, secret);
                MailError(if http::never_sent(&e) {
                    format!("could not reach Resend: {cause}")
                } else {
                    format!(
                        "no answer from Resend (it may have sent the email; a retry with \
                         the same key is safe for 24 hours): {cause}"
                    )
                })
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return match serde_json::from_str::<Sent>(&text) {
                Ok(sent) => {
                    tracing::info!(email_id = %sent.id, "mail handed to Resend");
                    Ok(Some(sent.id))
                }
                // Accepted (2xx) is what matters; an odd body must not make the caller
                // retry, so this is logged and treated as sent.
                Err(_) => {
                    tracing::warn!(%status, "Resend accepted the mail without an id");
                    Ok(None)
                }
            };
        }
        Err(MailError(status_message(
            status,
            http::retry_after(&headers),
            &text,
            secret,
        )))
    }
}

/// Says what went wrong and whether waiting helps, in Resend's own words where it gave
/// some (they say *why*: unverified domain, bad key…), never with the key in them.
fn status_message(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &str,
    secret: &str,
) -> String {
    let code = status.as_u16();
    let vendor = serde_json::from_str::<VendorError>(body)
        .ok()
        .filter(|e| !e.name.is_empty() || !e.message.is_empty())
        .map(|e| http::scrub(&format!("{}: {}", e.name, e.message), secret))
        .unwrap_or_else(|| {
            let excerpt = http::scrub(body, secret);
            if excerpt.is_empty() {
                status.canonical_reason().unwrap_or("no message").to_owned()
            } else {
                excerpt
            }
        });
    let wait = retry_after
        .map(|d| format!("; retry after {}s", d.as_secs_f64().ceil()))
        .unwrap_or_default();
    match code {
        401 | 403 => {
            format!("Resend refused the API key or sender ({code} {vendor}); check the settings")
        }
        409 => {
            format!("Resend is still handling or refused this idempotency key ({code} {vendor})")
        }
        429 => format!("Resend is rate limiting ({code} {vendor}){wait}"),
        400..=499 => format!("Resend rejected the email ({code} {vendor})"),
        500..=599 => format!("Resend failed ({code} {vendor}){wait}"),
        _ => format!("unexpected answer from Resend ({code} {vendor})"),
    }
}

impl Mailer for ResendMailer {
    /// Sends with a key derived from the mail ([`IdempotencyKey::for_mail`]).
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        Box::pin(async move {
            self.send_with_key(mail, &IdempotencyKey::for_mail(mail))
                .await
                .map(drop)
        })
    }
}
