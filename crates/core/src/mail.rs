//! Outgoing email to team members (invites, password resets), as a port: the domain says
//! what to send, an adapter (SMTP, an API, or the offline outbox) delivers it.

use std::future::Future;
use std::pin::Pin;

/// One plain-text email.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// May hold a one-time link: adapters must not log it.
    pub body: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("body", &"<redacted>")
            .finish()
    }
}

impl Mail {
    /// A mail whose header values (recipient, subject) can't carry line breaks, whatever
    /// they were built from (a business name, say): no header injection in any adapter.
    pub fn new(to: &str, subject: &str, body: String) -> Self {
        let header = |value: &str| value.replace(['\r', '\n'], " ");
        Self {
            to: header(to),
            subject: header(subject),
            body,
        }
    }
}

/// Why a mail was not handed over.
#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(pub String);

/// What [`Mailer::send`] returns.
pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Delivers mail. Returning `Ok` means the mail is durably handed over.
pub trait Mailer: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a>;
}
