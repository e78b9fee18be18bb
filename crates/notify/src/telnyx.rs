//! Telnyx's messaging API (`POST /v2/messages`).

use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::{Sms, SmsError, SmsFuture, SmsReceipt, SmsSender};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::http;

/// Telnyx's public API.
pub const TELNYX_API: &str = "https://api.telnyx.com";

/// Which number a text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelnyxSender {
    /// One of the account's numbers in E.164 form (or a short code), sent as `from`.
    Number(String),
    /// A messaging profile id, sent as `messaging_profile_id`: the profile's number pool
    /// picks the sending number (and keeps it sticky per recipient if so configured).
    Profile(String),
}

/// Where to reach Telnyx and who texts come from. `Debug` is derived safely: the key is
/// an [`ApiKey`], which never prints.
#[derive(Debug, Clone)]
pub struct TelnyxConfig {
    /// [`TELNYX_API`] by default; a proxy or a test server otherwise.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`.
    pub api_key: ApiKey,
    pub sender: TelnyxSender,
    /// The whole exchange, connect included.
    pub timeout: Duration,
}

impl TelnyxConfig {
    /// The public API with a 15-second limit.
    pub fn new(api_key: ApiKey, sender: TelnyxSender) -> Self {
        Self {
            base_url: TELNYX_API.to_owned(),
            api_key,
            sender,
            timeout: Duration::from_secs(15),
        }
    }
}

/// An [`SmsSender`] backed by Telnyx.
#[derive(Debug)]
pub struct TelnyxSms {
    config: TelnyxConfig,
    endpoint: String,
    http: reqwest::Client,
}

/// `{"data": {"id": …}}`
#[derive(Deserialize)]
struct Accepted {
    data: AcceptedMessage,
}

#[derive(Deserialize)]
struct AcceptedMessage {
    id: String,
}

/// `{"errors": [{"code", "title", "detail"}]}`
#[derive(Deserialize)]
struct VendorErrors {
    errors: Vec<VendorError>,
}

#[derive(Deserialize)]
struct VendorError {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

impl TelnyxSms {
    /// A client for `config`; nothing is contacted until the first send.
    pub fn new(config: TelnyxConfig) -> Self {
        let endpoint = format!("{}/v2/messages", http::base_url(&config.base_url));
        Self {
            http: http::client(config.timeout),
            config,
            endpoint,
        }
    }

    async fn deliver(&self, sms: &Sms) -> Result<SmsReceipt, SmsError> {
        let secret = self.config.api_key.expose();
        let mut body = Map::new();
        // A reply to a visitor comes from the number they texted; team notifications
        // from the configured sender.
        match (&sms.from, &self.config.sender) {
            (Some(from), _) => body.insert("from".into(), json!(from.as_str())),
            (None, TelnyxSender::Number(from)) => body.insert("from".into(), json!(from)),
            (None, TelnyxSender::Profile(id)) => {
                body.insert("messaging_profile_id".into(), json!(id))
            }
        };
        body.insert("to".into(), json!(sms.to.as_str()));
        body.insert("text".into(), json!(sms.body));
        let response = self
            .http
            .post(&self.endpoint)
            .bearer_auth(secret)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                let cause = http::describe(&e, secret);
                if http::never_sent(&e) {
                    SmsError::Unreachable(cause)
                } else {
                    SmsError::Uncertain(cause)
                }
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            let accepted: Accepted = serde_json::from_str(&text).map_err(|_| {
                SmsError::Protocol(format!(
                    "{status} without a message id: {}",
                    http::scrub(&text, secret)
                ))
            })?;
            tracing::info!(to = %sms.to.masked(), message_id = %accepted.data.id, "sms handed to Telnyx");
            return Ok(SmsReceipt {
                id: Some(accepted.data.id),
            });
        }
        Err(status_error(
            status,
            http::retry_after(&headers),
            &text,
            secret,
        ))
    }
}

/// Maps an error answer to the port's kinds, keeping Telnyx's own words (the code and
/// detail say *why*: not a messaging-enabled number, recipient opted out…).
fn status_error(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &str,
    secret: &str,
) -> SmsError {
    let code = status.as_u16();
    let message = serde_json::from_str::<VendorErrors>(body)
        .ok()
        .and_then(|e| e.errors.into_iter().next())
        .map(|e| {
            let code = match e.code {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let parts = [
                code,
                e.title.unwrap_or_default(),
                e.detail.unwrap_or_default(),
            ];
            parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| body.to_owned());
    let message = match http::scrub(&message, secret) {
        m if m.is_empty() => status.canonical_reason().unwrap_or("no message").to_owned(),
        m => m,
    };
    match code {
        401 | 403 => SmsError::Unauthorized {
            status: code,
            message,
        },
        429 => SmsError::RateLimited { retry_after },
        400..=499 => SmsError::Rejected {
            status: code,
            message,
        },
        500..=599 => SmsError::Unavailable {
            status: code,
            message,
            retry_after,
        },
        _ => SmsError::Protocol(format!("unexpected HTTP status {code}: {message}")),
    }
}

impl SmsSender for TelnyxSms {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a> {
        Box::pin(self.deliver(sms))
    }
}
