//! Data-subject requests (everything held about one visitor, exported or deleted), the
//! transcript export, deleting one conversation, and closing an account.
//!
//! What is held about a visitor is listed once, in [`VISITOR_DATA`]: a table, the
//! columns exported, and which of the visitor's matched ids finds its rows. Export and
//! deletion both walk that list, so a new kind of visitor data is one more entry.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use frontdesk_core::retention::RetentionPolicy;
use jiff::Timestamp;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::store::{backend_error, from_millis, millis};
use crate::Store;

/// Who a data-subject request is about. Any of the three finds them; an email matches
/// case-insensitively, a phone number as stored (E.164).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorQuery {
    pub visitor_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl VisitorQuery {
    /// Whether the query names anyone at all.
    pub fn is_empty(&self) -> bool {
        self.visitor_id.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// Which of a visitor's matched ids finds the rows of one kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matched {
    Conversations,
    Leads,
    Appointments,
    /// Anything a notification can be about: leads, appointments, conversations.
    Subjects,
    /// The visitor's phone numbers: the one asked about, those on their leads and SMS
    /// threads.
    Phones,
    /// Calls from those numbers, or in the visitor's conversations.
    Calls,
}

/// One kind of data held about a visitor.
#[derive(Debug)]
struct Held {
    /// The name in exports and reports.
    name: &'static str,
    table: &'static str,
    /// Exported columns (contact data included: the export is for the visitor).
    columns: &'static [&'static str],
    /// The column compared with the matched ids.
    key: &'static str,
    matched: Matched,
    /// The export's row order.
    order: &'static str,
    /// Exported but never deleted: an SMS opt-out is a suppression record, kept so the
    /// number is never texted again.
    kept: bool,
}

/// Everything held about a visitor, in the order deletion goes (rows that point at
/// others first).
const VISITOR_DATA: &[Held] = &[
    Held {
        name: "call_turns",
        table: "call_turns",
        columns: &[
            "id",
            "call_id",
            "seq",
            "said",
            "answered",
            "intent",
            "created_at",
        ],
        key: "call_id",
        matched: Matched::Calls,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "calls",
        table: "calls",
        columns: &[
            "id",
            "call_sid",
            "conversation_id",
            "from_number",
            "to_number",
            "started_at",
            "ended_at",
            "status",
            "duration_seconds",
            "transfer_outcome",
        ],
        key: "id",
        matched: Matched::Calls,
        order: "started_at, id",
        kept: false,
    },
    Held {
        name: "sms_texts_pending",
        table: "sms_outbox",
        columns: &["id", "to_number", "body", "status", "created_at", "sent_at"],
        key: "to_number",
        matched: Matched::Phones,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "sms_texts_received",
        table: "sms_inbound_events",
        columns: &["event_id", "from_number", "text", "status", "received_at"],
        key: "from_number",
        matched: Matched::Phones,
        order: "received_at, event_id",
        kept: false,
    },
    Held {
        name: "sms_threads",
        table: "sms_threads",
        columns: &["phone", "visitor_id", "conversation_id", "updated_at"],
        key: "phone",
        matched: Matched::Phones,
        order: "updated_at, phone",
        kept: false,
    },
    Held {
        name: "sms_opt_outs",
        table: "sms_opt_outs",
        columns: &["phone", "opted_out_at"],
        key: "phone",
        matched: Matched::Phones,
        order: "opted_out_at, phone",
        kept: true,
    },
    Held {
        name: "messages",
        table: "messages",
        columns: &[
            "id",
            "conversation_id",
            "role",
            "text",
            "safety_verdict",
            "created_at",
        ],
        key: "conversation_id",
        matched: Matched::Conversations,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "quality_findings",
        table: "quality_findings",
        columns: &[
            "id",
            "conversation_id",
            "kind",
            "rule",
            "detail",
            "created_at",
        ],
        key: "conversation_id",
        matched: Matched::Conversations,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "reply_usage",
        table: "reply_usage",
        columns: &[
            "id",
            "conversation_id",
            "model",
            "input_tokens",
            "output_tokens",
            "created_at",
        ],
        key: "conversation_id",
        matched: Matched::Conversations,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "notifications",
        table: "notification_outbox",
        columns: &[
            "id",
            "event_kind",
            "subject_id",
            "channel",
            "status",
            "created_at",
            "sent_at",
        ],
        key: "subject_id",
        matched: Matched::Subjects,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "appointments",
        table: "appointments",
        columns: &[
            "id",
            "code",
            "service",
            "starts_at",
            "ends_at",
            "status",
            "conversation_id",
            "lead_id",
            "visitor_id",
            "created_at",
            "updated_at",
        ],
        key: "id",
        matched: Matched::Appointments,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "leads",
        table: "leads",
        columns: &[
            "id",
            "conversation_id",
            "visitor_id",
            "channel",
            "page_url",
            "name",
            "phone",
            "email",
            "interest",
            "preferred_time",
            "consent",
            "created_at",
            "updated_at",
        ],
        key: "id",
        matched: Matched::Leads,
        order: "created_at, id",
        kept: false,
    },
    Held {
        name: "conversations",
        table: "conversations",
        columns: &[
            "id",
            "visitor_id",
            "channel",
            "page_url",
            "lead_draft",
            "minor_flagged_at",
            "created_at",
            "updated_at",
        ],
        key: "id",
        matched: Matched::Conversations,
        order: "created_at, id",
        kept: false,
    },
];

