//! Settings → Integrations: connecting the business's Google Calendar with OAuth 2.0
//! (authorization code with PKCE), and disconnecting it. The PKCE verifier and the OAuth
//! state wait server-side, bound to the member's session, for ten minutes; the refresh
//! token is stored sealed and never shown, logged or audited.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::{constant_time_eq, IssuedToken, Permission};
use frontdesk_core::audit::AuditAction;
use frontdesk_store::CalendarStatus;
use jiff::SignedDuration;
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::session::{NoFields, Posted};
use super::views::{csrf_field, local_time};
use super::{audit_member, Member};
use crate::AppState;

/// How long the owner has to consent at Google before the attempt is void.
const CONNECT_WINDOW: SignedDuration = SignedDuration::from_mins(10);

/// The calendar connected: the owner's main calendar.
const CALENDAR_ID: &str = "primary";

/// The Integrations section of the Settings page; `status` is `None` when this server has
/// no calendar connector configured.
pub fn section(
    member: &Member,
    status: Option<&CalendarStatus>,
    zone: &jiff::tz::TimeZone,
) -> Markup {
    html! {
        section.card aria-labelledby="integrations-title" {
            h2 id="integrations-title" { "Integrations" }
            h3 { "Google Calendar" }
            p.muted { "When connected, visitors are only offered times your calendar shows free, and each booking is added to it. frontdesk reads only when you are busy (never what your events say) and changes or removes only the events it created." }
            @match status {
                None => p { "Google Calendar is not set up on this server. Ask whoever runs it to add a Google OAuth client (see the README)." },
                Some(CalendarStatus::Connected { connected_at, .. }) => {
                    p role="status" { "Connected since " (local_time(*connected_at, zone)) "." }
                    form method="post" action="/app/settings/google/disconnect" {
                        (csrf_field(member))
                        button type="submit" { "Disconnect Google Calendar" }
                    }
                }
                Some(other) => {
                    @if let CalendarStatus::Revoked { notice, at } = other {
                        div.error role="alert" { (notice) " (" (local_time(*at, zone)) "). Connect again to keep your calendar in step." }
                    } @else {
                        p { "Not connected." }
                    }
                    form method="post" action="/app/settings/google/connect" {
                        (csrf_field(member))
                        button type="submit" { "Connect Google Calendar" }
                    }
                }
            }
        }
    }
}

/// Starts a connect: a fresh PKCE pair and state, kept for this session, then Google.
pub async fn connect(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::EditSettings)?;
    let calendars = state.calendars.as_ref().ok_or(PageError::NotFound)?;
    let oauth_state = IssuedToken::generate().plain;
    let authorization = calendars.connector().authorize(&oauth_state);
    let now = state.clock.now();
    state
        .store
        .begin_calendar_connect(
            member.business_id(),
            &member.session.id,
            &oauth_state,
            &authorization.verifier,
            now.checked_add(CONNECT_WINDOW).unwrap_or(now),
        )
        .await?;
    Ok(Redirect::to(&authorization.url).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    /// Set by Google instead of `code` when the owner declined.
    #[serde(default)]
    error: Option<String>,
}

/// Google sends the owner back here. The state must be the one this session started
/// with (taken once, so a callback can't be replayed); the code is then exchanged with
/// the kept verifier and the refresh token stored sealed.
pub async fn callback(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, PageError> {
    member.require(Permission::EditSettings)?;
    let calendars = state.calendars.as_ref().ok_or(PageError::NotFound)?;
    let business = member.business_id();
    let attempt = state
        .store
        .take_calendar_connect(business, &member.session.id, state.clock.now())
        .await?;
    let attempt = match (attempt, query.state.as_deref()) {
        (Some(attempt), Some(returned)) if constant_time_eq(&attempt.state, returned) => attempt,
        _ => {
            return Err(PageError::BadRequest(
                "This Google sign-in was not started from this session, or took longer than ten minutes. Start again from Settings.".into(),
            ))
        }
    };
    let Some(code) = query.code.filter(|_| query.error.is_none()) else {
        return Err(PageError::BadRequest(
            "Google Calendar was not connected: access was not allowed.".into(),
        ));
    };
    let refresh_token = calendars
        .connector()
        .exchange(&code, &attempt.verifier)
        .await
        .map_err(|e| {
            tracing::warn!(%business, error = %e, "connecting Google Calendar failed");
            PageError::BadRequest(format!("Google Calendar was not connected: {e}"))
        })?;
    state
        .store
        .set_calendar_connection(business, CALENDAR_ID, &refresh_token, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::SettingsChanged,
        Some(format!("business:{}", member.business.slug)),
        Some("google calendar connected".into()),
    )
    .await?;
    Ok(Redirect::to("/app/settings?saved=calendar").into_response())
}

/// Disconnects at once: the sealed token is deleted before the answer.
pub async fn disconnect(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::EditSettings)?;
    state
        .store
        .remove_calendar_connection(member.business_id(), None, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::SettingsChanged,
        Some(format!("business:{}", member.business.slug)),
        Some("google calendar disconnected".into()),
    )
    .await?;
    Ok(Redirect::to("/app/settings?saved=calendar").into_response())
}
