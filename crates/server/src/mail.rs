//! The offline mailer: each email becomes a file in an outbox directory, so invites and
//! password resets work on a machine with no mail server. The log says a mail was
//! written and where — never its body, which holds a one-time link.

use std::path::PathBuf;

use frontdesk_core::mail::{Mail, MailError, MailFuture, Mailer};

/// Writes mail as `.eml` files into a directory.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    async fn write(&self, mail: &Mail) -> std::io::Result<PathBuf> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let name = format!(
            "{}-{}.eml",
            jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S"),
            uuid::Uuid::new_v4().simple()
        );
        let path = self.dir.join(name);
        let text = format!(
            "To: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
            header_safe(&mail.to),
            header_safe(&mail.subject),
            mail.body
        );
        // Written to a temporary name and renamed, so a reader never sees half a mail.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, text).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(path)
    }
}

/// Header values can't carry line breaks (no header injection).
fn header_safe(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

impl Mailer for OutboxMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        Box::pin(async move {
            let path = self
                .write(mail)
                .await
                .map_err(|e| MailError(format!("outbox {}: {e}", self.dir.display())))?;
            tracing::info!(to = %mail.to, subject = %mail.subject, file = %path.display(), "mail written to the outbox");
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn mail_lands_in_the_outbox_without_header_injection() {
        let dir = std::env::temp_dir().join(format!("outbox-{}", uuid::Uuid::new_v4()));
        let mailer = OutboxMailer::new(&dir);
        let mail = Mail {
            to: "ana@example.test\r\nBcc: evil@example.test".into(),
            subject: "Reset".into(),
            body: "https://x.test/app/reset/token".into(),
        };
        assert_eq!(Mail::new(&mail.to, "a\nb", String::new()).subject, "a b");
        mailer.send(&mail).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(
            text.starts_with("To: ana@example.test  Bcc: evil@example.test\r\nSubject: Reset\r\n")
        );
        assert!(text.ends_with("https://x.test/app/reset/token"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