/// The rows of one kind of data held about a visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRows {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    /// One value per column; text, integers or null.
    pub rows: Vec<Vec<Value>>,
}

/// Everything held about one visitor in one business.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorData {
    pub categories: Vec<HeldRows>,
}

impl VisitorData {
    /// How many rows were found, over every kind.
    pub fn total(&self) -> usize {
        self.categories.iter().map(|c| c.rows.len()).sum()
    }

    /// Rows per kind, for reports and the audit detail (counts only, no contact data).
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        self.categories
            .iter()
            .map(|c| (c.name, c.rows.len()))
            .collect()
    }
}

/// The ids a visitor's data is found by, resolved once per request.
#[derive(Debug, Default)]
struct MatchedIds {
    conversations: Vec<String>,
    leads: Vec<String>,
    appointments: Vec<String>,
    phones: Vec<String>,
    calls: Vec<String>,
}

impl MatchedIds {
    fn of(&self, matched: Matched) -> Vec<String> {
        match matched {
            Matched::Conversations => self.conversations.clone(),
            Matched::Leads => self.leads.clone(),
            Matched::Appointments => self.appointments.clone(),
            Matched::Phones => self.phones.clone(),
            Matched::Calls => self.calls.clone(),
            Matched::Subjects => [&self.leads, &self.appointments, &self.conversations]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
        }
    }
}

