//! Telnyx's inbound messaging webhook (API v2): `POST /sms/telnyx/{slug}`.
//!
//! Telnyx signs `{telnyx-timestamp}|{raw body}` with the account's Ed25519 key and sends
//! the signature (base64) in `telnyx-signature-ed25519`. A request without a valid,
//! fresh signature is refused with 403 and nothing of it is stored. Telnyx retries until
//! it gets a 2xx, so events are answered once by their id, and anything but
//! `message.received` is acknowledged and ignored.

use std::fmt;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use frontdesk_core::notify::PhoneNumber;
use frontdesk_store::{InboundEvent, InboundText};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{receive, Received};
use crate::error::ApiError;
use crate::rate_limit::{InboundSms, RateLimited};
use crate::AppState;

/// How far a signed timestamp may be from our clock before the request counts as a
/// replay (or a forgery with an old signature).
const TOLERANCE_SECONDS: i64 = 5 * 60;

/// The provider name stored with answered events.
const PROVIDER: &str = "telnyx";

/// The account's public key (Mission Control → Keys & Credentials → Public Key).
#[derive(Clone)]
pub struct TelnyxWebhookKey(VerifyingKey);

impl fmt::Debug for TelnyxWebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TelnyxWebhookKey")
    }
}

impl TelnyxWebhookKey {
    /// Parses the key as Telnyx shows it: 32 bytes in base64.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| "the Telnyx public key is not valid base64".to_owned())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            format!(
                "the Telnyx public key is {} bytes; an Ed25519 key is 32",
                bytes.len()
            )
        })?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| "the Telnyx public key is not an Ed25519 public key".to_owned())
    }

    /// Checks a request's signature and timestamp against `now`.
    fn verify(&self, headers: &HeaderMap, body: &[u8], now: Timestamp) -> Result<(), Refusal> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or(Refusal::Missing)
        };
        let signature = header("telnyx-signature-ed25519")?;
        let timestamp = header("telnyx-timestamp")?;
        let seconds: i64 = timestamp.parse().map_err(|_| Refusal::Malformed)?;
        if (now.as_second() - seconds).abs() > TOLERANCE_SECONDS {
            return Err(Refusal::Stale);
        }
        let signature = BASE64
            .decode(signature)
            .ok()
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .ok_or(Refusal::Malformed)?;
        let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
        signed.extend_from_slice(timestamp.as_bytes());
        signed.push(b'|');
        signed.extend_from_slice(body);
        self.0
            .verify_strict(&signed, &signature)
            .map_err(|_| Refusal::Mismatch)
    }
}

/// Why a webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

impl Refusal {
    fn as_str(self) -> &'static str {
        match self {
            Refusal::Missing => "signature or timestamp header missing",
            Refusal::Malformed => "signature or timestamp malformed",
            Refusal::Stale => "timestamp outside the 5-minute window",
            Refusal::Mismatch => "signature does not match",
        }
    }
}

/// `{"data": {...}}`
#[derive(Deserialize)]
struct Envelope {
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    event_type: String,
    id: String,
    #[serde(default)]
    payload: Option<Value>,
}

/// The part of a `message.received` payload we read.
#[derive(Deserialize)]
struct MessagePayload {
    from: Endpoint,
    to: Vec<Endpoint>,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Endpoint {
    phone_number: String,
}

/// The webhook: verify, then store a `message.received` event once for the inbox worker.
pub(super) async fn inbound(
    _limited: RateLimited<InboundSms>,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let key = state.sms.telnyx_key.as_ref().ok_or_else(|| {
        tracing::warn!("Telnyx webhook refused: no Telnyx public key is configured");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "sms_not_configured",
            "this server has no Telnyx public key to verify webhooks with",
        )
    })?;
    if let Err(refusal) = key.verify(&headers, &body, state.clock.now()) {
        tracing::warn!(%slug, reason = refusal.as_str(), "Telnyx webhook refused");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            "the webhook signature is missing, invalid or stale",
        ));
    }
    let envelope: Envelope = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_event",
            format!("not a Telnyx event: {e}"),
        )
    })?;
    let event = envelope.data;
    if event.event_type != "message.received" {
        return Ok(Json(json!({"status": "ignored"})));
    }
    let business = crate::api::load_business(&state, &slug).await?;
    let inbound = message(event.payload)?;
    let received = receive(
        &state,
        business.id,
        InboundEvent {
            provider: PROVIDER,
            id: &event.id,
        },
        &inbound,
    )
    .await?;
    Ok(Json(json!({"status": match received {
        Received::Accepted => "accepted",
        Received::Duplicate => "duplicate",
    }})))
}

