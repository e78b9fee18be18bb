//! Subscription state from billing events on SQLite and PostgreSQL: applied once by event
//! id, never regressed by an older event arriving late, an ended subscription never
//! revived, and events for no known business recorded without effect.

use frontdesk_core::billing::{BillingChange, BillingEvent, BillingOutcome, SubscriptionStatus};
use frontdesk_core::conversation::BusinessId;

use super::{at, with_business};
use crate::testing::BACKENDS;

fn event(id: &str, created: i64, change: BillingChange) -> BillingEvent {
    BillingEvent {
        id: id.into(),
        kind: "test".into(),
        created: at(created),
        change: Some(change),
    }
}

fn subscription(
    business: Option<BusinessId>,
    id: &str,
    status: SubscriptionStatus,
) -> BillingChange {
    BillingChange::Subscription {
        business,
        customer: "cus_1".into(),
        subscription: id.into(),
        status,
        plan: Some("starter".into()),
        current_period_end: Some(at(30 * 86_400)),
    }
}

fn checkout(business: BusinessId) -> BillingChange {
    BillingChange::CheckoutCompleted {
        business,
        customer: "cus_1".into(),
        subscription: Some("sub_1".into()),
        plan: Some("starter".into()),
    }
}

#[tokio::test]
async fn a_checkout_links_the_business_and_replays_change_nothing() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        assert!(store.subscription(business).await.unwrap().is_none());
        let completed = event("evt_1", 10, checkout(business));
        assert_eq!(
            store.apply_billing_event(&completed, at(11)).await.unwrap(),
            BillingOutcome::Applied {
                business,
                status: Some(SubscriptionStatus::Active)
            }
        );
        let held = store.subscription(business).await.unwrap().unwrap();
        assert_eq!(held.status, Some(SubscriptionStatus::Active));
        assert_eq!(held.plan.as_deref(), Some("starter"));
        assert_eq!(held.customer.as_deref(), Some("cus_1"));
        // The same event again (a retry, or a replay): recorded once, nothing done.
        let failed = event(
            "evt_2",
            20,
            BillingChange::InvoicePaymentFailed {
                customer: "cus_1".into(),
                subscription: Some("sub_1".into()),
            },
        );
        assert!(matches!(
            store.apply_billing_event(&failed, at(21)).await.unwrap(),
            BillingOutcome::Applied { .. }
        ));
        let paid = event(
            "evt_3",
            30,
            BillingChange::InvoicePaid {
                customer: "cus_1".into(),
                subscription: Some("sub_1".into()),
            },
        );
        assert!(matches!(
            store.apply_billing_event(&paid, at(31)).await.unwrap(),
            BillingOutcome::Applied { .. }
        ));
        assert_eq!(
            store.apply_billing_event(&failed, at(40)).await.unwrap(),
            BillingOutcome::Replayed,
            "{backend:?}"
        );
        let held = store.subscription(business).await.unwrap().unwrap();
        assert_eq!(held.status, Some(SubscriptionStatus::Active), "{backend:?}");
        assert_eq!(held.overdue_since, None);
    }
}