/// `$from, $from+1, …` for `count` values, or `NULL` (which matches nothing) for none.
fn placeholders(from: usize, count: usize) -> String {
    if count == 0 {
        return "NULL".to_owned();
    }
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn ids(
    conn: &mut AnyConnection,
    sql: &str,
    business: &str,
    values: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut query = sqlx::query_scalar::<_, String>(sql).bind(business);
    for value in values {
        query = query.bind(value.as_str());
    }
    query.fetch_all(conn).await.map_err(backend_error)
}

fn dedup(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}

/// Finds a visitor's leads, conversations and appointments in one business: those of
/// the visitor id, of the leads with that email or phone, and conversations whose lead
/// draft holds the email or phone.
async fn match_visitor(
    conn: &mut AnyConnection,
    business: BusinessId,
    query: &VisitorQuery,
) -> Result<MatchedIds, StoreError> {
    let business = business.to_string();
    let email = query.email.as_deref().map(str::to_lowercase);
    let leads = sqlx::query(
        "SELECT id, visitor_id, conversation_id, phone FROM leads WHERE business_id = $1 \
         AND (visitor_id = $2 OR LOWER(email) = $3 OR phone = $4)",
    )
    .bind(&business)
    .bind(query.visitor_id.as_deref())
    .bind(email.as_deref())
    .bind(query.phone.as_deref())
    .fetch_all(&mut *conn)
    .await
    .map_err(backend_error)?;
    let mut lead_ids = Vec::new();
    let mut visitors: Vec<String> = query.visitor_id.iter().cloned().collect();
    let mut conversations = Vec::new();
    let mut phones: Vec<String> = query.phone.iter().cloned().collect();
    for row in &leads {
        lead_ids.push(row.try_get::<String, _>("id").map_err(backend_error)?);
        if let Some(phone) = row
            .try_get::<Option<String>, _>("phone")
            .map_err(backend_error)?
        {
            phones.push(phone);
        }
        if let Some(visitor) = row
            .try_get::<Option<String>, _>("visitor_id")
            .map_err(backend_error)?
        {
            visitors.push(visitor);
        }
        if let Some(conversation) = row
            .try_get::<Option<String>, _>("conversation_id")
            .map_err(backend_error)?
        {
            conversations.push(conversation);
        }
    }
    // A texter's visitor id is random per business and number: the thread links them.
    let sql = format!(
        "SELECT visitor_id, phone FROM sms_threads WHERE business_id = $1 \
         AND (phone IN ({}) OR visitor_id IN ({}))",
        placeholders(2, phones.len()),
        placeholders(2 + phones.len(), visitors.len()),
    );
    let mut threads = sqlx::query(&sql).bind(&business);
    for key in phones.iter().chain(&visitors) {
        threads = threads.bind(key.as_str());
    }
    for row in threads.fetch_all(&mut *conn).await.map_err(backend_error)? {
        visitors.push(row.try_get("visitor_id").map_err(backend_error)?);
        phones.push(row.try_get("phone").map_err(backend_error)?);
    }
    let visitors = dedup(visitors);
    let sql = format!(
        "SELECT id FROM conversations WHERE business_id = $1 AND (visitor_id IN ({}) \
         OR LOWER(lead_draft) LIKE $2 OR lead_draft LIKE $3)",
        placeholders(4, visitors.len())
    );
    let mut by_visitor = sqlx::query_scalar::<_, String>(&sql)
        .bind(&business)
        .bind(email.as_deref().map(|e| format!("%\"{e}\"%")))
        .bind(query.phone.as_deref().map(|p| format!("%\"{p}\"%")));
    for visitor in &visitors {
        by_visitor = by_visitor.bind(visitor.as_str());
    }
    conversations.extend(
        by_visitor
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_error)?,
    );
    let conversations = dedup(conversations);
    let lead_ids = dedup(lead_ids);
    let mut keys = visitors.clone();
    keys.extend(conversations.iter().cloned());
    keys.extend(lead_ids.iter().cloned());
    let appointments = ids(
        conn,
        &format!(
            "SELECT id FROM appointments WHERE business_id = $1 AND (visitor_id IN ({v}) \
             OR conversation_id IN ({c}) OR lead_id IN ({l}))",
            v = placeholders(2, visitors.len()),
            c = placeholders(2 + visitors.len(), conversations.len()),
            l = placeholders(2 + visitors.len() + conversations.len(), lead_ids.len()),
        ),
        &business,
        &keys,
    )
    .await?;
    let phones = dedup(phones);
    let mut keys = phones.clone();
    keys.extend(conversations.iter().cloned());
    let calls = ids(
        conn,
        &format!(
            "SELECT id FROM calls WHERE business_id = $1 AND (from_number IN ({p}) \
             OR conversation_id IN ({c}))",
            p = placeholders(2, phones.len()),
            c = placeholders(2 + phones.len(), conversations.len()),
        ),
        &business,
        &keys,
    )
    .await?;
    Ok(MatchedIds {
        conversations,
        leads: lead_ids,
        appointments: dedup(appointments),
        phones,
        calls: dedup(calls),
    })
}

/// A column's value as JSON: text, an integer, or null.
fn value(row: &AnyRow, index: usize) -> Value {
    if let Ok(text) = row.try_get::<Option<String>, _>(index) {
        return text.map_or(Value::Null, Value::String);
    }
    if let Ok(number) = row.try_get::<Option<i64>, _>(index) {
        return number.map_or(Value::Null, Value::from);
    }
    Value::Null
}

impl Store {
    /// Everything held about one visitor in this business (and only this one: the
    /// search runs inside the business's tenant transaction).
    pub async fn find_visitor_data(
        &self,
        business: BusinessId,
        query: &VisitorQuery,
    ) -> Result<VisitorData, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let matched = match_visitor(&mut tx, business, query).await?;
        let mut categories = Vec::with_capacity(VISITOR_DATA.len());
        for held in VISITOR_DATA {
            let keys = matched.of(held.matched);
            let sql = format!(
                "SELECT {} FROM {} WHERE business_id = $1 AND {} IN ({}) ORDER BY {}",
                held.columns.join(", "),
                held.table,
                held.key,
                placeholders(2, keys.len()),
                held.order,
            );
            let mut select = sqlx::query(&sql).bind(business.to_string());
            for key in &keys {
                select = select.bind(key.as_str());
            }
            let rows = select.fetch_all(&mut *tx).await.map_err(backend_error)?;
            categories.push(HeldRows {
                name: held.name,
                columns: held.columns.to_vec(),
                rows: rows
                    .iter()
                    .map(|row| (0..held.columns.len()).map(|i| value(row, i)).collect())
                    .collect(),
            });
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(VisitorData { categories })
    }

