use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::assistant::{
    Booked, BookingRequest, ConversationStore, DraftChange, StoreError, TurnRecord,
};
use frontdesk_core::booking::Taken;
use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, ConversationId, Message, Role, VisitorId};
use frontdesk_core::leads::manage::Managed;
use frontdesk_core::leads::{LeadDetails, LeadDraft};
use frontdesk_core::notify::TeamEvent;
use jiff::Timestamp;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use uuid::Uuid;

use crate::secrets::Keyring;
use crate::writer::{Write, Writer};

/// Which database sits behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage adapter. Cheap to clone: it is a handle on a connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite's group-commit writer; PostgreSQL takes concurrent transactions directly.
    pub(crate) writer: Option<Writer>,
    /// Seals credentials at rest; without it, storing a credential is refused.
    pub(crate) keyring: Option<Arc<Keyring>>,
}

/// A business as stored: its id, identity and the owner's source file.
#[derive(Debug, Clone)]
pub struct StoredBusiness {
    pub id: BusinessId,
    pub slug: String,
    pub name: String,
    pub source: String,
    pub updated_at: Timestamp,
    /// When the owner closed the account; a closed business answers no one.
    pub closed_at: Option<Timestamp>,
}

/// One line of `frontdesk business list`.
#[derive(Debug, Clone)]
pub struct BusinessSummary {
    pub slug: String,
    pub name: String,
    pub conversations: i64,
    pub updated_at: Timestamp,
}

/// Findings of one kind and rule, counted, with the latest detail.
#[derive(Debug, Clone)]
pub struct QualityCount {
    pub kind: String,
    pub rule: String,
    pub count: i64,
    pub latest_detail: String,
    pub latest_at: Timestamp,
}

/// What model-written replies of one model cost a business.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageSummary {
    pub model: String,
    pub replies: i64,
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Replies the built-in engine wrote because the model failed.
    pub fallbacks: i64,
    pub mean_latency_ms: f64,
    pub mean_first_text_ms: Option<f64>,
}

/// Whether an import created a business or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
}

pub(crate) fn backend_error(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

pub(crate) fn millis(timestamp: Timestamp) -> i64 {
    timestamp.as_millisecond()
}

pub(crate) fn from_millis(value: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(value).map_err(backend_error)
}

pub(crate) fn uuid_column(row: &AnyRow, column: &str) -> Result<Uuid, StoreError> {
    let text: String = row.try_get(column).map_err(backend_error)?;
    Uuid::from_str(&text).map_err(backend_error)
}

/// Turns what a user passes as `--database` into a sqlx URL: a bare path means a SQLite
/// file (created if missing).
pub fn database_url(raw: &str) -> String {
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        return raw.to_owned();
    }
    let path = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
        .unwrap_or(raw);
    if path.contains("mode=") {
        format!("sqlite://{path}")
    } else if path.contains('?') {
        format!("sqlite://{path}&mode=rwc")
    } else {
        format!("sqlite://{path}?mode=rwc")
    }
}

/// WAL lets readers run beside the writer; synchronous=FULL makes every commit durable
/// before we answer; busy_timeout queues writers instead of failing. A checkpoint stalls
/// the commit that triggers it for as long as it takes to copy the log into the database
/// file and fsync it; 4,000 pages (16 MB) makes those stalls rare (measured: p99 at 2,000
/// turns/s went from ~400 ms with 100 pages, ~40 ms with SQLite's default 1,000, to under
/// 7 ms).
/// How SQLite transactions begin: holding the write lock (see [`Store::begin`]).
pub(crate) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000;";

/// Refuses to start if `frontdesk_app` could bypass row-level security: the role is
/// shared by the whole cluster, and an administrator may have altered it since it was
/// created, which would silently switch tenant isolation off.
async fn refuse_a_privileged_app_role(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let privileged: bool = sqlx::query_scalar(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'frontdesk_app'",
    )
    .fetch_one(conn)
    .await
    .map_err(backend_error)?;
    if privileged {
        return Err(StoreError::Conflict(
            "the database role frontdesk_app is a superuser or may bypass row-level security; \
             tenant isolation needs it to be neither (ALTER ROLE frontdesk_app NOSUPERUSER NOBYPASSRLS)"
                .to_owned(),
        ));
    }
    Ok(())
}

