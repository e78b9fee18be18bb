//! Text messages on SQLite and PostgreSQL: opt-outs kept per business and number, a
//! stable thread per number (unlinkable across businesses), provider events answered
//! once, and the outbox of texts claimed, sent and retried.

use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::sms::OutgoingKind;
use jiff::SignedDuration;

use super::{at, with_business, BUSINESS};
use crate::testing::BACKENDS;
use crate::{Backend, InboundEvent, InboundText, OutgoingSms, Store};

fn phone(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).unwrap()
}

fn reply(body: &str, kind: OutgoingKind) -> OutgoingSms {
    OutgoingSms {
        from: phone("+15125550100"),
        to: phone("+13125550001"),
        body: body.to_owned(),
        kind,
    }
}

/// A second business with the demo's data under another slug.
async fn other_business(store: &Store) -> BusinessId {
    let source = BUSINESS.replace("slug = \"demo\"", "slug = \"other\"");
    let business = Business::from_toml(&source).unwrap();
    store
        .import_business(&business, &source, at(0))
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn opt_outs_are_kept_per_business_and_number() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let other = other_business(&store).await;
        let visitor = phone("+13125550001");
        assert!(!store.sms_opted_out(business, &visitor).await.unwrap());
        store
            .record_sms_opt_out(business, &visitor, at(1))
            .await
            .unwrap();
        // Twice is once.
        store
            .record_sms_opt_out(business, &visitor, at(2))
            .await
            .unwrap();
        assert!(
            store.sms_opted_out(business, &visitor).await.unwrap(),
            "{backend:?}"
        );
        assert!(!store
            .sms_opted_out(business, &phone("+13125550002"))
            .await
            .unwrap());
        assert!(
            !store.sms_opted_out(other, &visitor).await.unwrap(),
            "{backend:?}"
        );
        if backend == Backend::Postgres {
            // Row-level security: outside a tenant transaction no opt-out is visible.
            let visible: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_opt_outs")
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(visible, 0);
        }
        store.clear_sms_opt_out(business, &visitor).await.unwrap();
        assert!(!store.sms_opted_out(business, &visitor).await.unwrap());
    }
}

#[tokio::test]
async fn a_number_keeps_its_thread_and_is_a_stranger_elsewhere() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let other = other_business(&store).await;
        let visitor = phone("+13125550001");
        let first = store.sms_thread(business, &visitor, at(1)).await.unwrap();
        assert_eq!(first.conversation, None);
        assert!(!first.visitor.as_str().contains("3125550001"));
        let conversation = ConversationId::new();
        store
            .continue_sms_thread(business, &visitor, conversation, at(2))
            .await
            .unwrap();
        let again = store.sms_thread(business, &visitor, at(3)).await.unwrap();
        assert_eq!(again.visitor, first.visitor, "{backend:?}");
        assert_eq!(again.conversation, Some(conversation));
        let elsewhere = store.sms_thread(other, &visitor, at(4)).await.unwrap();
        assert_ne!(elsewhere.visitor, first.visitor, "{backend:?}");
        assert_eq!(elsewhere.conversation, None);
    }
}

