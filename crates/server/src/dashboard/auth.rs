//! Sign-up, sign-in (with the second factor), sign-out, forgotten passwords and invites.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::{
    constant_time_eq, hash_password, token_hash, verify_password, IssuedToken, Password,
    PasswordPolicy, RecoveryCodes, Role, TotpSecret,
};
use frontdesk_core::audit::{Actor, AuditAction};
use frontdesk_core::business::Business;
use frontdesk_core::mail::Mail;
use frontdesk_store::{normalize_email, LimitScope, NewSession, NewUser, UserRecord};
use jiff::{SignedDuration, Timestamp};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::session::{
    live_session, pre_session_csrf, same_origin, set_cookie, PublicForm, RequestContext,
    SESSION_COOKIE,
};
use super::views::{bare_page, error_box};
use super::{audit, audit_member, Member};
use crate::dashboard::session::{NoFields, Posted};
use crate::rate_limit::address_key;
use crate::AppState;

/// How long an invitation link works.
const INVITE_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);
/// How long a password-reset link works.
const RESET_LIFETIME: SignedDuration = SignedDuration::from_hours(1);

/// A form page before sign-in: sets the double-submit CSRF cookie if needed.
fn public_page(
    headers: &HeaderMap,
    state: &AppState,
    render: impl FnOnce(&str) -> Markup,
) -> Response {
    let (csrf, cookie) = pre_session_csrf(headers, state.dashboard.secure_cookies());
    let mut response = render(&csrf).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn csrf_input(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// Argon2id takes tens of milliseconds of CPU on purpose: keep it off the async workers.
pub(super) async fn hash_blocking(password: Password) -> Result<String, PageError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))
}

pub(super) async fn verify_blocking(password: Password, phc: String) -> Result<bool, PageError> {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))
}

/// A PHC string for an account that does not exist, so an unknown email costs the same
/// time as a wrong password and timing does not reveal which emails have accounts.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&Password::new("decoy password for timing")))
}

fn actor(user: &UserRecord) -> Actor {
    Actor {
        user_id: Some(user.id.to_string()),
        email: Some(user.email.clone()),
    }
}

/// Starts a session and answers with its cookie and a redirect.
async fn start_session(
    state: &AppState,
    user: &UserRecord,
    context: &RequestContext,
    pending_second_factor: bool,
    to: &str,
) -> Result<Response, PageError> {
    let token = IssuedToken::generate();
    let csrf = IssuedToken::generate().plain;
    let now = state.clock.now();
    let lifetimes = state.dashboard.lifetimes;
    let lifetime = if pending_second_factor {
        lifetimes.second_factor
    } else {
        lifetimes.absolute
    };
    state
        .store
        .create_session(NewSession {
            token_hash: &token.hash,
            user: user.id,
            business: user.business,
            csrf_token: &csrf,
            pending_second_factor,
            user_agent: context.user_agent.as_deref(),
            now,
            expires_at: now.saturating_add(lifetime).unwrap_or(Timestamp::MAX),
        })
        .await?;
    Ok(with_session_cookie(state, &token.plain, to))
}

fn with_session_cookie(state: &AppState, token: &str, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            Some(token),
            state.dashboard.secure_cookies(),
        ),
    );
    response
}

fn clear_session_cookie(state: &AppState, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, None, state.dashboard.secure_cookies()),
    );
    response
}

fn check_password(
    password: &str,
    confirm: &str,
    business_name: &str,
    email: &str,
) -> Result<Password, String> {
    if password != confirm {
        return Err("the two passwords differ".into());
    }
    let password = Password::new(password);
    PasswordPolicy::for_account(business_name, email)
        .check(&password)
        .map_err(|e| e.to_string())?;
    Ok(password)
}

pub(super) fn valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

// ---------------------------------------------------------------------------------------
// Sign-up

