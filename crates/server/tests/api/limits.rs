//! Abuse limits through the real server: rate limits per client address and per business,
//! shared by several instances through PostgreSQL or Redis (a SQLite server counts in its
//! memory), honouring only trusted `X-Forwarded-For` hops; the cap on conversation length.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::clock::ManualClock;
use jiff::SignedDuration;

use frontdesk_server::{Config, CounterStore, RateLimits};
use frontdesk_store::Backend;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, MONDAY_MORNING};

fn limits(per_ip: u32, per_business: u32) -> RateLimits {
    RateLimits {
        window: Duration::from_secs(3600),
        per_ip,
        per_business,
    }
}

fn redis_counters() -> CounterStore {
    CounterStore::Redis {
        url: "redis://127.0.0.1:6379".into(),
        key_prefix: format!("fdtest:{}:", uuid::Uuid::new_v4().simple()),
    }
}

/// What the server answered a message.
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

/// Posts a message to the demo business at `address`, with `X-Forwarded-For` when given.
async fn post(address: &str, forwarded_for: Option<&str>, visitor: &str) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/api/v1/businesses/demo/messages"))
        .json(&json!({"visitor_id": visitor, "text": "What are your hours?"}));
    if let Some(forwarded) = forwarded_for {
        request = request.header("x-forwarded-for", forwarded);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    Answer {
        status,
        retry_after,
        body: response.json().await.unwrap(),
    }
}

#[tokio::test]
async fn over_the_limit_the_server_answers_429_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limits = limits(3, 100)).await;
    for _ in 0..3 {
        assert_eq!(post(&app.address, None, "visitor-aaaa").await.status, 200);
    }
    let refused = post(&app.address, None, "visitor-aaaa").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["error"]["code"], "rate_limited");
    let wait = refused.retry_after.expect("Retry-After is set");
    assert!((1..=3600).contains(&wait), "{wait}");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{wait} second")), "{message}");
    // Transcripts count against the same allowance: ids can't be probed meanwhile.
    let transcript = app
        .client
        .get(app.url(&format!(
            "/api/v1/businesses/demo/conversations/{}?visitor_id=visitor-aaaa",
            uuid::Uuid::new_v4()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(transcript.status(), 429);
}

#[tokio::test]
async fn the_widget_may_read_retry_after_across_origins() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limits = limits(0, 100)).await;
    let response = app
        .client
        .post(app.url("/api/v1/businesses/demo/messages"))
        .header("origin", "https://maple.example")
        .json(&json!({"visitor_id": "visitor-aaaa", "text": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");
}

#[tokio::test]
async fn the_limit_holds_across_two_servers_sharing_postgres() {
    let app = spawn_app_with(Backend::Postgres, |c| c.rate_limits = limits(4, 100)).await;
    let second = app
        .second_instance(|c| c.rate_limits = limits(4, 100))
        .await;
    let mut statuses = Vec::new();
    for round in 0..3 {
        for address in [&app.address, &second.address] {
            let visitor = format!("visitor-{round}-{}", address.len());
            statuses.push(post(address, None, &visitor).await.status);
        }
    }
    // Four allowed between the two instances, then both refuse.
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn the_limit_holds_across_servers_counting_in_redis() {
    // Two servers with databases of their own: only Redis is shared.
    let counters = redis_counters();
    let first_counters = counters.clone();
    let app = spawn_app_with(Backend::Sqlite, move |c| {
        c.rate_limits = limits(3, 100);
        c.rate_limit_counters = first_counters;
    })
    .await;
    let other = spawn_app_with(Backend::Sqlite, move |c| {
        c.rate_limits = limits(3, 100);
        c.rate_limit_counters = counters;
    })
    .await;
    let mut statuses = Vec::new();
    for address in [&app.address, &other.address, &app.address, &other.address] {
        statuses.push(post(address, None, "visitor-redis").await);
    }
    let codes: Vec<u16> = statuses.iter().map(|a| a.status).collect();
    assert_eq!(codes, [200, 200, 200, 429]);
    let wait = statuses[3].retry_after.expect("Retry-After is set");
    assert!((3590..=3600).contains(&wait), "{wait}");
    // Both servers counted in Redis, not in their own memory or database.
    assert!(app.store.rate_limit_keys().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unreachable_redis_lets_the_chat_through() {
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.rate_limits = limits(1, 1);
        c.rate_limit_counters = CounterStore::Redis {
            url: "redis://127.0.0.1:1".into(),
            key_prefix: "fdtest:down:".into(),
        };
    })
    .await;
    for _ in 0..3 {
        assert_eq!(post(&app.address, None, "visitor-aaaa").await.status, 200);
    }
}

#[tokio::test]
async fn trusted_hops_are_honoured_and_spoofed_entries_ignored() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = spawn_app_with(backend, |c| {
            c.rate_limits = limits(2, 100);
            c.trusted_proxy_hops = 1;
        })
        .await;
        // The client made up the left entries; the proxy appended the real address.
        let claimed = [
            "10.0.0.1, 198.51.100.7",
            "10.0.0.2, 198.51.100.7",
            "198.51.100.7",
        ];
        let statuses: Vec<u16> = futures_util::future::join_all(
            claimed
                .iter()
                .map(|xff| post(&app.address, Some(xff), "visitor-aaaa")),
        )
        .await
        .iter()
        .map(|a| a.status)
        .collect();
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [200, 200, 429], "{backend:?}");
        // Another client behind the same proxy has its own allowance.
        let other = post(&app.address, Some("10.0.0.1, 203.0.113.50"), "visitor-bbbb").await;
        assert_eq!(other.status, 200, "{backend:?}");
        if backend == Backend::Postgres {
            let keys = app.store.rate_limit_keys().await.unwrap();
            assert!(
                keys.contains(&"chat:ip:198.51.100.7".to_owned()),
                "{keys:?}"
            );
            assert!(!keys.iter().any(|k| k.contains("10.0.0.")), "{keys:?}");
        }
    }
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let app = spawn_app_with(Backend::Postgres, |c| c.rate_limits = limits(2, 100)).await;
    let mut statuses = Vec::new();
    for fake in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        statuses.push(post(&app.address, Some(fake), "visitor-aaaa").await.status);
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(
        app.store.rate_limit_keys().await.unwrap(),
        ["chat:business:demo", "chat:ip:127.0.0.1"]
    );
}

#[tokio::test]
async fn a_business_has_an_allowance_of_its_own_across_addresses() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = spawn_app_with(backend, |c: &mut Config| {
            c.rate_limits = limits(100, 3);
            c.trusted_proxy_hops = 1;
        })
        .await;
        let mut statuses = Vec::new();
        for n in 1..=4 {
            let ip = format!("203.0.113.{n}");
            statuses.push(post(&app.address, Some(&ip), "visitor-aaaa").await.status);
        }
        assert_eq!(statuses, [200, 200, 200, 429], "{backend:?}");
    }
}

