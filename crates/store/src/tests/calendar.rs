//! Calendar connections on SQLite and PostgreSQL: the refresh token sealed at rest and
//! rotated, a revocation leaving only a notice, connect attempts bound to a session and
//! taken once, and the event id kept with an appointment.

use jiff::SignedDuration;

use super::{at, with_business};
use crate::testing::{TestDatabase, BACKENDS};
use crate::{CalendarStatus, Keyring, NewAppointment};

const TOKEN: &str = "1//refresh-token-in-clear";

#[tokio::test]
async fn refresh_tokens_are_sealed_at_rest_and_rotate() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let old = Keyring::generate_entry("old");
        let store = store.with_keyring(Keyring::parse(&old).unwrap());
        assert_eq!(
            store.calendar_status(business).await.unwrap(),
            CalendarStatus::NotConnected
        );
        assert!(store.calendar_connection(business).await.unwrap().is_none());
        store
            .set_calendar_connection(business, "primary", TOKEN, at(1))
            .await
            .unwrap();
        let connection = store.calendar_connection(business).await.unwrap().unwrap();
        assert_eq!(connection.calendar_id, "primary");
        assert_eq!(connection.refresh_token, TOKEN);
        assert!(!format!("{connection:?}").contains(TOKEN));
        assert_eq!(
            store.calendar_status(business).await.unwrap(),
            CalendarStatus::Connected {
                calendar_id: "primary".into(),
                connected_at: at(1)
            }
        );

        // The row as an administrator with table access sees it: no token in clear.
        let raw = raw_rows(&db).await;
        assert_eq!(raw.len(), 1, "{backend:?}");
        assert!(!raw[0].contains(TOKEN), "{backend:?}: {}", raw[0]);
        assert!(raw[0].contains("old"), "the key id is stored beside it");

        let new = Keyring::generate_entry("new");
        let rotating = store
            .clone()
            .with_keyring(Keyring::parse(&format!("{new},{old}")).unwrap());
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 1, "{backend:?}");
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 0, "idempotent");
        let only_new = store.with_keyring(Keyring::parse(&new).unwrap());
        assert_eq!(
            only_new
                .calendar_connection(business)
                .await
                .unwrap()
                .unwrap()
                .refresh_token,
            TOKEN
        );
    }
}

#[tokio::test]
async fn a_revocation_keeps_only_a_notice_and_a_disconnect_nothing() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let store = store.with_keyring(Keyring::parse(&Keyring::generate_entry("k")).unwrap());
        store
            .set_calendar_connection(business, "primary", TOKEN, at(1))
            .await
            .unwrap();
        store
            .remove_calendar_connection(business, Some("Google revoked access"), at(2))
            .await
            .unwrap();
        assert!(store.calendar_connection(business).await.unwrap().is_none());
        assert_eq!(
            store.calendar_status(business).await.unwrap(),
            CalendarStatus::Revoked {
                notice: "Google revoked access".into(),
                at: at(2)
            },
            "{backend:?}"
        );
        let raw = raw_rows(&db).await;
        assert_eq!(raw.len(), 1);
        assert_eq!(
            raw[0], "|||Google revoked access",
            "{backend:?}: no token left"
        );

        // Connecting again clears the notice; disconnecting deletes the row.
        store
            .set_calendar_connection(business, "team@example.com", TOKEN, at(3))
            .await
            .unwrap();
        assert!(matches!(
            store.calendar_status(business).await.unwrap(),
            CalendarStatus::Connected { .. }
        ));
        store
            .remove_calendar_connection(business, None, at(4))
            .await
            .unwrap();
        assert_eq!(
            store.calendar_status(business).await.unwrap(),
            CalendarStatus::NotConnected
        );
        assert!(raw_rows(&db).await.is_empty());
    }
}

#[tokio::test]
async fn connect_attempts_belong_to_a_session_and_are_taken_once() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let store = store.with_keyring(Keyring::parse(&Keyring::generate_entry("k")).unwrap());
        let verifier = "v".repeat(43);
        store
            .begin_calendar_connect(business, "session-a", "state-1", &verifier, at(600))
            .await
            .unwrap();
        assert!(store
            .take_calendar_connect(business, "session-b", at(1))
            .await
            .unwrap()
            .is_none());
        let attempt = store
            .take_calendar_connect(business, "session-a", at(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (attempt.state.as_str(), attempt.verifier.as_str()),
            ("state-1", verifier.as_str())
        );
        assert!(
            store
                .take_calendar_connect(business, "session-a", at(1))
                .await
                .unwrap()
                .is_none(),
            "{backend:?}: a callback can't be replayed"
        );
        store
            .begin_calendar_connect(business, "session-a", "state-2", &verifier, at(600))
            .await
            .unwrap();
        assert!(
            store
                .take_calendar_connect(business, "session-a", at(600))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        store
            .begin_calendar_connect(business, "session-c", "state-3", &verifier, at(600))
            .await
            .unwrap();
        store
            .take_calendar_connect(business, "session-d", at(601))
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_connect_attempts")
            .fetch_one(&mut db.owner().await)
            .await
            .unwrap();
        assert_eq!(left, 0, "{backend:?}: abandoned attempts are purged");
    }
}

#[tokio::test]
async fn appointments_remember_their_calendar_event() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let booked = store
            .book_appointment(
                business,
                &NewAppointment {
                    service: Some("Cleaning".into()),
                    starts_at: at(86_400),
                    ends_at: at(86_400) + SignedDuration::from_mins(30),
                    buffer: SignedDuration::ZERO,
                    conversation: None,
                    lead: None,
                    visitor: None,
                },
                at(0),
            )
            .await
            .unwrap();
        let before = store
            .calendar_booking(business, booked.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(before.event_id, None);
        assert_eq!(before.code, booked.code);
        assert_eq!((before.visitor_name, before.visitor_contact), (None, None));
        store
            .set_appointment_event(business, booked.id, Some("evt123"))
            .await
            .unwrap();
        assert_eq!(
            store
                .calendar_booking(business, booked.id)
                .await
                .unwrap()
                .unwrap()
                .event_id,
            Some("evt123".into()),
            "{backend:?}"
        );
        let other = uuid::Uuid::now_v7();
        assert!(store
            .set_appointment_event(business, other, Some("x"))
            .await
            .is_err());
    }
}

/// The connection rows as the tables' owner reads them, past the store: calendar id,
/// sealed token, key id and notice, `|`-separated.
async fn raw_rows(db: &TestDatabase) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT COALESCE(calendar_id, '') || '|' || COALESCE(refresh_sealed, '') || '|' || \
         COALESCE(refresh_key_id, '') || '|' || COALESCE(revoked_notice, '') FROM calendar_connections",
    )
    .fetch_all(&mut db.owner().await)
    .await
    .unwrap()
}
