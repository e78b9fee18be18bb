use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::mail::{Mail, Mailer};
use frontdesk_notify::{IdempotencyKey, SmtpConfig, SmtpCredentials, SmtpMailer, SmtpSecurity};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the fake server saw: the commands, and the message between DATA and `.`.
#[derive(Debug, Default)]
struct Transcript {
    commands: Vec<String>,
    data: String,
}

/// Just enough SMTP for one mail on 127.0.0.1, without TLS: 220, EHLO→250,
/// MAIL/RCPT→250, DATA→354, `.`→250, QUIT→221.
async fn fake_smtp() -> (u16, JoinHandle<Transcript>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut transcript = Transcript::default();
        write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
        while let Some(line) = lines.next_line().await.unwrap() {
            transcript.commands.push(line.clone());
            let verb = line
                .split([' ', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-fake.test\r\n250 8BITMIME\r\n",
                "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                "DATA" => {
                    write.write_all(b"354 go ahead\r\n").await.unwrap();
                    while let Some(data) = lines.next_line().await.unwrap() {
                        if data == "." {
                            break;
                        }
                        transcript.data.push_str(&data);
                        transcript.data.push('\n');
                    }
                    b"250 queued\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"502 not implemented\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        transcript
    });
    (port, task)
}

fn mailer(port: u16) -> SmtpMailer {
    SmtpMailer::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        credentials: None,
        from: "Front desk <desk@clinic.test>".into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

/// The header block of a received message, one entry per header line.
fn headers(data: &str) -> Vec<&str> {
    data.split("\n\n").next().unwrap().lines().collect()
}

#[tokio::test]
async fn delivers_subject_and_body_with_only_our_headers() {
    let (port, server) = fake_smtp().await;
    let mail = Mail::new(
        "ana@clinic.test",
        "Bright Smile Dental: new lead",
        "A visitor left their contact details.\n\nhttps://desk.test/app/leads\n".into(),
    );
    mailer(port).send(&mail).await.unwrap();
    let transcript = server.await.unwrap();

    assert_eq!(transcript.commands[1], "MAIL FROM:<desk@clinic.test>");
    assert_eq!(transcript.commands[2], "RCPT TO:<ana@clinic.test>");
    assert_eq!(transcript.commands.last().unwrap(), "QUIT");
    let names: Vec<&str> = headers(&transcript.data)
        .iter()
        .map(|h| h.split(':').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "From",
            "To",
            "Subject",
            "Message-ID",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Date"
        ],
        "{}",
        transcript.data
    );
    let data = &transcript.data;
    assert!(
        data.contains("From: \"Front desk\" <desk@clinic.test>\n"),
        "{data}"
    );
    assert!(data.contains("To: ana@clinic.test\n"), "{data}");
    assert!(
        data.contains("Subject: Bright Smile Dental: new lead\n"),
        "{data}"
    );
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8\n"),
        "{data}"
    );
    let id = IdempotencyKey::for_mail(&mail);
    assert!(
        data.contains(&format!("Message-ID: <{}@clinic.test>\n", id.as_str())),
        "{data}"
    );
    // Everything after the header block is the body, plus the CRLF lettre puts before
    // the final `.`.
    let (_, body) = data.split_once("\n\n").unwrap();
    assert_eq!(
        body,
        "A visitor left their contact details.\n\nhttps://desk.test/app/leads\n\n"
    );
}

#[tokio::test]
async fn line_breaks_in_a_raw_mail_cannot_add_headers_or_recipients() {
    let (port, server) = fake_smtp().await;
    // Built without `Mail::new`, as a careless caller might.
    let mail = Mail {
        to: "ana@clinic.test".into(),
        subject: "New lead\r\nBcc: evil@attacker.test".into(),
        body: "body".into(),
    };
    mailer(port).send(&mail).await.unwrap();
    let transcript = server.await.unwrap();
    let rcpts: Vec<_> = transcript
        .commands
        .iter()
        .filter(|c| c.starts_with("RCPT"))
        .collect();
    assert_eq!(rcpts, ["RCPT TO:<ana@clinic.test>"]);
    assert!(
        headers(&transcript.data)
            .iter()
            .all(|h| !h.starts_with("Bcc")),
        "{}",
        transcript.data
    );
    assert!(transcript
        .data
        .contains("Subject: New lead  Bcc: evil@attacker.test\n"));

    let smuggled = Mail {
        to: "ana@clinic.test\r\nBcc: evil@attacker.test".into(),
        subject: "x".into(),
        body: "x".into(),
    };
    let error = mailer(port).send(&smuggled).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "mail not sent: the recipient is not a single email address"
    );
}

#[tokio::test]
async fn a_refusing_server_is_an_error_naming_it() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.write_all(b"554 no service\r\n").await.unwrap();
    });
    let error = mailer(port)
        .send(&Mail::new("ana@clinic.test", "x", "y".into()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!("mail not sent: SMTP 127.0.0.1:{port} ")),
        "{error}"
    );
}

#[test]
fn passwords_never_print() {
    let config = SmtpConfig {
        host: "smtp.clinic.test".into(),
        port: 587,
        security: SmtpSecurity::StartTls,
        credentials: Some(SmtpCredentials {
            username: "desk".into(),
            password: ApiKey::new("hunter2-secret"),
        }),
        from: "desk@clinic.test".into(),
        timeout: Duration::from_secs(5),
    };
    assert!(!format!("{config:?}").contains("hunter2"));
    let mailer = SmtpMailer::new(config).unwrap();
    assert!(!format!("{mailer:?}").contains("hunter2"));
    assert!(SmtpMailer::new(SmtpConfig {
        from: "not an address".into(),
        ..mailer_config()
    })
    .is_err());
}

fn mailer_config() -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: 25,
        security: SmtpSecurity::None,
        credentials: None,
        from: "desk@clinic.test".into(),
        timeout: Duration::from_secs(5),
    }
}
