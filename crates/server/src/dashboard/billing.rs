//! The Billing page (Owners): the business's plan and payment status, and buttons that
//! send the owner to Stripe's hosted Checkout (to subscribe) or Customer Portal (to change
//! plan, card or cancel). Shown only when the server has billing configured.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_billing::{CheckoutRequest, StripeError};
use frontdesk_core::accounts::Permission;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::billing::Standing;
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::session::{NoFields, Posted};
use super::views::{csrf_field, layout, local_time};
use super::{audit_member, Member};
use crate::billing::BillingSettings;
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct BillingQuery {
    /// Set by Stripe's redirect after a finished checkout.
    #[serde(default)]
    done: Option<String>,
}

fn settings<'a>(state: &'a AppState, member: &Member) -> Result<&'a BillingSettings, PageError> {
    member.require(Permission::ManageBilling)?;
    state.billing.as_deref().ok_or(PageError::NotFound)
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<BillingQuery>,
) -> Result<Markup, PageError> {
    let billing = settings(&state, &member)?;
    let subscription = state.store.subscription(member.business_id()).await?;
    let standing = Standing::of(subscription.as_ref(), billing.grace, state.clock.now());
    let zone = super::home::business_timezone(&member)?;
    let plan = subscription
        .as_ref()
        .and_then(|s| s.plan.as_deref())
        .map(|id| billing.plans.get(id).map_or(id, |p| p.name.as_str()));
    let status = subscription.as_ref().and_then(|s| s.status);
    let has_customer = subscription.as_ref().is_some_and(|s| s.customer.is_some());
    Ok(layout(
        &member,
        "/app/billing",
        "Billing",
        html! {
            @if query.done.is_some() {
                div.notice role="status" { "Thank you. Your subscription shows here as soon as Stripe confirms it." }
            }
            section.card aria-labelledby="plan-title" {
                h2 id="plan-title" { "Your plan" }
                p { "Plan: " strong { (plan.unwrap_or("none")) } }
                p { "Status: " strong { (status.map_or("No subscription", |s| s.label())) } }
                @if let Some(end) = subscription.as_ref().and_then(|s| s.current_period_end) {
                    p.muted { "Current period ends " (local_time(end, &zone)) "." }
                }
                @match standing {
                    Standing::InGrace { until } => div.error role="alert" {
                        "A payment failed. Your assistant keeps answering until " (local_time(until, &zone))
                        "; after that, visitors are asked to contact you directly until the payment goes through. Nothing is deleted."
                    },
                    Standing::Lapsed => div.error role="alert" {
                        "Your assistant is paused: visitors see how to contact you directly. Your data is kept. Subscribe or update your payment to turn it back on."
                    },
                    Standing::InGoodStanding => {},
                }
                @if has_customer {
                    form method="post" action="/app/billing/portal" {
                        (csrf_field(&member))
                        button type="submit" { "Manage payment, plan or cancellation" }
                    }
                }
            }
            section.card aria-labelledby="plans-title" {
                h2 id="plans-title" { "Plans" }
                ul {
                    @for plan in billing.plans.all() {
                        li {
                            form.inline method="post" action="/app/billing/checkout" {
                                (csrf_field(&member))
                                input type="hidden" name="plan" value=(plan.id);
                                strong { (plan.name) }
                                " — "
                                @match plan.conversations_per_month {
                                    Some(n) => { (n) " conversations a month " },
                                    None => "unlimited conversations ",
                                }
                                button type="submit" { "Subscribe to " (plan.name) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    plan: String,
}

/// Opens a Stripe Checkout session for the chosen plan and sends the owner there.
pub async fn checkout(
    State(state): State<AppState>,
    posted: Posted<CheckoutForm>,
) -> Result<Response, PageError> {
    let member = posted.member;
    let billing = settings(&state, &member)?;
    let plan = billing
        .plans
        .get(&posted.form.plan)
        .ok_or_else(|| PageError::BadRequest("Choose one of the plans listed.".into()))?;
    let business = member.business_id().to_string();
    let subscription = state.store.subscription(member.business_id()).await?;
    let base = &state.dashboard.public_url;
    let success_url = format!("{base}/app/billing?done=1");
    let cancel_url = format!("{base}/app/billing");
    let session = billing
        .client
        .checkout_session(&CheckoutRequest {
            business_id: &business,
            plan_id: &plan.id,
            price_id: &plan.stripe_price,
            customer: subscription.as_ref().and_then(|s| s.customer.as_deref()),
            success_url: &success_url,
            cancel_url: &cancel_url,
        })
        .await
        .map_err(stripe_failed)?;
    audit_member(
        &state,
        &member,
        AuditAction::BillingCheckoutStarted,
        Some(format!("plan:{}", plan.id)),
        Some(format!("checkout session {}", session.id)),
    )
    .await?;
    Ok(Redirect::to(&session.url).into_response())
}

/// Opens the Stripe Customer Portal for the business's customer.
pub async fn portal(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    let billing = settings(&state, &member)?;
    let customer = state
        .store
        .subscription(member.business_id())
        .await?
        .and_then(|s| s.customer)
        .ok_or_else(|| PageError::Conflict("Subscribe to a plan first.".into()))?;
    let return_url = format!("{}/app/billing", state.dashboard.public_url);
    let session = billing
        .client
        .portal_session(&customer, &return_url)
        .await
        .map_err(stripe_failed)?;
    audit_member(
        &state,
        &member,
        AuditAction::BillingPortalOpened,
        Some(format!("customer:{customer}")),
        None,
    )
    .await?;
    Ok(Redirect::to(&session.url).into_response())
}

fn stripe_failed(error: StripeError) -> PageError {
    tracing::warn!(%error, "a Stripe session could not be created");
    PageError::Conflict(format!(
        "Stripe could not open the page right now ({error}). Please try again in a minute; if it keeps failing, tell whoever runs this server."
    ))
}
