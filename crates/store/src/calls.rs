//! The phone line: a business's Twilio settings (auth token sealed at rest) and the call
//! log — one row per call, its state between webhooks, and its turns.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::{BusinessId, Channel, ConversationId};
use frontdesk_core::notify::{PhoneNumber, TeamEvent};
use frontdesk_core::policy;
use frontdesk_core::voice::{AuthToken, Awaiting, CallIntent, PhoneSettings};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::dashboard::{insert_lead, NewLead};
use crate::secrets::{Keyring, Sealed};
use crate::store::{backend_error, from_millis, millis, uuid_column};
use crate::writer::Write;
use crate::Store;

/// Binds a sealed token to its business, so it can't be moved to another one.
fn context(business: BusinessId) -> String {
    format!("twilio_auth_token:{business}")
}

/// A call as the log keeps it, with the state carried between webhooks.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub id: Uuid,
    pub call_sid: String,
    /// The assistant conversation of the call, once the caller asked something.
    pub conversation: Option<ConversationId>,
    pub from: String,
    pub to: String,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// Twilio's `CallStatus` (`in-progress`, `completed`, `no-answer`, …).
    pub status: String,
    pub duration_seconds: Option<i64>,
    /// Turns the caller said nothing, in all.
    pub retries: i64,
    /// Turns the caller said nothing, in a row: the call ends after a few.
    pub silent_streak: i64,
    pub awaiting: Awaiting,
    /// The order number waiting for its owner's phone or email.
    pub pending_order: Option<String>,
    /// How a transfer went: `dialing`, `answered`, or `callback:{why}` (`no-answer`,
    /// `busy`, `failed`, `no-escalation-number`).
    pub transfer_outcome: Option<String>,
}

/// One turn of a call, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTurnRecord {
    pub seq: i64,
    /// What the caller said, redacted like chat; `None` for silence.
    pub said: Option<String>,
    pub answered: String,
    pub intent: String,
    pub created_at: Timestamp,
}

/// A turn to add to a call, and the call's state after it.
#[derive(Debug, Clone)]
pub struct CallTurn<'a> {
    /// What the caller said or keyed; redacted before it is stored.
    pub said: Option<&'a str>,
    pub answered: &'a str,
    pub intent: CallIntent,
    pub conversation: Option<ConversationId>,
    pub awaiting: Awaiting,
    pub pending_order: Option<&'a str>,
    /// The caller was silent this turn.
    pub silent: bool,
}

const CALL_COLUMNS: &str =
    "id, call_sid, conversation_id, from_number, to_number, started_at, ended_at, status, \
     duration_seconds, retries, silent_streak, awaiting, pending_order, transfer_outcome";

fn call_from_row(row: &AnyRow) -> Result<CallRecord, StoreError> {
    let get_i64 = |c: &str| -> Result<i64, StoreError> { row.try_get(c).map_err(backend_error) };
    let conversation: Option<String> = row.try_get("conversation_id").map_err(backend_error)?;
    let ended: Option<i64> = row.try_get("ended_at").map_err(backend_error)?;
    let awaiting: String = row.try_get("awaiting").map_err(backend_error)?;
    Ok(CallRecord {
        id: uuid_column(row, "id")?,
        call_sid: row.try_get("call_sid").map_err(backend_error)?,
        conversation: conversation
            .map(|c| c.parse().map(ConversationId).map_err(backend_error))
            .transpose()?,
        from: row.try_get("from_number").map_err(backend_error)?,
        to: row.try_get("to_number").map_err(backend_error)?,
        started_at: from_millis(get_i64("started_at")?)?,
        ended_at: ended.map(from_millis).transpose()?,
        status: row.try_get("status").map_err(backend_error)?,
        duration_seconds: row.try_get("duration_seconds").map_err(backend_error)?,
        retries: get_i64("retries")?,
        silent_streak: get_i64("silent_streak")?,
        awaiting: Awaiting::parse(&awaiting).ok_or_else(|| {
            StoreError::Conflict(format!("stored call state {awaiting:?} is unknown"))
        })?,
        pending_order: row.try_get("pending_order").map_err(backend_error)?,
        transfer_outcome: row.try_get("transfer_outcome").map_err(backend_error)?,
    })
}

/// Statuses after which a call is over.
fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "busy" | "failed" | "no-answer" | "canceled"
    )
}

