//! The team-notification outbox: rows are written in the same transaction as the change
//! they report (so a notification exists exactly when its change does), then claimed,
//! delivered and marked by the server's worker. A claim is a lease: a worker that dies
//! mid-delivery leaves the row to be claimed again when the lease runs out.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::notify::TeamEvent;
use jiff::{SignedDuration, Timestamp};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::store::{backend_error, from_millis, millis, uuid_column};
use crate::Store;

/// How a notification reaches a team member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyChannel {
    Email,
    Sms,
}

impl NotifyChannel {
    fn as_str(self) -> &'static str {
        match self {
            NotifyChannel::Email => "email",
            NotifyChannel::Sms => "sms",
        }
    }
}

/// A notification claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct DueNotification {
    pub id: Uuid,
    pub business: BusinessId,
    pub event: TeamEvent,
    pub channel: NotifyChannel,
    /// The member's email address or E.164 phone number.
    pub destination: String,
    /// Deliveries tried before this one.
    pub attempts: i64,
}

/// What a team member wants to hear about, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPrefs {
    pub leads: bool,
    pub appointments: bool,
    /// E.164; `None` for no text messages.
    pub sms_phone: Option<String>,
}

/// How long a claimed row is left to its worker before another may take it.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// Queues `event` for every member of the business who wants it, on the caller's
/// transaction.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    business: BusinessId,
    event: &TeamEvent,
    now: Timestamp,
) -> Result<(), StoreError> {
    let members = sqlx::query(
        "SELECT id, email, notify_leads, notify_appointments, sms_phone FROM users WHERE business_id = $1",
    )
    .bind(business.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(backend_error)?;
    let (subject, starts_at) = event.parts();
    for member in members {
        let wanted: i64 = if event.about_appointments() {
            member.try_get("notify_appointments")
        } else {
            member.try_get("notify_leads")
        }
        .map_err(backend_error)?;
        if wanted == 0 {
            continue;
        }
        let user: String = member.try_get("id").map_err(backend_error)?;
        let email: String = member.try_get("email").map_err(backend_error)?;
        let phone: Option<String> = member.try_get("sms_phone").map_err(backend_error)?;
        let channels = std::iter::once((NotifyChannel::Email, email))
            .chain(phone.map(|phone| (NotifyChannel::Sms, phone)));
        for (channel, destination) in channels {
            sqlx::query(
                "INSERT INTO notification_outbox (id, business_id, event_kind, subject_id, starts_at, user_id, channel, destination, \
                 status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(business.to_string())
            .bind(event.kind())
            .bind(subject.to_string())
            .bind(starts_at.map(millis))
            .bind(&user)
            .bind(channel.as_str())
            .bind(destination)
            .bind(millis(now))
            .execute(&mut *conn)
            .await
            .map_err(backend_error)?;
        }
    }
    Ok(())
}

impl Store {
    /// Claims up to `limit` notifications that are due (or whose worker's lease ran
    /// out). Each row goes to one worker only, even with several servers.
    pub async fn claim_due_notifications(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueNotification>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, business_id, event_kind, subject_id, starts_at, channel, destination, attempts FROM notification_outbox \
             WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let lease_end = now.checked_add(LEASE).unwrap_or(now);
        let mut claimed = Vec::new();
        for row in rows {
            let id = uuid_column(&row, "id")?;
            let won = sqlx::query(
                "UPDATE notification_outbox SET status = 'sending', next_attempt_at = $1 \
                 WHERE id = $2 AND status IN ('pending', 'sending') AND next_attempt_at <= $3",
            )
            .bind(millis(lease_end))
            .bind(id.to_string())
            .bind(millis(now))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
            if won.rows_affected() == 0 {
                continue;
            }
            let kind: String = row.try_get("event_kind").map_err(backend_error)?;
            let starts_at: Option<i64> = row.try_get("starts_at").map_err(backend_error)?;
            let subject = uuid_column(&row, "subject_id")?;
            let channel: String = row.try_get("channel").map_err(backend_error)?;
            let Some(event) =
                TeamEvent::from_parts(&kind, subject, starts_at.map(from_millis).transpose()?)
            else {
                self.notification_failed(id, &format!("unknown event kind {kind:?}"), None, now)
                    .await?;
                continue;
            };
            claimed.push(DueNotification {
                id,
                business: BusinessId(uuid_column(&row, "business_id")?),
                event,
                channel: if channel == "sms" {
                    NotifyChannel::Sms
                } else {
                    NotifyChannel::Email
                },
                destination: row.try_get("destination").map_err(backend_error)?,
                attempts: row.try_get("attempts").map_err(backend_error)?,
            });
        }
        Ok(claimed)
    }

    /// Marks a claimed notification delivered.
    pub async fn notification_sent(&self, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notification_outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
        )
        .bind(millis(now))
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    /// Records a failed delivery: tried again at `retry_at`, or given up (`None`).
    pub async fn notification_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, next) = match retry_at {
            Some(at) => ("pending", at),
            None => ("failed", now),
        };
        sqlx::query(
            "UPDATE notification_outbox SET status = $1, next_attempt_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(millis(next))
        .bind(error.chars().take(500).collect::<String>())
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    /// Notifications of a business that were given up, and the latest error, for the
    /// dashboard.
    pub async fn notification_failures(
        &self,
        business: BusinessId,
    ) -> Result<(i64, Option<String>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS failed, (SELECT l.last_error FROM notification_outbox l WHERE l.business_id = $1 AND l.status = 'failed' \
             ORDER BY l.next_attempt_at DESC LIMIT 1) AS last_error FROM notification_outbox WHERE business_id = $1 AND status = 'failed'",
        )
        .bind(business.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok((
            row.try_get("failed").map_err(backend_error)?,
            row.try_get("last_error").map_err(backend_error)?,
        ))
    }

    /// A member's notification choices.
    pub async fn notification_prefs(&self, user: Uuid) -> Result<NotificationPrefs, StoreError> {
        let row = sqlx::query(
            "SELECT notify_leads, notify_appointments, sms_phone FROM users WHERE id = $1",
        )
        .bind(user.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?
        .ok_or(StoreError::NotFound)?;
        let leads: i64 = row.try_get("notify_leads").map_err(backend_error)?;
        let appointments: i64 = row.try_get("notify_appointments").map_err(backend_error)?;
        Ok(NotificationPrefs {
            leads: leads != 0,
            appointments: appointments != 0,
            sms_phone: row.try_get("sms_phone").map_err(backend_error)?,
        })
    }

    /// Saves a member's notification choices.
    pub async fn set_notification_prefs(
        &self,
        business: BusinessId,
        user: Uuid,
        prefs: &NotificationPrefs,
    ) -> Result<(), StoreError> {
        let changed = sqlx::query(
            "UPDATE users SET notify_leads = $1, notify_appointments = $2, sms_phone = $3 WHERE id = $4 AND business_id = $5",
        )
        .bind(i64::from(prefs.leads))
        .bind(i64::from(prefs.appointments))
        .bind(prefs.sms_phone.as_deref())
        .bind(user.to_string())
        .bind(business.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
