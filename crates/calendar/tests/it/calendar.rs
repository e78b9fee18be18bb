//! `GoogleCalendar` against a fake Calendar API v3 and token endpoint.

use std::time::Duration;

use frontdesk_core::calendar::{Busy, Calendar, CalendarError, EventId};
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// An `events.list` page as Google documents it (`calendar#events`).
fn page(items: Value, next: Option<&str>) -> ResponseTemplate {
    let mut body = json!({
        "kind": "calendar#events",
        "etag": "\"p33c9tr3ldsmgg0o\"",
        "summary": "Smile Dental",
        "updated": "2025-03-09T18:03:11.482Z",
        "timeZone": "America/Chicago",
        "accessRole": "owner",
        "items": items,
    });
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// A listed event, with the fields Google returns besides the ones we ask for.
fn event(id: &str, status: &str, start: Value, end: Value) -> Value {
    json!({
        "kind": "calendar#event",
        "etag": "\"3181161784712000\"",
        "id": id,
        "status": status,
        "summary": "Private: dentist's own appointment",
        "start": start,
        "end": end,
    })
}

/// `events.get` of an event, with or without our private mark.
fn stored_event(id: &str, private: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "kind": "calendar#event",
        "etag": "\"3181161784712000\"",
        "id": id,
        "status": "confirmed",
        "extendedProperties": {"private": private},
    }))
}

#[tokio::test]
async fn busy_reads_every_page_and_skips_free_and_cancelled_events() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    let first = json!([
        event("a1", "confirmed",
            json!({"dateTime": "2025-03-10T09:00:00-05:00", "timeZone": "America/Chicago"}),
            json!({"dateTime": "2025-03-10T10:30:00-05:00", "timeZone": "America/Chicago"})),
        // Marked "Free" by the owner.
        {
            "kind": "calendar#event", "etag": "\"1\"", "id": "a2", "status": "confirmed",
            "transparency": "transparent",
            "start": {"dateTime": "2025-03-10T12:00:00-05:00"},
            "end": {"dateTime": "2025-03-10T13:00:00-05:00"},
        },
        // A cancelled instance of a recurring event: Google sends only id and status.
        {"kind": "calendar#event", "etag": "\"2\"", "id": "a3_20250310T170000Z", "status": "cancelled"},
    ]);
    let second = json!([
        event(
            "b1",
            "tentative",
            json!({"date": "2025-03-11"}),
            json!({"date": "2025-03-12"})
        ),
        event(
            "b2",
            "confirmed",
            json!({"dateTime": "2025-03-12T08:00:00Z"}),
            json!({"dateTime": "2025-03-12T08:15:00Z"})
        ),
    ]);
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(query_param("pageToken", "CigKGjdl"))
        .and(query_param("timeMin", "2025-03-10T00:00:00Z"))
        .and(header("authorization", "Bearer ya29.a0ONE"))
        .respond_with(page(second, None))
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(query_param("timeMin", "2025-03-10T00:00:00Z"))
        .and(query_param("timeMax", "2025-03-13T00:00:00Z"))
        .and(query_param("singleEvents", "true"))
        .and(query_param("orderBy", "startTime"))
        .and(query_param(
            "fields",
            "timeZone,nextPageToken,items(start,end,transparency,status)",
        ))
        .and(header("authorization", "Bearer ya29.a0ONE"))
        .respond_with(page(first, Some("CigKGjdl")))
        .expect(1)
        .mount(&google)
        .await;

    let busy = calendar(&google)
        .busy(at("2025-03-10T00:00:00Z"), at("2025-03-13T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        busy,
        vec![
            Busy {
                start: at("2025-03-10T14:00:00Z"),
                end: at("2025-03-10T15:30:00Z")
            },
            // The all-day event covers the 11th in the calendar's zone (CDT, UTC−5).
            Busy {
                start: at("2025-03-11T05:00:00Z"),
                end: at("2025-03-12T05:00:00Z")
            },
            Busy {
                start: at("2025-03-12T08:00:00Z"),
                end: at("2025-03-12T08:15:00Z")
            },
        ]
    );
}

#[tokio::test]
async fn the_access_token_is_reused_until_shortly_before_it_expires() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0FIRST"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0SECOND"))
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(header("authorization", "Bearer ya29.a0FIRST"))
        .respond_with(page(json!([]), None))
        .expect(2)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(header("authorization", "Bearer ya29.a0SECOND"))
        .respond_with(page(json!([]), None))
        .expect(1)
        .mount(&google)
        .await;
    let clock = clock();
    let calendar = calendar_with(&google, "primary", clock.clone());
    let (from, to) = (start(), at("2025-03-11T00:00:00Z"));
    calendar.busy(from, to).await.unwrap();
    // 3599 s lifetime, renewed a minute early: still good after 58 minutes...
    clock.advance(SignedDuration::from_mins(58));
    calendar.busy(from, to).await.unwrap();
    // ...but not after 59.
    clock.advance(SignedDuration::from_mins(1));
    calendar.busy(from, to).await.unwrap();
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0STALE"))
        .up_to_n_times(1)
        .mount(&google)
        .await;
    mount_token(&google, "ya29.a0FRESH").await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(header("authorization", "Bearer ya29.a0STALE"))
        .respond_with(api_error(401, "global", "authError", "Invalid Credentials"))
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(header("authorization", "Bearer ya29.a0FRESH"))
        .respond_with(page(json!([]), None))
        .expect(1)
        .mount(&google)
        .await;
    let busy = calendar(&google)
        .busy(start(), at("2025-03-11T00:00:00Z"))
        .await
        .unwrap();
    assert!(busy.is_empty());
}