#[derive(Debug, Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    business_name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn signup_view(csrf: &str, form: &SignupForm, error: Option<&str>) -> Markup {
    let timezone = if form.timezone.is_empty() {
        "America/New_York"
    } else {
        form.timezone.as_str()
    };
    bare_page(
        "Create your front desk",
        html! {
            (error_box(error))
            form method="post" action="/app/signup" {
                (csrf_input(csrf))
                label for="name" { "Your name" }
                input id="name" name="name" type="text" autocomplete="name" required value=(form.name);
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="email" required value=(form.email);
                label for="business_name" { "Business name" }
                input id="business_name" name="business_name" type="text" autocomplete="organization" required value=(form.business_name);
                label for="timezone" { "Time zone" }
                input id="timezone" name="timezone" type="text" list="timezones" required value=(timezone) aria-describedby="timezone-help";
                p.muted id="timezone-help" { "An IANA zone such as America/Chicago or Europe/London." }
                datalist id="timezones" {
                    @for zone in ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Europe/Paris", "Australia/Sydney"] {
                        option value=(zone) {}
                    }
                }
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" aria-describedby="password-help";
                p.muted id="password-help" { "At least 12 characters. A few unrelated words work well." }
                label for="confirm" { "Password again" }
                input id="confirm" name="confirm" type="password" autocomplete="new-password" required;
                p { button type="submit" { "Create account" } }
            }
            p { "Already have an account? " a href="/app/login" { "Sign in" } }
        },
    )
}

pub async fn signup_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    public_page(&headers, &state, |csrf| {
        signup_view(csrf, &SignupForm::default(), None)
    })
}

/// A URL-safe slug from a business name: `Bright Smiles Dental!` → `bright-smiles-dental`.
fn slug_from_name(name: &str) -> String {
    let mut slug = String::new();
    for ch in name.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "business".to_owned()
    } else {
        slug
    }
}

/// The business file a new account starts with: its name, time zone, a greeting and
/// weekday hours to edit. Built as a TOML document, so no name can break the syntax.
fn starter_file(slug: &str, name: &str, timezone: &str) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    doc["slug"] = toml_edit::value(slug);
    doc["name"] = toml_edit::value(name);
    doc["timezone"] = toml_edit::value(timezone);
    doc["greeting"] = toml_edit::value(format!(
        "Hi! I'm the {name} assistant. Ask me about our hours, services or how to reach us."
    ));
    let mut hours = toml_edit::Table::new();
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        hours[day] = toml_edit::value("09:00-17:00");
    }
    for day in ["sat", "sun"] {
        hours[day] = toml_edit::value("closed");
    }
    doc["hours"] = toml_edit::Item::Table(hours);
    doc.to_string()
}

