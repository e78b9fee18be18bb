//! The `serve` flags of Stripe billing. The keys come only from the environment, never a
//! flag, so they stay out of shell history and process listings.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use frontdesk_billing::{Plans, StripeClient, DEFAULT_API_BASE};
use frontdesk_core::billing::DEFAULT_GRACE;
use frontdesk_server::BillingSettings;
use jiff::SignedDuration;

const SECRET_KEY_ENV: &str = "FRONTDESK_STRIPE_SECRET_KEY";
const WEBHOOK_SECRET_ENV: &str = "FRONTDESK_STRIPE_WEBHOOK_SECRET";

/// Billing is on when FRONTDESK_STRIPE_SECRET_KEY is set; without it every business runs
/// unlimited.
#[derive(Debug, Args)]
pub struct BillingArgs {
    /// The plans on offer (TOML: [[plan]] id, name, stripe_price, conversations_per_month).
    /// Needed with FRONTDESK_STRIPE_SECRET_KEY and FRONTDESK_STRIPE_WEBHOOK_SECRET.
    #[arg(long, env = "FRONTDESK_BILLING_PLANS")]
    billing_plans: Option<PathBuf>,
    /// Days an overdue business keeps its assistant before the widget shows a
    /// contact-the-business notice.
    #[arg(long, env = "FRONTDESK_BILLING_GRACE_DAYS", default_value_t = DEFAULT_GRACE.as_hours() / 24)]
    billing_grace_days: i64,
    /// Stripe's API root.
    #[arg(long, env = "FRONTDESK_STRIPE_API_BASE", default_value = DEFAULT_API_BASE)]
    stripe_api_base: String,
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The billing settings, `None` without a Stripe key; a half-configured billing is an
/// error, not a silent skip.
pub fn settings(args: &BillingArgs) -> Result<Option<BillingSettings>, String> {
    let Some(key) = env_secret(SECRET_KEY_ENV) else {
        return Ok(None);
    };
    let webhook_secret = env_secret(WEBHOOK_SECRET_ENV)
        .ok_or_else(|| format!("{SECRET_KEY_ENV} is set but {WEBHOOK_SECRET_ENV} is not"))?;
    let path = args
        .billing_plans
        .as_ref()
        .ok_or_else(|| format!("{SECRET_KEY_ENV} is set but --billing-plans is not"))?;
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let plans = Plans::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if !(0..=90).contains(&args.billing_grace_days) {
        return Err("--billing-grace-days must be between 0 and 90".into());
    }
    Ok(Some(BillingSettings {
        client: StripeClient::new(key, args.stripe_api_base.clone()),
        webhook_secret,
        plans: Arc::new(plans),
        grace: SignedDuration::from_hours(24 * args.billing_grace_days),
    }))
}
