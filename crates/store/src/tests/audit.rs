//! The audit log on SQLite and PostgreSQL: chains, concurrency, and the database refusing
//! (and verification catching) changes to stored events.

use frontdesk_core::audit::{
    Actor, AuditAction, AuditEvent, AuditRecord, AuditVerification, BreakReason, ChainBreak,
    ChainHash,
};
use frontdesk_core::conversation::BusinessId;
use futures_util::TryStreamExt;
use jiff::ToSpan;

use super::{at, with_business};
use crate::testing::{TestDatabase, BACKENDS};
use crate::{AuditRange, Backend, Store};

pub(super) fn event(business: BusinessId, n: i64) -> AuditEvent {
    AuditEvent {
        business,
        at: at(n) + 7.milliseconds(),
        actor: Actor {
            user_id: Some(format!("user-{n}")),
            email: Some("owner@example.test".to_owned()),
        },
        action: AuditAction::TranscriptViewed,
        resource: Some(format!("conversation:{n}")),
        ip: Some("203.0.113.9".to_owned()),
        user_agent: None,
        detail: (n % 2 == 0).then(|| format!("view {n}")),
    }
}

/// Appends events 1..=n for a business, one after another.
async fn append(store: &Store, business: BusinessId, n: i64) -> Vec<AuditRecord> {
    let mut records = Vec::new();
    for i in 1..=n {
        records.push(store.append_audit(&event(business, i)).await.unwrap());
    }
    records
}

/// Runs a statement as the tables' owner, past the store (and, on PostgreSQL, past
/// row-level security: the owner in tests is a superuser).
async fn raw(db: &TestDatabase, sql: &str) -> Result<u64, sqlx::Error> {
    sqlx::query(sql)
        .execute(&mut db.owner().await)
        .await
        .map(|done| done.rows_affected())
}

/// What an attacker with the table owner's rights does first: switch the guard off.
async fn remove_guard(db: &TestDatabase, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Postgres => &[
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "ALTER TABLE audit_heads DISABLE TRIGGER USER",
        ],
        Backend::Sqlite => &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
            "DROP TRIGGER audit_heads_no_delete",
            "DROP TRIGGER audit_heads_forward_only",
        ],
    };
    for sql in statements {
        raw(db, sql).await.unwrap();
    }
}

/// Asserts that verification (of all chains, or one business's) finds them whole.
async fn assert_intact(store: &Store, scope: Option<BusinessId>, events: u64, chains: u64) {
    assert_eq!(
        store.verify_audit(scope).await.unwrap(),
        AuditVerification::Intact { events, chains },
        "{:?}",
        store.backend()
    );
}

/// A business with `n` events whose guard has been removed, ready to be tampered with.
async fn unguarded(backend: Backend, n: i64) -> (TestDatabase, Store, BusinessId) {
    let (db, store, business) = with_business(backend).await;
    append(&store, business, n).await;
    remove_guard(&db, backend).await;
    (db, store, business)
}

