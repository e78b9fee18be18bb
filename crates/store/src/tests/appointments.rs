//! Appointments on SQLite and PostgreSQL: atomic booking under concurrency, buffers,
//! codes, rescheduling and cancelling, and tenant scoping.

use std::sync::Arc;

use frontdesk_core::assistant::StoreError;
use jiff::{SignedDuration, Timestamp, ToSpan};

use frontdesk_core::business::Business;

use super::{at, with_business, BUSINESS};
use crate::testing::BACKENDS;
use crate::{AppointmentStatus, NewAppointment, SLOT_TAKEN};

fn slot(start: Timestamp, minutes: i64) -> NewAppointment {
    NewAppointment {
        service: Some("Crowns".into()),
        starts_at: start,
        ends_at: start + SignedDuration::from_mins(minutes),
        buffer: SignedDuration::from_mins(10),
        conversation: None,
        lead: None,
        visitor: Some("v_aaaaaaaaaaaaaaaa".into()),
    }
}

#[tokio::test]
async fn fifty_visitors_racing_for_one_slot_get_exactly_one_booking() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let store = Arc::new(store);
        let start = at(86_400);
        let attempts: Vec<_> = (0..50)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .book_appointment(business, &slot(start, 60), at(0))
                        .await
                })
            })
            .collect();
        let mut booked = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::Conflict(message)) => assert_eq!(message, SLOT_TAKEN),
                Err(other) => panic!("{backend:?}: {other}"),
            }
        }
        assert_eq!(booked, 1, "{backend:?}");
        let stored = store
            .appointments_between(business, start - 1.hour(), start + 2.hours())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn buffers_keep_neighbours_apart_and_codes_find_appointments() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let other_source = BUSINESS.replace("slug = \"demo\"", "slug = \"other\"");
        let (other_business, _) = store
            .import_business(
                &Business::from_toml(&other_source).unwrap(),
                &other_source,
                at(0),
            )
            .await
            .unwrap();
        let other_store = store.clone();
        let nine = at(86_400);
        let first = store
            .book_appointment(business, &slot(nine, 60), at(0))
            .await
            .unwrap();
        // 10:05 is inside the 10-minute buffer after 10:00; 10:10 is not.
        let too_close = store
            .book_appointment(business, &slot(nine + 65.minutes(), 30), at(0))
            .await;
        assert!(
            matches!(too_close, Err(StoreError::Conflict(_))),
            "{backend:?}"
        );
        let next = store
            .book_appointment(business, &slot(nine + 70.minutes(), 30), at(0))
            .await
            .unwrap();
        assert_ne!(first.code, next.code);

        let found = store
            .appointment_by_code(business, &first.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.id, found.status),
            (first.id, AppointmentStatus::Booked)
        );
        assert!(other_store
            .appointment_by_code(other_business, &first.code)
            .await
            .unwrap()
            .is_none());

        // Moving onto the neighbour is refused; moving to a free time works.
        let onto = store
            .reschedule_appointment(
                business,
                first.id,
                next.starts_at,
                next.ends_at,
                SignedDuration::from_mins(10),
                at(1),
            )
            .await;
        assert!(matches!(onto, Err(StoreError::Conflict(_))));
        store
            .reschedule_appointment(
                business,
                first.id,
                nine + 3.hours(),
                nine + 4.hours(),
                SignedDuration::from_mins(10),
                at(1),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .appointment_by_code(business, &first.code)
                .await
                .unwrap()
                .unwrap()
                .starts_at,
            nine + 3.hours()
        );

        // Cancelling frees the time; a cancelled appointment can't be cancelled again.
        store
            .set_appointment_status(business, next.id, AppointmentStatus::Cancelled, at(2))
            .await
            .unwrap();
        assert!(matches!(
            store
                .set_appointment_status(business, next.id, AppointmentStatus::NoShow, at(3))
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .book_appointment(business, &slot(nine + 70.minutes(), 30), at(4))
            .await
            .unwrap();
        assert!(
            matches!(
                store
                    .set_appointment_status(
                        other_business,
                        first.id,
                        AppointmentStatus::Cancelled,
                        at(5)
                    )
                    .await,
                Err(StoreError::NotFound)
            ),
            "{backend:?}: another business can't cancel it"
        );
    }
}
