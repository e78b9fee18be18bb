//! Calls: the phone line's log (one call's turns, what was said redacted like chat), a
//! "try your phone assistant" panel that runs the same call flow as Twilio's webhooks,
//! and the phone line's settings (Twilio account, auth token write-only, escalation
//! number).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::Permission;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::voice::{valid_account_sid, AuthToken, PhoneSettings};
use frontdesk_store::{CallRecord, CallTurnRecord};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::error::PageError;
use super::home::business_timezone;
use super::session::Posted;
use super::views::{csrf_field, error_box, layout, local_time};
use super::{audit_member, Member};
use crate::voice::flow::{CallLine, Heard};
use crate::voice::LineUrls;
use crate::AppState;

/// Calls listed per page.
const PAGE_SIZE: u32 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct CallsQuery {
    #[serde(default)]
    page: Option<u32>,
    /// The simulated call being tried, to show its turns.
    #[serde(default)]
    trying: Option<String>,
}

fn call_summary(call: &CallRecord) -> String {
    let mut parts = vec![call.status.clone()];
    if let Some(seconds) = call.duration_seconds {
        parts.push(format!("{seconds} s"));
    }
    if call.retries > 0 {
        parts.push(format!("{} silent turns", call.retries));
    }
    if let Some(outcome) = &call.transfer_outcome {
        parts.push(format!("transfer: {outcome}"));
    }
    parts.join(" · ")
}

fn turns_list(turns: &[CallTurnRecord], timezone: &jiff::tz::TimeZone) -> Markup {
    html! {
        ol style="list-style:none;padding:0" aria-label="Turns" {
            @for turn in turns {
                @if let Some(said) = &turn.said {
                    li.msg.visitor { small { "Caller · " (local_time(turn.created_at, timezone)) } (said) }
                }
                li.msg.assistant { small { "Line · " (turn.intent) } (turn.answered) }
            }
        }
    }
}

/// The Calls page: the log, and the simulator for those who may change settings.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<CallsQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    let business = member.business_id();
    let page = query.page.unwrap_or(0);
    let calls = state
        .store
        .calls(business, PAGE_SIZE, page.saturating_mul(PAGE_SIZE))
        .await?;
    let timezone = business_timezone(&member)?;
    let can_try = member.user().role.allows(Permission::EditSettings);
    let trying = match query
        .trying
        .as_deref()
        .and_then(|id| id.parse::<Uuid>().ok())
    {
        Some(id) if can_try => state.store.call_detail(business, id).await?,
        _ => None,
    };
    Ok(layout(
        &member,
        "/app/calls",
        "Calls",
        html! {
            @if can_try { (try_panel(&member, trying.as_ref(), &timezone)) }
            section.card aria-labelledby="calls-title" {
                h2 id="calls-title" { "Calls" }
                p.muted { "Calls are kept for 12 months. Health details callers mention are never written down." }
                @if calls.is_empty() { p { "No calls yet." } }
                @else {
                    table {
                        thead { tr { th { "Started" } th { "From" } th { "Outcome" } } }
                        tbody {
                            @for call in &calls {
                                tr {
                                    td { a href=(format!("/app/calls/{}", call.id)) { (local_time(call.started_at, &timezone)) } }
                                    td { (call.from) }
                                    td { (call_summary(call)) }
                                }
                            }
                        }
                    }
                    nav.pager aria-label="Pages" {
                        @if page > 0 { a href=(format!("/app/calls?page={}", page - 1)) { "Newer" } }
                        @if calls.len() as u32 == PAGE_SIZE { a href=(format!("/app/calls?page={}", page + 1)) { "Older" } }
                    }
                }
            }
        },
    ))
}

