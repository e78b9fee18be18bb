//! The phone line: Twilio Programmable Voice webhooks, each answered with TwiML.
//!
//! Every request is checked against the business's own auth token (`X-Twilio-Signature`
//! over the public URL Twilio called and the POST parameters) before anything is read or
//! stored; an unknown business, or one without a phone line, is a 404 and a bad signature
//! a 403. What the caller says goes through the same assistant as chat (see [`flow`]).

pub(crate) mod flow;
mod orders;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use frontdesk_core::assistant::LoadedBusiness;
use frontdesk_core::voice::PhoneSettings;
use frontdesk_store::CallRecord;
use frontdesk_twilio::{verify, Twiml, SIGNATURE_HEADER};

use crate::error::ApiError;
use crate::rate_limit::{InboundVoice, RateLimited};
use crate::AppState;
use flow::{CallLine, Heard};
pub use orders::{OrderSources, ShopOrders};

/// Largest webhook body accepted: Twilio's voice parameters are well under 4 KB.
const MAX_WEBHOOK_BYTES: usize = 16 * 1024;

/// Routes under `/voice/twilio/{slug}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/voice/twilio/{slug}/incoming", post(incoming))
        .route("/voice/twilio/{slug}/gather", post(gather))
        .route("/voice/twilio/{slug}/status", post(status))
        .route("/voice/twilio/{slug}/dial", post(dial))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
}

/// The absolute webhook URLs of a business's line, as Twilio must call (and sign) them.
#[derive(Debug, Clone)]
pub(crate) struct LineUrls {
    pub gather: String,
    pub dial: String,
}

impl LineUrls {
    pub fn new(public_url: &str, slug: &str) -> Self {
        let base = format!("{public_url}/voice/twilio/{slug}");
        Self {
            gather: format!("{base}/gather"),
            dial: format!("{base}/dial"),
        }
    }
}

/// A webhook that passed the signature check.
pub(crate) struct Webhook {
    pub(crate) business: Arc<LoadedBusiness>,
    settings: PhoneSettings,
    params: Vec<(String, String)>,
}

impl Webhook {
    /// A posted parameter, trimmed; `None` when missing or blank.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// Twilio's `CallSid`: letters and digits only, so it can name a visitor.
    fn call_sid(&self) -> Result<&str, ApiError> {
        self.param("CallSid")
            .filter(|sid| {
                (2..=64).contains(&sid.len()) && sid.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .ok_or_else(|| ApiError::invalid("invalid_call_sid", "CallSid is missing or malformed"))
    }

    /// The call this webhook is about, logged now if it is new (then `true`).
    async fn call(&self, state: &AppState) -> Result<(CallRecord, bool), ApiError> {
        Ok(state
            .store
            .start_call(
                self.business.id,
                self.call_sid()?,
                self.param("From").unwrap_or("unknown"),
                self.param("To").unwrap_or("unknown"),
                state.clock.now(),
            )
            .await?)
    }
}

/// Finds the business and its line, and checks the signature with its auth token.
pub(crate) async fn verified(
    state: &AppState,
    slug: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Webhook, ApiError> {
    let business = crate::api::load_business(state, slug).await?;
    let settings = state
        .store
        .phone_settings(business.id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "phone_line_not_found",
                format!("business {slug:?} has no phone line"),
            )
        })?;
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let url = format!(
        "{}{}",
        state.dashboard.public_url,
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !verify(settings.auth_token.expose(), &url, &params, signature) {
        tracing::warn!(
            slug,
            path = uri.path(),
            signed = !signature.is_empty(),
            "refused a Twilio webhook with a bad or missing signature"
        );
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            "the X-Twilio-Signature header does not match this request",
        ));
    }
    Ok(Webhook {
        business,
        settings,
        params,
    })
}

pub(crate) fn twiml(document: Twiml) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        document.finish(),
    )
        .into_response()
}

/// A call starts: it is logged, greeted, and the line listens.
async fn incoming(
    _limited: RateLimited<InboundVoice>,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hook = verified(&state, &slug, &uri, &headers, &body).await?;
    // A business whose assistant is off for non-payment says how to reach it instead.
    if !crate::billing::standing(&state, &hook.business)
        .await
        .assistant_answers()
    {
        let notice = crate::billing::contact_notice(&hook.business);
        return Ok(twiml(Twiml::new().say(&notice).hangup()));
    }
    let (call, created) = hook.call(&state).await?;
    let urls = LineUrls::new(&state.dashboard.public_url, &slug);
    let line = CallLine::new(
        &state,
        &hook.business,
        &call,
        hook.settings.escalation.as_ref(),
    );
    let step = line.greeting();
    // A retried webhook is greeted again but not logged twice.
    let answered = if created {
        line.finish(step, &urls).await?
    } else {
        line.render(&step, &urls).await
    };
    Ok(twiml(answered))
}

/// What the caller said or keyed (or their silence) after a `<Gather>`.
async fn gather(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hook = verified(&state, &slug, &uri, &headers, &body).await?;
    // Logged here too when the incoming webhook was lost.
    let (call, _) = hook.call(&state).await?;
    let urls = LineUrls::new(&state.dashboard.public_url, &slug);
    let line = CallLine::new(
        &state,
        &hook.business,
        &call,
        hook.settings.escalation.as_ref(),
    );
    let heard = Heard {
        speech: hook.param("SpeechResult"),
        digits: hook.param("Digits"),
    };
    let step = line.answer(heard).await?;
    Ok(twiml(line.finish(step, &urls).await?))
}

/// Twilio's status callback: the call's status and duration, applied idempotently.
async fn status(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hook = verified(&state, &slug, &uri, &headers, &body).await?;
    let sid = hook.call_sid()?;
    let call_status = hook
        .param("CallStatus")
        .filter(|s| s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .ok_or_else(|| ApiError::invalid("invalid_call_status", "CallStatus is missing"))?;
    let duration = hook.param("CallDuration").and_then(|d| d.parse().ok());
    state
        .store
        .update_call_status(
            hook.business.id,
            sid,
            call_status,
            duration,
            state.clock.now(),
        )
        .await?;
    Ok(twiml(Twiml::new()))
}

/// How a transfer went: answered calls end; unanswered ones leave a callback request.
async fn dial(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hook = verified(&state, &slug, &uri, &headers, &body).await?;
    let sid = hook.call_sid()?;
    let business = hook.business.id;
    let call = state
        .store
        .call_by_sid(business, sid)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "call_not_found", "unknown CallSid"))?;
    let outcome = hook.param("DialCallStatus").unwrap_or("failed");
    if matches!(outcome, "completed" | "answered") {
        state
            .store
            .set_transfer_outcome(business, call.id, "answered")
            .await?;
        return Ok(twiml(Twiml::new().hangup()));
    }
    let reason = match outcome {
        "busy" => "busy",
        "no-answer" => "no-answer",
        "canceled" => "canceled",
        _ => "failed",
    };
    let line = CallLine::new(&state, &hook.business, &call, None);
    let step = line.nobody_answered(reason);
    let urls = LineUrls::new(&state.dashboard.public_url, &slug);
    Ok(twiml(line.finish(step, &urls).await?))
}
