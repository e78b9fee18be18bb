//! The audit log in SQL: appends that take turns per business, pages for the dashboard,
//! a stream for CSV export, and verification of every chain. The rows are append-only by
//! the database's own triggers (see the `audit_events` migration).

use std::collections::{BTreeSet, HashMap};

use frontdesk_core::assistant::StoreError;
use frontdesk_core::audit::{
    Actor, AuditAction, AuditEvent, AuditRecord, AuditVerification, BreakReason, ChainBreak,
    ChainHash, ChainHead, ChainVerifier,
};
use frontdesk_core::conversation::BusinessId;
use futures_util::stream::BoxStream;
use futures_util::{stream, StreamExt, TryStreamExt};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::store::{backend_error, millis, uuid_column};
use crate::Store;

/// `SELECT` of every column `record` reads, followed by the rest of a statement; a macro so
/// that statements stay `&'static str`.
macro_rules! select_events {
    ($($rest:literal),+) => {
        concat!(
            "SELECT business_id, seq, at, actor_user_id, actor_email, action, resource, ip, \
             user_agent, detail, prev_hash, hash FROM audit_events ",
            $($rest),+
        )
    };
}

/// Events `audit_stream` reads per query. Tests use tiny pages, so that streaming a few
/// events crosses page boundaries (a full last page, then an empty one).
#[cfg(not(test))]
const STREAM_PAGE: i64 = 1_000;
#[cfg(test)]
const STREAM_PAGE: i64 = 2;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds `$1` to the business when verification is limited to one.
fn scoped(query: AnyQuery<'_>, business: Option<BusinessId>) -> AnyQuery<'_> {
    match business {
        Some(business) => query.bind(business.to_string()),
        None => query,
    }
}

/// A span of time, `from` included and `to` excluded; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditRange {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl AuditRange {
    /// The bounds in milliseconds, open ends widened to the whole range of the column.
    fn millis(self) -> (i64, i64) {
        (
            self.from.map_or(i64::MIN, millis),
            self.to.map_or(i64::MAX, millis),
        )
    }
}

/// Why a stored row can't be turned back into an event.
enum RowError {
    /// The database failed, or a column has the wrong type.
    Store(StoreError),
    /// A value the application never writes (an unknown action, a hash that isn't hex):
    /// the row was changed behind the application's back.
    Tampered {
        business: BusinessId,
        seq: u64,
        reason: BreakReason,
    },
}

impl From<RowError> for StoreError {
    fn from(error: RowError) -> Self {
        match error {
            RowError::Store(error) => error,
            RowError::Tampered {
                business,
                seq,
                reason,
            } => StoreError::Conflict(format!(
                "audit event #{seq} of business {business} is unreadable: {reason}"
            )),
        }
    }
}

fn seq_from(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(backend_error)
}

fn seq_to(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(backend_error)
}

/// A chain head's stored hash. Heads are the application's own bookkeeping, so an
/// unreadable one is an error rather than a broken link.
fn head_hash(business: BusinessId, text: String) -> Result<ChainHash, StoreError> {
    ChainHash::from_hex(&text).ok_or_else(|| unreadable_head(business))
}

fn unreadable_head(business: BusinessId) -> StoreError {
    StoreError::Conflict(format!("the audit chain head of {business} is unreadable"))
}

fn column<T>(row: &AnyRow, name: &str) -> Result<T, RowError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(name)
        .map_err(|e| RowError::Store(backend_error(e)))
}

/// An event as stored, back into the domain.
fn record(row: &AnyRow) -> Result<AuditRecord, RowError> {
    let business = BusinessId(uuid_column(row, "business_id").map_err(RowError::Store)?);
    let seq = seq_from(column(row, "seq")?).map_err(RowError::Store)?;
    let tampered = |reason| RowError::Tampered {
        business,
        seq,
        reason,
    };
    let hash = |name: &str| -> Result<Option<ChainHash>, RowError> {
        Ok(ChainHash::from_hex(&column::<String>(row, name)?))
    };
    let action: String = column(row, "action")?;
    let action = AuditAction::parse(&action).ok_or_else(|| tampered(BreakReason::HashMismatch))?;
    let at = Timestamp::from_millisecond(column(row, "at")?)
        .map_err(|_| tampered(BreakReason::HashMismatch))?;
    let prev_hash = hash("prev_hash")?.ok_or_else(|| tampered(BreakReason::PrevHashMismatch))?;
    let hash = hash("hash")?.ok_or_else(|| tampered(BreakReason::HashMismatch))?;
    Ok(AuditRecord {
        seq,
        event: AuditEvent {
            business,
            at,
            actor: Actor {
                user_id: column(row, "actor_user_id")?,
                email: column(row, "actor_email")?,
            },
            action,
            resource: column(row, "resource")?,
            ip: column(row, "ip")?,
            user_agent: column(row, "user_agent")?,
            detail: column(row, "detail")?,
        },
        prev_hash,
        hash,
    })
}