pub async fn signup(
    State(state): State<AppState>,
    request: PublicForm<SignupForm>,
) -> Result<Response, PageError> {
    let PublicForm {
        form,
        context,
        headers,
    } = request;
    begin_attempt(&state, Guarded::SignUp, None, &context).await?;
    let refuse = |message: String| {
        Ok(public_page(&headers, &state, |csrf| {
            signup_view(csrf, &form, Some(&message))
        }))
    };
    let name = form.name.trim();
    let business_name = form.business_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return refuse("Enter your name (up to 100 characters).".into());
    }
    if business_name.is_empty() || business_name.chars().count() > 100 {
        return refuse("Enter the business name (up to 100 characters).".into());
    }
    if !valid_email(&form.email) {
        return refuse("Enter a valid email address.".into());
    }
    if jiff::tz::TimeZone::get(form.timezone.trim()).is_err() {
        return refuse(format!(
            "`{}` is not a time zone we know; use a name like America/Chicago.",
            form.timezone.trim()
        ));
    }
    let password = match check_password(&form.password, &form.confirm, business_name, &form.email) {
        Ok(password) => password,
        Err(message) => return refuse(format!("Password: {message}.")),
    };
    let taken_email =
        || refuse("An account with this email already exists: sign in instead.".into());
    if state.store.user_by_email(&form.email).await?.is_some() {
        return taken_email();
    }
    let password_hash = hash_blocking(password).await?;
    let base = slug_from_name(business_name);
    let mut created = None;
    for attempt in 1..=20 {
        let slug = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        let source = starter_file(&slug, business_name, form.timezone.trim());
        let business =
            Business::from_toml(&source).map_err(|e| PageError::Internal(e.to_string()))?;
        let owner = NewUser {
            email: &form.email,
            name,
            password_hash: &password_hash,
            role: Role::Owner,
        };
        match state
            .store
            .create_business_with_owner(&business, &source, owner, state.clock.now())
            .await
        {
            Ok(ids) => {
                created = Some(ids);
                break;
            }
            // Either the slug was taken (try the next) or the email was taken meanwhile.
            Err(frontdesk_core::assistant::StoreError::Conflict(_)) => {
                if state.store.user_by_email(&form.email).await?.is_some() {
                    return taken_email();
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    let (business, user) =
        created.ok_or_else(|| PageError::Conflict("choose another business name".into()))?;
    let user = state
        .store
        .user(business, user)
        .await?
        .ok_or(PageError::NotFound)?;
    audit(
        &state,
        business,
        actor(&user),
        &context,
        AuditAction::AccountCreated,
        Some(format!("user:{}", user.id)),
        None,
    )
    .await?;
    start_session(&state, &user, &context, false, "/app").await
}

// ---------------------------------------------------------------------------------------
// Sign-in

#[derive(Debug, Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn login_view(csrf: &str, email: &str, error: Option<&str>, notice: Option<&str>) -> Markup {
    bare_page(
        "Sign in",
        html! {
            @if let Some(notice) = notice { div.notice role="status" { (notice) } }
            (error_box(error))
            form method="post" action="/app/login" {
                (csrf_input(csrf))
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required value=(email);
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { "Sign in" } }
            }
            p { a href="/app/forgot" { "Forgot your password?" } }
            p { "New here? " a href="/app/signup" { "Create an account" } }
        },
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Response {
    let notice = match query.done.as_deref() {
        Some("reset") => Some("Your password is changed. Sign in with the new one."),
        Some("signed-out") => Some("You are signed out."),
        Some("everywhere") => Some("You are signed out on every device."),
        _ => None,
    };
    public_page(&headers, &state, |csrf| login_view(csrf, "", None, notice))
}

/// What a guarded attempt is for: each has its own allowance per account, and all share
/// the allowance per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guarded {
    /// A password or a second-factor code.
    SignIn,
    /// Asking for a reset link.
    ResetRequest,
    /// Creating an account (counted per address only).
    SignUp,
}

/// An attempt counted before its secret is checked; see [`begin_attempt`].
#[derive(Debug)]
pub(super) struct Attempt {
    account: Option<String>,
    ip: Option<String>,
    at: Timestamp,
}

/// Counts an attempt for the account (when there is one) and the address, and refuses
/// if either is over its allowance in the window. Counting first means a burst of
/// parallel guesses is limited like guesses one after another.
pub(super) async fn begin_attempt(
    state: &AppState,
    purpose: Guarded,
    email: Option<&str>,
    context: &RequestContext,
) -> Result<Attempt, PageError> {
    let limits = state.dashboard.login_limits;
    let now = state.clock.now();
    let window_start = now.saturating_sub(limits.window).unwrap_or(Timestamp::MIN);
    let account = match (purpose, email) {
        (Guarded::SignIn, Some(email)) => Some(normalize_email(email)),
        (Guarded::ResetRequest, Some(email)) => Some(format!("reset:{}", normalize_email(email))),
        _ => None,
    };
    let attempt = Attempt {
        account,
        ip: context.ip.map(address_key),
        at: now,
    };
    let checks = [
        (
            LimitScope::Account,
            attempt.account.as_deref(),
            limits.per_account,
        ),
        (LimitScope::Ip, attempt.ip.as_deref(), limits.per_ip),
    ];
    for (scope, key, allowed) in checks {
        let Some(key) = key else { continue };
        let (attempts, oldest) = state
            .store
            .record_attempt(scope, key, now, window_start)
            .await?;
        if attempts > allowed {
            let free_at = oldest
                .and_then(|t| t.checked_add(limits.window).ok())
                .unwrap_or(now);
            let wait = free_at.duration_since(now).as_secs().max(1) as u64;
            let minutes = wait.div_ceil(60);
            let whom = match scope {
                LimitScope::Account => "this account",
                LimitScope::Ip => "your network",
            };
            let what = match purpose {
                Guarded::SignIn => "failed sign-in attempts",
                Guarded::ResetRequest => "password reset requests",
                Guarded::SignUp => "new accounts",
            };
            let plural = if minutes == 1 { "" } else { "s" };
            return Err(PageError::TooManyAttempts {
                retry_after_secs: wait,
                message: format!(
                    "Too many {what} for {whom}. For your security, try again in {minutes} minute{plural}."
                ),
            });
        }
    }
    Ok(attempt)
}

/// The attempt succeeded: the account's earlier failures are forgotten, and this
/// attempt no longer counts against the address.
pub(super) async fn attempt_succeeded(
    state: &AppState,
    attempt: &Attempt,
) -> Result<(), PageError> {
    if let Some(account) = &attempt.account {
        state
            .store
            .clear_attempts(LimitScope::Account, account)
            .await?;
    }
    if let Some(ip) = &attempt.ip {
        state
            .store
            .forget_attempt(LimitScope::Ip, ip, attempt.at)
            .await?;
    }
    Ok(())
}

/// What signing in to a closed account says.
const ACCOUNT_CLOSED: &str =
    "This account was closed. Its data is deleted at the end of the grace period.";

pub async fn login(
    State(state): State<AppState>,
    request: PublicForm<LoginForm>,
) -> Result<Response, PageError> {
    let PublicForm {
        form,
        context,
        headers,
    } = request;
    let attempt = begin_attempt(&state, Guarded::SignIn, Some(&form.email), &context).await?;
    let user = state.store.user_by_email(&form.email).await?;
    let phc = user
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |u| u.password_hash.clone());
    let matches = verify_blocking(Password::new(form.password.clone()), phc).await?;
    let user = match user {
        Some(user) if matches => user,
        other => {
            if let Some(user) = other {
                audit(
                    &state,
                    user.business,
                    actor(&user),
                    &context,
                    AuditAction::LoginFailed,
                    Some(format!("user:{}", user.id)),
                    Some("wrong password".into()),
                )
                .await?;
            }
            return Ok(public_page(&headers, &state, |csrf| {
                login_view(
                    csrf,
                    &form.email,
                    Some("The email or password is not right."),
                    None,
                )
            }));
        }
    };
    let closed = state
        .store
        .business_by_id(user.business)
        .await?
        .is_none_or(|business| business.closed_at.is_some());
    if closed {
        return Ok(public_page(&headers, &state, |csrf| {
            login_view(csrf, &form.email, Some(ACCOUNT_CLOSED), None)
        }));
    }
    if user.two_factor {
        // The account's count continues into the code step: only a right code clears it.
        return start_session(&state, &user, &context, true, "/app/login/code").await;
    }
    attempt_succeeded(&state, &attempt).await?;
    audit(
        &state,
        user.business,
        actor(&user),
        &context,
        AuditAction::LoginSucceeded,
        Some(format!("user:{}", user.id)),
        Some("password".into()),
    )
    .await?;
    start_session(&state, &user, &context, false, "/app").await
}

#[derive(Debug, Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

fn second_factor_view(csrf: &str, error: Option<&str>) -> Markup {
    bare_page(
        "Enter your code",
        html! {
            (error_box(error))
            form method="post" action="/app/login/code" {
                input type="hidden" name="csrf" value=(csrf);
                label for="code" { "The 6-digit code from your authenticator app, or a recovery code" }
                input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                p { button type="submit" { "Continue" } }
            }
        },
    )
}

/// The half-signed-in session of a sign-in waiting for its second factor.
async fn pending_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<frontdesk_store::SessionRecord, PageError> {
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    live_session(&parts, state)
        .await?
        .filter(|s| s.pending_second_factor)
        .ok_or(PageError::SignInRequired)
}

pub async fn second_factor_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let session = pending_session(&state, &headers).await?;
    Ok(second_factor_view(&session.csrf_token, None).into_response())
}

