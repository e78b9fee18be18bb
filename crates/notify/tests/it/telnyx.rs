use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::{PhoneNumber, Sms, SmsError, SmsReceipt, SmsSender};
use frontdesk_notify::{TelnyxConfig, TelnyxSender, TelnyxSms};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "KEY0123SecretTelnyx";

fn sms_client(base_url: String, sender: TelnyxSender) -> TelnyxSms {
    let mut config = TelnyxConfig::new(ApiKey::new(KEY), sender);
    config.base_url = base_url;
    config.timeout = Duration::from_secs(2);
    TelnyxSms::new(config)
}

fn client(server: &MockServer) -> TelnyxSms {
    sms_client(server.uri(), TelnyxSender::Number("+18005550101".into()))
}

fn sms() -> Sms {
    Sms {
        to: PhoneNumber::parse("+13125550001").unwrap(),
        from: None,
        body: "Bright Smile Dental: new lead. https://desk.test/app/leads".into(),
    }
}

fn assert_no_key(text: &str) {
    assert!(
        !text.contains(KEY) && !text.contains("SecretTelnyx"),
        "key leaked: {text}"
    );
}

#[tokio::test]
async fn sends_from_a_number_and_returns_the_message_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(json!({
            "from": "+18005550101",
            "to": "+13125550001",
            "text": "Bright Smile Dental: new lead. https://desk.test/app/leads",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"id": "40385f64-5717-4562-b3fc-2c963f66afa6", "record_type": "message", "parts": 1}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let receipt = client.send(&sms()).await.unwrap();
    assert_eq!(
        receipt,
        SmsReceipt {
            id: Some("40385f64-5717-4562-b3fc-2c963f66afa6".into())
        }
    );
    assert_no_key(&format!("{client:?}"));
}

#[tokio::test]
async fn sends_through_a_messaging_profile() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_json(json!({
            "messaging_profile_id": "16fd2706-8baf-433b-82eb-8c7fada847da",
            "to": "+13125550001",
            "text": "Bright Smile Dental: new lead. https://desk.test/app/leads",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "m-2"}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = sms_client(
        format!("{}/", server.uri()),
        TelnyxSender::Profile("16fd2706-8baf-433b-82eb-8c7fada847da".into()),
    );
    assert_eq!(
        client.send(&sms()).await.unwrap().id.as_deref(),
        Some("m-2")
    );
}

/// A reply to a visitor goes out from the business number they texted, whatever the
/// configured sender.
#[tokio::test]
async fn a_reply_comes_from_the_number_the_visitor_texted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_json(json!({
            "from": "+15125550199",
            "to": "+13125550001",
            "text": "We open at 8 am.",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "m-3"}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = sms_client(
        server.uri(),
        TelnyxSender::Profile("16fd2706-8baf-433b-82eb-8c7fada847da".into()),
    );
    let reply = Sms {
        to: PhoneNumber::parse("+13125550001").unwrap(),
        from: Some(PhoneNumber::parse("+15125550199").unwrap()),
        body: "We open at 8 am.".into(),
    };
    assert_eq!(
        client.send(&reply).await.unwrap().id.as_deref(),
        Some("m-3")
    );
}

/// Answers `status` with Telnyx's error body, echoing the key in the detail.
async fn error_for(status: u16, retry_after: Option<&str>) -> SmsError {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status).set_body_json(json!({
        "errors": [{"code": "10009", "title": "Authentication failed", "detail": format!("key {KEY} refused")}]
    }));
    if let Some(seconds) = retry_after {
        response = response.insert_header("retry-after", seconds);
    }
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    let error = client(&server).send(&sms()).await.unwrap_err();
    assert_no_key(&format!("{error} {error:?}"));
    error
}

#[tokio::test]
async fn each_error_class_maps_to_its_kind() {
    let message = "10009 Authentication failed key [redacted] refused".to_owned();
    let e = error_for(401, None).await;
    assert_eq!(
        e,
        SmsError::Unauthorized {
            status: 401,
            message: message.clone()
        }
    );
    assert!(!e.is_retryable());
    let e = error_for(422, None).await;
    assert_eq!(
        e,
        SmsError::Rejected {
            status: 422,
            message: message.clone()
        }
    );
    assert!(!e.is_retryable());
    let e = error_for(429, Some("12")).await;
    assert_eq!(
        e,
        SmsError::RateLimited {
            retry_after: Some(Duration::from_secs(12))
        }
    );
    assert!(e.is_retryable());
    let e = error_for(503, Some("1")).await;
    assert_eq!(
        e,
        SmsError::Unavailable {
            status: 503,
            message,
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn odd_answers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string(""))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {}})))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.send(&sms()).await.unwrap_err(),
        SmsError::Unavailable {
            status: 500,
            message: "Internal Server Error".into(),
            retry_after: None
        }
    );
    // Accepted without an id: most likely sent, so not retryable.
    let e = client.send(&sms()).await.unwrap_err();
    assert!(
        matches!(e, SmsError::Protocol(ref m) if m.contains("200 OK without a message id")),
        "{e}"
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn no_answer_is_uncertain_and_no_connection_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "late"}}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let e = client(&server).send(&sms()).await.unwrap_err();
    assert!(matches!(e, SmsError::Uncertain(_)), "{e:?}");
    assert!(!e.is_retryable());

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let e = sms_client(
        format!("http://127.0.0.1:{port}"),
        TelnyxSender::Number("+18005550101".into()),
    )
    .send(&sms())
    .await
    .unwrap_err();
    assert!(matches!(e, SmsError::Unreachable(_)), "{e:?}");
    assert!(e.is_retryable());
    assert_no_key(&format!("{e} {e:?}"));
}