fn broken_at(verification: AuditVerification, business: BusinessId) -> (u64, BreakReason) {
    match verification {
        AuditVerification::Broken(ChainBreak {
            business: at_business,
            seq,
            reason,
        }) => {
            assert_eq!(at_business, business);
            (seq, reason)
        }
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
}

#[tokio::test]
async fn appended_events_chain_and_read_back() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let other = BusinessId(uuid::Uuid::now_v7()); // no row needed: events outlive businesses
        let records = append(&store, business, 5).await;
        append(&store, other, 2).await;

        let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5], "{backend:?}");
        assert_eq!(records[0].prev_hash, ChainHash::GENESIS);
        assert_eq!(records[3].prev_hash, records[2].hash);
        assert_eq!(records[2].event, event(business, 3), "{backend:?}");

        assert_intact(&store, None, 7, 2).await;
        assert_intact(&store, Some(business), 5, 1).await;

        // Pages: newest first, continued with before_seq.
        let all = AuditRange::default();
        let page = store.audit_events(business, all, 2, None).await.unwrap();
        assert_eq!(
            page,
            [records[4].clone(), records[3].clone()],
            "{backend:?}"
        );
        let next = store.audit_events(business, all, 2, Some(4)).await.unwrap();
        let seqs: Vec<u64> = next.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [3, 2], "{backend:?}");
        // Ranges include `from` and exclude `to`.
        let range = AuditRange {
            from: Some(records[1].event.at),
            to: Some(records[3].event.at),
        };
        let seqs: Vec<u64> = store
            .audit_events(business, range, 10, None)
            .await
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(seqs, [3, 2], "{backend:?}");

        // The export stream: oldest first, only this business.
        let streamed: Vec<AuditRecord> = store
            .audit_stream(business, all)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(streamed, records, "{backend:?}");
        let streamed: Vec<AuditRecord> = store
            .audit_stream(business, range)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(streamed, records[1..3], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_keep_one_valid_chain() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let tasks: Vec<_> = (1..=20)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move { store.append_audit(&event(business, n)).await })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.unwrap().unwrap().seq);
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=20).collect::<Vec<u64>>(), "{backend:?}");
        assert_intact(&store, None, 20, 1).await;
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_events() {
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        append(&store, business, 3).await;
        let mut refused = vec![
            "UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 2",
            "DELETE FROM audit_events WHERE seq = 2",
            "DELETE FROM audit_events",
            "DELETE FROM audit_heads",
            "UPDATE audit_heads SET seq = 1",
        ];
        if backend == Backend::Postgres {
            refused.extend(["TRUNCATE audit_events", "TRUNCATE audit_heads"]);
        }
        for sql in refused {
            let error = raw(&db, sql).await.expect_err(sql);
            assert!(
                error.to_string().contains("append-only"),
                "{backend:?}: {sql}: {error}"
            );
        }
        assert_intact(&store, None, 3, 1).await;
    }
}

#[tokio::test]
async fn verification_finds_an_altered_event() {
    for backend in BACKENDS {
        let (db, store, business) = unguarded(backend, 5).await;
        let changed = raw(
            &db,
            "UPDATE audit_events SET actor_email = 'someone@else.test' WHERE seq = 3",
        )
        .await
        .unwrap();
        assert_eq!(changed, 1);
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (3, BreakReason::HashMismatch),
            "{backend:?}"
        );
        assert!(matches!(
            store.verify_audit(Some(business)).await.unwrap(),
            AuditVerification::Broken(ChainBreak { seq: 3, .. })
        ));
        // Another business's chain is not affected.
        let other = BusinessId(uuid::Uuid::now_v7());
        append(&store, other, 1).await;
        assert!(matches!(
            store.verify_audit(Some(other)).await.unwrap(),
            AuditVerification::Intact { events: 1, .. }
        ));
    }
}

#[tokio::test]
async fn verification_reports_values_the_application_never_writes() {
    for backend in BACKENDS {
        let (db, store, business) = unguarded(backend, 4).await;
        raw(
            &db,
            "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2",
        )
        .await
        .unwrap();
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (2, BreakReason::HashMismatch),
            "{backend:?}"
        );
        raw(&db, "UPDATE audit_events SET prev_hash = 'x' WHERE seq = 1")
            .await
            .unwrap();
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (1, BreakReason::PrevHashMismatch),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn verification_finds_deleted_events() {
    for backend in BACKENDS {
        let (db, store, business) = unguarded(backend, 5).await;
        assert_eq!(
            raw(&db, "DELETE FROM audit_events WHERE seq = 3")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (3, BreakReason::Gap { found: 4 }),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn verification_finds_a_truncated_tail() {
    for backend in BACKENDS {
        let (db, store, business) = unguarded(backend, 5).await;
        raw(&db, "DELETE FROM audit_events WHERE seq >= 4")
            .await
            .unwrap();
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (4, BreakReason::Truncated { head_seq: 5 }),
            "{backend:?}"
        );
        raw(&db, "DELETE FROM audit_events").await.unwrap();
        assert_eq!(
            broken_at(store.verify_audit(None).await.unwrap(), business),
            (1, BreakReason::Truncated { head_seq: 5 }),
            "{backend:?}"
        );
    }
}
