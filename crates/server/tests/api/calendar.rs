//! Google Calendar end to end against a fake Google (wiremock), on SQLite and PostgreSQL:
//! connecting from Settings with PKCE and a session-bound state, busy times removing
//! offers, bookings written as marked events, reschedules rewriting them and
//! cancellations removing them, a revoked
//! grant removing the connection with a notice, and disconnecting.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_calendar::{ClientSecret, GoogleConnector, GoogleOAuth, GoogleOAuthConfig};
use frontdesk_core::clock::FixedClock;
use frontdesk_core::conversation::BusinessId;
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::{Backend, CalendarStatus, Keyring};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::dashboard::Browser;
use crate::helpers::{spawn_app_with, TestApp, MONDAY_MORNING};

const REFRESH: &str = "1//0gREFRESH-SECRET-from-google";
const EVENTS: &str = "/calendar/v3/calendars/primary/events";
const SCOPE: &str = "https://www.googleapis.com/auth/calendar.events";

/// The server, with a keyring and Google's client pointed at the fake.
async fn app_with_google(backend: Backend, google: &MockServer) -> TestApp {
    let mut oauth = GoogleOAuthConfig::new(
        "1234-abc.apps.googleusercontent.com",
        ClientSecret::new("GOCSPX-client-SECRET"),
        "http://127.0.0.1/app/settings/google/callback",
    );
    oauth.auth_url = format!("{}/auth", google.uri());
    oauth.token_url = format!("{}/token", google.uri());
    let oauth = Arc::new(GoogleOAuth::new(oauth).unwrap());
    let api = format!("{}/calendar/v3", google.uri());
    spawn_app_with(backend, move |config| {
        config.keyring = Some(Keyring::parse(&Keyring::generate_entry("t1")).unwrap());
        let clock = Arc::new(FixedClock(MONDAY_MORNING.parse().unwrap()));
        config.calendars = Some(Arc::new(GoogleConnector::new(oauth, api, clock)));
    })
    .await
}

/// Google's token endpoint: codes and refresh tokens both become access tokens.
async fn mount_tokens(google: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.first-access",
            "expires_in": 3599,
            "refresh_token": REFRESH,
            "scope": SCOPE,
            "token_type": "Bearer",
        })))
        .mount(google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.refreshed",
            "expires_in": 3599,
            "scope": SCOPE,
            "token_type": "Bearer",
        })))
        .mount(google)
        .await;
}

/// `events.list` answering with these (timed) busy events.
async fn mount_busy(google: &MockServer, events: &[(&str, &str)]) {
    let items: Vec<Value> = events
        .iter()
        .map(|(start, end)| {
            json!({
                "status": "confirmed",
                "start": {"dateTime": start, "timeZone": "America/Chicago"},
                "end": {"dateTime": end, "timeZone": "America/Chicago"},
            })
        })
        .collect();
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"kind": "calendar#events", "timeZone": "America/Chicago", "items": items}),
        ))
        .mount(google)
        .await;
}