impl Store {
    /// Appends an event to its business's chain and returns it with its position and
    /// hash, once committed (durable: SQLite syncs every commit, PostgreSQL by default).
    ///
    /// The first statement writes the business's head row, which locks it on PostgreSQL
    /// and takes the write lock on SQLite, so concurrent appends for one business take
    /// turns instead of racing for the same `seq` (which `UNIQUE (business_id, seq)`
    /// would refuse anyway). Audit events are rare next to turns, so they don't go through
    /// SQLite's group-commit writer.
    pub async fn append_audit(&self, event: &AuditEvent) -> Result<AuditRecord, StoreError> {
        let mut event = event.clone();
        // The chain hashes milliseconds; keep the returned record equal to a stored one.
        event.at = Timestamp::from_millisecond(event.at.as_millisecond()).map_err(backend_error)?;
        let business = event.business.to_string();
        let mut tx = self.tenant_tx(event.business).await?;
        // Returns the new event's seq and the previous link (the genesis for a new chain).
        let head = sqlx::query(
            "INSERT INTO audit_heads (business_id, seq, hash) VALUES ($1, 1, $2) \
             ON CONFLICT (business_id) DO UPDATE SET seq = audit_heads.seq + 1 \
             RETURNING seq, hash",
        )
        .bind(&business)
        .bind(ChainHash::GENESIS.to_hex())
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        let seq = seq_from(head.try_get("seq").map_err(backend_error)?)?;
        let prev = head_hash(event.business, head.try_get("hash").map_err(backend_error)?)?;
        let prev_seq = seq
            .checked_sub(1)
            .ok_or_else(|| unreadable_head(event.business))?;
        let record = AuditRecord::next(prev_seq, prev, event);
        let event = &record.event;
        sqlx::query(
            "INSERT INTO audit_events (id, business_id, seq, at, actor_user_id, actor_email, action, resource, ip, user_agent, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&business)
        .bind(seq_to(record.seq)?)
        .bind(millis(event.at))
        .bind(event.actor.user_id.as_deref())
        .bind(event.actor.email.as_deref())
        .bind(event.action.as_str())
        .bind(event.resource.as_deref())
        .bind(event.ip.as_deref())
        .bind(event.user_agent.as_deref())
        .bind(event.detail.as_deref())
        .bind(record.prev_hash.to_hex())
        .bind(record.hash.to_hex())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        sqlx::query("UPDATE audit_heads SET hash = $1 WHERE business_id = $2")
            .bind(record.hash.to_hex())
            .bind(&business)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(record)
    }

    /// One page of a business's events in a time range, newest first (what an owner
    /// reviewing access wants to see). For the next page pass the last `seq` of this one
    /// as `before_seq`; seq, unlike time, is unique and never reused.
    pub async fn audit_events(
        &self,
        business: BusinessId,
        range: AuditRange,
        limit: u32,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let (from, to) = range.millis();
        let before = before_seq.map_or(Ok(i64::MAX), seq_to)?;
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(select_events!(
            "WHERE business_id = $1 AND at >= $2 AND at < $3 AND seq < $4 ",
            "ORDER BY seq DESC LIMIT $5"
        ))
        .bind(business.to_string())
        .bind(from)
        .bind(to)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter()
            .map(|row| record(row).map_err(StoreError::from))
            .collect()
    }

    /// Every event of a business in a time range, oldest first, read as the caller
    /// consumes them so an export of years of events runs in constant memory.
    ///
    /// Rows come a page at a time, each page read in its own tenant transaction and
    /// continued after the last `seq` seen: a stream over one transaction would have to
    /// own the connection it borrows. Events are append-only and `seq` never reused, so
    /// the pages join up; an event appended meanwhile may appear at the end.
    pub fn audit_stream(
        &self,
        business: BusinessId,
        range: AuditRange,
    ) -> BoxStream<'_, Result<AuditRecord, StoreError>> {
        // The seq the next page starts after; None once the last page has been read.
        stream::try_unfold(Some(0), move |after| async move {
            match after {
                None => Ok(None),
                Some(after) => self
                    .audit_page(business, range, after)
                    .await
                    .map(|(page, next)| Some((stream::iter(page), next))),
            }
        })
        .try_flatten()
        .boxed()
    }

