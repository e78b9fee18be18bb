//! Team notifications end to end, on SQLite and PostgreSQL: a lead and a booking reach
//! the team by email (the offline outbox mailer) and SMS (the real Telnyx client against
//! a fake Telnyx), and no outbound message contains the visitor's name, phone or email.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_notify::{TelnyxConfig, TelnyxSender, TelnyxSms};
use frontdesk_server::OutboxMailer;
use frontdesk_store::testing::BACKENDS;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{spawn_app_with, TestApp};

const NAME: &str = "Esperanza Quintero";
const PHONE: &str = "(512) 555-0177";
const EMAIL: &str = "esperanza.q@example.org";

async fn say(app: &TestApp, conversation: &mut Option<String>, text: &str) -> Value {
    let (status, body) = app
        .send_to("demo", "v_notifynotify0001", conversation.as_deref(), text)
        .await;
    assert_eq!(status, 200, "{text}: {body}");
    *conversation = body["conversation_id"].as_str().map(str::to_owned);
    body
}

#[tokio::test]
async fn the_team_hears_of_leads_and_bookings_without_any_visitor_data() {
    for backend in BACKENDS {
        let telnyx = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/messages"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"data": {"id": "msg-1"}})),
            )
            .mount(&telnyx)
            .await;
        let outbox = std::env::temp_dir().join(format!("fd-notify-{}", uuid::Uuid::new_v4()));
        let (mail_dir, telnyx_url) = (outbox.clone(), telnyx.uri());
        let app = spawn_app_with(backend, move |config| {
            config.mailer = Arc::new(OutboxMailer::new(mail_dir));
            let mut sms = TelnyxConfig::new(
                ApiKey::new("KEY-test"),
                TelnyxSender::Number("+15125550100".into()),
            );
            sms.base_url = telnyx_url;
            config.sms = Some(Arc::new(TelnyxSms::new(sms)));
            config.notify_interval = Duration::from_millis(50);
        })
        .await;
        // The demo business gets a team member who wants texts too.
        let business = app.store.business_by_slug("demo").await.unwrap().unwrap();
        let demo = frontdesk_core::business::Business::from_toml(&business.source).unwrap();
        app.add_owner_with_phone("+15125550111").await;

        let mut conversation = None;
        for text in [
            "I'd like to book a cleaning",
            "the first one",
            &format!("my name is {NAME}"),
            &format!("{PHONE}, or {EMAIL}"),
            "yes",
        ] {
            say(&app, &mut conversation, text).await;
        }
        let mut asking_for_a_person = None;
        say(
            &app,
            &mut asking_for_a_person,
            "can I speak to a real person please?",
        )
        .await;
        // Three events (lead captured, appointment booked, a person asked for) × (email + SMS).
        let mut mails = Vec::new();
        for _ in 0..100 {
            mails = std::fs::read_dir(&outbox)
                .map(|dir| {
                    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                        .collect()
                })
                .unwrap_or_default();
            let texts = telnyx.received_requests().await.unwrap_or_default();
            if mails.len() == 3 && texts.len() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let texts: Vec<String> = telnyx
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect();
        assert_eq!(
            (mails.len(), texts.len()),
            (3, 3),
            "{backend:?}: {mails:?} {texts:?}"
        );
        assert!(mails.iter().any(|m| m.contains("appointment")), "{mails:?}");
        assert!(
            mails.iter().any(|m| m.contains("/app/conversations/")),
            "the handoff links its conversation"
        );
        assert!(mails.iter().all(|m| m.starts_with("To: owner@maple.test")));
        assert!(texts.iter().all(|t| t.contains("+15125550111")));
        let digits: String = PHONE.chars().filter(char::is_ascii_digit).collect();
        for message in mails.iter().chain(&texts) {
            for secret in [
                NAME,
                "Esperanza",
                "Quintero",
                EMAIL,
                PHONE,
                digits.as_str(),
                "555-0177",
            ] {
                assert!(
                    !message.contains(secret),
                    "{backend:?}: a notification carries {secret:?}: {message}"
                );
            }
        }
        assert!(mails.iter().any(|m| m.contains(&demo.name)));
        let _ = std::fs::remove_dir_all(&outbox);
    }
}
