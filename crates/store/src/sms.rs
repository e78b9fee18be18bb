//! Text messages with visitors: opt-outs (suppression records checked before every
//! text), each number's ongoing conversation, the inbound texts by provider event (to
//! answer each once), and the outbox of texts waiting to go out. All four are tenant tables.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::{BusinessId, ConversationId, VisitorId};
use frontdesk_core::notify::{PhoneNumber, Sms};
use frontdesk_core::sms::OutgoingKind;
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::store::{backend_error, millis, uuid_column};
use crate::Store;

/// How long a claimed text is left to its worker before another may take it.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// A number's conversation with a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsThread {
    /// Random per business and number: the same person texting two businesses can't be
    /// linked by it.
    pub visitor: VisitorId,
    /// The conversation the next text continues, once there is one.
    pub conversation: Option<ConversationId>,
}

/// A provider's id of an inbound message, to answer each one once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboundEvent<'a> {
    /// `telnyx`, `twilio`.
    pub provider: &'a str,
    pub id: &'a str,
}

/// A text a visitor sent to a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText {
    /// The visitor's number.
    pub from: PhoneNumber,
    /// The business number they texted, which answers come from.
    pub to: PhoneNumber,
    pub text: String,
}

/// An inbound text claimed for answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInbound {
    pub business: BusinessId,
    pub provider: String,
    pub event_id: String,
    pub text: InboundText,
    /// Answers tried before this one.
    pub attempts: i64,
}

impl PendingInbound {
    /// The provider's event this text came in.
    pub fn event(&self) -> InboundEvent<'_> {
        InboundEvent {
            provider: &self.provider,
            id: &self.event_id,
        }
    }
}

/// A text to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The business number the visitor texted.
    pub from: PhoneNumber,
    pub to: PhoneNumber,
    pub body: String,
    pub kind: OutgoingKind,
}

/// A queued text claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSms {
    pub id: Uuid,
    pub business: BusinessId,
    pub sms: Sms,
    pub kind: OutgoingKind,
    /// Deliveries tried before this one.
    pub attempts: i64,
}