#[tokio::test]
async fn an_older_event_arriving_late_never_overwrites_a_newer_state() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let b = Some(business);
        // Stripe sent: created (incomplete) at 10, updated (active) at 20, updated
        // (past_due) at 30. They arrive as 30, 10, 20.
        let past_due = event(
            "evt_c",
            30,
            subscription(b, "sub_1", SubscriptionStatus::PastDue),
        );
        let created = event(
            "evt_a",
            10,
            subscription(b, "sub_1", SubscriptionStatus::Incomplete),
        );
        let active = event(
            "evt_b",
            20,
            subscription(b, "sub_1", SubscriptionStatus::Active),
        );
        assert!(matches!(
            store.apply_billing_event(&past_due, at(31)).await.unwrap(),
            BillingOutcome::Applied { .. }
        ));
        assert_eq!(
            store.apply_billing_event(&created, at(32)).await.unwrap(),
            BillingOutcome::Stale
        );
        assert_eq!(
            store.apply_billing_event(&active, at(33)).await.unwrap(),
            BillingOutcome::Stale
        );
        let held = store.subscription(business).await.unwrap().unwrap();
        assert_eq!(
            held.status,
            Some(SubscriptionStatus::PastDue),
            "{backend:?}"
        );
        assert_eq!(held.overdue_since, Some(at(30)));
        // A later failure keeps the first overdue moment: the grace period doesn't restart.
        let again = event(
            "evt_d",
            40,
            BillingChange::InvoicePaymentFailed {
                customer: "cus_1".into(),
                subscription: None,
            },
        );
        store.apply_billing_event(&again, at(41)).await.unwrap();
        let held = store.subscription(business).await.unwrap().unwrap();
        assert_eq!(held.overdue_since, Some(at(30)), "{backend:?}");
        // An invoice paid before the failure, arriving now, settles nothing.
        let early_paid = event(
            "evt_e",
            35,
            BillingChange::InvoicePaid {
                customer: "cus_1".into(),
                subscription: None,
            },
        );
        assert_eq!(
            store
                .apply_billing_event(&early_paid, at(42))
                .await
                .unwrap(),
            BillingOutcome::Stale
        );
        assert_eq!(
            store.subscription(business).await.unwrap().unwrap().status,
            Some(SubscriptionStatus::PastDue)
        );
    }
}

#[tokio::test]
async fn an_ended_subscription_is_not_revived_and_an_old_one_ending_leaves_the_new() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let b = Some(business);
        let deleted = event(
            "evt_1",
            50,
            subscription(b, "sub_1", SubscriptionStatus::Canceled),
        );
        store.apply_billing_event(&deleted, at(51)).await.unwrap();
        // Same second, other order: an update about the ended subscription is stale.
        let update = event(
            "evt_2",
            50,
            subscription(b, "sub_1", SubscriptionStatus::Active),
        );
        assert_eq!(
            store.apply_billing_event(&update, at(52)).await.unwrap(),
            BillingOutcome::Stale
        );
        assert_eq!(
            store.subscription(business).await.unwrap().unwrap().status,
            Some(SubscriptionStatus::Canceled),
            "{backend:?}"
        );
        // The owner subscribes again: a new subscription is live...
        let renewed = event(
            "evt_3",
            60,
            subscription(b, "sub_2", SubscriptionStatus::Active),
        );
        assert!(matches!(
            store.apply_billing_event(&renewed, at(61)).await.unwrap(),
            BillingOutcome::Applied { .. }
        ));
        // ...and a late word that some other subscription ended doesn't end it.
        let old_ends = event(
            "evt_4",
            70,
            subscription(b, "sub_0", SubscriptionStatus::Canceled),
        );
        assert_eq!(
            store.apply_billing_event(&old_ends, at(71)).await.unwrap(),
            BillingOutcome::Stale
        );
        assert_eq!(
            store.subscription(business).await.unwrap().unwrap().status,
            Some(SubscriptionStatus::Active),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn events_for_no_known_business_are_recorded_without_effect() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let stranger = event(
            "evt_1",
            10,
            BillingChange::InvoicePaid {
                customer: "cus_unknown".into(),
                subscription: None,
            },
        );
        assert_eq!(
            store.apply_billing_event(&stranger, at(11)).await.unwrap(),
            BillingOutcome::Unmatched
        );
        assert_eq!(
            store.apply_billing_event(&stranger, at(12)).await.unwrap(),
            BillingOutcome::Replayed
        );
        let ghost = BusinessId(uuid::Uuid::now_v7());
        let lost = event("evt_2", 10, checkout(ghost));
        assert_eq!(
            store.apply_billing_event(&lost, at(13)).await.unwrap(),
            BillingOutcome::Unmatched,
            "{backend:?}"
        );
        let ignored = BillingEvent {
            id: "evt_3".into(),
            kind: "charge.refunded".into(),
            created: at(10),
            change: None,
        };
        assert_eq!(
            store.apply_billing_event(&ignored, at(14)).await.unwrap(),
            BillingOutcome::Unmatched
        );
        assert!(store.subscription(business).await.unwrap().is_none());
    }
}