#[tokio::test]
async fn a_full_conversation_asks_the_visitor_to_start_over() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = spawn_app_with(backend, |c| c.max_conversation_messages = 4).await;
        let (status, first) = app.send("visitor-long", None, "What are your hours?").await;
        assert_eq!(status, 200);
        let id = first["conversation_id"].as_str().unwrap().to_owned();
        let (status, _) = app
            .send("visitor-long", Some(&id), "Do you take walk-ins?")
            .await;
        assert_eq!(status, 200);
        let (status, refused) = app.send("visitor-long", Some(&id), "And on Sunday?").await;
        assert_eq!(status, 409, "{backend:?}");
        assert_eq!(refused["error"]["code"], "conversation_too_long");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains("start a new conversation"), "{message}");
        // Nothing was added past the cap, and a new conversation works.
        let (_, transcript) = app.transcript(&id, "visitor-long").await;
        assert_eq!(transcript["messages"].as_array().unwrap().len(), 4);
        let (status, _) = app.send("visitor-long", None, "And on Sunday?").await;
        assert_eq!(status, 200);
        // Someone else's conversation id is still just unknown, full or not.
        let (status, other) = app.send("visitor-else", Some(&id), "hello").await;
        assert_eq!(
            (status, other["error"]["code"].as_str()),
            (404, Some("conversation_not_found"))
        );
    }
}

#[tokio::test]
async fn a_new_window_gives_a_new_allowance() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let clock = Arc::new(ManualClock::new(MONDAY_MORNING.parse().unwrap()));
        let server_clock = clock.clone();
        let app = spawn_app_with(backend, move |c| {
            c.rate_limits = RateLimits {
                window: Duration::from_secs(60),
                per_ip: 1,
                per_business: 100,
            };
            c.clock = server_clock;
        })
        .await;
        assert_eq!(post(&app.address, None, "visitor-aaaa").await.status, 200);
        let refused = post(&app.address, None, "visitor-aaaa").await;
        assert_eq!(refused.status, 429, "{backend:?}");
        let wait = refused.retry_after.unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        clock.advance(SignedDuration::from_secs(wait as i64));
        assert_eq!(
            post(&app.address, None, "visitor-aaaa").await.status,
            200,
            "{backend:?}"
        );
        if backend == Backend::Postgres {
            // The counters of the finished window are swept: its address is gone.
            clock.advance(SignedDuration::from_secs(120));
            post(&app.address, None, "visitor-aaaa").await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let keys = app.store.rate_limit_keys().await.unwrap();
            assert_eq!(
                keys.len(),
                2,
                "only this window's counters remain: {keys:?}"
            );
        }
    }
}
