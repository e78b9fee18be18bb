//! Stripe billing through the real server: signed webhooks (bad signatures refused,
//! replays and late events changing nothing), the grace period and then the widget's
//! contact notice, and the owner's Billing page sending them to Checkout and the Portal.

use std::sync::Arc;

use frontdesk_billing::{Plans, StripeClient};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::billing::SubscriptionStatus;
use frontdesk_core::conversation::BusinessId;
use frontdesk_server::{BillingSettings, Config};
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::{AuditRange, Backend};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::dashboard::Browser;
use crate::helpers::{spawn_app_with, TestApp, MONDAY_MORNING};

const WEBHOOK_SECRET: &str = "whsec_e2e_secret";
const PLANS: &str = "[[plan]]\nid = \"starter\"\nname = \"Starter\"\nstripe_price = \"price_starter\"\nconversations_per_month = 500\n\n[[plan]]\nid = \"tiny\"\nname = \"Tiny\"\nstripe_price = \"price_tiny\"\nconversations_per_month = 2\n";

fn billing(stripe: &str) -> BillingSettings {
    BillingSettings {
        client: StripeClient::new("sk_test_e2e", stripe),
        webhook_secret: WEBHOOK_SECRET.into(),
        plans: Arc::new(Plans::from_toml(PLANS).unwrap()),
        grace: SignedDuration::from_hours(14 * 24),
    }
}

async fn billed_app(backend: Backend, stripe: &str) -> TestApp {
    let settings = billing(stripe);
    spawn_app_with(backend, move |c: &mut Config| c.billing = Some(settings)).await
}

fn now() -> Timestamp {
    MONDAY_MORNING.parse().unwrap()
}

fn days_ago(days: i64) -> i64 {
    now().as_second() - days * 86_400
}

fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts an event signed now with the endpoint's secret.
async fn deliver(app: &TestApp, event: &Value) -> StatusCode {
    let body = event.to_string();
    post_signed(app, &body, &sign(WEBHOOK_SECRET, now().as_second(), &body)).await
}

