//! The rate limiter's counters on SQLite and PostgreSQL: hits counted atomically per
//! window, a new window restarting the count, and expired counters swept.

use super::at;
use crate::testing::{TestDatabase, BACKENDS};

#[tokio::test]
async fn hits_are_counted_per_window_and_swept_after_it() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        for expected in 1..=3 {
            let hits = store.count_hit("chat:ip:203.0.113.9", at(0), at(60)).await;
            assert_eq!(hits.unwrap(), expected, "{backend:?}");
        }
        assert_eq!(
            store
                .count_hit("chat:business:demo", at(0), at(60))
                .await
                .unwrap(),
            1
        );
        // The next window starts again from one.
        assert_eq!(
            store
                .count_hit("chat:ip:203.0.113.9", at(60), at(120))
                .await
                .unwrap(),
            1
        );
        assert_eq!(store.sweep_rate_limits(at(60)).await.unwrap(), 1);
        assert_eq!(
            store.rate_limit_keys().await.unwrap(),
            vec!["chat:ip:203.0.113.9".to_owned()]
        );
        assert_eq!(store.sweep_rate_limits(at(120)).await.unwrap(), 1);
        assert!(store.rate_limit_keys().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn concurrent_hits_are_all_counted() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let hits = futures_util::future::join_all(
            (0..20).map(|_| store.count_hit("chat:ip:198.51.100.1", at(0), at(60))),
        )
        .await;
        let mut counts: Vec<i64> = hits.into_iter().map(Result::unwrap).collect();
        counts.sort_unstable();
        assert_eq!(counts, (1..=20).collect::<Vec<_>>(), "{backend:?}");
    }
}
