//! SMTP delivery through lettre, for businesses with their own mail server or a relay.

use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::mail::{Mail, MailError, MailFuture, Mailer};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::key::IdempotencyKey;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connect, then `STARTTLS`, required (usually port 587). A server that does not
    /// offer it gets no credentials and no mail, so a downgrade can't expose either.
    StartTls,
    /// TLS from the first byte (usually port 465).
    ImplicitTls,
    /// No encryption: only for a relay on the same machine or a private network (a local
    /// Postfix, a test catcher). Never use it across the internet.
    None,
}

/// A mail server login. `Debug` shows the user only: the password is an [`ApiKey`].
#[derive(Debug, Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: ApiKey,
}

/// Where and how to hand mail over.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The server's name; also the name its TLS certificate must carry.
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// `None` for relays that accept mail from this machine without a login.
    pub credentials: Option<SmtpCredentials>,
    /// `Front desk <desk@example.com>`: the `From` header and the envelope sender.
    pub from: String,
    /// Per SMTP command; lettre's default (60 s) is long for a background sender.
    pub timeout: Duration,
}

/// A [`Mailer`] that speaks SMTP, one connection per mail (team notifications are few,
/// and a pool would hold connections a relay may drop anyway).
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for errors.
    server: String,
    /// To scrub from server messages (a relay could echo it back).
    password: Option<ApiKey>,
}

impl SmtpMailer {
    /// Fails when `from` is not an address or the TLS settings can't be built.
    pub fn new(config: SmtpConfig) -> Result<Self, MailError> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            MailError(format!(
                "the sender {:?} is not an address: {e}",
                config.from
            ))
        })?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(config.timeout));
        let tls = || {
            TlsParameters::new(config.host.clone())
                .map_err(|e| MailError(format!("TLS settings for {}: {e}", config.host)))
        };
        builder = match config.security {
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::ImplicitTls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if let Some(credentials) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                credentials.username.clone(),
                credentials.password.expose().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            server: format!("{}:{}", config.host, config.port),
            password: config.credentials.map(|c| c.password),
        })
    }

    /// The message lettre sends. Header values are kept to one line whatever the `Mail`
    /// was built from, and the Message-ID is derived from the mail's idempotency key, so a
    /// retried send is recognisably the same message to servers and clients that
    /// de-duplicate on it.
    fn message(&self, mail: &Mail) -> Result<Message, MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError("the recipient is not a single email address".to_owned()))?;
        let domain = self.from.email.domain().to_owned();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.replace(['\r', '\n'], " "))
            .message_id(Some(format!(
                "<{}@{domain}>",
                IdempotencyKey::for_mail(mail).as_str()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError(format!("could not build the message: {e}")))
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        Box::pin(async move {
            let message = self.message(mail)?;
            match self.transport.send(message).await {
                Ok(_) => {
                    tracing::info!(server = %self.server, "mail handed to the SMTP server");
                    Ok(())
                }
                Err(e) => {
                    let mut text = e.to_string();
                    if let Some(password) = self.password.as_ref().map(ApiKey::expose) {
                        if !password.is_empty() {
                            text = text.replace(password, "[redacted]");
                        }
                    }
                    let kind = if e.is_permanent() {
                        "refused"
                    } else {
                        "failed"
                    };
                    Err(MailError(format!("SMTP {} {kind}: {text}", self.server)))
                }
            }
        })
    }
}