    /// Deletes everything held about one visitor in this business, in one transaction:
    /// all of it or, on any failure, nothing. Returns the rows deleted per kind.
    pub async fn delete_visitor_data(
        &self,
        business: BusinessId,
        query: &VisitorQuery,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let matched = match_visitor(&mut tx, business, query).await?;
        let mut deleted = Vec::with_capacity(VISITOR_DATA.len());
        for held in VISITOR_DATA.iter().filter(|held| !held.kept) {
            let keys = matched.of(held.matched);
            let sql = format!(
                "DELETE FROM {} WHERE business_id = $1 AND {} IN ({})",
                held.table,
                held.key,
                placeholders(2, keys.len())
            );
            let mut delete = sqlx::query(&sql).bind(business.to_string());
            for key in &keys {
                delete = delete.bind(key.as_str());
            }
            let done = delete.execute(&mut *tx).await.map_err(backend_error)?;
            deleted.push((held.name, done.rows_affected()));
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(deleted)
    }

    /// Deletes one conversation of this business with its messages and what was
    /// derived from them (a child's transcript, deleted from the dashboard). Leads and
    /// appointments made in it stay, unlinked. Returns whether it existed.
    pub async fn delete_conversation(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<bool, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let (business, conversation) = (business.to_string(), conversation.to_string());
        for table in ["messages", "quality_findings", "reply_usage"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE business_id = $1 AND conversation_id = $2"
            ))
            .bind(&business)
            .bind(&conversation)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        sqlx::query("DELETE FROM notification_outbox WHERE business_id = $1 AND subject_id = $2")
            .bind(&business)
            .bind(&conversation)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        let done = sqlx::query("DELETE FROM conversations WHERE business_id = $1 AND id = $2")
            .bind(&business)
            .bind(&conversation)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(done.rows_affected() > 0)
    }

    /// One page of every message of a business for the transcript export, in message
    /// order, after the message id `after` (the last of the previous page).
    pub async fn transcript_page(
        &self,
        business: BusinessId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TranscriptLine>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(
            "SELECT m.id, m.conversation_id, c.channel, c.visitor_id, m.role, m.text, m.created_at \
             FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.business_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3",
        )
        .bind(business.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter()
            .map(|row| {
                Ok(TranscriptLine {
                    message_id: row.try_get("id").map_err(backend_error)?,
                    conversation_id: row.try_get("conversation_id").map_err(backend_error)?,
                    channel: row.try_get("channel").map_err(backend_error)?,
                    visitor_id: row.try_get("visitor_id").map_err(backend_error)?,
                    role: row.try_get("role").map_err(backend_error)?,
                    text: row.try_get("text").map_err(backend_error)?,
                    created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
                })
            })
            .collect()
    }

    /// Closes an account at once: the business is marked closed (the widget and API
    /// stop answering), every session of its team ends, open invites are revoked, the
    /// credentials it stored (calendar token, model API key) are deleted, and the closure
    /// is recorded for the purge after the grace period. One transaction.
    pub async fn close_account(
        &self,
        business: BusinessId,
        policy: &RetentionPolicy,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let id = business.to_string();
        let closed = sqlx::query(
            "UPDATE businesses SET closed_at = $1, updated_at = $1 WHERE id = $2 AND closed_at IS NULL",
        )
        .bind(millis(now))
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if closed.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this account is already closed".to_owned(),
            ));
        }
        sqlx::query(
            "INSERT INTO business_closures (business_id, closed_at, purge_after, audit_purge_after) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(millis(now))
        .bind(millis(policy.purge_after(now)))
        .bind(millis(policy.audit_purge_after(now)))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE business_id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        for credentials in ["calendar_connections", "business_model_settings"] {
            sqlx::query(&format!("DELETE FROM {credentials} WHERE business_id = $1"))
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        sqlx::query(
            "UPDATE invites SET revoked_at = $1 WHERE business_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }
}

/// One message of the transcript export, with its conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLine {
    pub message_id: String,
    pub conversation_id: String,
    pub channel: String,
    pub visitor_id: String,
    pub role: String,
    /// As stored: health details already redacted.
    pub text: String,
    pub created_at: Timestamp,
}
