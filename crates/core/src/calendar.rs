//! The owner's calendar, as a port: the booking engine asks when the owner is busy and
//! writes the appointments it books; an adapter (Google Calendar today) talks to the
//! vendor.
//!
//! The types here are shaped by what the privacy policy (section 7a) promises an owner who
//! connects a calendar:
//! - reading is only for availability, so [`Calendar::busy`] yields bare intervals — no
//!   titles, attendees or descriptions ever reach the domain, and nothing is cached;
//! - a booked event carries "the visitor's name, contact, and requested service", so
//!   [`BookingEvent`] holds exactly that, plus the times and our booking reference — no
//!   conversation text, which may hold health or legal details the visitor typed;
//! - only events frontdesk created may be changed, so [`Calendar::update`] and
//!   [`Calendar::delete`] fail with [`CalendarError::NotOurs`] for anything else;
//! - a grant revoked from the owner's Google account must remove the connection "on next
//!   use", so it is its own error, [`CalendarError::GrantRevoked`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::Timestamp;

/// A time the owner is not free. Deliberately nothing but the interval: availability is
/// the only reason the policy lets us read the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub start: Timestamp,
    /// Exclusive.
    pub end: Timestamp,
}

/// The calendar's own id for an event we created, kept with the booking so it can be
/// rescheduled or cancelled later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventId(String);

impl EventId {
    /// Wraps an id the calendar gave us (or one stored with a booking).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as the calendar knows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Our identifier for a booking, written into the event so an owner (and support) can
/// match a calendar entry to the booking. 1–64 ASCII letters, digits, `-` or `_`: it
/// travels in vendor metadata with tight size limits and must never carry visitor data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BookingReference(String);

impl BookingReference {
    /// `None` unless the reference has the shape above.
    pub fn parse(reference: &str) -> Option<Self> {
        let ok = (1..=64).contains(&reference.len())
            && reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(reference.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BookingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a [`BookingEvent`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidBookingEvent {
    #[error("an appointment must end after it starts")]
    EmptyInterval,
    #[error("an appointment needs a service and the visitor's name and contact")]
    MissingDetail,
}

/// What frontdesk writes into the owner's calendar for one booking: the visitor's name and
/// contact and the requested service (the three things privacy policy 7a names), the
/// appointment's times, and our booking reference. Nothing else — in particular no
/// conversation text — so a calendar shared with staff or synced to phones holds no more
/// than the policy told the visitor it would.
///
/// `Debug` hides the visitor's name and contact, which are personal data and have no place
/// in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct BookingEvent {
    reference: BookingReference,
    service: String,
    start: Timestamp,
    end: Timestamp,
    visitor_name: String,
    visitor_contact: String,
}

impl BookingEvent {
    /// Checks the interval is not empty and the text fields are not blank; text is
    /// trimmed and line breaks become spaces, so each field stays one line in the event.
    pub fn new(
        reference: BookingReference,
        service: &str,
        start: Timestamp,
        end: Timestamp,
        visitor_name: &str,
        visitor_contact: &str,
    ) -> Result<Self, InvalidBookingEvent> {
        if end <= start {
            return Err(InvalidBookingEvent::EmptyInterval);
        }
        let line = |s: &str| s.replace(['\r', '\n'], " ").trim().to_owned();
        let (service, visitor_name, visitor_contact) =
            (line(service), line(visitor_name), line(visitor_contact));
        if service.is_empty() || visitor_name.is_empty() || visitor_contact.is_empty() {
            return Err(InvalidBookingEvent::MissingDetail);
        }
        Ok(Self {
            reference,
            service,
            start,
            end,
            visitor_name,
            visitor_contact,
        })
    }

    pub fn reference(&self) -> &BookingReference {
        &self.reference
    }

    /// The service as the business names it.
    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// Exclusive.
    pub fn end(&self) -> Timestamp {
        self.end
    }

    pub fn visitor_name(&self) -> &str {
        &self.visitor_name
    }

    /// The phone number or email the visitor gave for this appointment.
    pub fn visitor_contact(&self) -> &str {
        &self.visitor_contact
    }
}

impl fmt::Debug for BookingEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BookingEvent")
            .field("reference", &self.reference)
            .field("service", &self.service)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("visitor_name", &"<redacted>")
            .field("visitor_contact", &"<redacted>")
            .finish()
    }
}

/// Why a calendar call failed. Messages come from the vendor's error text with any
/// credential removed; no variant ever holds a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The owner revoked our access (or it expired for good): the stored connection is
    /// useless. The caller removes it and tells the owner to reconnect.
    #[error("access to the calendar was revoked; the owner must connect it again")]
    GrantRevoked,
    /// The event exists but frontdesk did not create it, so the policy forbids changing it.
    #[error("the event was not created by frontdesk and will not be changed")]
    NotOurs,
    #[error("the event does not exist")]
    NotFound,
    /// Slow down; `retry_after` is the vendor's own hint when it gave one.
    #[error("rate limited by the calendar provider")]
    RateLimited { retry_after: Option<Duration> },
    /// Network failure, timeout or a 5xx: may work if tried again later.
    #[error("the calendar provider is unavailable: {0}")]
    Unavailable(String),
    /// A 4xx (other than the cases above) or an answer we cannot read: retrying the same
    /// call will not help.
    #[error("the calendar provider rejected the request: {0}")]
    Rejected(String),
}

/// The boxed future of a calendar call, so adapters can be chosen at run time.
pub type CalendarFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, CalendarError>> + Send + 'a>>;

/// One owner's connected calendar.
pub trait Calendar: Send + Sync + fmt::Debug {
    /// The busy intervals overlapping `[from, to)`, in start order. Free-time entries
    /// (marked "available") and cancelled ones are left out.
    fn busy(&self, from: Timestamp, to: Timestamp) -> CalendarFuture<'_, Vec<Busy>>;

