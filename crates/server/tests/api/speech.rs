//! Synthetic speech for the phone line: replies synthesised by ElevenLabs (a local fake),
//! cached by content hash, and served only through signed, expiring URLs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::clock::ManualClock;
use frontdesk_core::llm::ApiKey;
use frontdesk_core::speech::Voice;
use frontdesk_server::SpeechSettings;
use frontdesk_speech::{ElevenLabs, ElevenLabsConfig};
use frontdesk_store::Backend;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{spawn_app_with, TestApp, MONDAY_MORNING};

const VOICE_ID: &str = "JBFqnCBsd6RMkjVDRZzb";
const MP3: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64";

/// A cache directory removed when the test ends.
struct CacheDir(PathBuf);

impl Drop for CacheDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fake ElevenLabs answering every synthesis with `MP3` after `delay`.
async fn elevenlabs(delay: Duration, status: u16) -> MockServer {
    let vendor = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/text-to-speech/{VOICE_ID}")))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_raw(MP3, "audio/mpeg")
                .set_delay(delay),
        )
        .mount(&vendor)
        .await;
    vendor
}

/// The server with speech through `vendor`, on a clock the test moves.
async fn app(vendor: &MockServer) -> (TestApp, Arc<ManualClock>, CacheDir) {
    app_with(vendor, |_| {}).await
}

/// The same with the speech settings adjusted by `configure`.
async fn app_with(
    vendor: &MockServer,
    configure: impl FnOnce(&mut SpeechSettings),
) -> (TestApp, Arc<ManualClock>, CacheDir) {
    let clock = Arc::new(ManualClock::new(MONDAY_MORNING.parse().unwrap()));
    let dir =
        CacheDir(std::env::temp_dir().join(format!("frontdesk-audio-{}", uuid::Uuid::new_v4())));
    let mut config = ElevenLabsConfig::new(ApiKey::new("sk_test"));
    config.base_url = vendor.uri();
    let mut settings = SpeechSettings::new(
        Arc::new(ElevenLabs::new(config)),
        Voice {
            id: VOICE_ID.into(),
            model: "eleven_flash_v2_5".into(),
        },
        dir.0.clone(),
    );
    configure(&mut settings);
    let app_clock = clock.clone();
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.clock = app_clock;
        config.speech = Some(settings);
    })
    .await;
    (app, clock, dir)
}

async fn play_url(app: &TestApp, text: &str) -> Option<String> {
    app.speech
        .as_ref()
        .expect("speech configured")
        .play_url(text)
        .await
}

/// Status and body of a GET.
async fn fetch(app: &TestApp, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = app.client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, kind, response.bytes().await.unwrap().to_vec())
}

/// `{address}/voice/audio/{hash}.mp3`, `exp` and `sig` of a play URL.
fn parts(url: &str) -> (String, String, String) {
    let (base, query) = url.split_once('?').unwrap();
    let mut exp = String::new();
    let mut sig = String::new();
    for pair in query.split('&') {
        match pair.split_once('=').unwrap() {
            ("exp", value) => exp = value.to_owned(),
            ("sig", value) => sig = value.to_owned(),
            other => panic!("unexpected parameter {other:?}"),
        }
    }
    (base.to_owned(), exp, sig)
}

#[tokio::test]
async fn a_signed_url_serves_the_synthesised_audio() {
    let vendor = elevenlabs(Duration::ZERO, 200).await;
    let (app, _clock, _dir) = app(&vendor).await;

    let url = play_url(&app, "Your order 1001 has shipped with UPS.")
        .await
        .expect("a play URL");
    assert!(
        url.starts_with(&format!("{}/voice/audio/", app.address)),
        "{url}"
    );
    assert!(url.contains(".mp3?exp="));
    let (status, kind, body) = fetch(&app, &url).await;
    assert_eq!(status, 200);
    assert_eq!(kind.as_deref(), Some("audio/mpeg"));
    assert_eq!(body, MP3);
}

