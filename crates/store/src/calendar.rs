//! A business's Google Calendar connection: the refresh token sealed at rest, the
//! connect attempt in flight (PKCE verifier and OAuth state, bound to a session), and the
//! notice left when Google revoked access, so the dashboard can tell the owner.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use crate::secrets::Sealed;
use crate::store::{backend_error, from_millis, millis};
use crate::Store;

/// Binds a sealed refresh token to its business, so it can't be moved to another one.
fn refresh_context(business: BusinessId) -> String {
    format!("calendar_refresh_token:{business}")
}

/// Binds a sealed PKCE verifier to the session that started the connect.
fn verifier_context(business: BusinessId, session: &str) -> String {
    format!("calendar_pkce:{business}:{session}")
}

/// A live connection, its token opened.
#[derive(Clone, PartialEq, Eq)]
pub struct CalendarConnection {
    pub calendar_id: String,
    /// The refresh token in clear: only for building the calendar client.
    pub refresh_token: String,
    pub connected_at: Timestamp,
}

impl std::fmt::Debug for CalendarConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarConnection")
            .field("calendar_id", &self.calendar_id)
            .field("refresh_token", &"[redacted]")
            .field("connected_at", &self.connected_at)
            .finish()
    }
}

/// What the Settings page shows about the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarStatus {
    NotConnected,
    Connected {
        calendar_id: String,
        connected_at: Timestamp,
    },
    /// Google revoked access; the token is gone, only this notice remains.
    Revoked {
        notice: String,
        at: Timestamp,
    },
}

/// A connect attempt taken back by the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectAttempt {
    pub state: String,
    /// The PKCE verifier in clear, for the code exchange.
    pub verifier: String,
}

impl std::fmt::Debug for ConnectAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnectAttempt([redacted])")
    }
}

/// An appointment as the calendar sync sees it. `Debug` hides the visitor's details.
#[derive(Clone, PartialEq, Eq)]
pub struct CalendarBooking {
    pub code: String,
    pub service: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The event written for it, once there is one.
    pub event_id: Option<String>,
    pub visitor_name: Option<String>,
    /// The lead's phone, or its email when it gave none.
    pub visitor_contact: Option<String>,
}

