//! The phone line on SQLite and PostgreSQL: the auth token sealed at rest, the call log
//! with its state between webhooks, idempotent status callbacks, callback requests,
//! redaction of what callers say, the 12-month purge, and imported orders.

use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{OrderNumber, OrderSource};
use frontdesk_core::voice::{AuthToken, Awaiting, CallIntent, PhoneSettings};
use sqlx::Row;

use super::{at, with_business};
use crate::testing::BACKENDS;
use crate::{parse_orders_csv, CallTurn, Keyring, OrderImport, PurgeOptions};
use frontdesk_core::retention::{RetentionPolicy, CALL_LOGS_KEPT};

const TOKEN: &str = "twilio-auth-token-in-clear";

fn settings() -> PhoneSettings {
    PhoneSettings {
        account_sid: format!("AC{}", "ab".repeat(16)),
        auth_token: AuthToken::parse(TOKEN).unwrap(),
        escalation: Some(PhoneNumber::parse("+15125550100").unwrap()),
    }
}

#[tokio::test]
async fn phone_settings_keep_the_auth_token_sealed_and_rotate() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let old = Keyring::generate_entry("old");
        let store = store.with_keyring(Keyring::parse(&old).unwrap());
        assert!(store.phone_settings(business).await.unwrap().is_none());
        store
            .set_phone_settings(business, Some(&settings()), at(1))
            .await
            .unwrap();
        assert_eq!(
            store.phone_settings(business).await.unwrap(),
            Some(settings())
        );
        let mut owner = db.owner().await;
        let rows = sqlx::query("SELECT auth_token_sealed, account_sid FROM phone_settings")
            .fetch_all(&mut owner)
            .await
            .unwrap();
        let sealed: String = rows[0].try_get("auth_token_sealed").unwrap();
        assert!(!sealed.contains(TOKEN), "{backend:?}");

        let new = Keyring::generate_entry("new");
        let rotating = store
            .clone()
            .with_keyring(Keyring::parse(&format!("{new},{old}")).unwrap());
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 1, "{backend:?}");
        let only_new = store.clone().with_keyring(Keyring::parse(&new).unwrap());
        assert_eq!(
            only_new.phone_settings(business).await.unwrap(),
            Some(settings())
        );
        only_new
            .set_phone_settings(business, None, at(2))
            .await
            .unwrap();
        assert!(only_new.phone_settings(business).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn the_call_log_keeps_turns_state_and_status() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let (call, created) = store
            .start_call(business, "CA01", "+15125550142", "+15125550000", at(10))
            .await
            .unwrap();
        assert!(created);
        // Twilio retried the first webhook: same call, nothing new.
        let again = store
            .start_call(business, "CA01", "+15125550142", "+15125550000", at(11))
            .await
            .unwrap();
        assert_eq!(again, (call.clone(), false), "{backend:?}");
        assert_eq!(call.awaiting, Awaiting::Question);

        store
            .record_call_turn(
                business,
                call.id,
                &CallTurn {
                    said: Some("I have chest pain and my order is late"),
                    answered: "Please call 911.",
                    intent: CallIntent::Emergency,
                    conversation: None,
                    awaiting: Awaiting::OrderNumber,
                    pending_order: None,
                    silent: false,
                },
                at(12),
            )
            .await
            .unwrap();
        for second in [13, 14] {
            store
                .record_call_turn(
                    business,
                    call.id,
                    &CallTurn {
                        said: None,
                        answered: "Are you still there?",
                        intent: CallIntent::NoInput,
                        conversation: None,
                        awaiting: Awaiting::OrderNumber,
                        pending_order: Some("1001"),
                        silent: true,
                    },
                    at(second),
                )
                .await
                .unwrap();
        }
        let state = store.call_by_sid(business, "CA01").await.unwrap().unwrap();
        assert_eq!((state.retries, state.silent_streak), (2, 2), "{backend:?}");
        assert_eq!(state.pending_order.as_deref(), Some("1001"));

        store
            .update_call_status(business, "CA01", "completed", Some(42), at(60))
            .await
            .unwrap();
        // A status for a call nobody knows changes nothing.
        store
            .update_call_status(business, "CA99", "completed", Some(1), at(60))
            .await
            .unwrap();
        // A late, retried "ringing" changes nothing.
        store
            .update_call_status(business, "CA01", "ringing", None, at(70))
            .await
            .unwrap();
        let (done, turns) = store.call_detail(business, call.id).await.unwrap().unwrap();
        assert_eq!(done.status, "completed", "{backend:?}");
        assert_eq!(done.ended_at, Some(at(60)));
        assert_eq!(done.duration_seconds, Some(42));
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].intent, "emergency");
        assert_eq!(turns[1].said, None);

        let mut owner = db.owner().await;
        let said: Vec<Option<String>> = sqlx::query_scalar("SELECT said FROM call_turns")
            .fetch_all(&mut owner)
            .await
            .unwrap();
        assert!(
            said.iter().flatten().all(|s| !s.contains("chest")),
            "{backend:?}: {said:?}"
        );

        let lead = store
            .record_callback_request(business, &done, "no-answer", at(61))
            .await
            .unwrap();
        assert!(lead.is_some(), "{backend:?}");
        assert_eq!(
            store
                .record_callback_request(business, &done, "no-answer", at(62))
                .await
                .unwrap(),
            None,
            "a retried webhook adds no second lead"
        );
        let leads = store.leads(business, 10, 0).await.unwrap();
        assert_eq!(leads.len(), 1);
        assert_eq!(leads[0].phone.as_deref(), Some("+15125550142"));

        assert_eq!(store.calls(business, 10, 0).await.unwrap().len(), 1);
        // Kept 12 months from the start of the call, then the retention job removes it.
        let policy = RetentionPolicy::default();
        let kept = |seconds| {
            let now = at(seconds) + CALL_LOGS_KEPT;
            store.purge(&policy, now, PurgeOptions::default())
        };
        let early = kept(5).await.unwrap();
        assert_eq!(
            early.categories.get("call_logs").copied().unwrap_or(0),
            0,
            "{backend:?}"
        );
        assert_eq!(store.calls(business, 10, 0).await.unwrap().len(), 1);
        let due = kept(11).await.unwrap();
        assert_eq!(
            due.categories.get("call_logs").copied(),
            Some(1),
            "{backend:?}"
        );
        assert!(store.calls(business, 10, 0).await.unwrap().is_empty());
        let turns_left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM call_turns")
            .fetch_one(&mut owner)
            .await
            .unwrap();
        assert_eq!(turns_left, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn imported_orders_are_upserted_by_number_and_found_by_phone() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let file = "order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n\
                    1001,2026-11-20,paid,fulfilled,UPS,1Z999,,+15125550142,ana@example.com\n\
                    1002,2026-11-21,paid,unfulfilled,,,,+15125550142,\n";
        let orders = parse_orders_csv(file.as_bytes()).unwrap();
        assert_eq!(
            store.import_orders(business, &orders, at(1)).await.unwrap(),
            OrderImport {
                created: 2,
                updated: 0
            }
        );
        assert_eq!(
            store.import_orders(business, &orders, at(2)).await.unwrap(),
            OrderImport {
                created: 0,
                updated: 2
            },
            "{backend:?}"
        );
        let source = store.local_orders(business);
        let found = source
            .by_number(&OrderNumber::parse("#1001").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.shipments[0].carrier, "UPS");
        let phone = PhoneNumber::parse("+15125550142").unwrap();
        let mine = source.by_phone(&phone, 5).await.unwrap();
        let numbers: Vec<&str> = mine.iter().map(|o| o.number.as_str()).collect();
        assert_eq!(numbers, ["1002", "1001"], "{backend:?}");
        assert!(source
            .by_number(&OrderNumber::parse("9999").unwrap())
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn a_shopify_connection_is_stored_sealed_and_never_printed() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let old = Keyring::generate_entry("k1");
        let store = store.with_keyring(Keyring::parse(&old).unwrap());
        assert!(store.shopify_connection(business).await.unwrap().is_none());
        let connection = crate::ShopifyConnection {
            shop: "maple.myshopify.com".into(),
            access_token: "shpat_0123456789abcdef".into(),
            webhook_secret: "whsec_fedcba9876543210".into(),
        };
        store
            .set_shopify_connection(business, Some(&connection), at(1))
            .await
            .unwrap();
        assert_eq!(
            store.shopify_connection(business).await.unwrap(),
            Some(connection.clone())
        );
        let shown = format!("{connection:?}");
        assert!(
            !shown.contains("shpat_") && !shown.contains("whsec_"),
            "{shown}"
        );
        let mut owner = db.owner().await;
        let row = sqlx::query(
            "SELECT access_token_sealed, webhook_secret_sealed FROM shopify_connections",
        )
        .fetch_one(&mut owner)
        .await
        .unwrap();
        let token: String = row.try_get("access_token_sealed").unwrap();
        let secret: String = row.try_get("webhook_secret_sealed").unwrap();
        assert!(
            !token.contains("shpat_") && !secret.contains("whsec_"),
            "{backend:?}"
        );
        let new = Keyring::generate_entry("k2");
        let rotating = store
            .clone()
            .with_keyring(Keyring::parse(&format!("{new},{old}")).unwrap());
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 1, "{backend:?}");
        let only_new = store.clone().with_keyring(Keyring::parse(&new).unwrap());
        assert_eq!(
            only_new.shopify_connection(business).await.unwrap(),
            Some(connection.clone()),
            "opened with the new key alone"
        );
        store
            .set_shopify_connection(business, None, at(2))
            .await
            .unwrap();
        assert!(store.shopify_connection(business).await.unwrap().is_none());
    }
}
