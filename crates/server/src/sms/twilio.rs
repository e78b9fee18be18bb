//! Twilio Messaging's inbound webhook (`POST /sms/twilio/{slug}`): the same keywords,
//! opt-outs and assistant as Telnyx's, answered in the webhook's own TwiML `<Message>`,
//! which is how Twilio expects a reply to a text. The request is signed with the auth
//! token of the business's Twilio account (its phone line settings), like the voice
//! webhooks.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_store::InboundText;
use frontdesk_twilio::Twiml;

use super::{answer_inbound, AnswerError, SmsDecision};
use crate::error::ApiError;
use crate::rate_limit::{InboundSms, RateLimited};
use crate::voice::{twiml, verified};
use crate::AppState;

/// A text to the business's Twilio number: verified, triaged (STOP/HELP first), answered.
pub(super) async fn inbound(
    _limited: RateLimited<InboundSms>,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    // The full path as Twilio signed it (a nested router's `Uri` has its prefix cut).
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hook = verified(&state, &slug, &uri, &headers, &body).await?;
    let number = |name: &str| {
        hook.param(name)
            .and_then(|value| PhoneNumber::parse(value).ok())
            .ok_or_else(|| {
                ApiError::invalid(
                    "invalid_number",
                    format!("{name} is missing or not an E.164 number"),
                )
            })
    };
    let inbound = InboundText {
        from: number("From")?,
        to: number("To")?,
        text: hook.param("Body").unwrap_or_default().to_owned(),
    };
    let reply = match answer_inbound(&state, &hook.business, &inbound).await {
        Ok(SmsDecision::Send { body, .. }) => Twiml::new().message(&body),
        Ok(SmsDecision::Silent) => Twiml::new(),
        Err(AnswerError::BusinessGone) => {
            return Err(ApiError::business_not_found(&slug));
        }
        Err(error) => {
            tracing::error!(%error, "a Twilio text could not be answered");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the text could not be answered; Twilio may retry",
            ));
        }
    };
    Ok(twiml(reply))
}