async fn demo(app: &TestApp) -> BusinessId {
    app.store
        .business_by_slug("demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The requests Google received with this method and path.
async fn received(google: &MockServer, verb: &str, at: &str) -> Vec<Request> {
    google
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == at)
        .collect()
}

/// Waits (up to five seconds) for the background sync to send such a request.
async fn wait_for(google: &MockServer, verb: &str, at: &str) -> Request {
    for _ in 0..100 {
        if let Some(request) = received(google, verb, at).await.pop() {
            return request;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Google never received {verb} {at}");
}

async fn say(app: &TestApp, visitor: &str, conversation: &mut Option<String>, text: &str) -> Value {
    let (status, body) = app.send(visitor, conversation.as_deref(), text).await;
    assert_eq!(status, 200, "{text}: {body}");
    *conversation = body["conversation_id"].as_str().map(str::to_owned);
    body
}

fn reply(body: &Value) -> &str {
    body["reply"]["text"].as_str().unwrap()
}

/// The `state` parameter of Google's consent URL.
fn state_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn an_owner_connects_from_settings_and_disconnects() {
    for backend in BACKENDS {
        let google = MockServer::start().await;
        mount_tokens(&google).await;
        let app = app_with_google(backend, &google).await;
        let mut owner = Browser::new(&app);
        owner
            .sign_up("Rosa Diaz", "rosa@bright.example", "Bright Smiles")
            .await;
        let business = app
            .store
            .business_by_slug("bright-smiles")
            .await
            .unwrap()
            .unwrap()
            .id;
        let settings = owner.get("/app/settings").await;
        assert!(
            settings.body.contains("Connect Google Calendar"),
            "{backend:?}"
        );

        // Off to Google: PKCE S256, the one scope, a state.
        let start = owner.post("/app/settings/google/connect", &[]).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let consent = start.location().to_owned();
        assert!(
            consent.starts_with(&format!("{}/auth?", google.uri())),
            "{consent}"
        );
        assert!(consent.contains("code_challenge_method=S256"));
        assert!(
            consent.contains("scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.events&")
        );

        // A state this session did not start is refused, and uses the attempt up.
        let forged = owner
            .get("/app/settings/google/callback?code=4/abc&state=someone-elses")
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{backend:?}");
        let replayed = owner
            .get(&format!(
                "/app/settings/google/callback?code=4/abc&state={}",
                state_of(&consent)
            ))
            .await;
        assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
        assert!(app
            .store
            .calendar_connection(business)
            .await
            .unwrap()
            .is_none());

        // Another browser can't finish this owner's attempt either.
        owner.get("/app/settings").await;
        let start = owner.post("/app/settings/google/connect", &[]).await;
        let state = state_of(start.location());
        let mut stranger = Browser::new(&app);
        stranger
            .sign_up("Eve", "eve@elsewhere.example", "Elsewhere Dental")
            .await;
        let stolen = stranger
            .get(&format!(
                "/app/settings/google/callback?code=4/abc&state={state}"
            ))
            .await;
        assert_eq!(stolen.status, StatusCode::BAD_REQUEST);

        let done = owner
            .get(&format!(
                "/app/settings/google/callback?code=4/abc&state={state}"
            ))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let exchange = received(&google, "POST", "/token").await;
        let body = String::from_utf8(exchange.last().unwrap().body.clone()).unwrap();
        assert!(body.contains("code=4%2Fabc") && body.contains("code_verifier="));
        let connection = app
            .store
            .calendar_connection(business)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(connection.refresh_token, REFRESH);
        assert!(owner
            .get("/app/settings")
            .await
            .body
            .contains("Connected since"));
        let audit = owner.get("/app/audit").await.body;
        assert!(audit.contains("google calendar connected"), "{backend:?}");
        assert!(!audit.contains(REFRESH));

        owner.get("/app/settings").await;
        let gone = owner.post("/app/settings/google/disconnect", &[]).await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.store.calendar_status(business).await.unwrap(),
            CalendarStatus::NotConnected
        );
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_connections")
            .fetch_one(&mut app.db.owner().await)
            .await
            .unwrap();
        assert_eq!(rows, 0, "{backend:?}: the token is deleted at once");
        assert!(owner
            .get("/app/audit")
            .await
            .body
            .contains("google calendar disconnected"));
    }
}

#[tokio::test]
async fn busy_times_remove_offers_and_bookings_become_marked_events() {
    for backend in BACKENDS {
        let google = MockServer::start().await;
        mount_tokens(&google).await;
        // All of Tuesday is taken in the owner's Google Calendar.
        mount_busy(
            &google,
            &[("2026-11-24T00:00:00-06:00", "2026-11-25T00:00:00-06:00")],
        )
        .await;
        Mock::given(method("POST"))
            .and(path(EVENTS))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "evt0booked"})))
            .mount(&google)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{EVENTS}/evt0booked")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "etag": "\"3181161784712000\"",
                "status": "confirmed",
                "extendedProperties": {"private": {"frontdesk": "1"}},
            })))
            .mount(&google)
            .await;
        Mock::given(method("PATCH"))
            .and(path(format!("{EVENTS}/evt0booked")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "evt0booked"})))
            .mount(&google)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{EVENTS}/evt0booked")))
            .respond_with(ResponseTemplate::new(204))
            .mount(&google)
            .await;
        let app = app_with_google(backend, &google).await;
        let business = demo(&app).await;
        app.store
            .set_calendar_connection(
                business,
                "primary",
                REFRESH,
                MONDAY_MORNING.parse().unwrap(),
            )
            .await
            .unwrap();

        let mut conversation = None;
        let visitor = "v_gcalgcalgcal0001";
        let offer = say(
            &app,
            visitor,
            &mut conversation,
            "I'd like to book a cleaning",
        )
        .await;
        assert!(
            reply(&offer).contains("Mon, Nov 23 at noon"),
            "{}",
            reply(&offer)
        );
        assert!(
            !reply(&offer).contains("Tue, Nov 24"),
            "{backend:?}: {}",
            reply(&offer)
        );
        say(&app, visitor, &mut conversation, "monday works").await;
        say(&app, visitor, &mut conversation, "Ana Diaz").await;
        say(&app, visitor, &mut conversation, "512-555-0199").await;
        let booked = say(&app, visitor, &mut conversation, "yes").await;
        let code = booked["actions"][1]["code"].as_str().unwrap().to_owned();

        let insert = wait_for(&google, "POST", EVENTS).await;
        let event: Value = serde_json::from_slice(&insert.body).unwrap();
        assert_eq!(
            event["extendedProperties"]["private"]["frontdesk"], "1",
            "{event}"
        );
        let written = event.to_string();
        assert!(
            written.contains("Ana Diaz") && written.contains(&code),
            "{written}"
        );
        let appointment = booked["actions"][1]["appointment_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut kept = None;
        for _ in 0..100 {
            kept = app
                .store
                .calendar_booking(business, appointment)
                .await
                .unwrap()
                .unwrap()
                .event_id;
            if kept.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(kept.as_deref(), Some("evt0booked"), "{backend:?}");

        // A reschedule rewrites the same event (after checking it is still ours).
        let mut moving = None;
        let mover = "v_gcalgcalgcal0004";
        say(
            &app,
            mover,
            &mut moving,
            "I need to reschedule my appointment",
        )
        .await;
        let offers = say(&app, mover, &mut moving, &format!("it's {code}")).await;
        assert!(
            !reply(&offers).contains("Tue, Nov 24"),
            "{}",
            reply(&offers)
        );
        let confirm = say(&app, mover, &mut moving, "the second one").await;
        assert!(
            reply(&confirm).starts_with("Shall I move"),
            "{code}: {} / {}",
            reply(&offers),
            reply(&confirm)
        );
        let moved = say(&app, mover, &mut moving, "yes").await;
        assert_eq!(
            moved["actions"][0]["type"], "appointment_rescheduled",
            "{moved}"
        );
        let patch = wait_for(&google, "PATCH", &format!("{EVENTS}/evt0booked")).await;
        let rewritten: Value = serde_json::from_slice(&patch.body).unwrap();
        assert!(rewritten.to_string().contains(&code), "{rewritten}");
        assert!(patch.headers.get("if-match").is_some());

        let mut later = None;
        let other = "v_gcalgcalgcal0002";
        say(
            &app,
            other,
            &mut later,
            &format!("please cancel appointment {code}"),
        )
        .await;
        let cancelled = say(&app, other, &mut later, "yes please").await;
        assert_eq!(cancelled["actions"][0]["type"], "appointment_cancelled");
        let delete = wait_for(&google, "DELETE", &format!("{EVENTS}/evt0booked")).await;
        assert!(
            delete.headers.get("if-match").is_some(),
            "only the event we checked"
        );
    }
}