impl Store {
    /// Whether `phone` opted out of this business's texts.
    pub async fn sms_opted_out(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
    ) -> Result<bool, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT opted_out_at FROM sms_opt_outs WHERE business_id = $1 AND phone = $2",
        )
        .bind(business.to_string())
        .bind(phone.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(found.is_some())
    }

    /// Records that `phone` opted out (again is a no-op); durable on return.
    pub async fn record_sms_opt_out(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query(
            "INSERT INTO sms_opt_outs (business_id, phone, opted_out_at) VALUES ($1, $2, $3) \
             ON CONFLICT (business_id, phone) DO NOTHING",
        )
        .bind(business.to_string())
        .bind(phone.as_str())
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Removes an opt-out (the number texted START); durable on return.
    pub async fn clear_sms_opt_out(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query("DELETE FROM sms_opt_outs WHERE business_id = $1 AND phone = $2")
            .bind(business.to_string())
            .bind(phone.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// The thread of `phone` with this business, started (with a new random visitor id)
    /// on its first text.
    pub async fn sms_thread(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
        now: Timestamp,
    ) -> Result<SmsThread, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let visitor = format!("sms-{}", Uuid::new_v4().simple());
        sqlx::query(
            "INSERT INTO sms_threads (business_id, phone, visitor_id, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (business_id, phone) DO NOTHING",
        )
        .bind(business.to_string())
        .bind(phone.as_str())
        .bind(&visitor)
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        let row = sqlx::query(
            "SELECT visitor_id, conversation_id FROM sms_threads WHERE business_id = $1 AND phone = $2",
        )
        .bind(business.to_string())
        .bind(phone.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let visitor: String = row.try_get("visitor_id").map_err(backend_error)?;
        let conversation: Option<String> = row.try_get("conversation_id").map_err(backend_error)?;
        Ok(SmsThread {
            visitor: VisitorId::parse(&visitor).map_err(StoreError::Conflict)?,
            conversation: conversation
                .map(|id| {
                    Uuid::parse_str(&id)
                        .map(ConversationId)
                        .map_err(backend_error)
                })
                .transpose()?,
        })
    }

    /// Makes `conversation` the one the next text from `phone` continues.
    pub async fn continue_sms_thread(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query(
            "UPDATE sms_threads SET conversation_id = $1, updated_at = $2 WHERE business_id = $3 AND phone = $4",
        )
        .bind(conversation.to_string())
        .bind(millis(now))
        .bind(business.to_string())
        .bind(phone.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Stores an inbound text to be answered, durable on return. `false` when the
    /// provider's event is already stored (a retry), and nothing changed.
    pub async fn receive_sms(
        &self,
        business: BusinessId,
        event: InboundEvent<'_>,
        inbound: &InboundText,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let inserted = sqlx::query(
            "INSERT INTO sms_inbound_events (business_id, provider, event_id, from_number, to_number, text, status, \
             attempts, next_attempt_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) \
             ON CONFLICT (business_id, provider, event_id) DO NOTHING",
        )
        .bind(business.to_string())
        .bind(event.provider)
        .bind(event.id)
        .bind(inbound.from.as_str())
        .bind(inbound.to.as_str())
        .bind(&inbound.text)
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Claims up to `limit` inbound texts per business to answer, oldest first (so a
    /// number's texts are answered in the order they came), including those whose
    /// worker's lease ran out.
    pub async fn claim_inbound_sms(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<PendingInbound>, StoreError> {
        let lease_end = now.checked_add(LEASE).unwrap_or(now);
        let mut claimed = Vec::new();
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let rows = sqlx::query(
                "SELECT provider, event_id, from_number, to_number, text, attempts FROM sms_inbound_events \
                 WHERE business_id = $1 AND status IN ('pending', 'answering') AND next_attempt_at <= $2 \
                 ORDER BY received_at, event_id LIMIT $3",
            )
            .bind(business.to_string())
            .bind(millis(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_error)?;
            for row in rows {
                let provider: String = row.try_get("provider").map_err(backend_error)?;
                let event_id: String = row.try_get("event_id").map_err(backend_error)?;
                let won = sqlx::query(
                    "UPDATE sms_inbound_events SET status = 'answering', next_attempt_at = $1 \
                     WHERE business_id = $2 AND provider = $3 AND event_id = $4 \
                     AND status IN ('pending', 'answering') AND next_attempt_at <= $5",
                )
                .bind(millis(lease_end))
                .bind(business.to_string())
                .bind(&provider)
                .bind(&event_id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                if won.rows_affected() == 0 {
                    continue;
                }
                claimed.push(PendingInbound {
                    business,
                    text: InboundText {
                        from: phone_column(&row, "from_number")?,
                        to: phone_column(&row, "to_number")?,
                        text: row.try_get("text").map_err(backend_error)?,
                    },
                    attempts: row.try_get("attempts").map_err(backend_error)?,
                    provider,
                    event_id,
                });
            }
            tx.commit().await.map_err(backend_error)?;
        }
        Ok(claimed)
    }

    /// Marks an inbound text answered (keeping only the event id: text and numbers are
    /// dropped) and queues the answer, if any, in one transaction: a text can't be
    /// answered twice. `false` when it was answered already, and nothing was queued.
    pub async fn answer_sms_event(
        &self,
        business: BusinessId,
        event: InboundEvent<'_>,
        reply: Option<&OutgoingSms>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let updated = sqlx::query(
            "UPDATE sms_inbound_events SET status = 'answered', text = '', from_number = '', to_number = '', \
             attempts = attempts + 1 \
             WHERE business_id = $1 AND provider = $2 AND event_id = $3 AND status <> 'answered'",
        )
        .bind(business.to_string())
        .bind(event.provider)
        .bind(event.id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(reply) = reply {
            sqlx::query(
                "INSERT INTO sms_outbox (id, business_id, from_number, to_number, body, kind, status, attempts, \
                 next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(business.to_string())
            .bind(reply.from.as_str())
            .bind(reply.to.as_str())
            .bind(&reply.body)
            .bind(reply.kind.as_str())
            .bind(millis(now))
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    /// Records a failed attempt at answering: tried again at `retry_at`, or given up
    /// (text and numbers dropped) when there is none.
    pub async fn inbound_sms_failed(
        &self,
        business: BusinessId,
        event: InboundEvent<'_>,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let query = match retry_at {
            Some(_) => {
                "UPDATE sms_inbound_events SET status = 'pending', next_attempt_at = $1, last_error = $2, \
                 attempts = attempts + 1 WHERE business_id = $3 AND provider = $4 AND event_id = $5"
            }
            None => {
                "UPDATE sms_inbound_events SET status = 'failed', text = '', from_number = '', to_number = '', next_attempt_at = $1, last_error = $2, \
                 attempts = attempts + 1 WHERE business_id = $3 AND provider = $4 AND event_id = $5"
            }
        };
        sqlx::query(query)
            .bind(millis(retry_at.unwrap_or(now)))
            .bind(error)
            .bind(business.to_string())
            .bind(event.provider)
            .bind(event.id)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Deletes inbound texts answered or given up, and texts sent or given up, from
    /// before `before`: providers stop retrying an event within hours, and the
    /// transcript keeps what was said. Returns how many rows went.
    pub async fn forget_finished_sms(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut forgotten = 0;
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            for query in [
                "DELETE FROM sms_inbound_events WHERE business_id = $1 \
                 AND status IN ('answered', 'failed') AND received_at < $2",
                "DELETE FROM sms_outbox WHERE business_id = $1 \
                 AND status IN ('sent', 'failed') AND created_at < $2",
            ] {
                forgotten += sqlx::query(query)
                    .bind(business.to_string())
                    .bind(millis(before))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?
                    .rows_affected();
            }
            tx.commit().await.map_err(backend_error)?;
        }
        Ok(forgotten)
    }

    /// Claims up to `limit` texts per business that are due (or whose worker's lease ran
    /// out); each goes to one worker only. Row-level security shows one business's texts
    /// at a time, so businesses are visited in turn.
    pub async fn claim_due_sms(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueSms>, StoreError> {
        let lease_end = now.checked_add(LEASE).unwrap_or(now);
        let mut claimed = Vec::new();
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let rows = sqlx::query(
                "SELECT id, from_number, to_number, body, kind, attempts FROM sms_outbox \
                 WHERE business_id = $1 AND status IN ('pending', 'sending') AND next_attempt_at <= $2 \
                 ORDER BY next_attempt_at LIMIT $3",
            )
            .bind(business.to_string())
            .bind(millis(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_error)?;
            for row in rows {
                let id = uuid_column(&row, "id")?;
                let won = sqlx::query(
                    "UPDATE sms_outbox SET status = 'sending', next_attempt_at = $1 \
                     WHERE id = $2 AND business_id = $3 AND status IN ('pending', 'sending') AND next_attempt_at <= $4",
                )
                .bind(millis(lease_end))
                .bind(id.to_string())
                .bind(business.to_string())
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                if won.rows_affected() == 0 {
                    continue;
                }
                let kind: String = row.try_get("kind").map_err(backend_error)?;
                claimed.push(DueSms {
                    id,
                    business,
                    sms: Sms {
                        to: phone_column(&row, "to_number")?,
                        from: Some(phone_column(&row, "from_number")?),
                        body: row.try_get("body").map_err(backend_error)?,
                    },
                    kind: OutgoingKind::parse(&kind).ok_or_else(|| {
                        StoreError::Conflict(format!("unknown outgoing text kind {kind:?}"))
                    })?,
                    attempts: row.try_get("attempts").map_err(backend_error)?,
                });
            }
            tx.commit().await.map_err(backend_error)?;
        }
        Ok(claimed)
    }

    /// Marks a text sent, and drops its body.
    pub async fn sms_sent(
        &self,
        business: BusinessId,
        id: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query(
            "UPDATE sms_outbox SET status = 'sent', body = '', sent_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND business_id = $3",
        )
        .bind(millis(now))
        .bind(id.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Records a failed delivery: tried again at `retry_at`, or given up (body dropped)
    /// when there is none.
    pub async fn sms_failed(
        &self,
        business: BusinessId,
        id: Uuid,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let query = match retry_at {
            Some(_) => {
                "UPDATE sms_outbox SET status = 'pending', next_attempt_at = $1, last_error = $2, \
                 attempts = attempts + 1 WHERE id = $3 AND business_id = $4"
            }
            None => {
                "UPDATE sms_outbox SET status = 'failed', body = '', next_attempt_at = $1, last_error = $2, \
                 attempts = attempts + 1 WHERE id = $3 AND business_id = $4"
            }
        };
        sqlx::query(query)
            .bind(millis(retry_at.unwrap_or(now)))
            .bind(error)
            .bind(id.to_string())
            .bind(business.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }
}

/// A stored E.164 number.
fn phone_column(row: &AnyRow, column: &str) -> Result<PhoneNumber, StoreError> {
    let text: String = row.try_get(column).map_err(backend_error)?;
    PhoneNumber::parse(&text).map_err(backend_error)
}