/// Checks a TOTP code or a recovery code; returns how it matched, or None.
pub(super) async fn verify_second_factor(
    state: &AppState,
    user: &UserRecord,
    code: &str,
) -> Result<Option<&'static str>, PageError> {
    if let Some((secret, last_step)) = state.store.totp_secret(user.id).await? {
        let secret =
            TotpSecret::from_base32(&secret).map_err(|e| PageError::Internal(e.to_string()))?;
        let unix = state.clock.now().as_second().max(0) as u64;
        if let Some(step) = secret.verify(code, unix, Some(last_step)) {
            if state.store.claim_totp_step(user.id, step).await? {
                return Ok(Some("authenticator code"));
            }
        }
    }
    let stored = state.store.recovery_codes(user.id).await?;
    let typed = code.to_owned();
    let hashes: Vec<String> = stored.iter().map(|(_, hash)| hash.clone()).collect();
    let found = tokio::task::spawn_blocking(move || RecoveryCodes::find(&typed, &hashes))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    if let Some(index) = found {
        if state
            .store
            .consume_recovery_code(user.id, &stored[index].0)
            .await?
        {
            return Ok(Some("recovery code"));
        }
    }
    Ok(None)
}

pub async fn second_factor(
    State(state): State<AppState>,
    headers: HeaderMap,
    context: RequestContext,
    axum::extract::Form(form): axum::extract::Form<CodeForm>,
) -> Result<Response, PageError> {
    same_origin(&Method::POST, &headers)?;
    let session = pending_session(&state, &headers).await?;
    if !constant_time_eq(&form.csrf, &session.csrf_token) {
        return Err(PageError::CsrfFailed);
    }
    let user = session.user.clone();
    let attempt = begin_attempt(&state, Guarded::SignIn, Some(&user.email), &context).await?;
    let Some(how) = verify_second_factor(&state, &user, &form.code).await? else {
        audit(
            &state,
            user.business,
            actor(&user),
            &context,
            AuditAction::LoginFailed,
            Some(format!("user:{}", user.id)),
            Some("wrong second-factor code".into()),
        )
        .await?;
        return Ok(second_factor_view(
            &session.csrf_token,
            Some("That code is not right, or it was already used. Try the newest code."),
        )
        .into_response());
    };
    let token = IssuedToken::generate();
    let csrf = IssuedToken::generate().plain;
    let now = state.clock.now();
    state
        .store
        .complete_second_factor(
            &session.id,
            NewSession {
                token_hash: &token.hash,
                user: user.id,
                business: user.business,
                csrf_token: &csrf,
                pending_second_factor: false,
                user_agent: context.user_agent.as_deref(),
                now,
                expires_at: now
                    .saturating_add(state.dashboard.lifetimes.absolute)
                    .unwrap_or(Timestamp::MAX),
            },
        )
        .await?;
    attempt_succeeded(&state, &attempt).await?;
    audit(
        &state,
        user.business,
        actor(&user),
        &context,
        AuditAction::LoginSucceeded,
        Some(format!("user:{}", user.id)),
        Some(format!("password and {how}")),
    )
    .await?;
    Ok(with_session_cookie(&state, &token.plain, "/app"))
}

