//! How `serve` delivers team email and text messages: the offline outbox by default,
//! Resend or SMTP for email and Telnyx for SMS when configured. Keys come from the
//! environment only, never from flags (which show up in process lists).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use frontdesk_core::llm::ApiKey;
use frontdesk_core::mail::Mailer;
use frontdesk_core::notify::SmsSender;
use frontdesk_notify::{
    LogSms, ResendConfig, ResendMailer, SmtpConfig, SmtpCredentials, SmtpMailer, SmtpSecurity,
    TelnyxConfig, TelnyxSender, TelnyxSms,
};
use frontdesk_server::{OutboxMailer, TelnyxWebhookKey};

/// Email and SMS settings of `serve`.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// Directory the offline mailer writes invites, resets and notifications to (when no
    /// Resend key or SMTP host is set).
    #[arg(long, env = "FRONTDESK_OUTBOX", default_value = "outbox")]
    outbox: PathBuf,
    /// The sender of team email, e.g. `Front desk <desk@example.com>`.
    #[arg(long, env = "FRONTDESK_MAIL_FROM")]
    mail_from: Option<String>,
    /// SMTP relay host (STARTTLS on 587 unless `--smtp-port 465`); credentials from
    /// FRONTDESK_SMTP_USERNAME and FRONTDESK_SMTP_PASSWORD.
    #[arg(long, env = "FRONTDESK_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "FRONTDESK_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// The number (or messaging profile id) Telnyx texts come from; the key is read from
    /// FRONTDESK_TELNYX_API_KEY.
    #[arg(long, env = "FRONTDESK_SMS_FROM")]
    sms_from: Option<String>,
    /// The Telnyx account's public key (base64, Mission Control → Keys & Credentials →
    /// Public Key) that verifies inbound SMS webhooks at `/sms/telnyx/{slug}`. Without
    /// it those webhooks are refused.
    #[arg(long, env = "FRONTDESK_TELNYX_PUBLIC_KEY")]
    telnyx_public_key: Option<String>,
}

fn secret(name: &str) -> Option<ApiKey> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| ApiKey::new(v.trim()))
}

/// The mailer `serve` uses.
pub fn mailer(args: &DeliveryArgs) -> Result<Arc<dyn Mailer>, String> {
    let from = || {
        args.mail_from
            .clone()
            .ok_or("set --mail-from (FRONTDESK_MAIL_FROM) to send real email")
    };
    if let Some(key) = secret("FRONTDESK_RESEND_API_KEY") {
        return Ok(Arc::new(ResendMailer::new(ResendConfig::new(key, from()?))));
    }
    if let Some(host) = &args.smtp_host {
        let credentials = secret("FRONTDESK_SMTP_PASSWORD").map(|password| SmtpCredentials {
            username: std::env::var("FRONTDESK_SMTP_USERNAME").unwrap_or_default(),
            password,
        });
        let config = SmtpConfig {
            host: host.clone(),
            port: args.smtp_port,
            security: if args.smtp_port == 465 {
                SmtpSecurity::ImplicitTls
            } else {
                SmtpSecurity::StartTls
            },
            credentials,
            from: from()?.to_owned(),
            timeout: Duration::from_secs(20),
        };
        return SmtpMailer::new(config)
            .map(|m| Arc::new(m) as Arc<dyn Mailer>)
            .map_err(|e| e.to_string());
    }
    Ok(Arc::new(OutboxMailer::new(args.outbox.clone())))
}

/// The SMS sender `serve` uses: Telnyx when configured, otherwise the log (offline).
pub fn sms(args: &DeliveryArgs) -> Result<Option<Arc<dyn SmsSender>>, String> {
    match (secret("FRONTDESK_TELNYX_API_KEY"), &args.sms_from) {
        (Some(key), Some(from)) => {
            let sender = if from.starts_with('+') {
                TelnyxSender::Number(from.clone())
            } else {
                TelnyxSender::Profile(from.clone())
            };
            Ok(Some(Arc::new(TelnyxSms::new(TelnyxConfig::new(
                key, sender,
            )))))
        }
        (Some(_), None) => Err("set --sms-from (FRONTDESK_SMS_FROM) to send texts".into()),
        (None, _) => Ok(Some(Arc::new(LogSms))),
    }
}

/// The key that verifies Telnyx's inbound SMS webhooks, if one is set.
pub fn telnyx_webhook_key(args: &DeliveryArgs) -> Result<Option<TelnyxWebhookKey>, String> {
    args.telnyx_public_key
        .as_deref()
        .filter(|key| !key.trim().is_empty())
        .map(TelnyxWebhookKey::from_base64)
        .transpose()
}