#[tokio::test]
async fn a_cached_reply_is_not_synthesised_again_even_when_asked_at_once() {
    let vendor = elevenlabs(Duration::from_millis(200), 200).await;
    let (app, _clock, _dir) = app(&vendor).await;

    let text = "We are open until five today.";
    let urls = futures_util::future::join_all((0..5).map(|_| play_url(&app, text))).await;
    assert!(urls.iter().all(Option::is_some));
    let again = play_url(&app, &format!("  {text} ")).await.unwrap();
    assert_eq!(parts(&again).0, parts(urls[0].as_ref().unwrap()).0);
    assert_eq!(vendor.received_requests().await.unwrap().len(), 1);

    play_url(&app, "Goodbye.").await.unwrap();
    assert_eq!(vendor.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_expired_url_is_refused() {
    let vendor = elevenlabs(Duration::ZERO, 200).await;
    let (app, clock, _dir) = app(&vendor).await;

    let url = play_url(&app, "Hello.").await.unwrap();
    clock.advance(jiff::SignedDuration::from_secs(600));
    assert_eq!(fetch(&app, &url).await.0, 200, "valid to the last second");
    clock.advance(jiff::SignedDuration::from_secs(1));
    let (status, _, body) = fetch(&app, &url).await;
    assert_eq!(status, 403);
    assert_ne!(body, MP3);
}

#[tokio::test]
async fn tampered_or_unsigned_urls_are_refused() {
    let vendor = elevenlabs(Duration::ZERO, 200).await;
    let (app, _clock, _dir) = app(&vendor).await;

    let url = play_url(&app, "Hello.").await.unwrap();
    let (base, exp, sig) = parts(&url);
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { "1" } else { "0" },
        &sig[1..]
    );
    let later: i64 = exp.parse::<i64>().unwrap() + 3600;
    for forged in [
        format!("{base}?exp={exp}&sig={flipped}"),
        format!("{base}?exp={later}&sig={sig}"),
        format!("{base}?exp={exp}"),
        format!("{base}?sig={sig}"),
        base.clone(),
        format!("{base}?exp=soon&sig={sig}"),
        format!("{base}?exp={exp}&sig=not-hex"),
    ] {
        assert_eq!(fetch(&app, &forged).await.0, 403, "{forged}");
    }
}

#[tokio::test]
async fn a_signature_is_good_for_its_own_recording_only() {
    let vendor = elevenlabs(Duration::ZERO, 200).await;
    let (app, _clock, _dir) = app(&vendor).await;

    let mine = play_url(&app, "Your order has shipped.").await.unwrap();
    let other = play_url(&app, "Someone else's reply.").await.unwrap();
    let (_, exp, sig) = parts(&mine);
    let (other_base, _, _) = parts(&other);
    assert_eq!(
        fetch(&app, &format!("{other_base}?exp={exp}&sig={sig}"))
            .await
            .0,
        403
    );
    let traversal = app.url(&format!(
        "/voice/audio/..%2F..%2Fetc%2Fpasswd?exp={exp}&sig={sig}"
    ));
    assert_eq!(fetch(&app, &traversal).await.0, 403);
}

#[tokio::test]
async fn a_failing_vendor_means_the_built_in_voice() {
    let vendor = elevenlabs(Duration::ZERO, 500).await;
    let (app, _clock, dir) = app(&vendor).await;

    assert_eq!(play_url(&app, "Hello.").await, None);
    assert_eq!(play_url(&app, "   ").await, None, "nothing to say");
    let stored = std::fs::read_dir(&dir.0).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "nothing half-made is kept");
}

#[tokio::test]
async fn without_speech_there_is_no_audio_route_content() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    assert!(app.speech.is_none());
    let url = app.url(&format!(
        "/voice/audio/{}.mp3?exp=9999999999&sig=00",
        "a".repeat(64)
    ));
    assert_eq!(fetch(&app, &url).await.0, 404);
}

#[tokio::test]
async fn a_slow_vendor_means_the_built_in_voice_now_and_the_recording_next_time() {
    let vendor = elevenlabs(Duration::from_millis(500), 200).await;
    let (app, _clock, _dir) = app_with(&vendor, |settings| {
        settings.deadline = Duration::from_millis(50);
    })
    .await;

    let text = "Your order 1001 is on its way.";
    assert_eq!(
        play_url(&app, text).await,
        None,
        "no dead air while it is made"
    );
    let mut url = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        url = play_url(&app, text).await;
        if url.is_some() {
            break;
        }
    }
    let url = url.expect("cached in the background");
    assert_eq!(fetch(&app, &url).await.0, 200);
    assert_eq!(vendor.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn recordings_older_than_their_age_are_purged() {
    let vendor = elevenlabs(Duration::ZERO, 200).await;
    let (app, _clock, dir) = app(&vendor).await;
    let speech = app.speech.clone().unwrap();

    let old = play_url(&app, "Your order 1001 has shipped.")
        .await
        .unwrap();
    let fresh = play_url(&app, "We open at nine.").await.unwrap();
    let old_file = dir.0.join(parts(&old).0.rsplit('/').next().unwrap());
    let month_ago = std::time::SystemTime::now() - Duration::from_secs(31 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&old_file)
        .unwrap()
        .set_modified(month_ago)
        .unwrap();

    assert_eq!(speech.purge_expired().await.unwrap(), 1);
    assert!(!old_file.exists());
    assert_eq!(fetch(&app, &old).await.0, 404);
    assert_eq!(fetch(&app, &fresh).await.0, 200);
    assert_eq!(speech.purge_expired().await.unwrap(), 0);
}