#[tokio::test]
async fn an_event_is_answered_once_and_its_reply_delivered_or_retried() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let event = InboundEvent {
            provider: "telnyx",
            id: "evt-1",
        };
        let inbound = InboundText {
            from: phone("+13125550001"),
            to: phone("+15125550100"),
            text: "when do you open?".into(),
        };
        assert!(store
            .receive_sms(business, event, &inbound, at(1))
            .await
            .unwrap());
        // The provider's retry is recognised.
        assert!(
            !store
                .receive_sms(business, event, &inbound, at(1))
                .await
                .unwrap(),
            "{backend:?}"
        );
        let pending = store.claim_inbound_sms(at(1), 10).await.unwrap();
        assert_eq!(pending.len(), 1, "{backend:?}");
        assert_eq!((pending[0].event(), &pending[0].text), (event, &inbound));
        // Claimed: nobody else answers it while the lease holds.
        assert!(store.claim_inbound_sms(at(2), 10).await.unwrap().is_empty());
        let answer = reply("We open at 8.", OutgoingKind::Regular);
        assert!(store
            .answer_sms_event(business, event, Some(&answer), at(1))
            .await
            .unwrap());
        // A second worker that raced the first queues nothing.
        assert!(
            !store
                .answer_sms_event(business, event, Some(&answer), at(2))
                .await
                .unwrap(),
            "{backend:?}"
        );
        assert!(!store
            .receive_sms(business, event, &inbound, at(2))
            .await
            .unwrap());
        let much_later = at(1) + SignedDuration::from_hours(1);
        assert!(store
            .claim_inbound_sms(much_later, 10)
            .await
            .unwrap()
            .is_empty());

        let due = store.claim_due_sms(at(3), 10).await.unwrap();
        assert_eq!(due.len(), 1, "{backend:?}");
        assert_eq!(due[0].sms.body, "We open at 8.");
        assert_eq!(due[0].sms.from, Some(phone("+15125550100")));
        assert_eq!(due[0].sms.to, phone("+13125550001"));
        assert_eq!((due[0].kind, due[0].attempts), (OutgoingKind::Regular, 0));
        // Claimed: nobody else takes it while the lease holds.
        assert!(store.claim_due_sms(at(4), 10).await.unwrap().is_empty());

        let retry_at = at(3) + SignedDuration::from_mins(1);
        store
            .sms_failed(business, due[0].id, "provider down", Some(retry_at), at(5))
            .await
            .unwrap();
        assert!(store.claim_due_sms(at(6), 10).await.unwrap().is_empty());
        let again = store.claim_due_sms(retry_at, 10).await.unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 1), "{backend:?}");
        store
            .sms_sent(business, again[0].id, at(100))
            .await
            .unwrap();
        let later = at(100) + SignedDuration::from_hours(1);
        assert!(store.claim_due_sms(later, 10).await.unwrap().is_empty());

        // A text that fails to be answered is tried again, then given up.
        let quiet = InboundEvent {
            provider: "telnyx",
            id: "evt-2",
        };
        store
            .receive_sms(business, quiet, &inbound, at(101))
            .await
            .unwrap();
        let pending = store.claim_inbound_sms(at(101), 10).await.unwrap();
        let retry_at = at(101) + SignedDuration::from_mins(1);
        store
            .inbound_sms_failed(business, quiet, "model down", Some(retry_at), at(102))
            .await
            .unwrap();
        let again = store.claim_inbound_sms(retry_at, 10).await.unwrap();
        assert_eq!(
            (again.len(), again[0].attempts),
            (1, pending[0].attempts + 1)
        );
        store
            .inbound_sms_failed(business, quiet, "model down", None, at(200))
            .await
            .unwrap();
        assert!(store.claim_inbound_sms(later, 10).await.unwrap().is_empty());
        assert!(store.claim_due_sms(later, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_text_given_up_is_not_retried_and_bodies_are_dropped() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let event = InboundEvent {
            provider: "telnyx",
            id: "evt-9",
        };
        let confirmation = reply("Unsubscribed.", OutgoingKind::OptOutConfirmation);
        let inbound = InboundText {
            from: phone("+13125550001"),
            to: phone("+15125550100"),
            text: "STOP".into(),
        };
        store
            .receive_sms(business, event, &inbound, at(1))
            .await
            .unwrap();
        store
            .answer_sms_event(business, event, Some(&confirmation), at(1))
            .await
            .unwrap();
        let due = store.claim_due_sms(at(2), 10).await.unwrap();
        assert_eq!(due[0].kind, OutgoingKind::OptOutConfirmation);
        store
            .sms_failed(business, due[0].id, "rejected", None, at(3))
            .await
            .unwrap();
        let later = at(3) + SignedDuration::from_hours(24);
        assert!(
            store.claim_due_sms(later, 10).await.unwrap().is_empty(),
            "{backend:?}"
        );
        let mut owner = db.owner().await;
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM sms_outbox")
            .fetch_all(&mut owner)
            .await
            .unwrap();
        assert_eq!(bodies, [String::new()], "{backend:?}");
        let kept: Vec<(String, String, String)> =
            sqlx::query_as("SELECT from_number, to_number, text FROM sms_inbound_events")
                .fetch_all(&mut owner)
                .await
                .unwrap();
        assert_eq!(
            kept,
            [(String::new(), String::new(), String::new())],
            "only the event id of an answered text is kept"
        );
    }
}

#[tokio::test]
async fn finished_texts_are_forgotten_after_a_while_and_waiting_ones_never() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let inbound = InboundText {
            from: phone("+13125550001"),
            to: phone("+15125550100"),
            text: "hi".into(),
        };
        let answered = InboundEvent {
            provider: "telnyx",
            id: "evt-old",
        };
        let waiting = InboundEvent {
            provider: "telnyx",
            id: "evt-waiting",
        };
        store
            .receive_sms(business, answered, &inbound, at(1))
            .await
            .unwrap();
        store
            .receive_sms(business, waiting, &inbound, at(1))
            .await
            .unwrap();
        store
            .answer_sms_event(
                business,
                answered,
                Some(&reply("Hello!", OutgoingKind::Regular)),
                at(1),
            )
            .await
            .unwrap();
        assert_eq!(store.forget_finished_sms(at(1)).await.unwrap(), 0);
        // The answer is still waiting to be sent: it stays.
        assert_eq!(
            store.forget_finished_sms(at(2)).await.unwrap(),
            1,
            "{backend:?}"
        );
        let due = store.claim_due_sms(at(3), 10).await.unwrap();
        store.sms_sent(business, due[0].id, at(4)).await.unwrap();
        assert_eq!(
            store.forget_finished_sms(at(5)).await.unwrap(),
            1,
            "{backend:?}"
        );
        // The waiting text is still answered, and its event still recognised.
        assert!(!store
            .receive_sms(business, waiting, &inbound, at(6))
            .await
            .unwrap());
        assert_eq!(store.claim_inbound_sms(at(6), 10).await.unwrap().len(), 1);
    }
}