async fn post_signed(app: &TestApp, body: &str, signature: &str) -> StatusCode {
    app.client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

fn subscription_event(id: &str, created: i64, business: &str, status: &str) -> Value {
    json!({
        "id": id, "type": "customer.subscription.updated", "created": created,
        "data": {"object": {
            "id": "sub_1", "object": "subscription", "customer": "cus_1", "status": status,
            "metadata": {"business_id": business},
            "items": {"data": [{"price": {"id": "price_starter"}, "current_period_end": days_ago(-20)}]}
        }}
    })
}

async fn demo_id(app: &TestApp) -> String {
    let demo = app.store.business_by_slug("demo").await.unwrap().unwrap();
    demo.id.to_string()
}

async fn profile(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/api/v1/businesses/demo"))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn webhooks_without_a_valid_signature_are_refused() {
    let app = billed_app(Backend::Sqlite, "http://127.0.0.1:1").await;
    let business = demo_id(&app).await;
    let body = subscription_event("evt_1", days_ago(0), &business, "active").to_string();
    let t = now().as_second();
    assert_eq!(post_signed(&app, &body, "").await, StatusCode::BAD_REQUEST);
    assert_eq!(
        post_signed(&app, &body, &sign("whsec_wrong", t, &body)).await,
        StatusCode::BAD_REQUEST
    );
    let tampered = body.replace("active", "canceled");
    assert_eq!(
        post_signed(&app, &tampered, &sign(WEBHOOK_SECRET, t, &body)).await,
        StatusCode::BAD_REQUEST
    );
    let stale = t - 6 * 60;
    assert_eq!(
        post_signed(&app, &body, &sign(WEBHOOK_SECRET, stale, &body)).await,
        StatusCode::BAD_REQUEST
    );
    assert!(app
        .store
        .subscription(BusinessId(business.parse().unwrap()))
        .await
        .unwrap()
        .is_none());
    // Signed right, it is taken.
    assert_eq!(
        post_signed(&app, &body, &sign(WEBHOOK_SECRET, t, &body)).await,
        StatusCode::OK
    );

    // A server without billing has no webhook.
    let unbilled = spawn_app_with(Backend::Sqlite, |_| {}).await;
    assert_eq!(
        post_signed(&unbilled, &body, &sign(WEBHOOK_SECRET, t, &body)).await,
        StatusCode::NOT_FOUND
    );
    assert!(profile(&unbilled).await.get("notice").is_none());
}

#[tokio::test]
async fn an_overdue_business_answers_through_its_grace_then_shows_a_contact_notice() {
    for backend in BACKENDS {
        let app = billed_app(backend, "http://127.0.0.1:1").await;
        let business = demo_id(&app).await;
        let (status, before) = app
            .send("visitor-grace", None, "What are your hours?")
            .await;
        assert_eq!(status, 200);
        let conversation = before["conversation_id"].as_str().unwrap().to_owned();

        // Overdue since three days: in grace, the assistant answers.
        assert_eq!(
            deliver(
                &app,
                &subscription_event("evt_1", days_ago(3), &business, "past_due")
            )
            .await,
            StatusCode::OK
        );
        assert!(profile(&app).await.get("notice").is_none(), "{backend:?}");
        assert_eq!(
            app.send("visitor-grace", Some(&conversation), "Thanks!")
                .await
                .0,
            200
        );

        // An older event arriving late (active, twenty days ago) changes nothing; a
        // replay of the first changes nothing either.
        assert_eq!(
            deliver(
                &app,
                &subscription_event("evt_0", days_ago(20), &business, "active")
            )
            .await,
            StatusCode::OK
        );
        assert_eq!(
            deliver(
                &app,
                &subscription_event("evt_1", days_ago(3), &business, "past_due")
            )
            .await,
            StatusCode::OK
        );
        let held = app
            .store
            .subscription(BusinessId(business.parse().unwrap()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(held.status, Some(SubscriptionStatus::PastDue));
        assert_eq!(
            held.overdue_since,
            Some(Timestamp::from_second(days_ago(3)).unwrap())
        );
        drop(app);

        // Overdue since twenty days: past the grace, visitors are told how to reach the business.
        let app = billed_app(backend, "http://127.0.0.1:1").await;
        let business = demo_id(&app).await;
        let (_, first) = app.send("visitor-lapse", None, "Hello").await;
        let conversation = first["conversation_id"].as_str().unwrap().to_owned();
        assert_eq!(
            deliver(
                &app,
                &subscription_event("evt_9", days_ago(20), &business, "past_due")
            )
            .await,
            StatusCode::OK
        );
        let notice = profile(&app).await["notice"].as_str().unwrap().to_owned();
        assert!(
            notice.contains("not available") && notice.contains("+1"),
            "{notice}"
        );
        let (status, refused) = app.send("visitor-lapse", None, "Are you open?").await;
        assert_eq!(status, 503, "{backend:?}");
        assert_eq!(refused["error"]["code"], "assistant_unavailable");
        assert_eq!(refused["error"]["message"], notice);
        // Nothing was deleted: the visitor's transcript is still there.
        assert_eq!(app.transcript(&conversation, "visitor-lapse").await.0, 200);

        // Paid: the assistant answers again.
        let paid = json!({"id": "evt_10", "type": "invoice.paid", "created": days_ago(0),
            "data": {"object": {"customer": "cus_1", "subscription": "sub_1"}}});
        assert_eq!(deliver(&app, &paid).await, StatusCode::OK);
        assert!(profile(&app).await.get("notice").is_none());
        assert_eq!(
            app.send("visitor-lapse", Some(&conversation), "Are you open?")
                .await
                .0,
            200
        );
        // Each change is in the business's audit log, by the system, naming the event.
        let audit = app
            .store
            .audit_events(
                BusinessId(business.parse().unwrap()),
                AuditRange::default(),
                50,
                None,
            )
            .await
            .unwrap();
        let changes: Vec<_> = audit
            .iter()
            .filter(|r| r.event.action == AuditAction::SubscriptionChanged)
            .filter_map(|r| r.event.resource.clone())
            .collect();
        assert_eq!(
            changes,
            ["stripe_event:evt_10", "stripe_event:evt_9"],
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn the_owner_subscribes_through_checkout_and_manages_through_the_portal() {
    let stripe = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "cs_1", "url": "https://checkout.stripe.test/cs_1"})),
        )
        .mount(&stripe)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/billing_portal/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "bps_1", "url": "https://billing.stripe.test/bps_1"})),
        )
        .mount(&stripe)
        .await;
    let app = billed_app(Backend::Sqlite, &stripe.uri()).await;
    let mut owner = Browser::new(&app);
    owner
        .sign_up("Rosa Diaz", "rosa@bright.example", "Bright Smiles")
        .await;
    let settings = owner.get("/app/settings").await;
    assert!(settings.body.contains("/app/billing"));
    let page = owner.get("/app/billing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Starter") && page.body.contains("500 conversations"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/app/billing/portal"),
        "no portal before a customer exists"
    );

    let redirect = owner
        .post("/app/billing/checkout", &[("plan", "starter")])
        .await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER, "{}", redirect.body);
    assert_eq!(redirect.location(), "https://checkout.stripe.test/cs_1");
    let sent = stripe.received_requests().await.unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent[0].body)
        .into_owned()
        .collect();
    let business = app
        .store
        .business_by_slug("bright-smiles")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        form.contains(&("client_reference_id".into(), business.to_string())),
        "{form:?}"
    );
    assert!(form.contains(&("line_items[0][price]".into(), "price_starter".into())));
    let unknown = owner
        .post("/app/billing/checkout", &[("plan", "gold")])
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let completed = json!({"id": "evt_cs", "type": "checkout.session.completed", "created": days_ago(0),
        "data": {"object": {"id": "cs_1", "client_reference_id": business.to_string(), "customer": "cus_rosa",
                            "subscription": "sub_rosa", "metadata": {"plan_id": "starter"}}}});
    assert_eq!(deliver(&app, &completed).await, StatusCode::OK);
    let page = owner.get("/app/billing").await;
    assert!(page.body.contains("Active"), "{}", page.body);
    let portal = owner.post("/app/billing/portal", &[]).await;
    assert_eq!(portal.status, StatusCode::SEE_OTHER, "{}", portal.body);
    assert_eq!(portal.location(), "https://billing.stripe.test/bps_1");
    let sent = stripe.received_requests().await.unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent.last().unwrap().body)
        .into_owned()
        .collect();
    assert!(
        form.contains(&("customer".into(), "cus_rosa".into())),
        "{form:?}"
    );

    // Without billing on the server there is no Billing page.
    let unbilled = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let mut other = Browser::new(&unbilled);
    other
        .sign_up("Eve", "eve@elsewhere.example", "Elsewhere Dental")
        .await;
    assert_eq!(
        other.get("/app/billing").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!other
        .get("/app/settings")
        .await
        .body
        .contains("/app/billing"));
}

