//! Retention jobs: removing what frontdesk no longer may or needs to keep, durably and
//! resumably.
//!
//! Every piece of work is a job row in `retention_jobs` (a category over a scope, with
//! a cutoff fixed when it starts). Rows go in bounded batches, each batch in its own
//! transaction together with the job's running count, so a crash loses at most the
//! batch in flight (rolled back) and the next run resumes the open job with its own
//! cutoff: nothing is deleted twice, counted twice, or left behind.
//!
//! What goes, and when, is listed once: [`SWEEPS`] for data that expires on its own,
//! [`BUSINESS_DATA`] for what a closed account's purge removes, and the audit log's own
//! step (events past six years, or the whole log six years after closure).

use std::collections::BTreeMap;

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::retention::{self, RetentionPolicy, AUDIT_KEPT};
use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use crate::store::{backend_error, millis};
use crate::Store;

/// Where a sweep's table lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Account tables read before a tenant is known (no row-level security): one job
    /// over all of them. The condition's `$1` is the cutoff.
    Installation,
    /// A tenant table: one job per business, inside its tenant transaction. The
    /// condition's `$1` is the business id and `$2` the cutoff.
    EachBusiness,
}

/// Data that expires on its own.
#[derive(Debug)]
struct Sweep {
    category: &'static str,
    table: &'static str,
    /// The columns that identify a row, to delete a batch by.
    key: &'static str,
    /// Which rows are due.
    due: &'static str,
    scope: Scope,
    /// The cutoff at `now`.
    cutoff: fn(&RetentionPolicy, Timestamp) -> Timestamp,
}

fn now_cutoff(_: &RetentionPolicy, now: Timestamp) -> Timestamp {
    now
}

fn login_window_cutoff(policy: &RetentionPolicy, now: Timestamp) -> Timestamp {
    retention::before(now, policy.login_window)
}

fn call_log_cutoff(_: &RetentionPolicy, now: Timestamp) -> Timestamp {
    retention::before(now, retention::CALL_LOGS_KEPT)
}

/// What expires on its own, and when.
const SWEEPS: &[Sweep] = &[
    // The call log is kept 12 months: a call's turns go first, then the call.
    Sweep {
        category: "call_log_turns",
        table: "call_turns",
        key: "id",
        due: "business_id = $1 AND call_id IN \
              (SELECT id FROM calls WHERE business_id = $1 AND started_at < $2)",
        scope: Scope::EachBusiness,
        cutoff: call_log_cutoff,
    },
    Sweep {
        category: "call_logs",
        table: "calls",
        key: "id",
        due: "business_id = $1 AND started_at < $2",
        scope: Scope::EachBusiness,
        cutoff: call_log_cutoff,
    },
    Sweep {
        category: "expired_sessions",
        table: "sessions",
        key: "id",
        due: "expires_at < $1 OR revoked_at IS NOT NULL",
        scope: Scope::Installation,
        cutoff: now_cutoff,
    },
    Sweep {
        category: "used_or_expired_invites",
        table: "invites",
        key: "id",
        due: "accepted_at IS NOT NULL OR revoked_at IS NOT NULL OR expires_at < $1",
        scope: Scope::Installation,
        cutoff: now_cutoff,
    },
    Sweep {
        category: "used_or_expired_password_resets",
        table: "password_resets",
        key: "token_hash",
        due: "used_at IS NOT NULL OR expires_at < $1",
        scope: Scope::Installation,
        cutoff: now_cutoff,
    },
    Sweep {
        category: "login_failures_and_ip_addresses",
        table: "login_failures",
        key: "scope, key, at",
        due: "at < $1",
        scope: Scope::Installation,
        cutoff: login_window_cutoff,
    },
    Sweep {
        category: "abandoned_calendar_connects",
        table: "calendar_connect_attempts",
        key: "session_id",
        due: "business_id = $1 AND expires_at < $2",
        scope: Scope::EachBusiness,
        cutoff: now_cutoff,
    },
];