#[tokio::test]
async fn a_second_401_is_an_error_not_a_loop() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0X"))
        .expect(2)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .respond_with(api_error(401, "global", "authError", "Invalid Credentials"))
        .expect(2)
        .mount(&google)
        .await;
    let error = calendar(&google)
        .busy(start(), at("2025-03-11T00:00:00Z"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CalendarError::Rejected("401: Invalid Credentials".into())
    );
}

#[tokio::test]
async fn a_revoked_grant_stops_the_call_before_the_calendar_is_asked() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_error(
            400,
            "invalid_grant",
            "Token has been expired or revoked.",
        ))
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .respond_with(page(json!([]), None))
        .expect(0)
        .mount(&google)
        .await;
    let calendar = calendar(&google);
    let error = calendar
        .busy(start(), at("2025-03-11T00:00:00Z"))
        .await
        .unwrap_err();
    assert_eq!(error, CalendarError::GrantRevoked);
    assert_eq!(
        calendar.create(&booking()).await.unwrap_err(),
        CalendarError::GrantRevoked
    );
}

#[tokio::test]
async fn create_writes_the_booking_with_our_private_mark() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(query_param("fields", "id"))
        .and(header("authorization", "Bearer ya29.a0ONE"))
        .and(body_partial_json(json!({
            "start": {"dateTime": "2025-03-12T15:00:00Z"},
            "end": {"dateTime": "2025-03-12T15:45:00Z"},
            "extendedProperties": {"private": {"frontdesk": "1", "frontdeskBooking": "bk_01J9Z"}},
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "7cbh8rpc10lrc0ckih9tafss99"})),
        )
        .expect(1)
        .mount(&google)
        .await;
    let id = calendar(&google).create(&booking()).await.unwrap();
    assert_eq!(id, EventId::new("7cbh8rpc10lrc0ckih9tafss99"));

    let sent = google.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&sent.last().unwrap().body).unwrap();
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    // No attendees (Google would email the visitor) and nothing beyond policy 7a.
    assert_eq!(
        keys,
        [
            "description",
            "end",
            "extendedProperties",
            "start",
            "summary"
        ]
    );
    assert_eq!(body["summary"], "Teeth cleaning – Ana Gómez");
    let description = body["description"].as_str().unwrap();
    assert!(description.contains("+1 555 0100") && description.contains("bk_01J9Z"));
}

#[tokio::test]
async fn update_and_delete_refuse_an_event_frontdesk_did_not_create() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    let id = "owners0wn3vent";
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/{id}")))
        .and(query_param(
            "fields",
            "etag,status,extendedProperties/private",
        ))
        // Another app's private property, and a look-alike value, are not our mark.
        .respond_with(stored_event(
            id,
            json!({"otherapp": "1", "frontdesk": "yes"}),
        ))
        .expect(2)
        .mount(&google)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&google)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&google)
        .await;
    let calendar = calendar(&google);
    let id = EventId::new(id);
    assert_eq!(
        calendar.update(&id, &booking()).await.unwrap_err(),
        CalendarError::NotOurs
    );
    assert_eq!(
        calendar.delete(&id).await.unwrap_err(),
        CalendarError::NotOurs
    );
}