#[tokio::test]
async fn a_plan_caps_new_conversations_a_month_and_lets_started_ones_go_on() {
    for backend in BACKENDS {
        let app = billed_app(backend, "http://127.0.0.1:1").await;
        let business = demo_id(&app).await;
        let completed = json!({"id": "evt_tiny", "type": "checkout.session.completed", "created": days_ago(0),
            "data": {"object": {"id": "cs_1", "client_reference_id": business, "customer": "cus_1",
                                "subscription": "sub_1", "metadata": {"plan_id": "tiny"}}}});
        assert_eq!(deliver(&app, &completed).await, StatusCode::OK);
        let (status, first) = app
            .send("visitor-cap-1", None, "What are your hours?")
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            app.send("visitor-cap-2", None, "Do you take walk-ins?")
                .await
                .0,
            200
        );
        let (status, refused) = app.send("visitor-cap-3", None, "Are you open today?").await;
        assert_eq!(status, 503, "{backend:?}: {refused}");
        assert_eq!(refused["error"]["code"], "assistant_unavailable");
        // A conversation already started goes on.
        let id = first["conversation_id"].as_str().unwrap();
        assert_eq!(
            app.send("visitor-cap-1", Some(id), "And on Saturday?")
                .await
                .0,
            200,
            "{backend:?}"
        );
    }
}