/// Everything held about a business, as a closed account's purge removes it: a table,
/// the columns identifying a row, and which rows are the business's (`$1`). Rows that
/// point at others go first; the business row last.
const BUSINESS_DATA: &[(&str, &str, &str)] = &[
    ("call_turns", "id", "business_id = $1"),
    ("calls", "id", "business_id = $1"),
    ("phone_settings", "business_id", "business_id = $1"),
    ("orders", "number", "business_id = $1"),
    ("shopify_connections", "business_id", "business_id = $1"),
    ("sms_outbox", "id", "business_id = $1"),
    ("sms_inbound_events", "event_id", "business_id = $1"),
    ("sms_threads", "phone", "business_id = $1"),
    ("sms_opt_outs", "phone", "business_id = $1"),
    ("messages", "id", "business_id = $1"),
    ("quality_findings", "id", "business_id = $1"),
    ("reply_usage", "id", "business_id = $1"),
    ("notification_outbox", "id", "business_id = $1"),
    ("appointments", "id", "business_id = $1"),
    ("leads", "id", "business_id = $1"),
    ("conversations", "id", "business_id = $1"),
    (
        "calendar_connect_attempts",
        "session_id",
        "business_id = $1",
    ),
    ("calendar_connections", "business_id", "business_id = $1"),
    ("business_model_settings", "business_id", "business_id = $1"),
    (
        "recovery_codes",
        "id",
        "user_id IN (SELECT id FROM users WHERE business_id = $1)",
    ),
    (
        "password_resets",
        "token_hash",
        "user_id IN (SELECT id FROM users WHERE business_id = $1)",
    ),
    ("sessions", "id", "business_id = $1"),
    ("invites", "id", "business_id = $1"),
    ("users", "id", "business_id = $1"),
    ("businesses", "id", "id = $1"),
];

/// The job category of a closed account's data.
const CLOSED_ACCOUNT: &str = "closed_account_data";
/// The job category of audit events past retention.
const AUDIT_LOG: &str = "audit_log";
/// The scope of installation-wide jobs.
const ALL: &str = "all";

/// How a purge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeOptions {
    /// Count what would go; delete nothing and record no job.
    pub dry_run: bool,
    /// Rows per batch (each batch is one transaction).
    pub batch_size: u32,
    /// Stop after this many batches, leaving the rest to the next run (bounds a run's
    /// length; the jobs stay open and resume).
    pub max_batches: Option<u64>,
}

impl Default for PurgeOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            batch_size: 500,
            max_batches: None,
        }
    }
}

/// What a purge removed (or, dry, would remove), per category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub categories: BTreeMap<&'static str, u64>,
    /// False when `max_batches` stopped the run with work left.
    pub complete: bool,
}

impl PurgeReport {
    fn add(&mut self, category: &'static str, rows: u64) {
        *self.categories.entry(category).or_default() += rows;
    }

    /// Rows over every category.
    pub fn total(&self) -> u64 {
        self.categories.values().sum()
    }
}

/// A job being worked on: its row, and the batches this run may still do.
#[derive(Debug)]
struct Job {
    id: String,
    cutoff: i64,
}

/// Counts batches against `max_batches`.
#[derive(Debug)]
struct Budget(Option<u64>);

impl Budget {
    /// Gives back a batch that found nothing to delete: a resumed run passes over the
    /// tables it already emptied without using up its budget.
    fn give_back(&mut self) {
        if let Some(left) = &mut self.0 {
            *left += 1;
        }
    }

    fn take(&mut self) -> bool {
        match &mut self.0 {
            None => true,
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
        }
    }
}

/// Stopped by the batch budget, with work left.
#[derive(Debug)]
struct OutOfBudget;