/// The sender, recipient and text of a `message.received` payload.
fn message(payload: Option<Value>) -> Result<InboundText, ApiError> {
    let invalid =
        |message: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_event", message);
    let payload: MessagePayload = payload
        .ok_or_else(|| invalid("message.received without a payload".to_owned()))
        .and_then(|p| {
            serde_json::from_value(p).map_err(|e| invalid(format!("unexpected payload: {e}")))
        })?;
    let number = |text: &str, role: &str| {
        PhoneNumber::parse(text).map_err(|_| invalid(format!("the {role} is not an E.164 number")))
    };
    let to = payload
        .to
        .first()
        .ok_or_else(|| invalid("the payload has no recipient".to_owned()))?;
    Ok(InboundText {
        from: number(&payload.from.phone_number, "sender")?,
        to: number(&to.phone_number, "recipient")?,
        text: payload.text,
    })
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    fn keys() -> (SigningKey, TelnyxWebhookKey) {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let public = BASE64.encode(signing.verifying_key().as_bytes());
        (signing, TelnyxWebhookKey::from_base64(&public).unwrap())
    }

    fn headers(signing: &SigningKey, timestamp: i64, body: &[u8]) -> HeaderMap {
        let mut signed = format!("{timestamp}|").into_bytes();
        signed.extend_from_slice(body);
        let signature = BASE64.encode(signing.sign(&signed).to_bytes());
        let mut headers = HeaderMap::new();
        headers.insert("telnyx-signature-ed25519", signature.parse().unwrap());
        headers.insert("telnyx-timestamp", timestamp.to_string().parse().unwrap());
        headers
    }

    #[test]
    fn a_fresh_signature_over_the_exact_body_verifies() {
        let (signing, key) = keys();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let body = br#"{"data":{"event_type":"message.received"}}"#;
        let good = headers(&signing, now.as_second() - 30, body);
        assert_eq!(key.verify(&good, body, now), Ok(()));
        assert_eq!(
            key.verify(&good, br#"{"data":{"event_type":"message.sent"}}"#, now),
            Err(Refusal::Mismatch)
        );
        let stale = headers(&signing, now.as_second() - 301, body);
        assert_eq!(key.verify(&stale, body, now), Err(Refusal::Stale));
        let future = headers(&signing, now.as_second() + 301, body);
        assert_eq!(key.verify(&future, body, now), Err(Refusal::Stale));
        let other = SigningKey::from_bytes(&[8; 32]);
        let forged = headers(&other, now.as_second(), body);
        assert_eq!(key.verify(&forged, body, now), Err(Refusal::Mismatch));
        assert_eq!(
            key.verify(&HeaderMap::new(), body, now),
            Err(Refusal::Missing)
        );
        let mut garbled = good.clone();
        garbled.insert("telnyx-signature-ed25519", "not base64!".parse().unwrap());
        assert_eq!(key.verify(&garbled, body, now), Err(Refusal::Malformed));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(TelnyxWebhookKey::from_base64("nope!").is_err());
        assert!(TelnyxWebhookKey::from_base64(&BASE64.encode([1u8; 16])).is_err());
        let (_, key) = keys();
        assert_eq!(format!("{key:?}"), "TelnyxWebhookKey");
    }
}