pub async fn logout(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    state
        .store
        .revoke_session(member.user().id, &member.session.id, state.clock.now())
        .await?;
    audit_member(&state, &member, AuditAction::Logout, None, None).await?;
    Ok(clear_session_cookie(&state, "/app/login?done=signed-out"))
}

/// Ends the browser's session cookie after every session of the member was revoked.
pub(super) fn signed_out_everywhere(state: &AppState) -> Response {
    clear_session_cookie(state, "/app/login?done=everywhere")
}

// ---------------------------------------------------------------------------------------
// Forgotten password

#[derive(Debug, Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_view(csrf: &str, sent: bool) -> Markup {
    bare_page(
        "Reset your password",
        html! {
            @if sent {
                div.notice role="status" { "If an account uses this address, we have emailed it a link to choose a new password. The link works for one hour." }
            }
            form method="post" action="/app/forgot" {
                (csrf_input(csrf))
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required;
                p { button type="submit" { "Email me a link" } }
            }
            p { a href="/app/login" { "Back to sign in" } }
        },
    )
}

pub async fn forgot_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    public_page(&headers, &state, |csrf| forgot_view(csrf, false))
}

pub async fn forgot(
    State(state): State<AppState>,
    request: PublicForm<ForgotForm>,
) -> Result<Response, PageError> {
    let PublicForm {
        form,
        context,
        headers,
    } = request;
    // Counted in a bucket of its own, so the form can't flood an inbox, nor lock
    // anyone out of signing in.
    begin_attempt(&state, Guarded::ResetRequest, Some(&form.email), &context).await?;
    // The link is made and mailed after the answer, so the answer takes as long
    // whether or not the address has an account.
    let (task_state, email) = (state.clone(), form.email.clone());
    tokio::spawn(async move {
        if let Err(error) = send_reset_link(&task_state, &email).await {
            tracing::error!(?error, "password reset link not sent");
        }
    });
    Ok(public_page(&headers, &state, |csrf| {
        forgot_view(csrf, true)
    }))
}