fn try_panel(
    member: &Member,
    trying: Option<&(CallRecord, Vec<CallTurnRecord>)>,
    timezone: &jiff::tz::TimeZone,
) -> Markup {
    let ended = trying.is_some_and(|(_, turns)| {
        turns
            .last()
            .is_some_and(|t| t.intent == "emergency" || t.intent == "goodbye")
    });
    html! {
        section.card aria-labelledby="try-title" {
            h2 id="try-title" { "Try your phone assistant" }
            p.muted { "Type what a caller would say; digits are keypad presses and an empty line is silence. It runs the same call flow as a real call, and is logged like one." }
            @if let Some((_, turns)) = trying { (turns_list(turns, timezone)) }
            form method="post" action="/app/calls/try" {
                (csrf_field(member))
                @match trying {
                    Some((call, _)) if !ended => {
                        input type="hidden" name="call" value=(call.id);
                        label for="said" { "The caller says" }
                        input id="said" name="said" type="text" autocomplete="off" autofocus;
                        p { button type="submit" { "Say it" } }
                    }
                    _ => { p { button type="submit" { "Start a call" } } }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TryForm {
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    said: String,
}

/// One turn of a simulated call: a new call is greeted; otherwise what was typed is
/// answered exactly as the gather webhook would answer it.
pub async fn try_turn(
    State(state): State<AppState>,
    posted: Posted<TryForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::EditSettings)?;
    let Some(crate::cache::Found::Open(business)) = state
        .businesses
        .get(&state.store, &member.business.slug)
        .await?
    else {
        return Err(PageError::NotFound);
    };
    let escalation = state
        .store
        .phone_settings(business.id)
        .await?
        .and_then(|s| s.escalation);
    let urls = LineUrls::new(&state.dashboard.public_url, &member.business.slug);
    let existing = match form.call.as_deref().filter(|c| !c.is_empty()) {
        Some(id) => {
            let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
            let (call, _) = state
                .store
                .call_detail(business.id, id)
                .await?
                .ok_or(PageError::NotFound)?;
            Some(call)
        }
        None => None,
    };
    let call = match existing {
        Some(call) => {
            let line = CallLine::new(&state, &business, &call, escalation.as_ref());
            let said = form.said.trim();
            let keyed = !said.is_empty()
                && said
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '#' || c == '*');
            let heard = Heard {
                speech: (!keyed && !said.is_empty()).then_some(said),
                digits: keyed.then_some(said),
            };
            let step = line.answer(heard).await?;
            line.finish(step, &urls).await?;
            call
        }
        None => {
            let sid = format!("SIM{}", Uuid::new_v4().simple());
            let (call, _) = state
                .store
                .start_call(
                    business.id,
                    &sid,
                    "simulator",
                    "simulator",
                    state.clock.now(),
                )
                .await?;
            let line = CallLine::new(&state, &business, &call, escalation.as_ref());
            line.finish(line.greeting(), &urls).await?;
            call
        }
    };
    Ok(Redirect::to(&format!("/app/calls?trying={}", call.id)).into_response())
}

/// One call's turns; viewing it is audited like a transcript.
pub async fn detail(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    member.require_same_site()?;
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let (call, turns) = state
        .store
        .call_detail(member.business_id(), id)
        .await?
        .ok_or(PageError::NotFound)?;
    audit_member(
        &state,
        &member,
        AuditAction::TranscriptViewed,
        Some(format!("call:{id}")),
        None,
    )
    .await?;
    let timezone = business_timezone(&member)?;
    Ok(layout(
        &member,
        "/app/calls",
        "Call",
        html! {
            p.muted {
                "From " (call.from) " · started " (local_time(call.started_at, &timezone))
                " · " (call_summary(&call))
            }
            (turns_list(&turns, &timezone))
        },
    ))
}

/// The phone line's part of Settings.
pub fn settings_section(
    member: &Member,
    current: Option<&PhoneSettings>,
    public_url: &str,
    error: Option<&str>,
) -> Markup {
    let base = format!("{public_url}/voice/twilio/{}", member.business.slug);
    html! {
        section.card aria-labelledby="phone-title" {
            h2 id="phone-title" { "Phone line (Twilio)" }
            (error_box(error))
            p.muted {
                "In Twilio, set your number's voice webhook to " code { (base) "/incoming" }
                " and its status callback to " code { (base) "/status" } " (both HTTP POST)."
            }
            form method="post" action="/app/settings/phone" {
                (csrf_field(member))
                label for="account_sid" { "Account SID" }
                input id="account_sid" name="account_sid" type="text" value=(current.map_or("", |s| s.account_sid.as_str())) placeholder="AC…";
                label for="auth_token" { "Auth token" }
                input id="auth_token" name="auth_token" type="password" autocomplete="off" aria-describedby="auth-token-help";
                p.muted id="auth-token-help" {
                    @if current.is_some() { "A token is stored (sealed). Leave this empty to keep it." }
                    @else { "Stored sealed with the server's key; it is never shown again." }
                }
                label for="escalation" { "Transfer callers to (optional)" }
                input id="escalation" name="escalation" type="tel" value=(current.and_then(|s| s.escalation.as_ref()).map_or("", |n| n.as_str())) placeholder="+15125550100";
                p { button type="submit" name="action" value="save" { "Save phone line" } " "
                    @if current.is_some() { button.secondary type="submit" name="action" value="remove" { "Remove phone line" } } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    account_sid: String,
    #[serde(default)]
    auth_token: String,
    #[serde(default)]
    escalation: String,
}

/// The settings a form asks for, or why they can't be used.
fn requested(form: &PhoneForm, stored: Option<&PhoneSettings>) -> Result<PhoneSettings, String> {
    let account_sid = form.account_sid.trim();
    if !valid_account_sid(account_sid) {
        return Err(
            "The account SID is AC followed by 32 letters and digits (see Twilio's console)."
                .into(),
        );
    }
    let auth_token = match form.auth_token.trim() {
        "" => stored
            .map(|s| s.auth_token.clone())
            .ok_or("Enter the account's auth token.")?,
        token => AuthToken::parse(token)?,
    };
    let escalation = match form.escalation.trim() {
        "" => None,
        number => Some(PhoneNumber::parse(number).map_err(|_| {
            "Enter the transfer number with its country code, e.g. +15125550100.".to_owned()
        })?),
    };
    Ok(PhoneSettings {
        account_sid: account_sid.to_owned(),
        auth_token,
        escalation,
    })
}

/// Saves or removes the phone line (Owner and Admin), audited without the token.
pub async fn save_phone(
    State(state): State<AppState>,
    posted: Posted<PhoneForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::EditSettings)?;
    let business = member.business_id();
    let current = state.store.phone_settings(business).await?;
    let settings = if form.action == "remove" {
        None
    } else {
        match requested(&form, current.as_ref()) {
            Ok(settings) => Some(settings),
            Err(message) => {
                let markup = layout(
                    &member,
                    "/app/settings",
                    "Settings",
                    settings_section(
                        &member,
                        current.as_ref(),
                        &state.dashboard.public_url,
                        Some(&message),
                    ),
                );
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
            }
        }
    };
    state
        .store
        .set_phone_settings(business, settings.as_ref(), state.clock.now())
        .await?;
    let detail = match &settings {
        Some(s) => format!(
            "phone line: account {}, transfers {}{}",
            s.account_sid,
            if s.escalation.is_some() { "on" } else { "off" },
            if form.auth_token.trim().is_empty() {
                ""
            } else {
                ", auth token replaced"
            }
        ),
        None => "phone line removed".to_owned(),
    };
    audit_member(
        &state,
        &member,
        AuditAction::SettingsChanged,
        Some(format!("business:{}", member.business.slug)),
        Some(detail),
    )
    .await?;
    Ok(Redirect::to("/app/settings?saved=1").into_response())
}
