use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::clock::FixedClock;
use frontdesk_server::{Application, Config, SpokenAudio};
use frontdesk_store::testing::TestDatabase;
use frontdesk_store::{Backend, Store};
use serde_json::{json, Value};

/// Monday 2026-11-23 10:00 in Austin, where the demo business is.
pub const MONDAY_MORNING: &str = "2026-11-23T16:00:00Z";

/// A running server with its own fresh database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub db: TestDatabase,
    /// The synthesised-speech cache, when the test configured speech.
    pub speech: Option<Arc<SpokenAudio>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the server on port 0 against a fresh database, with the demo business seeded
/// and the clock fixed.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with_pace(backend, Duration::ZERO).await
}

pub async fn spawn_app_with_pace(backend: Backend, stream_pace: Duration) -> TestApp {
    spawn_app_with(backend, |config| config.stream_pace = stream_pace).await
}

/// Starts the server with the test defaults, adjusted by `configure`.
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let (address, store, speech, stop) = start(&db.url, configure).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        store,
        db,
        speech,
        stop: Some(stop),
    }
}

/// Starts a server on `database_url` with the test defaults, adjusted by `configure`.
async fn start(
    database_url: &str,
    configure: impl FnOnce(&mut Config),
) -> (
    String,
    Store,
    Option<Arc<SpokenAudio>>,
    tokio::sync::oneshot::Sender<()>,
) {
    let mut config = Config::new(database_url);
    config.stream_pace = Duration::ZERO;
    config.clock = Arc::new(FixedClock(MONDAY_MORNING.parse().unwrap()));
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::build(config, listener)
        .await
        .expect("server builds");
    let address = format!("http://{}", app.local_addr().unwrap());
    let store = app.store().clone();
    let speech = app.spoken_audio();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    (address, store, speech, stop)
}

/// A second server instance on another port, sharing a test app's database.
pub struct Instance {
    pub address: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    /// Starts another server on this app's database, as a second instance behind the same
    /// load balancer would run; it stops when dropped.
    pub async fn second_instance(&self, configure: impl FnOnce(&mut Config)) -> Instance {
        let (address, _, _, stop) = start(&self.db.url, configure).await;
        Instance {
            address,
            _stop: stop,
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts a message to the demo business and returns status and JSON body.
    pub async fn send(
        &self,
        visitor: &str,
        conversation: Option<&str>,
        text: &str,
    ) -> (u16, Value) {
        self.send_to("demo", visitor, conversation, text).await
    }

    /// Posts a message to a business and returns status and JSON body.
    pub async fn send_to(
        &self,
        slug: &str,
        visitor: &str,
        conversation: Option<&str>,
        text: &str,
    ) -> (u16, Value) {
        let body = json!({"visitor_id": visitor, "conversation_id": conversation, "text": text, "page_url": "https://maple.example/contact"});
        let response = self
            .client
            .post(self.url(&format!("/api/v1/businesses/{slug}/messages")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Fetches a transcript as a visitor.
    pub async fn transcript(&self, conversation: &str, visitor: &str) -> (u16, Value) {
        let url = self.url(&format!(
            "/api/v1/businesses/demo/conversations/{conversation}?visitor_id={visitor}"
        ));
        let response = self.client.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Posts a message asking for SSE; returns the concatenated `delta` text, the number of
    /// deltas, and the `done` event's JSON. Panics on any other event or status.
    pub async fn send_streaming(&self, visitor: &str, text: &str) -> (String, usize, Value) {
        let response = self
            .client
            .post(self.url("/api/v1/businesses/demo/messages"))
            .header("accept", "text/event-stream")
            .json(&json!({"visitor_id": visitor, "conversation_id": null, "text": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let body = response.text().await.unwrap();
        let mut deltas = String::new();
        let mut done: Option<Value> = None;
        let mut delta_count = 0;
        for block in body.split("\n\n").filter(|b| !b.trim().is_empty()) {
            let event = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            let data: Value = serde_json::from_str(
                block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap(),
            )
            .unwrap();
            match event {
                "delta" => {
                    delta_count += 1;
                    deltas.push_str(data["text"].as_str().unwrap());
                }
                "done" => done = Some(data),
                other => panic!("unexpected event {other:?}: {data}"),
            }
        }
        (deltas, delta_count, done.expect("a done event"))
    }
}

impl TestApp {
    /// Gives the demo business an Owner who wants every notification, by email and by
    /// text to `sms_phone`.
    pub async fn add_owner_with_phone(&self, sms_phone: &str) {
        let business = self.store.business_by_slug("demo").await.unwrap().unwrap();
        self.store
            .create_invite(
                business.id,
                "invite-hash",
                "owner@maple.test",
                frontdesk_core::accounts::Role::Owner,
                None,
                "2026-11-23T00:00:00Z".parse().unwrap(),
                "2026-12-23T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let member = self
            .store
            .accept_invite(
                "invite-hash",
                "Maya",
                "$argon2id$x",
                "2026-11-23T01:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        self.store
            .set_notification_prefs(
                business.id,
                member.id,
                &frontdesk_store::NotificationPrefs {
                    leads: true,
                    appointments: true,
                    sms_phone: Some(sms_phone.into()),
                },
            )
            .await
            .unwrap();
    }
}
