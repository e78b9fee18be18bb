//! A member's own security: two-factor authentication, sessions (and signing out
//! everywhere), and their password. Every member may manage their own; no one else's.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::{Password, PasswordPolicy, Permission, RecoveryCodes, TotpSecret};
use frontdesk_core::audit::AuditAction;
use frontdesk_store::NotificationPrefs;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::auth::{
    attempt_succeeded, begin_attempt, hash_blocking, signed_out_everywhere, verify_blocking,
    verify_second_factor, Guarded,
};
use super::error::PageError;
use super::home::business_timezone;
use super::session::{NoFields, Posted};
use super::views::{csrf_field, error_box, layout, local_time, post_button};
use super::{audit_member, Member};
use crate::AppState;

/// The issuer name authenticator apps show beside the code.
/// Labels can't hold `:` (it separates issuer and account in the otpauth URL).
fn issuer(member: &Member) -> String {
    format!("frontdesk · {}", member.business.name.replace(':', " "))
}

#[derive(Debug, Deserialize, Default)]
pub struct SecurityQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<SecurityQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ManageOwnAccount)?;
    render(&state, &member, query.done.as_deref(), None).await
}

async fn render(
    state: &AppState,
    member: &Member,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Markup, PageError> {
    let sessions = state
        .store
        .user_sessions(member.user().id, state.clock.now())
        .await?;
    let timezone = business_timezone(member)?;
    let notice = match done {
        Some("2fa-off") => Some("Two-factor authentication is off."),
        Some("session-ended") => Some("That session has ended."),
        _ => None,
    };
    Ok(layout(
        member,
        "/app/security",
        "Security",
        html! {
            @if let Some(notice) = notice { div.notice role="status" { (notice) } }
            (error_box(error))
            section.card aria-labelledby="tfa-title" {
                h2 id="tfa-title" { "Two-factor authentication" }
                @if member.user().two_factor {
                    p { "On. Signing in asks for a code from your authenticator app (or a recovery code)." }
                    form method="post" action="/app/security/2fa/remove" {
                        (csrf_field(member))
                        label for="remove-code" { "To turn it off, enter a current code or a recovery code" }
                        input id="remove-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required;
                        p { button.danger type="submit" { "Turn off two-factor authentication" } }
                    }
                } @else {
                    p { "Off. Turn it on so a stolen password alone can't open your account. Works with Google Authenticator, 1Password and other TOTP apps." }
                    (post_button(member, "/app/security/2fa/start", "Set up two-factor authentication", ""))
                }
            }
            section.card aria-labelledby="sessions-title" {
                h2 id="sessions-title" { "Where you're signed in" }
                div.table-wrap {
                    table {
                        thead { tr { th { "Browser" } th { "Signed in" } th { "Last active" } th { "" } } }
                        tbody {
                            @for session in &sessions {
                                tr {
                                    td { (session.user_agent.as_deref().unwrap_or("Unknown browser")) }
                                    td { (local_time(session.created_at, &timezone)) }
                                    td { (local_time(session.last_seen_at, &timezone)) }
                                    td {
                                        @if session.id == member.session.id { "This browser" }
                                        @else { (post_button(member, &format!("/app/security/sessions/{}/revoke", session.id), "Sign out", "secondary")) }
                                    }
                                }
                            }
                        }
                    }
                }
                (post_button(member, "/app/security/sign-out-everywhere", "Sign out everywhere", "danger"))
            }
        },
    ))
}

fn already_enrolled() -> PageError {
    PageError::Conflict(
        "Two-factor authentication is already on. To use another app, turn it off with a current code first."
            .into(),
    )
}

/// Enrolling never replaces a second factor: that would skip "turn off with a code".
fn refuse_if_enrolled(member: &Member) -> Result<(), PageError> {
    if member.user().two_factor {
        Err(already_enrolled())
    } else {
        Ok(())
    }
}

pub async fn start_enrolment(posted: Posted<NoFields>) -> Result<Markup, PageError> {
    let member = posted.member;
    member.require(Permission::ManageOwnAccount)?;
    refuse_if_enrolled(&member)?;
    Ok(enrolment_view(&member, &TotpSecret::generate(), None))
}

fn enrolment_view(member: &Member, secret: &TotpSecret, error: Option<&str>) -> Markup {
    let qr = secret
        .qr_svg(&issuer(member), &member.user().email.replace(':', " "))
        .unwrap_or_default();
    layout(
        member,
        "/app/security",
        "Set up two-factor authentication",
        html! {
            (error_box(error))
            ol {
                li { "Scan this code with your authenticator app:" }
            }
            div role="img" aria-label="QR code for your authenticator app" style="max-width:240px" { (PreEscaped(qr)) }
            p { "Can't scan? Enter this key in the app: " code { (secret.to_base32()) } }
            form method="post" action="/app/security/2fa/confirm" {
                (csrf_field(member))
                input type="hidden" name="secret" value=(secret.to_base32());
                label for="code" { "Then enter the 6-digit code the app shows" }
                input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required;
                p { button type="submit" { "Turn on" } }
            }
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

pub async fn confirm_enrolment(
    State(state): State<AppState>,
    posted: Posted<ConfirmForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageOwnAccount)?;
    refuse_if_enrolled(&member)?;
    let secret = TotpSecret::from_base32(&form.secret)
        .map_err(|_| PageError::BadRequest("The setup key is not valid; start again.".into()))?;
    let unix = state.clock.now().as_second().max(0) as u64;
    let Some(step) = secret.verify(&form.code, unix, None) else {
        let markup = enrolment_view(
            &member,
            &secret,
            Some("That code is not right. Check the app's clock and enter the newest code."),
        );
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
    };
    let codes = tokio::task::spawn_blocking(RecoveryCodes::generate)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    state
        .store
        .set_two_factor(
            member.business_id(),
            member.user().id,
            Some((&secret.to_base32(), &codes.hashes, step)),
            state.clock.now(),
        )
        .await
        // Not found: another request turned it on first; it is never replaced this way.
        .map_err(|_| already_enrolled())?;
    audit_member(
        &state,
        &member,
        AuditAction::TwoFactorEnrolled,
        Some(format!("user:{}", member.user().id)),
        None,
    )
    .await?;
    Ok(layout(
        &member,
        "/app/security",
        "Two-factor authentication is on",
        html! {
            div.notice role="status" { "From now on, signing in asks for a code from your app." }
            h2 { "Your recovery codes" }
            p { "If you lose your phone, each of these codes signs you in once. Save them somewhere safe now: they are not shown again." }
            ul.codes aria-label="Recovery codes" {
                @for code in &codes.plain { li { (code) } }
            }
            p { a.button href="/app/security" { "I saved them" } }
        },
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn remove_second_factor(
    State(state): State<AppState>,
    posted: Posted<CodeForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageOwnAccount)?;
    let attempt = begin_attempt(
        &state,
        Guarded::SignIn,
        Some(&member.user().email),
        &member.context,
    )
    .await?;
    if verify_second_factor(&state, member.user(), &form.code)
        .await?
        .is_none()
    {
        let markup = render(
            &state,
            &member,
            None,
            Some("That code is not right, or it was already used."),
        )
        .await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
    }
    attempt_succeeded(&state, &attempt).await?;
    state
        .store
        .set_two_factor(
            member.business_id(),
            member.user().id,
            None,
            state.clock.now(),
        )
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::TwoFactorRemoved,
        Some(format!("user:{}", member.user().id)),
        None,
    )
    .await?;
    Ok(Redirect::to("/app/security?done=2fa-off").into_response())
}

pub async fn revoke_session(
    State(state): State<AppState>,
    Path(session): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::ManageOwnAccount)?;
    if !state
        .store
        .revoke_session(member.user().id, &session, state.clock.now())
        .await?
    {
        return Err(PageError::NotFound);
    }
    audit_member(
        &state,
        &member,
        AuditAction::SessionRevoked,
        Some(format!("user:{}", member.user().id)),
        None,
    )
    .await?;
    Ok(Redirect::to("/app/security?done=session-ended").into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::ManageOwnAccount)?;
    let ended = state
        .store
        .revoke_all_sessions(member.user().id, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::SessionsRevokedAll,
        Some(format!("user:{}", member.user().id)),
        Some(format!("{ended} sessions ended")),
    )
    .await?;
    Ok(signed_out_everywhere(&state))
}

#[derive(Debug, Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    done: Option<String>,
}

fn account_view(
    member: &Member,
    prefs: &NotificationPrefs,
    done: Option<&str>,
    error: Option<&str>,
) -> Markup {
    layout(
        member,
        "/app/account",
        "Account",
        html! {
                        @match done {
                Some("password") => div.notice role="status" { "Password changed. Your other sessions have ended." },
                Some("notifications") => div.notice role="status" { "Notification choices saved." },
                _ => {},
            }
            (error_box(error))
            section.card {
                p { b { (member.user().name) } " · " (member.user().email) " · " (member.user().role) " of " (member.business.name) }
            }
            section.card aria-labelledby="password-title" {
                h2 id="password-title" { "Change password" }
                form method="post" action="/app/account/password" {
                    (csrf_field(member))
                    label for="current" { "Current password" }
                    input id="current" name="current" type="password" autocomplete="current-password" required;
                    label for="password" { "New password" }
                    input id="password" name="password" type="password" autocomplete="new-password" required minlength="12";
                    label for="confirm" { "New password again" }
                    input id="confirm" name="confirm" type="password" autocomplete="new-password" required;
                                        p { button type="submit" { "Change password" } }
                }
            }
            section.card aria-labelledby="notify-title" {
                h2 id="notify-title" { "Notifications" }
                p.muted { "Messages say what happened and link here; they never contain a visitor's details." }
                form method="post" action="/app/account/notifications" {
                    (csrf_field(member))
                    label { input type="checkbox" name="leads" value="1" checked[prefs.leads]; " New leads and requests for a person" }
                    label { input type="checkbox" name="appointments" value="1" checked[prefs.appointments]; " Appointments booked, moved or cancelled" }
                    label for="sms_phone" { "Also text me at (optional)" }
                    input id="sms_phone" name="sms_phone" type="tel" autocomplete="tel" value=(prefs.sms_phone.as_deref().unwrap_or("")) aria-describedby="sms-help";
                    p.muted id="sms-help" { "Leave empty for email only." }
                    p { button type="submit" { "Save" } }
                }
            }
            @if member.can(Permission::DangerZone) {
                section.card aria-labelledby="danger-title" {
                    h2 id="danger-title" { "Danger Zone" }
                    p { "Close the account and delete the business's data. You can export everything first." }
                    p { a.button.danger href="/app/account/close" { "Close this account…" } }
                }
            }
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct NotificationsForm {
    #[serde(default)]
    leads: Option<String>,
    #[serde(default)]
    appointments: Option<String>,
    #[serde(default)]
    sms_phone: String,
}

pub async fn save_notifications(
    State(state): State<AppState>,
    posted: Posted<NotificationsForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageOwnAccount)?;
    let typed = form.sms_phone.trim();
    let business = frontdesk_core::business::Business::from_toml(&member.business.source)
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let calling_code = frontdesk_core::leads::calling_code(business.phone.as_deref());
    let sms_phone = match typed {
        "" => None,
        typed => match frontdesk_core::leads::find_phone(typed, &calling_code) {
            Some(phone) => Some(phone.as_str().to_owned()),
            None => {
                let prefs = state.store.notification_prefs(member.user().id).await?;
                let markup = account_view(
                    &member,
                    &prefs,
                    None,
                    Some("That phone number doesn't look right; include the area code."),
                );
                return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
            }
        },
    };
    let prefs = NotificationPrefs {
        leads: form.leads.is_some(),
        appointments: form.appointments.is_some(),
        sms_phone,
    };
    state
        .store
        .set_notification_prefs(member.business_id(), member.user().id, &prefs)
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::SettingsChanged,
        Some(format!("user:{}", member.user().id)),
        Some("notification preferences".into()),
    )
    .await?;
    Ok(Redirect::to("/app/account?done=notifications").into_response())
}

pub async fn account_page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AccountQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ManageOwnAccount)?;
    let prefs = state.store.notification_prefs(member.user().id).await?;
    Ok(account_view(&member, &prefs, query.done.as_deref(), None))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    posted: Posted<PasswordForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageOwnAccount)?;
    let prefs = state.store.notification_prefs(member.user().id).await?;
    let refuse = |message: &str| {
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            account_view(&member, &prefs, None, Some(message)),
        )
            .into_response())
    };
    let attempt = begin_attempt(
        &state,
        Guarded::SignIn,
        Some(&member.user().email),
        &member.context,
    )
    .await?;
    if !verify_blocking(
        Password::new(form.current.clone()),
        member.user().password_hash.clone(),
    )
    .await?
    {
        return refuse("The current password is not right.");
    }
    attempt_succeeded(&state, &attempt).await?;
    if form.password != form.confirm {
        return refuse("The two new passwords differ.");
    }
    let password = Password::new(form.password.clone());
    if let Err(error) =
        PasswordPolicy::for_account(&member.business.name, &member.user().email).check(&password)
    {
        return refuse(&format!("Password: {error}."));
    }
    let hash = hash_blocking(password).await?;
    state
        .store
        .set_password(
            member.business_id(),
            member.user().id,
            &hash,
            Some(&member.session.id),
            state.clock.now(),
        )
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::PasswordChanged,
        Some(format!("user:{}", member.user().id)),
        Some("other sessions ended".into()),
    )
    .await?;
    Ok(Redirect::to("/app/account?done=password").into_response())
}
