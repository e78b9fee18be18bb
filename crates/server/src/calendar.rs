//! The owner's connected calendar in the booking path. Availability subtracts the
//! calendar's busy times (read per turn, never stored), and after a turn books, moves or
//! cancels an appointment the matching event is written, changed or removed in the
//! background. A calendar failure never fails the visitor's turn: the booking stands and
//! the failure is logged. A revoked grant removes the connection with a notice for the
//! owner.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use frontdesk_core::assistant::{
    Booked, BookingRequest, ConversationStore, StoreError, TurnAction, TurnRecord,
};
use frontdesk_core::booking::Taken;
use frontdesk_core::calendar::{
    BookingEvent, BookingReference, Calendar, CalendarConnector, CalendarError, EventId,
};
use frontdesk_core::clock::Clock;
use frontdesk_core::conversation::{BusinessId, ConversationId, Message, VisitorId};
use frontdesk_core::leads::manage::Managed;
use frontdesk_core::leads::{LeadDetails, LeadDraft};
use frontdesk_store::{CalendarBooking, Store};
use jiff::{SignedDuration, Timestamp};

/// How long a turn waits for busy times. The visitor is waiting on the reply and the
/// request itself times out at 30 seconds, so a slow calendar is skipped (availability
/// then rests on bookings alone, and the booking is still checked against them).
const BUSY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// What the dashboard shows after Google revoked access.
pub(crate) const REVOKED_NOTICE: &str =
    "Google revoked frontdesk's access to the calendar, so bookings are no longer written to it.";

/// Opens business calendars from their stored connections.
#[derive(Debug, Clone)]
pub(crate) struct Calendars {
    store: Store,
    connector: Arc<dyn CalendarConnector>,
    clock: Arc<dyn Clock>,
    /// Each business's opened calendar, kept so its access token is reused across turns
    /// rather than refreshed for every one. Keyed by what it was opened from, so a
    /// reconnect (another token or calendar) opens afresh.
    open: Arc<Mutex<HashMap<BusinessId, Opened>>>,
}

/// A calendar opened from a connection.
struct Opened {
    calendar_id: String,
    refresh_token: String,
    calendar: Arc<dyn Calendar>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("calendar", &self.calendar)
            .finish_non_exhaustive()
    }
}

impl Calendars {
    pub(crate) fn new(
        store: Store,
        connector: Arc<dyn CalendarConnector>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            connector,
            clock,
            open: Arc::default(),
        }
    }

    pub(crate) fn connector(&self) -> &dyn CalendarConnector {
        self.connector.as_ref()
    }

    /// The business's calendar, or `None` when it has no (usable) connection. The stored
    /// connection is read every time, so a disconnect on any server takes effect at once
    /// (and drops the token this server held in memory).
    async fn open(&self, business: BusinessId) -> Option<Arc<dyn Calendar>> {
        let connection = self.store.calendar_connection(business).await;
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let connection = match connection {
            Ok(Some(connection)) => connection,
            Ok(None) => {
                open.remove(&business);
                return None;
            }
            Err(e) => {
                tracing::warn!(%business, error = %e, "could not read the calendar connection");
                return None;
            }
        };
        if let Some(opened) = open.get(&business).filter(|o| {
            o.calendar_id == connection.calendar_id && o.refresh_token == connection.refresh_token
        }) {
            return Some(opened.calendar.clone());
        }
        match self
            .connector
            .open(&connection.calendar_id, &connection.refresh_token)
        {
            Ok(calendar) => {
                open.insert(
                    business,
                    Opened {
                        calendar_id: connection.calendar_id,
                        refresh_token: connection.refresh_token,
                        calendar: calendar.clone(),
                    },
                );
                Some(calendar)
            }
            Err(e) => {
                tracing::warn!(%business, error = %e, "could not open the connected calendar");
                None
            }
        }
    }

    /// Logs a failed call; a revoked grant also removes the connection (the token is
    /// useless) and leaves the owner a notice.
    async fn failed(&self, business: BusinessId, what: &str, error: &CalendarError) {
        if *error == CalendarError::GrantRevoked {
            tracing::warn!(%business, "calendar access was revoked; removing the connection");
            if let Err(e) = self
                .store
                .remove_calendar_connection(business, Some(REVOKED_NOTICE), self.clock.now())
                .await
            {
                tracing::error!(%business, error = %e, "could not remove a revoked calendar connection");
            }
        } else {
            tracing::warn!(%business, error = %error, "calendar {what} failed");
        }
    }

    /// The busy times of the business's calendar in `[from, to)`; none when it is not
    /// connected or the calendar can't be read (availability then rests on bookings).
    async fn busy(&self, business: BusinessId, from: Timestamp, to: Timestamp) -> Vec<Taken> {
        let Some(calendar) = self.open(business).await else {
            return Vec::new();
        };
        let Ok(read) = tokio::time::timeout(BUSY_DEADLINE, calendar.busy(from, to)).await else {
            tracing::warn!(%business, "the calendar's busy times took too long; offering without them");
            return Vec::new();
        };
        match read {
            Ok(busy) => busy
                .into_iter()
                .map(|b| Taken {
                    start: b.start,
                    end: b.end,
                })
                .collect(),
            Err(e) => {
                self.failed(business, "busy-time read", &e).await;
                Vec::new()
            }
        }
    }

    /// Mirrors a turn's bookings, moves and cancellations into the business's calendar, in
    /// the background so the visitor never waits on Google.
    pub(crate) fn sync_in_background(&self, business: BusinessId, actions: &[TurnAction]) {
        let changes: Vec<TurnAction> = actions
            .iter()
            .filter(|a| !matches!(a, TurnAction::LeadCaptured { .. }))
            .cloned()
            .collect();
        if changes.is_empty() {
            return;
        }
        let calendars = self.clone();
        tokio::spawn(async move {
            for change in changes {
                calendars.sync(business, &change).await;
            }
        });
    }

    /// Brings one appointment's event in line with it.
    pub(crate) async fn sync(&self, business: BusinessId, change: &TurnAction) {
        let appointment = match change {
            TurnAction::AppointmentBooked { appointment_id, .. }
            | TurnAction::AppointmentRescheduled { appointment_id }
            | TurnAction::AppointmentCancelled { appointment_id } => *appointment_id,
            TurnAction::LeadCaptured { .. } => return,
        };
        let booking = match self.store.calendar_booking(business, appointment).await {
            Ok(Some(booking)) => booking,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(%business, error = %e, "could not read the appointment to sync");
                return;
            }
        };
        let existing = booking.event_id.clone().map(EventId::new);
        if existing.is_none() && !matches!(change, TurnAction::AppointmentBooked { .. }) {
            // Booked before the calendar was connected (or its write failed): nothing to
            // change or remove.
            return;
        }
        let Some(calendar) = self.open(business).await else {
            return;
        };
        let (what, result) = match (change, existing) {
            (TurnAction::AppointmentCancelled { .. }, Some(id)) => {
                ("delete", calendar.delete(&id).await)
            }
            (_, existing) => {
                let Some(event) = event_for(&booking) else {
                    tracing::warn!(%business, "appointment lacks what a calendar event needs");
                    return;
                };
                match existing {
                    Some(id) => ("update", calendar.update(&id, &event).await),
                    None => match calendar.create(&event).await {
                        Ok(id) => {
                            if let Err(e) = self
                                .store
                                .set_appointment_event(business, appointment, Some(id.as_str()))
                                .await
                            {
                                tracing::error!(%business, error = %e, "could not keep the calendar event's id");
                            }
                            ("create", Ok(()))
                        }
                        Err(e) => ("create", Err(e)),
                    },
                }
            }
        };
        if let Err(e) = result {
            self.failed(business, what, &e).await;
        }
    }
}

