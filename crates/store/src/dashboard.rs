//! What the owner's dashboard reads: conversation lists and transcripts, leads, and
//! daily activity. Every query is scoped to one business.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::{BusinessId, ConversationId, Message};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::store::{backend_error, from_millis, message_from_row, millis, uuid_column};
use crate::Store;

/// One line of the conversations list.
#[derive(Debug, Clone)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub visitor: String,
    pub channel: String,
    pub page_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub messages: i64,
    /// The visitor's first message (already redacted when it was stored).
    pub opening: Option<String>,
    /// When the visitor said they are under 13: the owner is asked to delete it.
    pub child_flagged_at: Option<Timestamp>,
}

/// Which conversations to list.
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    /// Words that must appear in one of the conversation's messages (case-insensitive).
    pub text: Option<String>,
    pub channel: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// A lead as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub id: Uuid,
    pub conversation: Option<ConversationId>,
    pub channel: String,
    pub page_url: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interest: Option<String>,
    pub preferred_time: Option<String>,
    pub consent: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a new lead holds; the store adds id and timestamps.
#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub conversation: Option<ConversationId>,
    pub visitor: Option<String>,
    pub channel: String,
    pub page_url: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interest: Option<String>,
    pub preferred_time: Option<String>,
    pub consent: bool,
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// Conversations of a business, newest activity first, a page at a time.
    pub async fn conversations(
        &self,
        business: BusinessId,
        filter: &ConversationFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(like_pattern);
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT c.id, c.visitor_id, c.channel, c.page_url, c.created_at, c.updated_at, c.minor_flagged_at, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count, \
             (SELECT m.text FROM messages m WHERE m.conversation_id = c.id AND m.role = 'visitor' \
              ORDER BY m.created_at, m.id LIMIT 1) AS opening \
             FROM conversations c WHERE c.business_id = $1 \
             AND ($2 IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND LOWER(m.text) LIKE $2 ESCAPE '\\')) \
             AND ($3 IS NULL OR c.channel = $3) \
             AND ($4 IS NULL OR c.updated_at >= $4) AND ($5 IS NULL OR c.created_at < $5) \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT $6 OFFSET $7",
        )
        .bind(business.to_string())
        .bind(text)
        .bind(filter.channel.as_deref())
        .bind(filter.since.map(millis))
        .bind(filter.until.map(millis))
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter().map(summary_from_row).collect()
    }

    /// One conversation of a business with all its messages, for the team's transcript
    /// view; `None` if it does not exist in this business.
    pub async fn team_transcript(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<Option<(ConversationSummary, Vec<Message>)>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT c.id, c.visitor_id, c.channel, c.page_url, c.created_at, c.updated_at, c.minor_flagged_at, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count, \
             (SELECT m.text FROM messages m WHERE m.conversation_id = c.id AND m.role = 'visitor' \
              ORDER BY m.created_at, m.id LIMIT 1) AS opening \
             FROM conversations c WHERE c.id = $1 AND c.business_id = $2",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let summary = summary_from_row(&row)?;
        let rows = sqlx::query(
            "SELECT role, text, created_at FROM messages WHERE conversation_id = $1 AND business_id = $2 \
             ORDER BY created_at, id",
        )
        .bind(conversation.to_string())
        .bind(business.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        let messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, StoreError>>()?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Some((summary, messages)))
    }

    /// When each conversation and each lead of a business started, since a moment: the
    /// dashboard buckets them into days in the business's time zone.
    pub async fn activity_since(
        &self,
        business: BusinessId,
        since: Timestamp,
    ) -> Result<(Vec<Timestamp>, Vec<Timestamp>), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let mut started = Vec::new();
        for table in ["conversations", "leads"] {
            let rows: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT created_at FROM {table} WHERE business_id = $1 AND created_at >= $2 ORDER BY created_at"
            ))
            .bind(business.to_string())
            .bind(millis(since))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_error)?;
            started.push(
                rows.into_iter()
                    .map(from_millis)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        tx.commit().await.map_err(backend_error)?;
        let leads = started.pop().unwrap_or_default();
        let conversations = started.pop().unwrap_or_default();
        Ok((conversations, leads))
    }

    /// Saves a lead and says so durably before returning its id.
    pub async fn save_lead(
        &self,
        business: BusinessId,
        lead: &NewLead,
        now: Timestamp,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let id = insert_lead(&mut tx, business, lead, now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(id)
    }

    /// Leads of a business, newest first, a page at a time (exports walk the pages, so
    /// memory stays flat however many leads there are).
    pub async fn leads(
        &self,
        business: BusinessId,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Lead>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT id, conversation_id, channel, page_url, name, phone, email, interest, preferred_time, consent, created_at, updated_at \
             FROM leads WHERE business_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        )
        .bind(business.to_string())
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter().map(lead_from_row).collect()
    }
}

fn summary_from_row(row: &AnyRow) -> Result<ConversationSummary, StoreError> {
    Ok(ConversationSummary {
        id: ConversationId(uuid_column(row, "id")?),
        visitor: row.try_get("visitor_id").map_err(backend_error)?,
        channel: row.try_get("channel").map_err(backend_error)?,
        page_url: row.try_get("page_url").map_err(backend_error)?,
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
        updated_at: from_millis(row.try_get("updated_at").map_err(backend_error)?)?,
        messages: row.try_get("message_count").map_err(backend_error)?,
        opening: row.try_get("opening").map_err(backend_error)?,
        child_flagged_at: row
            .try_get::<Option<i64>, _>("minor_flagged_at")
            .map_err(backend_error)?
            .map(from_millis)
            .transpose()?,
    })
}

fn lead_from_row(row: &AnyRow) -> Result<Lead, StoreError> {
    let conversation: Option<String> = row.try_get("conversation_id").map_err(backend_error)?;
    let consent: i64 = row.try_get("consent").map_err(backend_error)?;
    Ok(Lead {
        id: uuid_column(row, "id")?,
        conversation: conversation
            .map(|c| c.parse().map(ConversationId).map_err(backend_error))
            .transpose()?,
        channel: row.try_get("channel").map_err(backend_error)?,
        page_url: row.try_get("page_url").map_err(backend_error)?,
        name: row.try_get("name").map_err(backend_error)?,
        phone: row.try_get("phone").map_err(backend_error)?,
        email: row.try_get("email").map_err(backend_error)?,
        interest: row.try_get("interest").map_err(backend_error)?,
        preferred_time: row.try_get("preferred_time").map_err(backend_error)?,
        consent: consent != 0,
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
        updated_at: from_millis(row.try_get("updated_at").map_err(backend_error)?)?,
    })
}

/// Writes a new lead on the caller's transaction and returns its id.
pub(crate) async fn insert_lead(
    conn: &mut sqlx::AnyConnection,
    business: BusinessId,
    lead: &NewLead,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO leads (id, business_id, conversation_id, visitor_id, channel, page_url, name, phone, email, \
         interest, preferred_time, consent, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(id.to_string())
    .bind(business.to_string())
    .bind(lead.conversation.map(|c| c.to_string()))
    .bind(lead.visitor.as_deref())
    .bind(lead.channel.as_str())
    .bind(lead.page_url.as_deref())
    .bind(lead.name.as_deref())
    .bind(lead.phone.as_deref())
    .bind(lead.email.as_deref())
    .bind(lead.interest.as_deref())
    .bind(lead.preferred_time.as_deref())
    .bind(i64::from(lead.consent))
    .bind(millis(now))
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(id)
}
