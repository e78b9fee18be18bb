//! Delivery of team notifications, behind the core's ports: [`ResendMailer`] and
//! [`SmtpMailer`] implement `frontdesk_core::mail::Mailer`, [`TelnyxSms`] and [`LogSms`]
//! implement `frontdesk_core::notify::SmsSender`.
//!
//! What a notification says is decided in `frontdesk_core::notify` and holds no visitor
//! data by construction; this crate only carries it. Vendor wire formats, TLS and
//! credentials stay here, so the core stays free of I/O.
//!
//! Secrets never leave the request: keys and passwords are `frontdesk_core::llm::ApiKey`
//! (redacted `Debug`), and every vendor message is scrubbed of the key before it becomes
//! an error. Sends are made safe to retry where the vendor allows it: Resend takes an
//! `Idempotency-Key`, and SMTP mail carries a Message-ID derived from the same key, which
//! lets receiving servers and clients drop a duplicate. Telnyx offers no such guarantee
//! for texts, so an unanswered SMS request is reported as uncertain, not retryable.
#![forbid(unsafe_code)]

mod http;
mod key;
mod log_sms;
mod resend;
mod smtp;
mod telnyx;

pub use key::IdempotencyKey;
pub use log_sms::LogSms;
pub use resend::{ResendConfig, ResendMailer, RESEND_API};
pub use smtp::{SmtpConfig, SmtpCredentials, SmtpMailer, SmtpSecurity};
pub use telnyx::{TelnyxConfig, TelnyxSender, TelnyxSms, TELNYX_API};
