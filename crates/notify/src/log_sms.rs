//! The offline SMS sender: a machine without an SMS vendor still "sends", and the log
//! shows that it would have.

use frontdesk_core::notify::{Sms, SmsFuture, SmsReceipt, SmsSender};

/// Logs `sms to +1…67: N chars` at info level instead of texting.
///
/// The body is deliberately left out although it holds no visitor data by construction
/// (`frontdesk_core::notify` composes it from ids and times): logs are copied to more
/// places and kept longer than anything else, so they get the least — that a text would
/// have gone, to a masked number, and how long it was. The dashboard shows what happened.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSms;

impl SmsSender for LogSms {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a> {
        Box::pin(async move {
            tracing::info!(
                "sms to {}: {} chars (no SMS provider configured)",
                sms.to.masked(),
                sms.body.chars().count()
            );
            Ok(SmsReceipt { id: None })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use frontdesk_core::notify::PhoneNumber;

    use super::*;

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn logs_a_masked_number_and_a_length_only() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let sms = Sms {
            to: PhoneNumber::parse("+15551234567").unwrap(),
            from: None,
            body: "Clinic: new lead. https://desk.example.com/app/leads".into(),
        };
        let receipt = LogSms.send(&sms).await.unwrap();
        assert_eq!(receipt, SmsReceipt { id: None });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("INFO"), "{log}");
        assert!(log.contains("sms to +1…67: 52 chars"), "{log}");
        assert!(
            !log.contains("5551234567") && !log.contains("new lead"),
            "{log}"
        );
    }
}