    /// One page of `audit_stream`: the records (a row that can't be decoded as its error,
    /// after which the stream stops) and where the next page starts, if there is one.
    async fn audit_page(
        &self,
        business: BusinessId,
        range: AuditRange,
        after: i64,
    ) -> Result<(Vec<Result<AuditRecord, StoreError>>, Option<i64>), StoreError> {
        let (from, to) = range.millis();
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(select_events!(
            "WHERE business_id = $1 AND at >= $2 AND at < $3 AND seq > $4 ORDER BY seq LIMIT $5"
        ))
        .bind(business.to_string())
        .bind(from)
        .bind(to)
        .bind(after)
        .bind(STREAM_PAGE)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let mut next = match rows.last() {
            Some(last) if rows.len() as i64 == STREAM_PAGE => {
                Some(last.try_get("seq").map_err(backend_error)?)
            }
            _ => None,
        };
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            let decoded = record(row).map_err(StoreError::from);
            let failed = decoded.is_err();
            page.push(decoded);
            if failed {
                next = None;
                break;
            }
        }
        Ok((page, next))
    }

    /// Re-walks every chain (or one business's) in seq order, recomputing each hash, and
    /// reports the first broken link. Rows are streamed: memory grows with the number of
    /// businesses (one head each), not of events.
    ///
    /// Chains are walked one business at a time, each in its own tenant transaction, as
    /// row-level security requires. The businesses are those with a chain head (every
    /// append writes one, and the database refuses to delete them) or a business row;
    /// the events of any of them are all seen.
    ///
    /// Heads are read before the events: an append committing in between only makes the
    /// events run past their head, which is fine, while events missing up to a head, or
    /// deleted from the end of a chain, are reported as truncation.
    pub async fn verify_audit(
        &self,
        business: Option<BusinessId>,
    ) -> Result<AuditVerification, StoreError> {
        let heads = self.chain_links("audit_heads", business).await?;
        // Ordered as the chains were when one query read them all.
        let mut chains: BTreeSet<Uuid> = heads.keys().map(|business| business.0).collect();
        match business {
            Some(business) => {
                chains.insert(business.0);
            }
            None => chains.extend(self.business_ids().await?.iter().map(|b| b.0)),
        }
        let anchors = self.chain_links("audit_anchors", business).await?;
        let mut verifier = ChainVerifier::new(heads).with_anchors(anchors);
        for business in chains {
            if let Some(broken) = self
                .verify_chain(&mut verifier, BusinessId(business))
                .await?
            {
                return Ok(AuditVerification::Broken(broken));
            }
        }
        Ok(verifier.finish())
    }

    /// The links recorded per chain in `table` (`audit_heads`: each chain's last;
    /// `audit_anchors`: where retention left each chain's start), for every business or
    /// one.
    async fn chain_links(
        &self,
        table: &'static str,
        business: Option<BusinessId>,
    ) -> Result<HashMap<BusinessId, ChainHead>, StoreError> {
        let sql = match business {
            Some(_) => format!("SELECT business_id, seq, hash FROM {table} WHERE business_id = $1"),
            None => format!("SELECT business_id, seq, hash FROM {table}"),
        };
        scoped(sqlx::query(&sql), business)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?
            .iter()
            .map(|row| {
                let business = BusinessId(uuid_column(row, "business_id")?);
                let seq = seq_from(row.try_get("seq").map_err(backend_error)?)?;
                let hash = head_hash(business, row.try_get("hash").map_err(backend_error)?)?;
                Ok((business, ChainHead { seq, hash }))
            })
            .collect()
    }

    /// Pushes one business's events through the verifier; the first broken link, if any.
    async fn verify_chain(
        &self,
        verifier: &mut ChainVerifier,
        business: BusinessId,
    ) -> Result<Option<ChainBreak>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let mut rows = sqlx::query(select_events!("WHERE business_id = $1 ORDER BY seq"))
            .bind(business.to_string())
            .fetch(&mut *tx);
        while let Some(row) = rows.try_next().await.map_err(backend_error)? {
            let pushed = match record(&row) {
                Ok(record) => verifier.push(&record),
                Err(RowError::Tampered {
                    business,
                    seq,
                    reason,
                }) => Err(verifier.unreadable(business, seq, reason)),
                Err(RowError::Store(error)) => return Err(error),
            };
            if let Err(broken) = pushed {
                return Ok(Some(broken));
            }
        }
        drop(rows);
        tx.commit().await.map_err(backend_error)?;
        Ok(None)
    }
}
