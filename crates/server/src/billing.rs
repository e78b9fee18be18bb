//! Stripe billing in the server: the signed webhook that keeps each business's
//! subscription state, and the standing that decides whether its assistant answers.
//! Without [`BillingSettings`] none of this runs and every business is unlimited.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontdesk_billing::{parse_event, verify_signature, Plans, StripeClient};
use frontdesk_core::assistant::LoadedBusiness;
use frontdesk_core::audit::{Actor, AuditAction, AuditEvent};
use frontdesk_core::billing::{BillingOutcome, Standing};
use jiff::SignedDuration;

use crate::api::direct_contact;
use crate::error::ApiError;
use crate::AppState;

/// Billing, when the server has a Stripe key.
#[derive(Clone)]
pub struct BillingSettings {
    pub client: StripeClient,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    pub plans: Arc<Plans>,
    /// How long an overdue business keeps its assistant.
    pub grace: SignedDuration,
}

impl std::fmt::Debug for BillingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingSettings")
            .field("client", &self.client)
            .field("webhook_secret", &"[redacted]")
            .field("plans", &self.plans)
            .field("grace", &self.grace)
            .finish()
    }
}

/// `POST /webhooks/stripe`: verifies the signature over the raw body, then applies the
/// event once. 400 for a bad signature or body (Stripe shows it to the operator); 200 for
/// anything verified, replays and kinds we ignore included, so Stripe stops retrying; 500
/// only when the store failed, so Stripe retries later.
pub async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let billing = state.billing.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "billing is not enabled on this server",
        )
    })?;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = state.clock.now();
    verify_signature(signature, &body, &billing.webhook_secret, now).map_err(|error| {
        tracing::warn!(%error, "refused a Stripe webhook");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_signature",
            error.to_string(),
        )
    })?;
    let event = parse_event(&body, &billing.plans).map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_event", error.to_string())
    })?;
    let outcome = state.store.apply_billing_event(&event, now).await?;
    tracing::info!(event = %event.id, kind = %event.kind, ?outcome, "Stripe webhook");
    if let BillingOutcome::Applied { business, status } = outcome {
        let event_record = AuditEvent {
            business,
            at: now,
            actor: Actor::system(),
            action: AuditAction::SubscriptionChanged,
            resource: Some(format!("stripe_event:{}", event.id)),
            ip: None,
            user_agent: None,
            detail: Some(format!(
                "{}: {}",
                event.kind,
                status.map_or("linked", |s| s.as_str())
            )),
        };
        state.store.append_audit(&event_record).await?;
    }
    Ok((StatusCode::OK, Json(serde_json::json!({"received": true}))).into_response())
}

/// Whether a business's assistant answers: always without billing; otherwise by its
/// subscription and the grace period. A store failure here lets the assistant answer (and
/// is logged): billing must not take the chat down.
pub async fn standing(state: &AppState, business: &LoadedBusiness) -> Standing {
    let Some(billing) = &state.billing else {
        return Standing::InGoodStanding;
    };
    match state.store.subscription(business.id).await {
        Ok(subscription) => Standing::of(subscription.as_ref(), billing.grace, state.clock.now()),
        Err(error) => {
            tracing::warn!(%error, "reading the subscription failed; the assistant answers");
            Standing::InGoodStanding
        }
    }
}

/// Whether a business may start another conversation this month (UTC calendar month)
/// under its plan's `conversations_per_month`. Conversations already started go on; a
/// business without billing, a plan or a limit is unlimited; a store failure is logged
/// and lets the conversation start.
pub async fn may_start_conversation(state: &AppState, business: &LoadedBusiness) -> bool {
    let Some(billing) = &state.billing else {
        return true;
    };
    let counted = async {
        let subscription = state.store.subscription(business.id).await?;
        let limit = subscription
            .and_then(|s| s.plan)
            .and_then(|plan| billing.plans.get(&plan).cloned())
            .and_then(|plan| plan.conversations_per_month);
        let Some(limit) = limit else {
            return Ok(true);
        };
        let today = state.clock.now().to_zoned(jiff::tz::TimeZone::UTC);
        let month_start = today
            .first_of_month()
            .and_then(|day| day.start_of_day())
            .map(|start| start.timestamp())
            .unwrap_or_else(|_| today.timestamp());
        let started = state
            .store
            .conversations_started_since(business.id, month_start)
            .await?;
        Ok::<_, frontdesk_core::assistant::StoreError>(started < i64::from(limit))
    };
    counted.await.unwrap_or_else(|error| {
        tracing::warn!(%error, "checking the plan's conversations failed; the conversation starts");
        true
    })
}

/// What the widget shows instead of the assistant when a business's billing has lapsed:
/// how to reach the business directly.
pub fn contact_notice(business: &LoadedBusiness) -> String {
    format!(
        "The chat assistant of {} is not available right now. {}",
        business.knowledge.business.name,
        direct_contact(business)
    )
}
