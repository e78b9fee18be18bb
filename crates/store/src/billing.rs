//! Subscription state kept from the payment provider's webhook events: each event applied
//! once (by id, in the same transaction as its change), and never over a newer state.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::billing::{
    BillingChange, BillingEvent, BillingOutcome, Subscription, SubscriptionStatus,
};
use frontdesk_core::conversation::BusinessId;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};

use crate::store::{backend_error, from_millis, millis, uuid_column};
use crate::Store;

/// Statuses no later event about the same subscription may leave.
const FINAL: &str = "('canceled', 'incomplete_expired')";

impl Store {
    /// The subscription of a business, if it ever started a checkout that completed.
    pub async fn subscription(
        &self,
        business: BusinessId,
    ) -> Result<Option<Subscription>, StoreError> {
        let row = sqlx::query(
            "SELECT business_id, customer_id, plan_id, status, overdue_since, current_period_end \
             FROM billing_subscriptions WHERE business_id = $1",
        )
        .bind(business.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let status: Option<String> = row.try_get("status").map_err(backend_error)?;
        let customer: Option<String> = row.try_get("customer_id").map_err(backend_error)?;
        let overdue: Option<i64> = row.try_get("overdue_since").map_err(backend_error)?;
        let period_end: Option<i64> = row.try_get("current_period_end").map_err(backend_error)?;
        Ok(Some(Subscription {
            business: BusinessId(uuid_column(&row, "business_id")?),
            plan: row.try_get("plan_id").map_err(backend_error)?,
            status: status.as_deref().and_then(SubscriptionStatus::parse),
            overdue_since: overdue.map(from_millis).transpose()?,
            current_period_end: period_end.map(from_millis).transpose()?,
            customer,
        }))
    }

    /// Applies a verified provider event, once: the event's id is recorded in the same
    /// transaction as its change, so a replay (or a retry after a crash before the
    /// answer) finds it and changes nothing. An event older than the state already held
    /// is recorded but not applied, and an ended subscription is never revived by a
    /// late event about it.
    pub async fn apply_billing_event(
        &self,
        event: &BillingEvent,
        received_at: Timestamp,
    ) -> Result<BillingOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let first_time = sqlx::query(
            "INSERT INTO billing_events (id, kind, created_at, outcome, received_at) \
             VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&event.id)
        .bind(&event.kind)
        .bind(millis(event.created))
        .bind(millis(received_at))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?
        .rows_affected()
            == 1;
        if !first_time {
            return Ok(BillingOutcome::Replayed);
        }
        let outcome = match &event.change {
            None => BillingOutcome::Unmatched,
            Some(change) => apply(&mut tx, change, event.created, received_at).await?,
        };
        let label = match outcome {
            BillingOutcome::Applied { .. } => "applied",
            BillingOutcome::Stale => "stale",
            BillingOutcome::Unmatched | BillingOutcome::Replayed => "unmatched",
        };
        sqlx::query("UPDATE billing_events SET outcome = $1 WHERE id = $2")
            .bind(label)
            .bind(&event.id)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(outcome)
    }
}

async fn apply(
    tx: &mut Transaction<'static, Any>,
    change: &BillingChange,
    at: Timestamp,
    now: Timestamp,
) -> Result<BillingOutcome, StoreError> {
    match change {
        BillingChange::CheckoutCompleted {
            business,
            customer,
            subscription,
            plan,
        } => {
            if !business_exists(tx, *business).await? {
                return Ok(BillingOutcome::Unmatched);
            }
            // Links the business to its customer; the status comes from subscription
            // events, except that a first (or renewed) checkout counts as paid until they
            // arrive.
            sqlx::query(&format!(
                "INSERT INTO billing_subscriptions \
                   (business_id, customer_id, subscription_id, plan_id, status, updated_at) \
                 VALUES ($1, $2, $3, $4, 'active', $5) \
                 ON CONFLICT (business_id) DO UPDATE SET \
                   customer_id = excluded.customer_id, \
                   status = CASE WHEN billing_subscriptions.status IS NULL \
                     OR (billing_subscriptions.status IN {FINAL} \
                         AND COALESCE(billing_subscriptions.subscription_id, '') \
                             <> COALESCE(excluded.subscription_id, '')) \
                     THEN 'active' ELSE billing_subscriptions.status END, \
                   subscription_id = COALESCE(excluded.subscription_id, billing_subscriptions.subscription_id), \
                   plan_id = COALESCE(excluded.plan_id, billing_subscriptions.plan_id), \
                   updated_at = excluded.updated_at"
            ))
            .bind(business.to_string())
            .bind(customer)
            .bind(subscription.clone())
            .bind(plan.clone())
            .bind(millis(now))
            .execute(&mut **tx)
            .await
            .map_err(backend_error)?;
            let status = current_status(tx, *business).await?;
            Ok(BillingOutcome::Applied {
                business: *business,
                status,
            })
        }
        BillingChange::Subscription {
            business,
            customer,
            subscription,
            status,
            plan,
            current_period_end,
        } => {
            let business = match business {
                Some(id) if business_exists(tx, *id).await? => Some(*id),
                _ => business_of_customer(tx, customer).await?,
            };
            let Some(business) = business else {
                return Ok(BillingOutcome::Unmatched);
            };
            sqlx::query(
                "INSERT INTO billing_subscriptions (business_id, customer_id, updated_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (business_id) DO NOTHING",
            )
            .bind(business.to_string())
            .bind(customer)
            .bind(millis(now))
            .execute(&mut **tx)
            .await
            .map_err(backend_error)?;
            let changed = sqlx::query(&format!(
                "UPDATE billing_subscriptions SET \
                   customer_id = $2, subscription_id = $3, status = $4, \
                   plan_id = COALESCE($5, plan_id), \
                   overdue_since = CASE WHEN $6 = 1 THEN COALESCE(overdue_since, $7) ELSE NULL END, \
                   current_period_end = COALESCE($8, current_period_end), \
                   state_at = $7, updated_at = $9 \
                 WHERE business_id = $1 \
                   AND (state_at IS NULL OR state_at <= $7) \
                   AND NOT (COALESCE(subscription_id, '') = $3 AND COALESCE(status, '') IN {FINAL}) \
                   AND NOT ($10 = 1 AND COALESCE(subscription_id, $3) <> $3 \
                            AND COALESCE(status, '') NOT IN {FINAL})"
            ))
            .bind(business.to_string())
            .bind(customer)
            .bind(subscription)
            .bind(status.as_str())
            .bind(plan.clone())
            .bind(i64::from(status.is_overdue()))
            .bind(millis(at))
            .bind(current_period_end.map(millis))
            .bind(millis(now))
            .bind(i64::from(status.is_final()))
            .execute(&mut **tx)
            .await
            .map_err(backend_error)?
            .rows_affected();
            Ok(applied_or_stale(changed, business, Some(*status)))
        }
        BillingChange::InvoicePaid {
            customer,
            subscription,
        }
        | BillingChange::InvoicePaymentFailed {
            customer,
            subscription,
        } => {
            let status = if matches!(change, BillingChange::InvoicePaid { .. }) {
                SubscriptionStatus::Active
            } else {
                SubscriptionStatus::PastDue
            };
            settle(tx, customer, subscription.as_deref(), status, at, now).await
        }
    }
}

/// An invoice's outcome: paid settles an overdue subscription, failed makes a live one
/// overdue (from the first failure on). Older than the state held, or about another
/// subscription than the business's current one, it changes nothing.
async fn settle(
    tx: &mut Transaction<'static, Any>,
    customer: &str,
    subscription: Option<&str>,
    status: SubscriptionStatus,
    at: Timestamp,
    now: Timestamp,
) -> Result<BillingOutcome, StoreError> {
    let Some(business) = business_of_customer(tx, customer).await? else {
        return Ok(BillingOutcome::Unmatched);
    };
    let applies_to = if status == SubscriptionStatus::Active {
        "COALESCE(status, '') IN ('past_due', 'unpaid', 'incomplete')".to_owned()
    } else {
        format!("COALESCE(status, '') NOT IN {FINAL}")
    };
    let changed = sqlx::query(&format!(
        "UPDATE billing_subscriptions SET status = $2, \
           overdue_since = CASE WHEN $3 = 1 THEN COALESCE(overdue_since, $4) ELSE NULL END, \
           state_at = $4, updated_at = $5 \
         WHERE business_id = $1 AND (state_at IS NULL OR state_at <= $4) AND {applies_to} \
           AND ($6 IS NULL OR subscription_id IS NULL OR subscription_id = $6)"
    ))
    .bind(business.to_string())
    .bind(status.as_str())
    .bind(i64::from(status.is_overdue()))
    .bind(millis(at))
    .bind(millis(now))
    .bind(subscription.map(str::to_owned))
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?
    .rows_affected();
    Ok(applied_or_stale(changed, business, Some(status)))
}

fn applied_or_stale(
    changed: u64,
    business: BusinessId,
    status: Option<SubscriptionStatus>,
) -> BillingOutcome {
    if changed == 0 {
        BillingOutcome::Stale
    } else {
        BillingOutcome::Applied { business, status }
    }
}

async fn business_exists(
    tx: &mut Transaction<'static, Any>,
    business: BusinessId,
) -> Result<bool, StoreError> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM businesses WHERE id = $1")
        .bind(business.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend_error)?;
    Ok(found.is_some())
}

async fn business_of_customer(
    tx: &mut Transaction<'static, Any>,
    customer: &str,
) -> Result<Option<BusinessId>, StoreError> {
    let row = sqlx::query("SELECT business_id FROM billing_subscriptions WHERE customer_id = $1")
        .bind(customer)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend_error)?;
    row.map(|row| uuid_column(&row, "business_id").map(BusinessId))
        .transpose()
}

async fn current_status(
    tx: &mut Transaction<'static, Any>,
    business: BusinessId,
) -> Result<Option<SubscriptionStatus>, StoreError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM billing_subscriptions WHERE business_id = $1")
            .bind(business.to_string())
            .fetch_one(&mut **tx)
            .await
            .map_err(backend_error)?;
    Ok(status.as_deref().and_then(SubscriptionStatus::parse))
}