#[tokio::test]
async fn update_patches_our_event_only_if_it_is_unchanged_since_the_check() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    let id = "7cbh8rpc10lrc0ckih9tafss99";
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/{id}")))
        .respond_with(stored_event(
            id,
            json!({"frontdesk": "1", "frontdeskBooking": "bk_01J9Z"}),
        ))
        .mount(&google)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{EVENTS}/{id}")))
        .and(header("if-match", "\"3181161784712000\""))
        .and(body_partial_json(json!({
            "start": {"dateTime": "2025-03-12T15:00:00Z"},
            "extendedProperties": {"private": {"frontdesk": "1"}},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(api_error(
            412,
            "global",
            "conditionNotMet",
            "Precondition Failed",
        ))
        .mount(&google)
        .await;
    let calendar = calendar(&google);
    let id = EventId::new(id);
    calendar.update(&id, &booking()).await.unwrap();
    // Someone edited the event between our check and the change.
    let error = calendar.update(&id, &booking()).await.unwrap_err();
    assert!(matches!(error, CalendarError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn delete_removes_our_event_and_an_event_already_gone_is_fine() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    let ours = "7cbh8rpc10lrc0ckih9tafss99";
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/{ours}")))
        .respond_with(stored_event(ours, json!({"frontdesk": "1"})))
        .mount(&google)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{EVENTS}/{ours}")))
        .and(header("if-match", "\"3181161784712000\""))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .expect(1)
        .mount(&google)
        .await;
    // Deleted in the meantime: Google answers 410 Gone.
    Mock::given(method("DELETE"))
        .and(path(format!("{EVENTS}/{ours}")))
        .respond_with(api_error(
            410,
            "global",
            "deleted",
            "Resource has been deleted",
        ))
        .expect(1)
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/missing")))
        .respond_with(api_error(404, "global", "notFound", "Not Found"))
        .expect(2)
        .mount(&google)
        .await;
    let calendar = calendar(&google);
    calendar.delete(&EventId::new(ours)).await.unwrap();
    calendar.delete(&EventId::new(ours)).await.unwrap();
    calendar.delete(&EventId::new("missing")).await.unwrap();
    assert_eq!(
        calendar
            .update(&EventId::new("missing"), &booking())
            .await
            .unwrap_err(),
        CalendarError::NotFound
    );
}

#[tokio::test]
async fn rate_limits_outages_and_refusals_are_told_apart() {
    let cases = [
        (
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_json(json!({"error": {"errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}], "code": 429, "message": "Rate Limit Exceeded"}})),
            CalendarError::RateLimited { retry_after: Some(Duration::from_secs(7)) },
        ),
        (
            api_error(403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
            CalendarError::RateLimited { retry_after: None },
        ),
        (
            api_error(403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded"),
            CalendarError::RateLimited { retry_after: None },
        ),
        (
            api_error(403, "calendar", "requiredAccessLevel", "You need to have writer access to this calendar."),
            CalendarError::Rejected("403: You need to have writer access to this calendar.".into()),
        ),
        (
            api_error(503, "global", "backendError", "Backend Error"),
            CalendarError::Unavailable("503: Backend Error".into()),
        ),
        (
            ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
            CalendarError::Unavailable("502: Bad Gateway".into()),
        ),
    ];
    for (response, expected) in cases {
        let google = MockServer::start().await;
        mount_token(&google, "ya29.a0ONE").await;
        Mock::given(method("POST"))
            .and(path(EVENTS))
            .respond_with(response)
            .mount(&google)
            .await;
        let error = calendar(&google).create(&booking()).await.unwrap_err();
        assert_eq!(error, expected);
    }
}

#[tokio::test]
async fn calendar_ids_are_path_encoded() {
    let google = MockServer::start().await;
    mount_token(&google, "ya29.a0ONE").await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{API}/calendars/en.usa%23holiday@group.v.calendar.google.com/events"
        )))
        .respond_with(page(json!([]), None))
        .expect(1)
        .mount(&google)
        .await;
    let calendar = calendar_with(
        &google,
        "en.usa#holiday@group.v.calendar.google.com",
        clock(),
    );
    calendar
        .busy(start(), at("2025-03-11T00:00:00Z"))
        .await
        .unwrap();
}

#[tokio::test]
async fn no_token_or_secret_appears_in_any_error_or_debug_string() {
    let secrets = [CLIENT_SECRET, REFRESH, "ya29.a0LEAKY", "4/0AcODE"];
    let google = MockServer::start().await;
    // Error texts that echo credentials back, as a misbehaving server might.
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(FormHas(vec![("grant_type", "authorization_code".into())]))
        .respond_with(token_error(
            400,
            "invalid_request",
            &format!("code 4/0AcODE for {CLIENT_SECRET}"),
        ))
        .mount(&google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0LEAKY"))
        .mount(&google)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .respond_with(api_error(
            400,
            "global",
            "invalid",
            "bad token ya29.a0LEAKY",
        ))
        .mount(&google)
        .await;
    let oauth = oauth(&google);
    let pkce = frontdesk_calendar::Pkce::generate();
    let calendar = calendar(&google);
    let mut printed = vec![
        format!("{oauth:?}"),
        format!("{calendar:?}"),
        format!("{pkce:?}"),
        format!(
            "{:?}",
            oauth
                .refresh(&frontdesk_calendar::RefreshToken::new(REFRESH))
                .await
                .unwrap()
        ),
        format!("{:?}", CalendarError::GrantRevoked),
    ];
    let exchange = oauth
        .exchange_code("4/0AcODE", pkce.verifier())
        .await
        .unwrap_err();
    let busy = calendar
        .busy(start(), at("2025-03-11T00:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(exchange, CalendarError::Rejected(_)));
    assert!(matches!(busy, CalendarError::Rejected(_)));
    for error in [exchange, busy] {
        printed.push(format!("{error}"));
        printed.push(format!("{error:?}"));
    }
    for text in &printed {
        for secret in secrets.iter().chain([&pkce.verifier().expose()]) {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    assert!(printed.iter().any(|t| t.contains("[redacted]")));
}