/// Creates a reset link for the account of `email`, if there is one, and mails it.
async fn send_reset_link(state: &AppState, email: &str) -> Result<(), PageError> {
    if let Some(user) = state.store.user_by_email(email).await? {
        let token = IssuedToken::generate();
        let now = state.clock.now();
        state
            .store
            .create_password_reset(
                user.id,
                &token.hash,
                now,
                now.saturating_add(RESET_LIFETIME).unwrap_or(Timestamp::MAX),
            )
            .await?;
        let link = format!("{}/app/reset/{}", state.dashboard.public_url, token.plain);
        let mail = Mail::new(
            &user.email,
            "Reset your frontdesk password",
            format!(
                "Hello {},\n\nSomeone (hopefully you) asked to reset the password of your frontdesk account.\n\
                 Choose a new password here within the next hour:\n\n{link}\n\n\
                 If it wasn't you, ignore this email: your password stays as it is.\n",
                                user.name
            ),
        );
        state
            .dashboard
            .mailer
            .send(&mail)
            .await
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, Default)]
pub struct NewPasswordForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn new_password_view(
    csrf: &str,
    action: &str,
    title: &str,
    ask_name: bool,
    error: Option<&str>,
) -> Markup {
    bare_page(
        title,
        html! {
            (error_box(error))
            form method="post" action=(action) {
                (csrf_input(csrf))
                @if ask_name {
                    label for="name" { "Your name" }
                    input id="name" name="name" type="text" autocomplete="name" required;
                }
                label for="password" { "New password" }
                input id="password" name="password" type="password" autocomplete="new-password" required minlength="12";
                label for="confirm" { "New password again" }
                input id="confirm" name="confirm" type="password" autocomplete="new-password" required;
                p { button type="submit" { "Save" } }
            }
        },
    )
}

pub async fn reset_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let action = format!("/app/reset/{token}");
    let mut response = public_page(&headers, &state, |csrf| {
        new_password_view(csrf, &action, "Choose a new password", false, None)
    });
    no_referrer(&mut response);
    response
}

/// Pages whose URL holds a secret token tell the browser never to send it on.
fn no_referrer(response: &mut Response) {
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: PublicForm<NewPasswordForm>,
) -> Result<Response, PageError> {
    let PublicForm {
        form,
        context,
        headers,
    } = request;
    let action = format!("/app/reset/{token}");
    // The policy needs the account's details; the link alone names the account.
    let password = match check_password(&form.password, &form.confirm, "", "") {
        Ok(password) => password,
        Err(message) => {
            return Ok(public_page(&headers, &state, |csrf| {
                new_password_view(
                    csrf,
                    &action,
                    "Choose a new password",
                    false,
                    Some(&format!("Password: {message}.")),
                )
            }))
        }
    };
    let password_hash = hash_blocking(password).await?;
    let user = match state
        .store
        .reset_password(&token_hash(&token), &password_hash, state.clock.now())
        .await
    {
        Ok(user) => user,
        Err(frontdesk_core::assistant::StoreError::NotFound) => {
            return Err(PageError::BadRequest(
                "This link is not valid any more: it was used, or it is more than an hour old. Ask for a new one."
                    .into(),
            ))
        }
        Err(other) => return Err(other.into()),
    };
    // A locked-out owner who proved they own the mailbox may sign in again at once.
    state
        .store
        .clear_attempts(LimitScope::Account, &user.email)
        .await?;
    audit(
        &state,
        user.business,
        actor(&user),
        &context,
        AuditAction::PasswordReset,
        Some(format!("user:{}", user.id)),
        Some("by emailed link; all sessions ended".into()),
    )
    .await?;
    Ok(Redirect::to("/app/login?done=reset").into_response())
}

