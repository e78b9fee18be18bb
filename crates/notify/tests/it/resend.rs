use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::mail::{Mail, Mailer};
use frontdesk_notify::{IdempotencyKey, ResendConfig, ResendMailer};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "re_SecretKey_123";

fn mailer(server: &MockServer) -> ResendMailer {
    let mut config = ResendConfig::new(ApiKey::new(KEY), "Front desk <desk@clinic.test>");
    config.base_url = format!("{}/", server.uri());
    config.timeout = Duration::from_secs(2);
    ResendMailer::new(config)
}

fn mail() -> Mail {
    Mail::new(
        "ana@clinic.test",
        "Bright Smile Dental: new lead",
        "A visitor left their contact details.\n\nhttps://desk.test/app/leads\n".into(),
    )
}

/// The key never shows, however an error or the client is printed.
fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "key leaked: {text}");
    assert!(!text.contains("SecretKey"), "key leaked: {text}");
}

#[tokio::test]
async fn sends_json_with_bearer_auth_and_an_idempotency_key() {
    let server = MockServer::start().await;
    let derived = IdempotencyKey::for_mail(&mail());
    Mock::given(method("POST"))
        .and(path("/emails"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("idempotency-key", derived.as_str()))
        .and(body_json(json!({
            "from": "Front desk <desk@clinic.test>",
            "to": ["ana@clinic.test"],
            "subject": "Bright Smile Dental: new lead",
            "text": "A visitor left their contact details.\n\nhttps://desk.test/app/leads\n",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "49a3999c"})))
        .expect(1)
        .mount(&server)
        .await;
    let mailer = mailer(&server);
    mailer.send(&mail()).await.unwrap();
    assert_no_key(&format!("{mailer:?}"));
}

#[tokio::test]
async fn a_retry_carries_the_same_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/emails"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"statusCode": 500, "name": "internal_server_error", "message": "oops"}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/emails"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "e-1"})))
        .mount(&server)
        .await;
    let mailer = mailer(&server);
    let key = IdempotencyKey::new("notify/0192f0c1-7e2a").unwrap();
    let first = mailer.send_with_key(&mail(), &key).await.unwrap_err();
    assert!(first.0.contains("Resend failed (500"), "{first}");
    assert_eq!(
        mailer.send_with_key(&mail(), &key).await.unwrap(),
        Some("e-1".to_owned())
    );
    // Through the port, the derived key is the same on every attempt too.
    mailer.send(&mail()).await.unwrap();
    mailer.send(&mail()).await.unwrap();
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers["idempotency-key"].to_str().unwrap().to_owned())
        .collect();
    let derived = IdempotencyKey::for_mail(&mail());
    assert_eq!(
        keys,
        [
            key.as_str(),
            key.as_str(),
            derived.as_str(),
            derived.as_str()
        ]
    );
}

/// Answers `status` with Resend's error body (echoing the key, as a careless proxy
/// might) and returns what the mailer made of it.
async fn error_for(status: u16, name: &str, retry_after: Option<&str>) -> String {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status).set_body_json(json!({
        "statusCode": status,
        "name": name,
        "message": format!("problem with key {KEY}"),
    }));
    if let Some(seconds) = retry_after {
        response = response.insert_header("retry-after", seconds);
    }
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    let error = mailer(&server).send(&mail()).await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert_no_key(&text);
    error.to_string()
}

#[tokio::test]
async fn each_error_class_has_its_message() {
    let e = error_for(401, "missing_api_key", None).await;
    assert!(
        e.contains("Resend refused the API key or sender (401 missing_api_key"),
        "{e}"
    );
    let e = error_for(403, "invalid_api_key", None).await;
    assert!(
        e.contains("(403 invalid_api_key: problem with key [redacted])"),
        "{e}"
    );
    let e = error_for(422, "validation_error", None).await;
    assert!(
        e.contains("Resend rejected the email (422 validation_error"),
        "{e}"
    );
    let e = error_for(409, "concurrent_idempotent_requests", None).await;
    assert!(
        e.contains("idempotency key (409 concurrent_idempotent_requests"),
        "{e}"
    );
    let e = error_for(429, "rate_limit_exceeded", Some("3")).await;
    assert!(
        e.contains("Resend is rate limiting (429 rate_limit_exceeded"),
        "{e}"
    );
    assert!(e.ends_with("; retry after 3s"), "{e}");
    let e = error_for(503, "service_unavailable", None).await;
    assert!(e.contains("Resend failed (503 service_unavailable"), "{e}");
}

#[tokio::test]
async fn a_non_json_error_body_is_kept_short_and_clean() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string(format!(
            "<html>\n bad gateway {KEY} {}</html>",
            "x".repeat(2000)
        )))
        .mount(&server)
        .await;
    let error = mailer(&server).send(&mail()).await.unwrap_err().to_string();
    assert_no_key(&error);
    assert!(
        error.contains("Resend failed (502 <html> bad gateway [redacted] xxx"),
        "{error}"
    );
    assert!(error.len() < 400, "{}", error.len());
}

#[tokio::test]
async fn no_answer_says_a_retry_is_safe_and_unreachable_says_nothing_went() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "late"}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let error = mailer(&server).send(&mail()).await.unwrap_err().to_string();
    assert!(
        error.contains("no answer from Resend (it may have sent the email"),
        "{error}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut config = ResendConfig::new(ApiKey::new(KEY), "desk@clinic.test");
    config.base_url = format!("http://127.0.0.1:{port}");
    let error = ResendMailer::new(config)
        .send(&mail())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("could not reach Resend"), "{error}");
    assert_no_key(&error);
}

#[tokio::test]
async fn an_accepting_answer_without_an_id_still_counts_as_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let key = IdempotencyKey::for_mail(&mail());
    assert_eq!(
        mailer(&server).send_with_key(&mail(), &key).await.unwrap(),
        None
    );
}
