//! SQL storage for frontdesk. One implementation serves SQLite (the embedded default) and
//! PostgreSQL (production) through sqlx's `Any` driver: the queries are portable SQL with
//! `$n` placeholders, and each backend keeps its own migrations directory so the schemas
//! can diverge where a backend has something better to offer (row-level security, for one).
#![forbid(unsafe_code)]

mod accounts;
mod appointments;
mod audit;
mod audit_csv;
mod billing;
mod calendar;
mod calls;
mod dashboard;
mod model_settings;
mod notifications;
mod orders;
mod privacy;
mod rate_limits;
mod retention;
mod secrets;
mod shopify;
mod sms;
mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
mod writer;

pub use accounts::{
    normalize_email, InviteRecord, LimitScope, NewSession, NewUser, SessionRecord, UserRecord,
};
pub use appointments::{Appointment, AppointmentStatus, NewAppointment, SLOT_TAKEN};
pub use audit::AuditRange;
pub use audit_csv::{defuse, AuditCsv};
pub use calendar::{CalendarBooking, CalendarConnection, CalendarStatus, ConnectAttempt};
pub use calls::{CallRecord, CallTurn, CallTurnRecord};
pub use dashboard::{ConversationFilter, ConversationSummary, Lead, NewLead};
pub use notifications::{DueNotification, NotificationPrefs, NotifyChannel};
pub use orders::{parse_orders_csv, LocalOrders, OrderImport, OrderLineError, ORDER_CSV_COLUMNS};
pub use privacy::{HeldRows, TranscriptLine, VisitorData, VisitorQuery};
pub use retention::{PurgeOptions, PurgeReport};
pub use secrets::{Keyring, Sealed, SecretError};
pub use shopify::ShopifyConnection;
pub use sms::{DueSms, InboundEvent, InboundText, OutgoingSms, PendingInbound, SmsThread};
pub use store::{
    database_url, Backend, BusinessSummary, ImportOutcome, QualityCount, Store, StoredBusiness,
    UsageSummary,
};

#[cfg(test)]
mod tests;
