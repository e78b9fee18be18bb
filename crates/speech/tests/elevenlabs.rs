//! The ElevenLabs client against a local fake of its API (wiremock), answering on the
//! real path with audio, and with the documented error bodies.

use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::speech::{SpeechError, SpeechSynthesizer, Voice};
use frontdesk_speech::{ElevenLabs, ElevenLabsConfig, VoiceSettings};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_SECRET_elevenlabs_key";
const VOICE_ID: &str = "JBFqnCBsd6RMkjVDRZzb";
const MP3: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64";

fn config(server: &MockServer) -> ElevenLabsConfig {
    let mut config = ElevenLabsConfig::new(ApiKey::new(KEY));
    config.base_url = format!("{}/", server.uri());
    config
}

fn client(server: &MockServer) -> ElevenLabs {
    ElevenLabs::new(config(server))
}

fn voice() -> Voice {
    Voice {
        id: VOICE_ID.to_owned(),
        model: "eleven_flash_v2_5".to_owned(),
    }
}

fn audio() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(MP3, "audio/mpeg")
}

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn text_becomes_mp3_audio_through_the_documented_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/text-to-speech/{VOICE_ID}")))
        .and(query_param("output_format", "mp3_44100_128"))
        .and(header("xi-api-key", KEY))
        .and(header("accept", "audio/mpeg"))
        .and(body_json(json!({
            "text": "Your order 1001 has shipped.",
            "model_id": "eleven_flash_v2_5",
            "voice_settings": {"stability": 0.5, "similarity_boost": 0.75}
        })))
        .respond_with(audio())
        .expect(1)
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.voice_settings = Some(VoiceSettings {
        stability: 0.5,
        similarity_boost: 0.75,
    });

    let audio = ElevenLabs::new(config)
        .synthesize("Your order 1001 has shipped.", &voice())
        .await
        .unwrap();
    assert_eq!(audio.as_bytes(), MP3);
}

#[tokio::test]
async fn voice_settings_are_left_out_unless_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(
            json!({"text": "Hello.", "model_id": "eleven_flash_v2_5"}),
        ))
        .respond_with(audio())
        .expect(1)
        .mount(&server)
        .await;
    assert!(client(&server).synthesize("Hello.", &voice()).await.is_ok());
}

#[tokio::test]
async fn a_bad_key_is_unauthorized_with_the_vendors_reason() {
    let server = answering(ResponseTemplate::new(401).set_body_json(json!({
        "detail": {"status": "invalid_api_key", "message": format!("Invalid API key: {KEY}")}
    })))
    .await;
    let error = client(&server)
        .synthesize("Hello.", &voice())
        .await
        .unwrap_err();
    let SpeechError::Unauthorized(reason) = &error else {
        panic!("expected Unauthorized, got {error:?}");
    };
    assert!(reason.contains("invalid_api_key: Invalid API key"));
    assert!(
        !reason.contains(KEY),
        "the key never reaches an error: {reason}"
    );
}

#[tokio::test]
async fn a_validation_error_is_rejected_with_its_detail() {
    let server = answering(ResponseTemplate::new(422).set_body_json(json!({
        "detail": [{"loc": ["body", "model_id"], "msg": "model not found", "type": "value_error"}]
    })))
    .await;
    assert_eq!(
        client(&server).synthesize("Hello.", &voice()).await,
        Err(SpeechError::Rejected(
            "422 Unprocessable Entity: body.model_id: model not found".into()
        ))
    );
}

#[tokio::test]
async fn too_many_requests_is_rate_limited_with_the_hint() {
    let server = answering(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "3")
            .set_body_json(json!({"detail": {"status": "too_many_concurrent_requests", "message": "Too many concurrent requests"}})),
    )
    .await;
    assert_eq!(
        client(&server).synthesize("Hello.", &voice()).await,
        Err(SpeechError::RateLimited {
            retry_after: Some(Duration::from_secs(3))
        })
    );
}

#[tokio::test]
async fn server_errors_timeouts_and_non_audio_are_unavailable() {
    let server = answering(ResponseTemplate::new(503).set_body_string("upstream overloaded")).await;
    assert_eq!(
        client(&server).synthesize("Hello.", &voice()).await,
        Err(SpeechError::Unavailable(
            "503 Service Unavailable: upstream overloaded".into()
        ))
    );

    let html = answering(ResponseTemplate::new(200).set_body_raw("<html>", "text/html")).await;
    assert!(matches!(
        client(&html).synthesize("Hello.", &voice()).await,
        Err(SpeechError::Unavailable(_))
    ));

    let empty = answering(ResponseTemplate::new(200).set_body_raw(Vec::new(), "audio/mpeg")).await;
    assert!(matches!(
        client(&empty).synthesize("Hello.", &voice()).await,
        Err(SpeechError::Unavailable(_))
    ));

    let slow = answering(audio().set_delay(Duration::from_secs(5))).await;
    let mut config = config(&slow);
    config.timeout = Duration::from_millis(200);
    assert_eq!(
        ElevenLabs::new(config).synthesize("Hello.", &voice()).await,
        Err(SpeechError::Unavailable(
            "ElevenLabs did not answer in time".into()
        ))
    );
}

#[tokio::test]
async fn a_voice_id_that_could_leave_the_path_is_refused_without_a_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(audio())
        .expect(0)
        .mount(&server)
        .await;
    let voice = Voice {
        id: "../../v1/user".to_owned(),
        model: "eleven_flash_v2_5".to_owned(),
    };
    assert!(matches!(
        client(&server).synthesize("Hello.", &voice).await,
        Err(SpeechError::Rejected(_))
    ));
}

#[test]
fn the_key_never_prints() {
    let config = ElevenLabsConfig::new(ApiKey::new(KEY));
    let shown = format!("{config:?} {:?}", ElevenLabs::new(config.clone()));
    assert!(!shown.contains(KEY), "{shown}");
}
