//! The rate limiter's counters in the database, so every server instance sharing it
//! counts against the same limit.

use frontdesk_core::assistant::StoreError;
use jiff::Timestamp;
use sqlx::Row;

use crate::store::{backend_error, millis};
use crate::Store;

impl Store {
    /// Counts one hit of `key` in the fixed window starting at `window_start` (ending at
    /// `window_end`) and returns the hits so far in that window, this one included. One
    /// atomic upsert: concurrent hits from several instances are all counted, and a hit
    /// in a newer window restarts the count.
    pub async fn count_hit(
        &self,
        key: &str,
        window_start: Timestamp,
        window_end: Timestamp,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO rate_limits (key, window_start, hits, expires_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN rate_limits.window_start = excluded.window_start \
                           THEN rate_limits.hits + 1 ELSE 1 END, \
               window_start = excluded.window_start, \
               expires_at = excluded.expires_at \
             RETURNING hits",
        )
        .bind(key)
        .bind(millis(window_start))
        .bind(millis(window_end))
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        row.try_get("hits").map_err(backend_error)
    }

    /// Deletes the counters whose window ended before `now` (and with them any client
    /// address in their key); returns how many went.
    pub async fn sweep_rate_limits(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE expires_at <= $1")
            .bind(millis(now))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(done.rows_affected())
    }

    /// The keys of the counters held, for tests of the sweep.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn rate_limit_keys(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT key FROM rate_limits ORDER BY key")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)
    }
}
