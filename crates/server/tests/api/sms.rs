//! The SMS channel end to end, on SQLite and PostgreSQL: Telnyx webhooks signed like
//! Telnyx signs them, replies sent through the real Telnyx client to a fake Telnyx, and
//! opt-outs honoured on every path that texts.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_notify::{TelnyxConfig, TelnyxSender, TelnyxSms};
use frontdesk_server::{OutboxMailer, TelnyxWebhookKey};
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::Backend;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{spawn_app_with, TestApp, MONDAY_MORNING};

/// The business's Telnyx number, which visitors text.
const BUSINESS_NUMBER: &str = "+15125550100";
const VISITOR: &str = "+13125550001";

struct SmsApp {
    app: TestApp,
    telnyx: MockServer,
    signing: SigningKey,
}

fn now_seconds() -> i64 {
    MONDAY_MORNING
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

/// A server that verifies webhooks with a test key pair and texts through a fake Telnyx.
async fn sms_app(backend: Backend) -> SmsApp {
    let telnyx = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "msg-1"}})))
        .mount(&telnyx)
        .await;
    let signing = SigningKey::from_bytes(&[42; 32]);
    let public = BASE64.encode(signing.verifying_key().as_bytes());
    let telnyx_url = telnyx.uri();
    let app = spawn_app_with(backend, move |config| {
        let mut sms = TelnyxConfig::new(
            ApiKey::new("KEY-test"),
            TelnyxSender::Number("+18005550199".into()),
        );
        sms.base_url = telnyx_url;
        config.sms = Some(Arc::new(TelnyxSms::new(sms)));
        config.mailer = Arc::new(OutboxMailer::new(
            std::env::temp_dir().join(format!("fd-sms-{}", uuid::Uuid::new_v4())),
        ));
        config.notify_interval = Duration::from_millis(50);
        config.telnyx_public_key = Some(TelnyxWebhookKey::from_base64(&public).unwrap());
    })
    .await;
    SmsApp {
        app,
        telnyx,
        signing,
    }
}

/// A `message.received` event as Telnyx sends it (API v2).
fn received(event_id: &str, from: &str, text: &str) -> String {
    json!({
        "data": {
            "event_type": "message.received",
            "id": event_id,
            "occurred_at": "2026-11-23T16:00:00.000+00:00",
            "payload": {
                "direction": "inbound",
                "from": {"carrier": "T-Mobile USA", "line_type": "Wireless", "phone_number": from},
                "id": format!("msg-{event_id}"),
                "media": [],
                "messaging_profile_id": "740572b6-099c-44a1-89b9-6c92163bc68d",
                "text": text,
                "to": [{"carrier": "Telnyx", "line_type": "Wireless", "phone_number": BUSINESS_NUMBER, "status": "webhook_delivered"}],
                "type": "SMS"
            },
            "record_type": "event"
        },
        "meta": {"attempt": 1, "delivered_to": "https://desk.example/sms/telnyx/demo"}
    })
    .to_string()
}