#[tokio::test]
async fn a_revoked_grant_removes_the_connection_and_tells_the_owner() {
    for backend in BACKENDS {
        let google = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(400).set_body_json(
                json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
            ))
            .mount(&google)
            .await;
        let app = app_with_google(backend, &google).await;
        let mut owner = Browser::new(&app);
        owner
            .sign_up("Rosa Diaz", "rosa@bright.example", "Bright Smiles")
            .await;
        let business = app
            .store
            .business_by_slug("bright-smiles")
            .await
            .unwrap()
            .unwrap()
            .id;
        app.store
            .set_calendar_connection(
                business,
                "primary",
                REFRESH,
                MONDAY_MORNING.parse().unwrap(),
            )
            .await
            .unwrap();

        let (status, body) = app
            .send_to(
                "bright-smiles",
                "v_gcalgcalgcal0003",
                None,
                "I'd like to book an appointment",
            )
            .await;
        assert_eq!(
            status, 200,
            "{backend:?}: the visitor's turn stands: {body}"
        );
        assert!(app
            .store
            .calendar_connection(business)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            app.store.calendar_status(business).await.unwrap(),
            CalendarStatus::Revoked { .. }
        ));
        let settings = owner.get("/app/settings").await.body;
        assert!(settings.contains("Google revoked"), "{backend:?}");
        assert!(settings.contains("Connect Google Calendar"));
    }
}

#[tokio::test]
async fn a_calendar_outage_never_fails_the_visitors_turn() {
    for backend in BACKENDS {
        let google = MockServer::start().await;
        mount_tokens(&google).await;
        Mock::given(method("GET"))
            .and(path(EVENTS))
            .respond_with(ResponseTemplate::new(503).set_body_json(json!({
                "error": {"code": 503, "message": "Backend Error", "errors": [{"reason": "backendError"}]}
            })))
            .mount(&google)
            .await;
        let app = app_with_google(backend, &google).await;
        let business = demo(&app).await;
        app.store
            .set_calendar_connection(
                business,
                "primary",
                REFRESH,
                MONDAY_MORNING.parse().unwrap(),
            )
            .await
            .unwrap();
        let mut conversation = None;
        let offer = say(
            &app,
            "v_gcalgcalgcal0005",
            &mut conversation,
            "I'd like to book a cleaning",
        )
        .await;
        assert!(
            reply(&offer).contains("Mon, Nov 23 at noon, Tue, Nov 24 at 8:00 AM"),
            "{backend:?}: offers rest on bookings alone: {}",
            reply(&offer)
        );
        assert!(
            app.store
                .calendar_connection(business)
                .await
                .unwrap()
                .is_some(),
            "an outage is not a revocation"
        );
    }
}