impl Store {
    /// Sets (or with `None`, removes) a business's phone line; the auth token is sealed.
    pub async fn set_phone_settings(
        &self,
        business: BusinessId,
        settings: Option<&PhoneSettings>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        match settings {
            Some(settings) => {
                let sealed = self
                    .keyring()?
                    .seal(settings.auth_token.expose(), &context(business));
                sqlx::query(
                    "INSERT INTO phone_settings (business_id, account_sid, auth_token_sealed, auth_token_key_id, escalation_number, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (business_id) DO UPDATE SET account_sid = excluded.account_sid, \
                     auth_token_sealed = excluded.auth_token_sealed, auth_token_key_id = excluded.auth_token_key_id, \
                     escalation_number = excluded.escalation_number, updated_at = excluded.updated_at",
                )
                .bind(business.to_string())
                .bind(&settings.account_sid)
                .bind(&sealed.ciphertext)
                .bind(&sealed.key_id)
                .bind(settings.escalation.as_ref().map(PhoneNumber::as_str))
                .bind(millis(at))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            }
            None => {
                sqlx::query("DELETE FROM phone_settings WHERE business_id = $1")
                    .bind(business.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
            }
        }
        tx.commit().await.map_err(backend_error)
    }

    /// A business's phone line with its auth token opened, if it has one.
    pub async fn phone_settings(
        &self,
        business: BusinessId,
    ) -> Result<Option<PhoneSettings>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT account_sid, auth_token_sealed, auth_token_key_id, escalation_number FROM phone_settings WHERE business_id = $1",
        )
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sealed = Sealed {
            ciphertext: row.try_get("auth_token_sealed").map_err(backend_error)?,
            key_id: row.try_get("auth_token_key_id").map_err(backend_error)?,
        };
        let token = self
            .keyring()?
            .open(&sealed, &context(business))
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let escalation: Option<String> = row.try_get("escalation_number").map_err(backend_error)?;
        Ok(Some(PhoneSettings {
            account_sid: row.try_get("account_sid").map_err(backend_error)?,
            auth_token: AuthToken::parse(&token).map_err(StoreError::Conflict)?,
            escalation: escalation.and_then(|n| PhoneNumber::parse(&n).ok()),
        }))
    }

    /// Re-seals phone auth tokens with the active key (part of `keys rotate`).
    pub(crate) async fn rotate_phone_tokens(&self, keyring: &Keyring) -> Result<usize, StoreError> {
        let mut rotated = 0;
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let row = sqlx::query(
                "SELECT auth_token_sealed, auth_token_key_id FROM phone_settings WHERE business_id = $1 AND auth_token_key_id <> $2",
            )
            .bind(business.to_string())
            .bind(keyring.active_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
            let Some(row) = row else {
                continue;
            };
            let sealed = Sealed {
                ciphertext: row.try_get("auth_token_sealed").map_err(backend_error)?,
                key_id: row.try_get("auth_token_key_id").map_err(backend_error)?,
            };
            let plaintext = keyring
                .open(&sealed, &context(business))
                .map_err(|e| StoreError::Conflict(format!("business {business}: {e}")))?;
            let resealed = keyring.seal(&plaintext, &context(business));
            let updated = sqlx::query(
                "UPDATE phone_settings SET auth_token_sealed = $1, auth_token_key_id = $2 WHERE business_id = $3 AND auth_token_sealed = $4",
            )
            .bind(&resealed.ciphertext)
            .bind(&resealed.key_id)
            .bind(business.to_string())
            .bind(&sealed.ciphertext)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
            tx.commit().await.map_err(backend_error)?;
            rotated += updated.rows_affected() as usize;
        }
        Ok(rotated)
    }

    /// The call with this `CallSid`, started now if it is new (then `true`). Twilio retries
    /// webhooks, so starting the same call twice returns the first row unchanged.
    pub async fn start_call(
        &self,
        business: BusinessId,
        call_sid: &str,
        from: &str,
        to: &str,
        at: Timestamp,
    ) -> Result<(CallRecord, bool), StoreError> {
        if let Some(call) = self.call_by_sid(business, call_sid).await? {
            return Ok((call, false));
        }
        self.write_call(Write::CallStarted {
            business,
            call: Uuid::now_v7(),
            sid: call_sid.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            at,
        })
        .await?;
        let call = self
            .call_by_sid(business, call_sid)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((call, true))
    }

    /// Writes to the call log: through SQLite's group-commit writer (so concurrent calls
    /// share one fsync instead of queueing for the write lock), or in a tenant
    /// transaction on PostgreSQL.
    async fn write_call(&self, write: Write) -> Result<(), StoreError> {
        match &self.writer {
            Some(writer) => writer.write(write).await,
            None => {
                let mut tx = self.tenant_tx(write.business()).await?;
                crate::writer::apply(&mut tx, &write)
                    .await
                    .map_err(backend_error)?;
                tx.commit().await.map_err(backend_error)
            }
        }
    }

    /// The call with this `CallSid`.
    pub async fn call_by_sid(
        &self,
        business: BusinessId,
        call_sid: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let call = select_call(&mut tx, business, call_sid).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(call)
    }

    /// Adds a turn to a call and moves its state on, in one transaction. What the caller
    /// said is redacted here, like a chat message, so a symptom never reaches the table.
    pub async fn record_call_turn(
        &self,
        business: BusinessId,
        call: Uuid,
        turn: &CallTurn<'_>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let row = CallTurnRow {
            said: turn.said.map(policy::redact),
            answered: turn.answered.to_owned(),
            intent: turn.intent.as_str(),
            conversation: turn.conversation.map(|c| c.to_string()),
            awaiting: turn.awaiting.as_str(),
            pending_order: turn.pending_order.map(str::to_owned),
            silent: turn.silent,
        };
        self.write_call(Write::CallTurn {
            business,
            call,
            turn: Box::new(row),
            at,
        })
        .await
    }

    /// Applies a status callback. Idempotent: a retried or late callback can't move a
    /// finished call back to ringing, and the first end time stays. An unknown call
    /// changes nothing.
    pub async fn update_call_status(
        &self,
        business: BusinessId,
        call_sid: &str,
        status: &str,
        duration_seconds: Option<i64>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write_call(Write::CallStatus {
            business,
            sid: call_sid.to_owned(),
            status: status.to_owned(),
            duration_seconds,
            at,
        })
        .await
    }

    /// Records how a transfer ended.
    pub async fn set_transfer_outcome(
        &self,
        business: BusinessId,
        call: Uuid,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query("UPDATE calls SET transfer_outcome = $1 WHERE business_id = $2 AND id = $3")
            .bind(outcome)
            .bind(business.to_string())
            .bind(call.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// A caller nobody could answer asked to be called back: a lead with their number, the
    /// team told through the outbox, and the transfer marked, all in one transaction.
    /// Twilio may retry the webhook; the second time finds the outcome set and adds nothing.
    ///
    /// `reason` says why (the dial status, or `no-escalation-number`); the transfer
    /// outcome becomes `callback:{reason}`.
    pub async fn record_callback_request(
        &self,
        business: BusinessId,
        call: &CallRecord,
        reason: &str,
        at: Timestamp,
    ) -> Result<Option<Uuid>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let marked = sqlx::query(
            "UPDATE calls SET transfer_outcome = $1 WHERE business_id = $2 AND id = $3 \
             AND (transfer_outcome IS NULL OR transfer_outcome NOT LIKE 'callback:%')",
        )
        .bind(format!("callback:{reason}"))
        .bind(business.to_string())
        .bind(call.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if marked.rows_affected() == 0 {
            tx.commit().await.map_err(backend_error)?;
            return Ok(None);
        }
        let lead = NewLead {
            conversation: call.conversation,
            visitor: None,
            channel: Channel::Voice.as_str().to_owned(),
            page_url: None,
            name: None,
            phone: Some(call.from.clone()),
            email: None,
            interest: Some("Callback requested: nobody could take the call".to_owned()),
            preferred_time: None,
            consent: true,
        };
        let id = insert_lead(&mut tx, business, &lead, at).await?;
        crate::notifications::enqueue(
            &mut tx,
            business,
            &TeamEvent::LeadCaptured { lead_id: id },
            at,
        )
        .await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(id))
    }

    /// A page of a business's calls, newest first.
    pub async fn calls(
        &self,
        business: BusinessId,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<CallRecord>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(&format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE business_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(business.to_string())
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter().map(call_from_row).collect()
    }

    /// One call of a business and its turns, oldest first.
    pub async fn call_detail(
        &self,
        business: BusinessId,
        call: Uuid,
    ) -> Result<Option<(CallRecord, Vec<CallTurnRecord>)>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(&format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE business_id = $1 AND id = $2"
        ))
        .bind(business.to_string())
        .bind(call.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let Some(row) = row else {
            tx.commit().await.map_err(backend_error)?;
            return Ok(None);
        };
        let turns = sqlx::query(
            "SELECT seq, said, answered, intent, created_at FROM call_turns WHERE business_id = $1 AND call_id = $2 ORDER BY seq",
        )
        .bind(business.to_string())
        .bind(call.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let turns = turns
            .iter()
            .map(|row| {
                Ok(CallTurnRecord {
                    seq: row.try_get("seq").map_err(backend_error)?,
                    said: row.try_get("said").map_err(backend_error)?,
                    answered: row.try_get("answered").map_err(backend_error)?,
                    intent: row.try_get("intent").map_err(backend_error)?,
                    created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((call_from_row(&row)?, turns)))
    }
}

/// A call turn ready to write: what the caller said already redacted.
#[derive(Debug, Clone)]
pub(crate) struct CallTurnRow {
    said: Option<String>,
    answered: String,
    intent: &'static str,
    conversation: Option<String>,
    awaiting: &'static str,
    pending_order: Option<String>,
    silent: bool,
}

/// Inserts a call unless one with its `CallSid` exists.
pub(crate) async fn insert_call(
    conn: &mut sqlx::AnyConnection,
    business: BusinessId,
    call: Uuid,
    sid: &str,
    from: &str,
    to: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calls (id, business_id, call_sid, from_number, to_number, started_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, 'in-progress') ON CONFLICT (business_id, call_sid) DO NOTHING",
    )
    .bind(call.to_string())
    .bind(business.to_string())
    .bind(sid)
    .bind(from)
    .bind(to)
    .bind(millis(at))
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Adds a turn and moves the call's state on. Each statement writes first: on SQLite a
/// transaction that reads before it writes can't wait for the lock, it fails.
pub(crate) async fn write_call_turn(
    conn: &mut sqlx::AnyConnection,
    business: BusinessId,
    call: Uuid,
    turn: &CallTurnRow,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE calls SET conversation_id = COALESCE($1, conversation_id), awaiting = $2, pending_order = $3, \
         retries = retries + $4, silent_streak = CASE WHEN $4 = 1 THEN silent_streak + 1 ELSE 0 END \
         WHERE business_id = $5 AND id = $6",
    )
    .bind(turn.conversation.as_deref())
    .bind(turn.awaiting)
    .bind(turn.pending_order.as_deref())
    .bind(i64::from(turn.silent))
    .bind(business.to_string())
    .bind(call.to_string())
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(sqlx::Error::RowNotFound);
    }
    sqlx::query(
        "INSERT INTO call_turns (id, business_id, call_id, seq, said, answered, intent, created_at) \
         SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4, $5, $6, $7 FROM call_turns \
         WHERE business_id = $2 AND call_id = $3",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(business.to_string())
    .bind(call.to_string())
    .bind(turn.said.as_deref())
    .bind(turn.answered.as_str())
    .bind(turn.intent)
    .bind(millis(at))
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Applies a status callback (see [`Store::update_call_status`]).
pub(crate) async fn write_call_status(
    conn: &mut sqlx::AnyConnection,
    business: BusinessId,
    sid: &str,
    status: &str,
    duration_seconds: Option<i64>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let ended = is_final(status).then(|| millis(at));
    sqlx::query(
        "UPDATE calls SET status = CASE WHEN ended_at IS NULL THEN $1 ELSE status END, \
         duration_seconds = COALESCE($2, duration_seconds), ended_at = COALESCE(ended_at, $3) \
         WHERE business_id = $4 AND call_sid = $5",
    )
    .bind(status)
    .bind(duration_seconds)
    .bind(ended)
    .bind(business.to_string())
    .bind(sid)
    .execute(&mut *conn)
    .await
    .map(drop)
}

async fn select_call(
    conn: &mut sqlx::AnyConnection,
    business: BusinessId,
    call_sid: &str,
) -> Result<Option<CallRecord>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE business_id = $1 AND call_sid = $2"
    ))
    .bind(business.to_string())
    .bind(call_sid)
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend_error)?;
    row.as_ref().map(call_from_row).transpose()
}