impl SmsApp {
    /// Posts `body` signed at `timestamp` with `key` (`None`: no signature headers).
    async fn post(
        &self,
        slug: &str,
        body: &str,
        signature: Option<(&SigningKey, i64)>,
    ) -> (u16, Value) {
        let mut request = self
            .app
            .client
            .post(self.app.url(&format!("/sms/telnyx/{slug}")))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some((key, timestamp)) = signature {
            let signed = format!("{timestamp}|{body}");
            let signature = BASE64.encode(key.sign(signed.as_bytes()).to_bytes());
            request = request
                .header("telnyx-signature-ed25519", signature)
                .header("telnyx-timestamp", timestamp.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A visitor's text, delivered and signed like Telnyx does.
    async fn text(&self, event_id: &str, from: &str, text: &str) -> (u16, Value) {
        let body = received(event_id, from, text);
        self.post("demo", &body, Some((&self.signing, now_seconds() - 2)))
            .await
    }

    /// Sends a text and expects it accepted.
    async fn say(&self, event_id: &str, text: &str) {
        let (status, body) = self.text(event_id, VISITOR, text).await;
        assert_eq!(
            (status, &body["status"]),
            (200, &json!("accepted")),
            "{text}: {body}"
        );
    }

    /// Waits until every text received has been answered.
    async fn answered(&self) {
        let mut owner = self.app.db.owner().await;
        for _ in 0..200 {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sms_inbound_events WHERE status IN ('pending', 'answering')",
            )
            .fetch_one(&mut owner)
            .await
            .unwrap();
            if waiting == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("texts left unanswered");
    }

    /// The texts the fake Telnyx received so far.
    async fn sent(&self) -> Vec<Value> {
        self.telnyx
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    /// Waits until `count` texts were sent (or a few seconds pass), then lets the worker
    /// run a few more rounds so an extra text would show.
    async fn sent_after(&self, count: usize) -> Vec<Value> {
        self.answered().await;
        for _ in 0..100 {
            if self.sent().await.len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.sent().await
    }

    /// Rows of a table, as its owner sees them (past row-level security).
    async fn rows(&self, table: &str) -> i64 {
        let mut owner = self.app.db.owner().await;
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut owner)
            .await
            .unwrap()
    }
}

fn bodies(sent: &[Value]) -> Vec<&str> {
    sent.iter().map(|t| t["text"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn unsigned_forged_or_stale_webhooks_get_403_and_store_nothing() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        let body = received("evt-forged", VISITOR, "STOP");
        let impostor = SigningKey::from_bytes(&[1; 32]);
        let now = now_seconds();
        for (case, signature) in [
            ("missing", None),
            ("wrong key", Some((&impostor, now))),
            ("stale", Some((&sms.signing, now - 6 * 60))),
            ("from the future", Some((&sms.signing, now + 6 * 60))),
        ] {
            let (status, answer) = sms.post("demo", &body, signature).await;
            assert_eq!(status, 403, "{backend:?} {case}: {answer}");
            assert_eq!(answer["error"]["code"], "invalid_signature", "{case}");
        }
        // A valid signature over a different body is no signature for this one.
        let signed = format!("{now}|{}", received("evt-other", VISITOR, "hi"));
        let signature = BASE64.encode(sms.signing.sign(signed.as_bytes()).to_bytes());
        let response = sms
            .app
            .client
            .post(sms.app.url("/sms/telnyx/demo"))
            .header("telnyx-signature-ed25519", signature)
            .header("telnyx-timestamp", now.to_string())
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        for table in [
            "sms_inbound_events",
            "sms_outbox",
            "sms_opt_outs",
            "sms_threads",
            "conversations",
        ] {
            assert_eq!(sms.rows(table).await, 0, "{backend:?}: {table}");
        }
        assert!(sms.sent_after(0).await.is_empty());
    }
}

#[tokio::test]
async fn other_events_are_acknowledged_and_unknown_businesses_are_404() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        let stamp = Some((&sms.signing, now_seconds()));
        let sent_event =
            json!({"data": {"event_type": "message.sent", "id": "evt-sent", "payload": {}}})
                .to_string();
        let (status, body) = sms.post("demo", &sent_event, stamp).await;
        assert_eq!((status, &body["status"]), (200, &json!("ignored")));
        let (status, body) = sms
            .post("nobody", &received("evt-1", VISITOR, "hi"), stamp)
            .await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = sms.post("demo", "{not json", stamp).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(sms.rows("sms_inbound_events").await, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn a_question_is_answered_from_the_number_texted_and_a_replay_is_ignored() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        sms.say("evt-hours", "what are your hours on monday?").await;
        // Telnyx retries the same event: acknowledged, not answered again.
        let (status, body) = sms
            .text("evt-hours", VISITOR, "what are your hours on monday?")
            .await;
        assert_eq!((status, &body["status"]), (200, &json!("duplicate")));
        let sent = sms.sent_after(1).await;
        assert_eq!(sent.len(), 1, "{backend:?}: {sent:?}");
        assert_eq!(sent[0]["from"], BUSINESS_NUMBER);
        assert_eq!(sent[0]["to"], VISITOR);
        let reply = sent[0]["text"].as_str().unwrap();
        assert!(reply.contains("8") && !reply.contains("**"), "{reply}");
        assert_eq!(sms.rows("conversations").await, 1);
    }
}

#[tokio::test]
async fn texts_from_one_number_continue_one_conversation() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        sms.say("evt-1", "I'd like to book a cleaning").await;
        sms.say("evt-2", "the first one").await;
        let sent = sms.sent_after(2).await;
        assert_eq!(sent.len(), 2, "{backend:?}: {sent:?}");
        // The second text only makes sense after the first: it picks an offered time.
        let second = sent[1]["text"].as_str().unwrap().to_lowercase();
        assert!(second.contains("name"), "{backend:?}: {second}");
        assert_eq!(sms.rows("conversations").await, 1, "{backend:?}");
        assert_eq!(sms.rows("messages").await, 4, "{backend:?}");
        let mut owner = sms.app.db.owner().await;
        let (channel, visitor): (String, String) =
            sqlx::query_as("SELECT channel, visitor_id FROM conversations")
                .fetch_one(&mut owner)
                .await
                .unwrap();
        assert_eq!(channel, "sms");
        assert!(!visitor.contains("3125550001"), "{visitor}");
        // Another number is another conversation.
        let (status, _) = sms.text("evt-3", "+13125550002", "hello").await;
        assert_eq!(status, 200);
        sms.answered().await;
        assert_eq!(sms.rows("conversations").await, 2, "{backend:?}");
    }
}

#[tokio::test]
async fn stop_confirms_once_then_silence_until_start() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        sms.say("evt-1", " Stop. ").await;
        sms.say("evt-2", "what are your hours?").await;
        sms.say("evt-3", "HELP").await;
        sms.say("evt-4", "STOP ALL").await;
        let sent = sms.sent_after(1).await;
        assert_eq!(sent.len(), 1, "{backend:?}: {sent:?}");
        assert!(bodies(&sent)[0].contains("unsubscribed"), "{sent:?}");
        assert_eq!(sent[0]["from"], BUSINESS_NUMBER);
        // Nothing reached the assistant while opted out.
        assert_eq!(sms.rows("conversations").await, 0, "{backend:?}");

        sms.say("evt-5", "start").await;
        sms.say("evt-6", "help").await;
        sms.say("evt-7", "what are your hours on monday?").await;
        let sent = sms.sent_after(4).await;
        let texts = bodies(&sent);
        assert_eq!(texts.len(), 4, "{backend:?}: {texts:?}");
        assert!(texts[1].contains("subscribed again"), "{texts:?}");
        assert!(
            texts[2].contains("Maple Street Dental Studio")
                && texts[2].contains("+1 512 555 0142")
                && texts[2].contains("STOP"),
            "{texts:?}"
        );
        assert_eq!(sms.rows("conversations").await, 1);
    }
}

