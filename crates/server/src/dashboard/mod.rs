//! The owner's dashboard under `/app`: accounts and sessions, team and roles, the
//! business's knowledge, conversations, leads and the audit log.
//!
//! Every handler takes a [`session::Member`] (or, for state changes, a
//! [`session::Posted`] form, which also checks CSRF) and asks the member's role before
//! acting; every store call is scoped by the member's business, so another business's
//! ids find nothing.

mod appointments;
mod audit_log;
mod auth;
mod billing;
mod business;
mod calls;
mod error;
mod home;
mod integrations;
mod privacy;
mod security;
pub mod session;
mod settings;
mod team;
mod views;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use frontdesk_core::audit::{Actor, AuditAction, AuditEvent};
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::mail::Mailer;
use jiff::SignedDuration;

pub use error::PageError;
use session::{Member, RequestContext, SessionLifetimes};

use crate::AppState;

/// How the dashboard behaves; see [`crate::Config`].
#[derive(Debug, Clone)]
pub struct DashboardSettings {
    pub lifetimes: SessionLifetimes,
    /// Reverse proxies in front of the server whose `X-Forwarded-For` is believed.
    pub trusted_proxy_hops: usize,
    /// The dashboard's public address, for links in emails. Never taken from a request's
    /// `Host` header, which a client chooses (reset links must not point elsewhere).
    pub public_url: String,
    /// Delivers invites and password resets.
    pub mailer: Arc<dyn Mailer>,
    pub login_limits: LoginLimits,
}

impl DashboardSettings {
    /// Whether cookies get the `Secure` attribute.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Failed sign-ins allowed within a window before more are refused.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window: SignedDuration,
    pub per_account: i64,
    pub per_ip: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window: SignedDuration::from_mins(15),
            per_account: 5,
            per_ip: 30,
        }
    }
}

/// The `/app` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/login", get(auth::login_page).post(auth::login))
        .route(
            "/login/code",
            get(auth::second_factor_page).post(auth::second_factor),
        )
        .route("/logout", post(auth::logout))
        .route("/forgot", get(auth::forgot_page).post(auth::forgot))
        .route("/reset/{token}", get(auth::reset_page).post(auth::reset))
        .route(
            "/invite/{token}",
            get(auth::invite_page).post(auth::accept_invite),
        )
        .route("/conversations", get(home::conversations))
        .route("/conversations/{id}", get(home::transcript))
        .route("/preview", get(home::preview))
        .route("/calls", get(calls::page))
        .route("/calls/try", post(calls::try_turn))
        .route("/calls/{id}", get(calls::detail))
        .route("/appointments", get(appointments::page))
        .route("/appointments/{id}/cancel", post(appointments::cancel))
        .route("/appointments/{id}/no-show", post(appointments::no_show))
        .route("/leads", get(home::leads))
        .route("/leads.csv", get(home::leads_csv))
        .route("/conversations.csv", get(privacy::transcripts_csv))
        .route(
            "/conversations/{id}/delete",
            post(privacy::delete_conversation),
        )
        .route("/privacy", get(privacy::page))
        .route("/privacy/export", post(privacy::export))
        .route("/privacy/delete", post(privacy::delete))
        .route(
            "/account/close",
            get(privacy::danger_zone).post(privacy::close),
        )
        .route("/business", get(business::page))
        .route("/business/hours", post(business::save_hours))
        .route("/business/file", post(business::save_file))
        .route("/settings", get(settings::page))
        .route("/settings/model", post(settings::save_model))
        .route("/settings/phone", post(calls::save_phone))
        .route("/settings/google/connect", post(integrations::connect))
        .route("/settings/google/callback", get(integrations::callback))
        .route(
            "/settings/google/disconnect",
            post(integrations::disconnect),
        )
        .route("/billing", get(billing::page))
        .route("/billing/checkout", post(billing::checkout))
        .route("/billing/portal", post(billing::portal))
        .route("/team", get(team::page))
        .route("/team/invite", post(team::invite))
        .route("/team/invites/{id}/revoke", post(team::revoke_invite))
        .route("/team/{user}/role", post(team::change_role))
        .route("/team/{user}/remove", post(team::remove))
        .route("/security", get(security::page))
        .route("/security/2fa/start", post(security::start_enrolment))
        .route("/security/2fa/confirm", post(security::confirm_enrolment))
        .route("/security/2fa/remove", post(security::remove_second_factor))
        .route(
            "/security/sessions/{id}/revoke",
            post(security::revoke_session),
        )
        .route(
            "/security/sign-out-everywhere",
            post(security::sign_out_everywhere),
        )
        .route("/audit", get(audit_log::page))
        .route("/audit.csv", get(audit_log::export))
        .route("/account", get(security::account_page))
        .route("/account/password", post(security::change_password))
        .route("/account/notifications", post(security::save_notifications))
}

/// The dashboard's JSON API, nested under `/api/v1`: the same session, roles and CSRF
/// token (`X-CSRF-Token`) as the pages.
pub fn json_router() -> Router<AppState> {
    Router::new()
        .route("/app/leads", get(home::leads_json))
        .route("/app/appointments", get(appointments::list_json))
        .route(
            "/app/appointments/{id}/status",
            post(appointments::set_status_json),
        )
        .route("/app/data-subject/export", post(privacy::export_json))
        .route("/app/data-subject/delete", post(privacy::delete_json))
}

/// Appends an audit event and waits until it is stored: an audited action is only
/// reported done once its record is durable.
async fn audit(
    state: &AppState,
    business: BusinessId,
    actor: Actor,
    context: &RequestContext,
    action: AuditAction,
    resource: Option<String>,
    detail: Option<String>,
) -> Result<(), PageError> {
    let event = AuditEvent {
        business,
        at: state.clock.now(),
        actor,
        action,
        resource,
        ip: context.ip.map(|ip| ip.to_string()),
        user_agent: context.user_agent.clone(),
        detail,
    };
    state.store.append_audit(&event).await?;
    Ok(())
}

/// [`audit`] for an action of a signed-in member.
async fn audit_member(
    state: &AppState,
    member: &Member,
    action: AuditAction,
    resource: Option<String>,
    detail: Option<String>,
) -> Result<(), PageError> {
    let actor = Actor {
        user_id: Some(member.user().id.to_string()),
        email: Some(member.user().email.clone()),
    };
    audit(
        state,
        member.business_id(),
        actor,
        &member.context,
        action,
        resource,
        detail,
    )
    .await
}

impl Member {
    pub fn business_id(&self) -> BusinessId {
        self.business.id
    }
}
