//! Appointments: booked atomically (two visitors can never get one slot), found by
//! confirmation code, listed by day, cancelled or marked no-show.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::booking::confirmation_code;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::notifications::enqueue;
use crate::store::{backend_error, from_millis, millis, uuid_column};
use crate::Store;
use frontdesk_core::notify::TeamEvent;

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    fn parse(raw: &str) -> Result<Self, StoreError> {
        match raw {
            "booked" => Ok(AppointmentStatus::Booked),
            "cancelled" => Ok(AppointmentStatus::Cancelled),
            "no_show" => Ok(AppointmentStatus::NoShow),
            other => Err(StoreError::Conflict(format!(
                "unknown appointment status {other:?}"
            ))),
        }
    }
}

/// An appointment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Appointment {
    pub id: Uuid,
    pub code: String,
    pub service: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: AppointmentStatus,
    pub conversation: Option<ConversationId>,
    pub lead: Option<Uuid>,
    pub created_at: Timestamp,
}

/// What booking needs.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub service: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// Kept free around every appointment (the business's buffer).
    pub buffer: SignedDuration,
    pub conversation: Option<ConversationId>,
    pub lead: Option<Uuid>,
    pub visitor: Option<String>,
}

/// The answer when the slot went to someone else first.
pub const SLOT_TAKEN: &str = "that time was just taken";

const COLUMNS: &str =
    "id, code, service, starts_at, ends_at, status, conversation_id, lead_id, created_at";

fn appointment_from_row(row: &AnyRow) -> Result<Appointment, StoreError> {
    let status: String = row.try_get("status").map_err(backend_error)?;
    let conversation: Option<String> = row.try_get("conversation_id").map_err(backend_error)?;
    let lead: Option<String> = row.try_get("lead_id").map_err(backend_error)?;
    Ok(Appointment {
        id: uuid_column(row, "id")?,
        code: row.try_get("code").map_err(backend_error)?,
        service: row.try_get("service").map_err(backend_error)?,
        starts_at: from_millis(row.try_get("starts_at").map_err(backend_error)?)?,
        ends_at: from_millis(row.try_get("ends_at").map_err(backend_error)?)?,
        status: AppointmentStatus::parse(&status)?,
        conversation: conversation
            .map(|c| c.parse().map(ConversationId).map_err(backend_error))
            .transpose()?,
        lead: lead.map(|l| l.parse().map_err(backend_error)).transpose()?,
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
    })
}

/// Takes the business row's write lock, so bookings of one business take turns: on
/// PostgreSQL a row lock, on SQLite the database write lock (taken by the first write,
/// not upgraded later, which could fail instead of waiting).
async fn lock_bookings(conn: &mut AnyConnection, business: BusinessId) -> Result<(), StoreError> {
    sqlx::query("UPDATE businesses SET updated_at = updated_at WHERE id = $1")
        .bind(business.to_string())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Whether a booked appointment other than `except` overlaps `[start, end)` widened by
/// the buffer.
async fn overlaps(
    conn: &mut AnyConnection,
    business: BusinessId,
    start: Timestamp,
    end: Timestamp,
    buffer: SignedDuration,
    except: Option<Uuid>,
) -> Result<bool, StoreError> {
    let from = start.checked_sub(buffer).unwrap_or(start);
    let to = end.checked_add(buffer).unwrap_or(end);
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments WHERE business_id = $1 AND status = 'booked' \
         AND starts_at < $2 AND ends_at > $3 AND id <> $4",
    )
    .bind(business.to_string())
    .bind(millis(to))
    .bind(millis(from))
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(count > 0)
}