/// The event for an appointment: its service (or a plain "Appointment"), times, the
/// visitor's name and contact from its lead, and its confirmation code as our reference.
fn event_for(booking: &CalendarBooking) -> Option<BookingEvent> {
    BookingEvent::new(
        BookingReference::parse(&booking.code)?,
        booking.service.as_deref().unwrap_or("Appointment"),
        booking.starts_at,
        booking.ends_at,
        booking.visitor_name.as_deref()?,
        booking.visitor_contact.as_deref()?,
    )
    .ok()
}

/// The store the assistant works with: the SQL store, with availability also counting the
/// connected calendar's busy times.
#[derive(Debug, Clone)]
pub(crate) struct CalendarStore {
    store: Store,
    calendars: Option<Calendars>,
}

impl CalendarStore {
    pub(crate) fn new(store: Store, calendars: Option<Calendars>) -> Self {
        Self { store, calendars }
    }
}

impl ConversationStore for CalendarStore {
    async fn recent_messages(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.store
            .recent_messages(business, conversation, visitor, limit)
            .await
    }

    async fn record_turn(&self, turn: &TurnRecord) -> Result<(), StoreError> {
        self.store.record_turn(turn).await
    }

    async fn lead_draft(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<Option<LeadDraft>, StoreError> {
        self.store.lead_draft(business, conversation).await
    }

    async fn flagged_as_child(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> Result<bool, StoreError> {
        self.store.flagged_as_child(business, conversation).await
    }

    async fn matching_lead(
        &self,
        business: BusinessId,
        visitor: &VisitorId,
        details: &LeadDetails,
    ) -> Result<Option<uuid::Uuid>, StoreError> {
        self.store.matching_lead(business, visitor, details).await
    }

    async fn taken_times(
        &self,
        business: BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Taken>, StoreError> {
        let mut taken = self.store.taken_times(business, from, to).await?;
        if let Some(calendars) = &self.calendars {
            taken.extend(calendars.busy(business, from, to).await);
            taken.sort_by_key(|t| (t.start, t.end));
        }
        Ok(taken)
    }

    async fn book(
        &self,
        business: BusinessId,
        request: &BookingRequest,
        now: Timestamp,
    ) -> Result<Booked, StoreError> {
        self.store.book(business, request, now).await
    }

    async fn booked_appointment(
        &self,
        business: BusinessId,
        code: &str,
    ) -> Result<Option<Managed>, StoreError> {
        self.store.booked_appointment(business, code).await
    }

    async fn cancel_appointment(
        &self,
        business: BusinessId,
        appointment: uuid::Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.store
            .cancel_appointment(business, appointment, now)
            .await
    }

    async fn move_appointment(
        &self,
        business: BusinessId,
        appointment: uuid::Uuid,
        start: Timestamp,
        end: Timestamp,
        buffer: SignedDuration,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.store
            .move_appointment(business, appointment, start, end, buffer, now)
            .await
    }
}