impl Store {
    /// Runs every retention job due at `now` (or, dry, counts what they would remove).
    pub async fn purge(
        &self,
        policy: &RetentionPolicy,
        now: Timestamp,
        options: PurgeOptions,
    ) -> Result<PurgeReport, StoreError> {
        let mut report = PurgeReport {
            complete: true,
            ..PurgeReport::default()
        };
        let mut budget = Budget(options.max_batches);
        let run = self
            .purge_all(policy, now, options, &mut report, &mut budget)
            .await?;
        report.complete = run.is_ok();
        Ok(report)
    }

    async fn purge_all(
        &self,
        policy: &RetentionPolicy,
        now: Timestamp,
        options: PurgeOptions,
        report: &mut PurgeReport,
        budget: &mut Budget,
    ) -> Result<Result<(), OutOfBudget>, StoreError> {
        for (business, purge_after) in self.closures_due(now).await? {
            let scope = business.to_string();
            if options.dry_run {
                for (table, _, which) in BUSINESS_DATA {
                    let binds = [Bind::Text(scope.clone())];
                    let n = self.count(Some(business), table, which, &binds).await?;
                    report.add(CLOSED_ACCOUNT, n);
                }
                continue;
            }
            let job = self
                .open_job(CLOSED_ACCOUNT, &scope, purge_after, now)
                .await?;
            for (table, key, which) in BUSINESS_DATA {
                let binds = [Bind::Text(scope.clone())];
                let done = self
                    .delete_batches(
                        Some(business),
                        &job,
                        table,
                        key,
                        which,
                        &binds,
                        options,
                        budget,
                    )
                    .await?;
                report.add(CLOSED_ACCOUNT, done.0);
                if done.1.is_err() {
                    return Ok(Err(OutOfBudget));
                }
            }
            sqlx::query("UPDATE business_closures SET data_purged_at = $1 WHERE business_id = $2")
                .bind(millis(now))
                .bind(&scope)
                .execute(&self.pool)
                .await
                .map_err(backend_error)?;
            self.finish_job(&job, now).await?;
        }
        for sweep in SWEEPS {
            let cutoff = millis((sweep.cutoff)(policy, now));
            let businesses = match sweep.scope {
                Scope::Installation => vec![None],
                Scope::EachBusiness => self.business_ids().await?.into_iter().map(Some).collect(),
            };
            for business in businesses {
                let scope = business.map_or_else(|| ALL.to_owned(), |b| b.to_string());
                let binds = sweep_binds(business, cutoff);
                let due = self.count(business, sweep.table, sweep.due, &binds).await?;
                if options.dry_run {
                    report.add(sweep.category, due);
                    continue;
                }
                // Nothing due and nothing to resume: no job, and no write at all.
                if due == 0 && !self.has_open_job(sweep.category, &scope).await? {
                    continue;
                }
                // A job resumed from an earlier run keeps its own cutoff; what expired
                // since then is a new job's.
                loop {
                    let job = self.open_job(sweep.category, &scope, cutoff, now).await?;
                    let binds = sweep_binds(business, job.cutoff);
                    let done = self
                        .delete_batches(
                            business,
                            &job,
                            sweep.table,
                            sweep.key,
                            sweep.due,
                            &binds,
                            options,
                            budget,
                        )
                        .await?;
                    report.add(sweep.category, done.0);
                    if done.1.is_err() {
                        return Ok(Err(OutOfBudget));
                    }
                    self.finish_job(&job, now).await?;
                    if job.cutoff >= cutoff {
                        break;
                    }
                }
            }
        }
        for (business, cutoff) in self.audit_cutoffs(now).await? {
            let done = self
                .purge_audit(business, cutoff, now, options, budget)
                .await?;
            report.add(AUDIT_LOG, done.0);
            if done.1.is_err() {
                return Ok(Err(OutOfBudget));
            }
        }
        Ok(Ok(()))
    }