impl Store {
    /// Connects (creating a SQLite file if needed) and brings the schema up to date.
    ///
    /// Migrations run first, on a connection of their own, as the user in the URL: they
    /// create tables and policies, so they need the owner's rights. On PostgreSQL every
    /// pooled connection then switches to `frontdesk_app` (created by the migrations), a
    /// role that can neither bypass row-level security nor alter the tables, so tenant
    /// isolation holds even for a query that forgets its `WHERE business_id`. (A
    /// deployment may instead connect directly as a login role that is a member of
    /// `frontdesk_app`; the switch is then a no-op in effect.)
    pub async fn connect(raw_url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let url = database_url(raw_url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = AnyConnectOptions::from_str(&url).map_err(backend_error)?;
        let mut migrating = AnyConnection::connect_with(&options)
            .await
            .map_err(backend_error)?;
        match backend {
            Backend::Sqlite => {
                migrating
                    .execute(SQLITE_PRAGMAS)
                    .await
                    .map_err(backend_error)?;
                sqlx::migrate!("./migrations/sqlite")
                    .run(&mut migrating)
                    .await
                    .map_err(backend_error)?;
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&mut migrating)
                    .await
                    .map_err(backend_error)?;
                refuse_a_privileged_app_role(&mut migrating).await?;
            }
        }
        let pool_options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let pool_options = match backend {
            Backend::Sqlite => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("SET ROLE frontdesk_app").await?;
                    Ok(())
                })
            }),
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(backend_error)?;
        // Closed only now: an in-memory SQLite database lives as long as a connection to it.
        migrating.close().await.map_err(backend_error)?;
        let writer = (backend == Backend::Sqlite).then(|| Writer::spawn(pool.clone()));
        Ok(Self {
            pool,
            backend,
            writer,
            keyring: None,
        })
    }

    /// Begins a transaction that may only see and write rows of `business`.
    ///
    /// On PostgreSQL this sets `app.business_id` for the transaction, which the
    /// row-level security policies of every tenant table compare with `business_id`;
    /// without it a tenant table looks empty. SQLite has no row-level security and its
    /// queries' own `WHERE business_id` is the only guard, so there it is a plain
    /// transaction. Every query on a tenant table runs inside one of these, reads too.
    pub(crate) async fn tenant_tx(
        &self,
        business: BusinessId,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        // Deferred on SQLite: most tenant transactions only read, and WAL lets them run
        // beside the writer (taking the write lock for all of them cost the phone line's
        // p99 14x with eight callers).
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT set_config('app.business_id', $1, true)")
                .bind(business.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        Ok(tx)
    }

    /// A transaction that will write (accounts, billing, imports, installation-wide
    /// retention). On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
    /// transaction that read first and writes later would otherwise fail at once with
    /// "database is locked" whenever another connection committed in between (WAL keeps
    /// its snapshot), instead of queueing behind `busy_timeout` like any other writer.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with(SQLITE_BEGIN).await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(backend_error)
    }

    /// The ids of every business, for the operations that span tenants (rotating keys,
    /// verifying every audit chain): under row-level security they visit one business at
    /// a time.
    pub(crate) async fn business_ids(&self) -> Result<Vec<BusinessId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM businesses ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        ids.iter()
            .map(|id| Uuid::from_str(id).map(BusinessId).map_err(backend_error))
            .collect()
    }

    /// The same store, sealing and opening credentials with these keys.
    pub fn with_keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = Some(Arc::new(keyring));
        self
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers, for health probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        conn.ping().await.map_err(backend_error)
    }

    /// Creates or replaces a business from a validated file, keeping its id (and so its
    /// conversations) when the slug already exists.
    pub async fn import_business(
        &self,
        business: &Business,
        source: &str,
        now: Timestamp,
    ) -> Result<(BusinessId, ImportOutcome), StoreError> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query("SELECT id FROM businesses WHERE slug = $1")
            .bind(business.slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
        let outcome = match existing {
            Some(row) => {
                let id = uuid_column(&row, "id")?;
                sqlx::query(
                    "UPDATE businesses SET name = $1, source = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(business.name.as_str())
                .bind(source)
                .bind(millis(now))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                (BusinessId(id), ImportOutcome::Updated)
            }
            None => (
                insert_business(&mut tx, business, source, now).await?,
                ImportOutcome::Created,
            ),
        };
        tx.commit().await.map_err(backend_error)?;
        Ok(outcome)
    }

    /// A business by slug.
    pub async fn business_by_slug(&self, slug: &str) -> Result<Option<StoredBusiness>, StoreError> {
        self.business_where("slug", slug).await
    }

    /// A business by id.
    pub async fn business_by_id(
        &self,
        business: BusinessId,
    ) -> Result<Option<StoredBusiness>, StoreError> {
        self.business_where("id", &business.to_string()).await
    }

    async fn business_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<StoredBusiness>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT id, slug, name, source, updated_at, closed_at FROM businesses WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|row| {
            Ok(StoredBusiness {
                id: BusinessId(uuid_column(&row, "id")?),
                slug: row.try_get("slug").map_err(backend_error)?,
                name: row.try_get("name").map_err(backend_error)?,
                source: row.try_get("source").map_err(backend_error)?,
                updated_at: from_millis(row.try_get("updated_at").map_err(backend_error)?)?,
                closed_at: row
                    .try_get::<Option<i64>, _>("closed_at")
                    .map_err(backend_error)?
                    .map(from_millis)
                    .transpose()?,
            })
        })
        .transpose()
    }

    /// The slug of a business, if it still exists (audit events outlive their business).
    pub async fn business_slug(&self, business: BusinessId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT slug FROM businesses WHERE id = $1")
            .bind(business.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)
    }

    /// All businesses with their conversation counts, by slug. Conversations are counted
    /// one business at a time, each inside its tenant transaction: row-level security
    /// hides every conversation from a query that spans businesses.
    pub async fn list_businesses(&self) -> Result<Vec<BusinessSummary>, StoreError> {
        let rows = sqlx::query("SELECT id, slug, name, updated_at FROM businesses ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        let mut summaries = Vec::with_capacity(rows.len());
        for row in &rows {
            let business = BusinessId(uuid_column(row, "id")?);
            let mut tx = self.tenant_tx(business).await?;
            let conversations: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE business_id = $1")
                    .bind(business.to_string())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_error)?;
            tx.commit().await.map_err(backend_error)?;
            summaries.push(BusinessSummary {
                slug: row.try_get("slug").map_err(backend_error)?,
                name: row.try_get("name").map_err(backend_error)?,
                conversations,
                updated_at: from_millis(row.try_get("updated_at").map_err(backend_error)?)?,
            });
        }
        Ok(summaries)
    }

    /// Stores what the background quality checks found for one turn.
    pub async fn record_quality(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        findings: &[frontdesk_core::policy::QualityFinding],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        if findings.is_empty() {
            return Ok(());
        }
        match &self.writer {
            Some(writer) => {
                writer
                    .write(Write::Quality {
                        business,
                        conversation,
                        findings: findings.to_vec(),
                        at,
                    })
                    .await
            }
            None => {
                let mut tx = self.tenant_tx(business).await?;
                write_quality(&mut tx, business, conversation, findings, at)
                    .await
                    .map_err(backend_error)?;
                tx.commit().await.map_err(backend_error)
            }
        }
    }

    /// Quality findings of a business counted per kind and rule, most frequent first.
    pub async fn quality_summary(
        &self,
        business: BusinessId,
    ) -> Result<Vec<QualityCount>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT q.kind, q.rule, COUNT(*) AS count, MAX(q.created_at) AS latest_at, \
             (SELECT l.detail FROM quality_findings l WHERE l.business_id = q.business_id AND l.kind = q.kind AND l.rule = q.rule \
              ORDER BY l.created_at DESC, l.id DESC LIMIT 1) AS latest_detail \
             FROM quality_findings q WHERE q.business_id = $1 GROUP BY q.business_id, q.kind, q.rule ORDER BY count DESC, q.kind, q.rule",
        )
        .bind(business.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter()
            .map(|row| {
                Ok(QualityCount {
                    kind: row.try_get("kind").map_err(backend_error)?,
                    rule: row.try_get("rule").map_err(backend_error)?,
                    count: row.try_get("count").map_err(backend_error)?,
                    latest_detail: row.try_get("latest_detail").map_err(backend_error)?,
                    latest_at: from_millis(row.try_get("latest_at").map_err(backend_error)?)?,
                })
            })
            .collect()
    }

    /// Token use and latency of model-written replies since a moment, per model.
    pub async fn usage_summary(
        &self,
        business: BusinessId,
        since: Timestamp,
    ) -> Result<Vec<UsageSummary>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT model, COUNT(*) AS replies, CAST(SUM(calls) AS BIGINT) AS calls, CAST(SUM(input_tokens) AS BIGINT) AS input_tokens, \
             CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, CAST(SUM(CASE WHEN fallback IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS fallbacks, \
             CAST(AVG(latency_ms) AS DOUBLE PRECISION) AS mean_latency_ms, \
             CAST(AVG(first_text_ms) AS DOUBLE PRECISION) AS mean_first_text_ms \
             FROM reply_usage WHERE business_id = $1 AND created_at >= $2 GROUP BY model ORDER BY model",
        )
        .bind(business.to_string())
        .bind(millis(since))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter()
            .map(|row| {
                Ok(UsageSummary {
                    model: row.try_get("model").map_err(backend_error)?,
                    replies: row.try_get("replies").map_err(backend_error)?,
                    calls: row.try_get("calls").map_err(backend_error)?,
                    input_tokens: row.try_get("input_tokens").map_err(backend_error)?,
                    output_tokens: row.try_get("output_tokens").map_err(backend_error)?,
                    fallbacks: row.try_get("fallbacks").map_err(backend_error)?,
                    mean_latency_ms: row.try_get("mean_latency_ms").map_err(backend_error)?,
                    mean_first_text_ms: row.try_get("mean_first_text_ms").map_err(backend_error)?,
                })
            })
            .collect()
    }

    /// A whole conversation, oldest first, for the visitor who owns it.
    pub async fn transcript(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages(business, conversation, visitor, None).await
    }

    /// How many messages a conversation of this business and visitor holds; `None` when
    /// there is no such conversation (or it is someone else's).
    pub async fn conversation_length(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let length: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) \
             FROM conversations c WHERE c.id = $1 AND c.business_id = $2 AND c.visitor_id = $3",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .bind(visitor.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(length)
    }

    /// How many conversations of a business started at or after `since` (all channels).
    pub async fn conversations_started_since(
        &self,
        business: BusinessId,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE business_id = $1 AND created_at >= $2",
        )
        .bind(business.to_string())
        .bind(millis(since))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(count)
    }

    async fn messages(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
        limit: Option<usize>,
    ) -> Result<Vec<Message>, StoreError> {
        // Newest first with a limit, then reversed: the latest N in reading order.
        let limit = limit.map_or(i64::MAX, |l| l as i64);
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT m.role, m.text, m.created_at FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.conversation_id = $1 AND c.business_id = $2 AND c.visitor_id = $3 \
             ORDER BY m.created_at DESC, m.id DESC LIMIT $4",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .bind(visitor.as_str())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        if rows.is_empty() {
            return Err(StoreError::NotFound);
        }
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>, StoreError>>()?;
        messages.reverse();
        Ok(messages)
    }
}