impl Store {
    /// Books a slot, or refuses with [`SLOT_TAKEN`] if an appointment (with buffers)
    /// already overlaps it. Durable when it returns.
    pub async fn book_appointment(
        &self,
        business: BusinessId,
        new: &NewAppointment,
        now: Timestamp,
    ) -> Result<Appointment, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        lock_bookings(&mut tx, business).await?;
        if overlaps(
            &mut tx,
            business,
            new.starts_at,
            new.ends_at,
            new.buffer,
            None,
        )
        .await?
        {
            return Err(StoreError::Conflict(SLOT_TAKEN.into()));
        }
        let id = Uuid::now_v7();
        // Codes are random; a clash with an existing code of the business is retried.
        let mut code = confirmation_code();
        for _ in 0..5 {
            let used: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM appointments WHERE business_id = $1 AND code = $2",
            )
            .bind(business.to_string())
            .bind(&code)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend_error)?;
            if used == 0 {
                break;
            }
            code = confirmation_code();
        }
        sqlx::query(
            "INSERT INTO appointments (id, business_id, code, service, starts_at, ends_at, status, conversation_id, lead_id, visitor_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, $9, $10, $10)",
        )
        .bind(id.to_string())
        .bind(business.to_string())
        .bind(&code)
        .bind(new.service.as_deref())
        .bind(millis(new.starts_at))
        .bind(millis(new.ends_at))
        .bind(new.conversation.map(|c| c.to_string()))
        .bind(new.lead.map(|l| l.to_string()))
                .bind(new.visitor.as_deref())
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        let event = TeamEvent::AppointmentBooked {
            appointment_id: id,
            starts_at: new.starts_at,
        };
        enqueue(&mut tx, business, &event, now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Appointment {
            id,
            code,
            service: new.service.clone(),
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            status: AppointmentStatus::Booked,
            conversation: new.conversation,
            lead: new.lead,
            created_at: now,
        })
    }

    /// Moves an appointment to a new time, with the same guarantee as booking.
    pub async fn reschedule_appointment(
        &self,
        business: BusinessId,
        id: Uuid,
        starts_at: Timestamp,
        ends_at: Timestamp,
        buffer: SignedDuration,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        lock_bookings(&mut tx, business).await?;
        if overlaps(&mut tx, business, starts_at, ends_at, buffer, Some(id)).await? {
            return Err(StoreError::Conflict(SLOT_TAKEN.into()));
        }
        let moved = sqlx::query(
            "UPDATE appointments SET starts_at = $1, ends_at = $2, updated_at = $3 \
             WHERE id = $4 AND business_id = $5 AND status = 'booked'",
        )
        .bind(millis(starts_at))
        .bind(millis(ends_at))
        .bind(millis(now))
        .bind(id.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let event = TeamEvent::AppointmentChanged {
            appointment_id: id,
            starts_at,
        };
        enqueue(&mut tx, business, &event, now).await?;
        tx.commit().await.map_err(backend_error)
    }

    /// Sets a booked appointment's status (cancelled, or no-show after the fact).
    pub async fn set_appointment_status(
        &self,
        business: BusinessId,
        id: Uuid,
        status: AppointmentStatus,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let starts_at: Option<i64> = sqlx::query_scalar(
            "UPDATE appointments SET status = $1, updated_at = $2 WHERE id = $3 AND business_id = $4 AND status = 'booked' \
             RETURNING starts_at",
        )
        .bind(status.as_str())
        .bind(millis(now))
        .bind(id.to_string())
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let starts_at = from_millis(starts_at.ok_or(StoreError::NotFound)?)?;
        if status == AppointmentStatus::Cancelled {
            let event = TeamEvent::AppointmentCancelled {
                appointment_id: id,
                starts_at,
            };
            enqueue(&mut tx, business, &event, now).await?;
        }
        tx.commit().await.map_err(backend_error)
    }

    /// The appointment with this confirmation code in this business.
    pub async fn appointment_by_code(
        &self,
        business: BusinessId,
        code: &str,
    ) -> Result<Option<Appointment>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE business_id = $1 AND code = $2"
        ))
        .bind(business.to_string())
        .bind(code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        row.as_ref().map(appointment_from_row).transpose()
    }

    /// Appointments of a business starting in `[from, to)`, earliest first (all statuses,
    /// for the dashboard; availability uses the booked ones).
    pub async fn appointments_between(
        &self,
        business: BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Appointment>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE business_id = $1 AND starts_at < $2 AND ends_at > $3 \
             ORDER BY starts_at, id"
        ))
        .bind(business.to_string())
        .bind(millis(to))
        .bind(millis(from))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter().map(appointment_from_row).collect()
    }
}