// ---------------------------------------------------------------------------------------
// Invites

/// Sends an invitation email with a single-use link.
pub(super) async fn send_invite(
    state: &AppState,
    member: &Member,
    email: &str,
    role: Role,
) -> Result<(), PageError> {
    let token = IssuedToken::generate();
    let now = state.clock.now();
    let id = state
        .store
        .create_invite(
            member.business_id(),
            &token.hash,
            email,
            role,
            Some(member.user().id),
            now,
            now.saturating_add(INVITE_LIFETIME)
                .unwrap_or(Timestamp::MAX),
        )
        .await?;
    audit_member(
        state,
        member,
        AuditAction::TeamInvited,
        Some(format!("invite:{id}")),
        Some(format!("{} as {}", normalize_email(email), role.as_str())),
    )
    .await?;
    let link = format!("{}/app/invite/{}", state.dashboard.public_url, token.plain);
    let mail = Mail::new(
        &normalize_email(email),
        &format!("Join {} on frontdesk", member.business.name),
        format!(
            "Hello,\n\n{} invited you to the {} team on frontdesk as {}.\n\
             Accept within 7 days by choosing your password here (the link works once):\n\n{link}\n",
            member.user().name,
                        member.business.name,
            role.label()
        ),
    );
    state
        .dashboard
        .mailer
        .send(&mail)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))
}

pub async fn invite_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let invite = state
        .store
        .invite_by_token(&token_hash(&token), state.clock.now())
        .await?
        .ok_or_else(|| {
            PageError::BadRequest(
                "This invitation is not valid any more: it was used, withdrawn or is more than 7 days old.".into(),
            )
        })?;
    let action = format!("/app/invite/{token}");
    let title = format!("Join as {} ({})", invite.role.label(), invite.email);
    let mut response = public_page(&headers, &state, |csrf| {
        new_password_view(csrf, &action, &title, true, None)
    });
    no_referrer(&mut response);
    Ok(response)
}

pub async fn accept_invite(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: PublicForm<NewPasswordForm>,
) -> Result<Response, PageError> {
    let PublicForm {
        form,
        context,
        headers,
    } = request;
    let hash = token_hash(&token);
    let invite = state
        .store
        .invite_by_token(&hash, state.clock.now())
        .await?
        .ok_or_else(|| PageError::BadRequest("This invitation is not valid any more.".into()))?;
    let action = format!("/app/invite/{token}");
    let name = form.name.trim();
    let checked = if name.is_empty() || name.chars().count() > 100 {
        Err("Enter your name (up to 100 characters).".to_owned())
    } else {
        check_password(&form.password, &form.confirm, "", &invite.email)
            .map_err(|m| format!("Password: {m}."))
    };
    let password = match checked {
        Ok(password) => password,
        Err(message) => {
            return Ok(public_page(&headers, &state, |csrf| {
                new_password_view(csrf, &action, "Join the team", true, Some(&message))
            }))
        }
    };
    let password_hash = hash_blocking(password).await?;
    let user = state
        .store
        .accept_invite(&hash, name, &password_hash, state.clock.now())
        .await?;
    audit(
        &state,
        user.business,
        actor(&user),
        &context,
        AuditAction::InviteAccepted,
        Some(format!("user:{}", user.id)),
        Some(format!("joined as {}", user.role.as_str())),
    )
    .await?;
    start_session(&state, &user, &context, false, "/app").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe_and_never_empty() {
        assert_eq!(
            slug_from_name("Bright Smiles Dental!"),
            "bright-smiles-dental"
        );
        assert_eq!(slug_from_name("  Café & Co  "), "caf-co");
        assert_eq!(slug_from_name("!!!"), "business");
    }

    #[test]
    fn the_starter_file_is_a_valid_business_whatever_the_name() {
        let source = starter_file("x", "Joe's \"Best\" [Bakery]\nnew line", "Europe/London");
        let business = Business::from_toml(&source).unwrap();
        assert_eq!(business.name, "Joe's \"Best\" [Bakery]\nnew line");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(valid_email("ana@example.com"));
        assert!(!valid_email("ana@example"));
        assert!(!valid_email("@example.com"));
        assert!(!valid_email("ana example@example.com"));
    }
}