impl ConversationStore for Store {
    async fn recent_messages(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages(business, conversation, visitor, Some(limit))
            .await
    }

    async fn lead_draft(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<Option<LeadDraft>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let draft: Option<Option<String>> = sqlx::query_scalar(
            "SELECT lead_draft FROM conversations WHERE id = $1 AND business_id = $2",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        // A draft this version can't read (written by another) starts over rather than fails.
        Ok(draft
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    async fn flagged_as_child(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<bool, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let flagged: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT minor_flagged_at FROM conversations WHERE id = $1 AND business_id = $2",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(flagged.flatten().is_some())
    }

    async fn matching_lead(
        &self,
        business: BusinessId,
        visitor: &VisitorId,
        details: &LeadDetails,
    ) -> Result<Option<Uuid>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM leads WHERE business_id = $1 AND (visitor_id = $2 \
             OR ($3 IS NOT NULL AND phone = $3) OR ($4 IS NOT NULL AND LOWER(email) = LOWER($4))) \
             ORDER BY updated_at DESC, id DESC LIMIT 1",
        )
        .bind(business.to_string())
        .bind(visitor.as_str())
        .bind(details.phone.as_ref().map(|p| p.as_str()))
        .bind(details.email.as_deref())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        id.map(|id| Uuid::from_str(&id).map_err(backend_error))
            .transpose()
    }

    async fn taken_times(
        &self,
        business: BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Taken>, StoreError> {
        Ok(self
            .appointments_between(business, from, to)
            .await?
            .into_iter()
            .filter(|a| a.status == crate::AppointmentStatus::Booked)
            .map(|a| Taken {
                start: a.starts_at,
                end: a.ends_at,
            })
            .collect())
    }

    async fn book(
        &self,
        business: BusinessId,
        request: &BookingRequest,
        now: Timestamp,
    ) -> Result<Booked, StoreError> {
        let new = crate::NewAppointment {
            service: request.service.clone(),
            starts_at: request.start,
            ends_at: request.end,
            buffer: request.buffer,
            conversation: Some(request.conversation),
            lead: None,
            visitor: Some(request.visitor.as_str().to_owned()),
        };
        let appointment = self.book_appointment(business, &new, now).await?;
        Ok(Booked {
            id: appointment.id,
            code: appointment.code,
        })
    }

    async fn booked_appointment(
        &self,
        business: BusinessId,
        code: &str,
    ) -> Result<Option<Managed>, StoreError> {
        Ok(self
            .appointment_by_code(business, code)
            .await?
            .filter(|a| a.status == crate::AppointmentStatus::Booked)
            .map(|a| Managed {
                id: a.id,
                code: a.code,
                service: a.service,
                start: a.starts_at,
                end: a.ends_at,
            }))
    }

    async fn cancel_appointment(
        &self,
        business: BusinessId,
        appointment: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.set_appointment_status(
            business,
            appointment,
            crate::AppointmentStatus::Cancelled,
            now,
        )
        .await
    }

    async fn move_appointment(
        &self,
        business: BusinessId,
        appointment: Uuid,
        start: Timestamp,
        end: Timestamp,
        buffer: jiff::SignedDuration,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.reschedule_appointment(business, appointment, start, end, buffer, now)
            .await
    }

    async fn record_turn(&self, turn: &TurnRecord) -> Result<(), StoreError> {
        match &self.writer {
            Some(writer) => writer.write(Write::Turn(Box::new(turn.clone()))).await,
            None => {
                let mut tx = self.tenant_tx(turn.business).await?;
                write_turn(&mut tx, turn).await.map_err(backend_error)?;
                tx.commit().await.map_err(backend_error)
            }
        }
    }
}

/// A message from a row with `role`, `text` and `created_at`.
pub(crate) fn message_from_row(row: &AnyRow) -> Result<Message, StoreError> {
    let role: String = row.try_get("role").map_err(backend_error)?;
    Ok(Message {
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Conflict(format!("unknown role {role:?}")))?,
        text: row.try_get("text").map_err(backend_error)?,
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
    })
}

/// Adds a new business row; the slug must be free.
pub(crate) async fn insert_business(
    conn: &mut AnyConnection,
    business: &Business,
    source: &str,
    now: Timestamp,
) -> Result<BusinessId, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO businesses (id, slug, name, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(id.to_string())
        .bind(business.slug.as_str())
        .bind(business.name.as_str())
        .bind(source)
        .bind(millis(now))
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(BusinessId(id))
}

/// The statements of one turn, on a connection already inside a transaction.
pub(crate) async fn write_turn(
    conn: &mut AnyConnection,
    turn: &TurnRecord,
) -> Result<(), sqlx::Error> {
    let conversation = turn.conversation.to_string();
    let business = turn.business.to_string();
    if turn.is_new {
        sqlx::query(
            "INSERT INTO conversations (id, business_id, visitor_id, channel, page_url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&conversation)
        .bind(&business)
        .bind(turn.visitor.as_str())
        .bind(turn.channel.as_str())
        .bind(turn.page_url.as_deref())
        .bind(millis(turn.visitor_message.created_at))
        .bind(millis(turn.assistant_message.created_at))
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE conversations SET updated_at = $1 WHERE id = $2 AND business_id = $3")
            .bind(millis(turn.assistant_message.created_at))
            .bind(&conversation)
            .bind(&business)
            .execute(&mut *conn)
            .await?;
    }
    let rules =
        serde_json::to_string(&turn.safety.rules).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    // Both messages in one statement: one round trip to the database per turn fewer.
    let (visitor, assistant) = (&turn.visitor_message, &turn.assistant_message);
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, business_id, role, text, safety_verdict, safety_rules, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $2, $3, $10, $11, $6, $7, $12)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(&conversation)
    .bind(&business)
    .bind(visitor.role.as_str())
    .bind(visitor.text.as_str())
    .bind(turn.safety.verdict.as_str())
    .bind(rules.as_str())
    .bind(millis(visitor.created_at))
    .bind(Uuid::now_v7().to_string())
    .bind(assistant.role.as_str())
    .bind(assistant.text.as_str())
    .bind(millis(assistant.created_at))
    .execute(&mut *conn)
    .await?;
    if let Some(usage) = &turn.usage {
        let as_millis = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO reply_usage (id, business_id, conversation_id, model, input_tokens, output_tokens, calls, latency_ms, first_text_ms, fallback, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&business)
        .bind(&conversation)
        .bind(usage.model.as_str())
        .bind(i64::try_from(usage.tokens.input_tokens).unwrap_or(i64::MAX))
        .bind(i64::try_from(usage.tokens.output_tokens).unwrap_or(i64::MAX))
        .bind(i32::try_from(usage.calls).unwrap_or(i32::MAX))
        .bind(as_millis(usage.latency))
        .bind(usage.first_text.map(as_millis))
        .bind(usage.fallback.as_deref())
                .bind(millis(assistant.created_at))
        .execute(&mut *conn)
        .await?;
    }
    if turn.handoff {
        let event = TeamEvent::HandoffRequested {
            conversation_id: turn.conversation,
        };
        crate::notifications::enqueue(
            conn,
            turn.business,
            &event,
            turn.assistant_message.created_at,
        )
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    }
    if turn.flag_child {
        sqlx::query(
            "UPDATE conversations SET minor_flagged_at = $1 WHERE id = $2 AND business_id = $3",
        )
        .bind(millis(turn.visitor_message.created_at))
        .bind(&conversation)
        .bind(&business)
        .execute(&mut *conn)
        .await?;
    }
    write_lead_capture(conn, turn).await
}

/// The lead-capture part of a turn: the conversation's draft, and an agreed lead (new, or
/// merged into the earlier one: a value given now replaces the old, a missing one keeps it).
async fn write_lead_capture(
    conn: &mut AnyConnection,
    turn: &TurnRecord,
) -> Result<(), sqlx::Error> {
    let conversation = turn.conversation.to_string();
    let business = turn.business.to_string();
    let draft = match &turn.lead_draft {
        DraftChange::Keep => None,
        DraftChange::Set(draft) => Some(Some(
            serde_json::to_string(draft).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
        )),
        DraftChange::Clear => Some(None),
    };
    if let Some(draft) = draft {
        sqlx::query("UPDATE conversations SET lead_draft = $1 WHERE id = $2 AND business_id = $3")
            .bind(draft)
            .bind(&conversation)
            .bind(&business)
            .execute(&mut *conn)
            .await?;
    }
    let Some(lead) = &turn.lead else {
        return Ok(());
    };
    let details = &lead.details;
    let at = millis(turn.assistant_message.created_at);
    let statement = if lead.merge {
        "UPDATE leads SET conversation_id = $3, visitor_id = $4, channel = $5, page_url = COALESCE($6, page_url), \
         name = COALESCE($7, name), phone = COALESCE($8, phone), email = COALESCE($9, email), \
         interest = COALESCE($10, interest), preferred_time = COALESCE($11, preferred_time), consent = $12, updated_at = $13 \
         WHERE id = $1 AND business_id = $2"
    } else {
        "INSERT INTO leads (id, business_id, conversation_id, visitor_id, channel, page_url, name, phone, email, \
         interest, preferred_time, consent, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
    };
    sqlx::query(statement)
        .bind(lead.id.to_string())
        .bind(&business)
        .bind(&conversation)
        .bind(turn.visitor.as_str())
        .bind(turn.channel.as_str())
        .bind(turn.page_url.as_deref())
        .bind(details.name.as_deref())
        .bind(details.phone.as_ref().map(|p| p.as_str()))
        .bind(details.email.as_deref())
        .bind(details.interest.as_deref())
        .bind(details.contact_time.as_deref())
        .bind(i64::from(details.consent))
        .bind(at)
        .execute(&mut *conn)
        .await?;
    let event = TeamEvent::LeadCaptured { lead_id: lead.id };
    crate::notifications::enqueue(
        conn,
        turn.business,
        &event,
        turn.assistant_message.created_at,
    )
    .await
    .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    if let Some(appointment) = lead.appointment {
        sqlx::query("UPDATE appointments SET lead_id = $1 WHERE id = $2 AND business_id = $3")
            .bind(lead.id.to_string())
            .bind(appointment.to_string())
            .bind(&business)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The quality findings of one turn, on a connection already inside a transaction.
pub(crate) async fn write_quality(
    conn: &mut AnyConnection,
    business: BusinessId,
    conversation: ConversationId,
    findings: &[frontdesk_core::policy::QualityFinding],
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    for finding in findings {
        sqlx::query("INSERT INTO quality_findings (id, business_id, conversation_id, kind, rule, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Uuid::now_v7().to_string())
            .bind(business.to_string())
            .bind(conversation.to_string())
            .bind(finding.kind)
            .bind(finding.rule.as_str())
            .bind(finding.detail.as_str())
            .bind(millis(at))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