#[tokio::test]
async fn a_reply_queued_for_a_number_that_opted_out_is_never_sent() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        let business = sms
            .app
            .store
            .business_by_slug("demo")
            .await
            .unwrap()
            .unwrap();
        let visitor = PhoneNumber::parse(VISITOR).unwrap();
        let now = MONDAY_MORNING.parse().unwrap();
        sms.app
            .store
            .record_sms_opt_out(business.id, &visitor, now)
            .await
            .unwrap();
        // A reply queued before the opt-out reached the worker.
        let mut owner = sms.app.db.owner().await;
        sqlx::query(
            "INSERT INTO sms_outbox (id, business_id, from_number, to_number, body, kind, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'We open at 8.', 'regular', 'pending', 0, 0, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(business.id.to_string())
        .bind(BUSINESS_NUMBER)
        .bind(visitor.as_str())
        // Queued now: a row from long ago would be swept by the 7-day cleanup first.
        .bind(jiff::Timestamp::as_millisecond(now))
        .execute(&mut owner)
        .await
        .unwrap();
        // The worker's interval passes a few times; the text must still not go.
        let sent = sms.sent_after(0).await;
        assert!(sent.is_empty(), "{backend:?}: {sent:?}");
        let (status, error): (String, Option<String>) =
            sqlx::query_as("SELECT status, last_error FROM sms_outbox")
                .fetch_one(&mut owner)
                .await
                .unwrap();
        assert_eq!(status, "failed", "{backend:?}");
        assert!(error.unwrap().contains("opted out"));
    }
}

#[tokio::test]
async fn a_team_member_who_texted_stop_gets_no_notification_texts() {
    for backend in BACKENDS {
        let sms = sms_app(backend).await;
        let member_phone = "+15125550111";
        sms.app.add_owner_with_phone(member_phone).await;
        let (status, _) = sms.text("evt-stop", member_phone, "stop").await;
        assert_eq!(status, 200);
        sms.answered().await;
        // A visitor on the web asks for a person: the team is notified by email and SMS.
        let (status, body) = sms
            .app
            .send(
                "v_smsoptout000001",
                None,
                "can I speak to a real person please?",
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let mut owner = sms.app.db.owner().await;
        let mut outcome = Vec::new();
        for _ in 0..100 {
            outcome = sqlx::query_as::<_, (String, String, Option<String>)>(
                "SELECT channel, status, last_error FROM notification_outbox ORDER BY channel",
            )
            .fetch_all(&mut owner)
            .await
            .unwrap();
            if outcome.len() == 2 && outcome.iter().all(|(_, s, _)| s == "sent" || s == "failed") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        assert_eq!(outcome.len(), 2, "{backend:?}: {outcome:?}");
        assert_eq!(outcome[0].1, "sent", "email still goes: {outcome:?}");
        assert_eq!(outcome[1].0, "sms");
        assert_eq!(outcome[1].1, "failed", "{backend:?}: {outcome:?}");
        assert!(outcome[1].2.as_deref().unwrap().contains("opted out"));
        // Only the opt-out's own confirmation ever reached the member's phone.
        let sent = sms.sent_after(1).await;
        assert_eq!(bodies(&sent).len(), 1, "{backend:?}: {sent:?}");
        assert!(bodies(&sent)[0].contains("unsubscribed"));
    }
}

#[tokio::test]
async fn without_a_public_key_the_webhook_is_refused() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let response = app
        .client
        .post(app.url("/sms/telnyx/demo"))
        .body(received("evt-1", VISITOR, "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
}