    /// Writes a booked appointment, marked as frontdesk's, and returns its id.
    fn create<'a>(&'a self, event: &'a BookingEvent) -> CalendarFuture<'a, EventId>;

    /// Rewrites an event frontdesk created (a reschedule); [`CalendarError::NotOurs`] for
    /// any other event.
    fn update<'a>(&'a self, id: &'a EventId, event: &'a BookingEvent) -> CalendarFuture<'a, ()>;

    /// Removes an event frontdesk created (a cancellation); an event already gone counts
    /// as removed. [`CalendarError::NotOurs`] for any other event.
    fn delete<'a>(&'a self, id: &'a EventId) -> CalendarFuture<'a, ()>;
}

/// Where to send an owner to connect their calendar, and the PKCE verifier the server
/// keeps (sealed, bound to the owner's session) until the vendor calls back.
pub struct Authorization {
    pub url: String,
    pub verifier: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("url", &self.url)
            .field("verifier", &"[redacted]")
            .finish()
    }
}

/// Connecting owners' calendars with one vendor's OAuth client, so the server can run the
/// connect pages and open stored connections without knowing the vendor. Refresh tokens
/// cross this port as plain strings because the server must seal them for storage; they
/// are never logged.
pub trait CalendarConnector: Send + Sync + fmt::Debug {
    /// A fresh PKCE verifier and the consent URL carrying its challenge and `state`.
    fn authorize(&self, state: &str) -> Authorization;

    /// Trades the callback's `code` (with the verifier kept since [`authorize`]) for the
    /// connection's refresh token.
    ///
    /// [`authorize`]: CalendarConnector::authorize
    fn exchange<'a>(&'a self, code: &'a str, verifier: &'a str) -> CalendarFuture<'a, String>;

    /// The calendar `calendar_id` of a stored connection.
    fn open(
        &self,
        calendar_id: &str,
        refresh_token: &str,
    ) -> Result<std::sync::Arc<dyn Calendar>, CalendarError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn reference() -> BookingReference {
        BookingReference::parse("bk_01J9Z-7").unwrap()
    }

    #[test]
    fn references_are_short_and_plain() {
        assert!(BookingReference::parse("").is_none());
        assert!(BookingReference::parse(&"a".repeat(65)).is_none());
        assert!(BookingReference::parse("a b").is_none());
        assert!(BookingReference::parse("ana@example.com").is_none());
        assert_eq!(reference().as_str(), "bk_01J9Z-7");
    }

    #[test]
    fn booking_events_are_checked_and_one_line() {
        let start = at("2025-03-10T15:00:00Z");
        let end = at("2025-03-10T15:30:00Z");
        assert_eq!(
            BookingEvent::new(reference(), "Cleaning", end, start, "Ana", "555-0100"),
            Err(InvalidBookingEvent::EmptyInterval)
        );
        assert_eq!(
            BookingEvent::new(reference(), "Cleaning", start, start, "Ana", "555-0100"),
            Err(InvalidBookingEvent::EmptyInterval)
        );
        assert_eq!(
            BookingEvent::new(reference(), "Cleaning", start, end, " \n", "555-0100"),
            Err(InvalidBookingEvent::MissingDetail)
        );
        let event = BookingEvent::new(
            reference(),
            " Cleaning ",
            start,
            end,
            "Ana\r\nGómez",
            "555-0100",
        )
        .unwrap();
        assert_eq!(event.service(), "Cleaning");
        assert_eq!(event.visitor_name(), "Ana  Gómez");
        assert_eq!((event.start(), event.end()), (start, end));
    }

    #[test]
    fn visitor_details_stay_out_of_debug() {
        let event = BookingEvent::new(
            reference(),
            "Cleaning",
            at("2025-03-10T15:00:00Z"),
            at("2025-03-10T15:30:00Z"),
            "Ana Gómez",
            "ana@example.com",
        )
        .unwrap();
        let debug = format!("{event:?}");
        assert!(debug.contains("Cleaning") && debug.contains("bk_01J9Z-7"));
        assert!(!debug.contains("Ana") && !debug.contains("ana@example.com"));
    }

    #[test]
    fn the_port_is_object_safe() {
        fn takes(_: Option<std::sync::Arc<dyn Calendar>>) {}
        takes(None);
    }
}