    /// Closed accounts whose grace period is over and whose data is not yet purged.
    async fn closures_due(&self, now: Timestamp) -> Result<Vec<(BusinessId, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT business_id, purge_after FROM business_closures \
             WHERE data_purged_at IS NULL AND purge_after <= $1 ORDER BY business_id",
        )
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("business_id").map_err(backend_error)?;
                let id = id.parse().map(BusinessId).map_err(backend_error)?;
                Ok((id, row.try_get("purge_after").map_err(backend_error)?))
            })
            .collect()
    }

    /// The job of a category over a scope that is still open, or a new one with this
    /// cutoff.
    async fn open_job(
        &self,
        category: &str,
        scope: &str,
        cutoff: i64,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let find = || {
            sqlx::query(
                "SELECT id, cutoff FROM retention_jobs WHERE category = $1 AND scope = $2 AND finished_at IS NULL",
            )
            .bind(category)
            .bind(scope)
        };
        if let Some(row) = find()
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?
        {
            return job_from_row(&row);
        }
        let inserted = sqlx::query(
            "INSERT INTO retention_jobs (id, category, scope, cutoff, started_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(category)
        .bind(scope)
        .bind(cutoff)
        .bind(millis(now))
        .execute(&self.pool)
        .await;
        if let Err(error) = inserted {
            // Another server opened it a moment ago (the unique index on open jobs).
            if find()
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_error)?
                .is_none()
            {
                return Err(backend_error(error));
            }
        }
        let row = find().fetch_one(&self.pool).await.map_err(backend_error)?;
        job_from_row(&row)
    }

    async fn has_open_job(&self, category: &str, scope: &str) -> Result<bool, StoreError> {
        let open: Option<String> = sqlx::query_scalar(
            "SELECT id FROM retention_jobs WHERE category = $1 AND scope = $2 AND finished_at IS NULL",
        )
        .bind(category)
        .bind(scope)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(open.is_some())
    }

    async fn finish_job(&self, job: &Job, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE retention_jobs SET finished_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(&job.id)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    /// Rows of `table` matching `which`, counted (in the business's tenant
    /// transaction when it has one).
    async fn count(
        &self,
        business: Option<BusinessId>,
        table: &str,
        which: &str,
        binds: &[Bind],
    ) -> Result<u64, StoreError> {
        let mut tx = self.scoped_tx(business).await?;
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {which}");
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(text) => query.bind(text.clone()),
                Bind::Int(number) => query.bind(*number),
            };
        }
        let n = query.fetch_one(&mut *tx).await.map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn scoped_tx(
        &self,
        business: Option<BusinessId>,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        match business {
            Some(business) => self.tenant_tx(business).await,
            None => self.begin().await,
        }
    }

    /// Deletes the rows of `table` matching `which` a batch at a time, each batch in one
    /// transaction with the job's count. The rows deleted, and whether the budget ran
    /// out before the table was done.
    #[allow(clippy::too_many_arguments)]
    async fn delete_batches(
        &self,
        business: Option<BusinessId>,
        job: &Job,
        table: &str,
        key: &str,
        which: &str,
        binds: &[Bind],
        options: PurgeOptions,
        budget: &mut Budget,
    ) -> Result<(u64, Result<(), OutOfBudget>), StoreError> {
        let limit = binds.len() + 1;
        let sql = format!(
            "DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE {which} LIMIT ${limit})"
        );
        let mut total = 0;
        loop {
            if !budget.take() {
                return Ok((total, Err(OutOfBudget)));
            }
            let mut tx = self.scoped_tx(business).await?;
            let mut query = sqlx::query(&sql);
            for bind in binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text.clone()),
                    Bind::Int(number) => query.bind(*number),
                };
            }
            let deleted = query
                .bind(i64::from(options.batch_size))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
            record_batch(&mut tx, job, deleted).await?;
            tx.commit().await.map_err(backend_error)?;
            total += deleted;
            if deleted == 0 {
                budget.give_back();
            }
            if deleted < u64::from(options.batch_size) {
                return Ok((total, Ok(())));
            }
        }
    }

    /// Per business with an audit chain, the time before which its events go: six years
    /// ago, or — six years after an account's closure — everything.
    async fn audit_cutoffs(&self, now: Timestamp) -> Result<Vec<(BusinessId, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT h.business_id, c.audit_purge_after FROM audit_heads h \
             LEFT JOIN business_closures c ON c.business_id = h.business_id ORDER BY h.business_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let six_years_ago = millis(retention::before(now, AUDIT_KEPT));
        let mut cutoffs = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("business_id").map_err(backend_error)?;
            let business = id.parse().map(BusinessId).map_err(backend_error)?;
            let closure: Option<i64> = row.try_get("audit_purge_after").map_err(backend_error)?;
            let cutoff = match closure {
                Some(after) if after <= millis(now) => i64::MAX,
                // Closed, not yet six years ago: the whole log is kept until then.
                Some(_) => continue,
                None => six_years_ago,
            };
            cutoffs.push((business, cutoff));
        }
        Ok(cutoffs)
    }

    /// Removes a business's audit events older than `cutoff`: first moves the chain's
    /// anchor to the newest of them (the permit the database checks, and where
    /// verification starts), then deletes up to it in batches.
    async fn purge_audit(
        &self,
        business: BusinessId,
        cutoff: i64,
        now: Timestamp,
        options: PurgeOptions,
        budget: &mut Budget,
    ) -> Result<(u64, Result<(), OutOfBudget>), StoreError> {
        let scope = business.to_string();
        let due = self
            .count(
                Some(business),
                "audit_events",
                "business_id = $1 AND at < $2",
                &[Bind::Text(scope.clone()), Bind::Int(cutoff)],
            )
            .await?;
        if options.dry_run {
            return Ok((due, Ok(())));
        }
        if due == 0 && !self.has_open_job(AUDIT_LOG, &scope).await? {
            return Ok((0, Ok(())));
        }
        let job = self.open_job(AUDIT_LOG, &scope, cutoff, now).await?;
        let mut tx = self.tenant_tx(business).await?;
        let newest = sqlx::query(
            "SELECT seq, hash FROM audit_events WHERE business_id = $1 AND at < $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&scope)
        .bind(job.cutoff)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        if let Some(row) = newest {
            let seq: i64 = row.try_get("seq").map_err(backend_error)?;
            let hash: String = row.try_get("hash").map_err(backend_error)?;
            sqlx::query(
                "INSERT INTO audit_anchors (business_id, seq, hash, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (business_id) DO UPDATE SET seq = $2, hash = $3, at = $4 \
                 WHERE audit_anchors.seq < $2",
            )
            .bind(&scope)
            .bind(seq)
            .bind(hash)
            .bind(millis(now))
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)?;
        let done = self
            .delete_batches(
                Some(business),
                &job,
                "audit_events",
                "id",
                "business_id = $1 AND seq <= (SELECT seq FROM audit_anchors WHERE business_id = $1)",
                &[Bind::Text(scope.clone())],
                options,
                budget,
            )
            .await?;
        if done.1.is_ok() {
            self.finish_job(&job, now).await?;
        }
        Ok(done)
    }
}

/// A value bound to a retention query.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

/// A sweep's values: the business (for a tenant table) and the cutoff.
fn sweep_binds(business: Option<BusinessId>, cutoff: i64) -> Vec<Bind> {
    match business {
        Some(business) => vec![Bind::Text(business.to_string()), Bind::Int(cutoff)],
        None => vec![Bind::Int(cutoff)],
    }
}

fn job_from_row(row: &sqlx::any::AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: row.try_get("id").map_err(backend_error)?,
        cutoff: row.try_get("cutoff").map_err(backend_error)?,
    })
}

/// Adds a batch to its job's count, in the batch's transaction.
async fn record_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    job: &Job,
    deleted: u64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE retention_jobs SET batches = batches + 1, deleted = deleted + $1 WHERE id = $2",
    )
    .bind(i64::try_from(deleted).unwrap_or(i64::MAX))
    .bind(&job.id)
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    Ok(())
}