impl std::fmt::Debug for CalendarBooking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarBooking")
            .field("code", &self.code)
            .field("service", &self.service)
            .field("starts_at", &self.starts_at)
            .field("ends_at", &self.ends_at)
            .field("event_id", &self.event_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects (or reconnects) a business's calendar, sealing the refresh token with the
    /// active key. Clears any revocation notice.
    pub async fn set_calendar_connection(
        &self,
        business: BusinessId,
        calendar_id: &str,
        refresh_token: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let sealed = self
            .keyring()?
            .seal(refresh_token, &refresh_context(business));
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query(
            "INSERT INTO calendar_connections (business_id, calendar_id, refresh_sealed, refresh_key_id, connected_at, revoked_notice, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL) \
             ON CONFLICT (business_id) DO UPDATE SET calendar_id = excluded.calendar_id, refresh_sealed = excluded.refresh_sealed, \
             refresh_key_id = excluded.refresh_key_id, connected_at = excluded.connected_at, revoked_notice = NULL, revoked_at = NULL",
        )
        .bind(business.to_string())
        .bind(calendar_id)
        .bind(&sealed.ciphertext)
        .bind(&sealed.key_id)
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// The business's live connection, its token opened; `None` when not connected.
    pub async fn calendar_connection(
        &self,
        business: BusinessId,
    ) -> Result<Option<CalendarConnection>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT calendar_id, refresh_sealed, refresh_key_id, connected_at FROM calendar_connections \
             WHERE business_id = $1 AND refresh_sealed IS NOT NULL",
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
            ciphertext: row.try_get("refresh_sealed").map_err(backend_error)?,
            key_id: row.try_get("refresh_key_id").map_err(backend_error)?,
        };
        let refresh_token = self
            .keyring()?
            .open(&sealed, &refresh_context(business))
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        Ok(Some(CalendarConnection {
            calendar_id: row.try_get("calendar_id").map_err(backend_error)?,
            refresh_token,
            connected_at: from_millis(row.try_get("connected_at").map_err(backend_error)?)?,
        }))
    }

    /// Whether the business is connected, revoked or neither, without opening the token.
    pub async fn calendar_status(
        &self,
        business: BusinessId,
    ) -> Result<CalendarStatus, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT calendar_id, connected_at, revoked_notice, revoked_at FROM calendar_connections WHERE business_id = $1",
        )
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(CalendarStatus::NotConnected);
        };
        let calendar_id: Option<String> = row.try_get("calendar_id").map_err(backend_error)?;
        let notice: Option<String> = row.try_get("revoked_notice").map_err(backend_error)?;
        Ok(match (calendar_id, notice) {
            (Some(calendar_id), _) => CalendarStatus::Connected {
                calendar_id,
                connected_at: from_millis(row.try_get("connected_at").map_err(backend_error)?)?,
            },
            (None, Some(notice)) => CalendarStatus::Revoked {
                notice,
                at: from_millis(row.try_get("revoked_at").map_err(backend_error)?)?,
            },
            (None, None) => CalendarStatus::NotConnected,
        })
    }

    /// Removes the connection at once: the sealed token is gone when this returns. With a
    /// `notice` (access revoked by Google) a row is kept holding only the notice, so the
    /// dashboard can tell the owner; without one (the owner disconnected) nothing is kept.
    pub async fn remove_calendar_connection(
        &self,
        business: BusinessId,
        notice: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        match notice {
            Some(notice) => sqlx::query(
                "UPDATE calendar_connections SET calendar_id = NULL, refresh_sealed = NULL, refresh_key_id = NULL, \
                 connected_at = NULL, revoked_notice = $1, revoked_at = $2 WHERE business_id = $3",
            )
            .bind(notice)
            .bind(millis(at))
            .bind(business.to_string()),
            None => sqlx::query("DELETE FROM calendar_connections WHERE business_id = $1")
                .bind(business.to_string()),
        }
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Records a connect attempt of a dashboard session (one at a time: a new one replaces
    /// the last), the PKCE verifier sealed, until `expires_at`.
    pub async fn begin_calendar_connect(
        &self,
        business: BusinessId,
        session: &str,
        state: &str,
        verifier: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let sealed = self
            .keyring()?
            .seal(verifier, &verifier_context(business, session));
        let mut tx = self.tenant_tx(business).await?;
        sqlx::query(
            "INSERT INTO calendar_connect_attempts (session_id, business_id, state, verifier_sealed, verifier_key_id, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, verifier_sealed = excluded.verifier_sealed, \
             verifier_key_id = excluded.verifier_key_id, expires_at = excluded.expires_at",
        )
        .bind(session)
        .bind(business.to_string())
        .bind(state)
        .bind(&sealed.ciphertext)
        .bind(&sealed.key_id)
        .bind(millis(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Takes (and deletes, so a callback can't be replayed) the session's connect attempt;
    /// `None` if there is none or it expired. Expired attempts of the business are purged.
    pub async fn take_calendar_connect(
        &self,
        business: BusinessId,
        session: &str,
        now: Timestamp,
    ) -> Result<Option<ConnectAttempt>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "DELETE FROM calendar_connect_attempts WHERE session_id = $1 AND business_id = $2 \
             RETURNING state, verifier_sealed, verifier_key_id, expires_at",
        )
        .bind(session)
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        // Attempts other sessions abandoned at Google go too, so no verifier lingers.
        sqlx::query(
            "DELETE FROM calendar_connect_attempts WHERE business_id = $1 AND expires_at <= $2",
        )
        .bind(business.to_string())
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let expires_at: i64 = row.try_get("expires_at").map_err(backend_error)?;
        if expires_at <= millis(now) {
            return Ok(None);
        }
        let sealed = Sealed {
            ciphertext: row.try_get("verifier_sealed").map_err(backend_error)?,
            key_id: row.try_get("verifier_key_id").map_err(backend_error)?,
        };
        let verifier = self
            .keyring()?
            .open(&sealed, &verifier_context(business, session))
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        Ok(Some(ConnectAttempt {
            state: row.try_get("state").map_err(backend_error)?,
            verifier,
        }))
    }

    /// Remembers the calendar event written for an appointment, so a reschedule or
    /// cancellation can change it.
    pub async fn set_appointment_event(
        &self,
        business: BusinessId,
        appointment: Uuid,
        event_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let changed = sqlx::query(
            "UPDATE appointments SET calendar_event_id = $1 WHERE id = $2 AND business_id = $3",
        )
        .bind(event_id)
        .bind(appointment.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(backend_error)
    }

    /// What writing an appointment into the owner's calendar needs: its times, service
    /// and code, the visitor's name and contact from its lead, and the event already
    /// written for it.
    pub async fn calendar_booking(
        &self,
        business: BusinessId,
        appointment: Uuid,
    ) -> Result<Option<CalendarBooking>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT a.code, a.service, a.starts_at, a.ends_at, a.calendar_event_id, l.name, \
             COALESCE(l.phone, l.email) AS contact \
             FROM appointments a LEFT JOIN leads l ON l.id = a.lead_id AND l.business_id = a.business_id \
             WHERE a.id = $1 AND a.business_id = $2",
        )
        .bind(appointment.to_string())
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(CalendarBooking {
            code: row.try_get("code").map_err(backend_error)?,
            service: row.try_get("service").map_err(backend_error)?,
            starts_at: from_millis(row.try_get("starts_at").map_err(backend_error)?)?,
            ends_at: from_millis(row.try_get("ends_at").map_err(backend_error)?)?,
            event_id: row.try_get("calendar_event_id").map_err(backend_error)?,
            visitor_name: row.try_get("name").map_err(backend_error)?,
            visitor_contact: row.try_get("contact").map_err(backend_error)?,
        }))
    }

    /// Re-seals calendar refresh tokens sealed with an older key (part of
    /// [`Store::rotate_secrets`]); connect attempts live ten minutes and are left alone.
    pub(crate) async fn rotate_calendar_tokens(
        &self,
        keyring: &crate::Keyring,
    ) -> Result<usize, StoreError> {
        let mut rotated = 0;
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let row = sqlx::query(
                "SELECT refresh_sealed, refresh_key_id FROM calendar_connections \
                 WHERE business_id = $1 AND refresh_sealed IS NOT NULL AND refresh_key_id <> $2",
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
                ciphertext: row.try_get("refresh_sealed").map_err(backend_error)?,
                key_id: row.try_get("refresh_key_id").map_err(backend_error)?,
            };
            let context = refresh_context(business);
            let plaintext = keyring
                .open(&sealed, &context)
                .map_err(|e| StoreError::Conflict(format!("business {business}: {e}")))?;
            let resealed = keyring.seal(&plaintext, &context);
            // Only replace what was read: a reconnect meanwhile wins over the rotation.
            let updated = sqlx::query(
                "UPDATE calendar_connections SET refresh_sealed = $1, refresh_key_id = $2 \
                 WHERE business_id = $3 AND refresh_sealed = $4",
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
}
