//! The Shopify client against a local fake of the Admin GraphQL API (wiremock), answering
//! on the real path with the documented JSON shapes, `extensions.cost` included.

use std::time::Duration;

use frontdesk_commerce::{ShopifyConfig, ShopifyOrders};
use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{
    FulfillmentStatus, OrderError, OrderNumber, OrderSource, PaymentStatus,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "shpat_SECRET_token_123";
const ENDPOINT: &str = "/admin/api/2025-07/graphql.json";

fn client(shop: &MockServer) -> ShopifyOrders {
    ShopifyOrders::new(config(shop))
}

fn config(shop: &MockServer) -> ShopifyConfig {
    let mut config = ShopifyConfig::new(shop.uri(), ApiKey::new(TOKEN));
    config.max_throttle_wait = Duration::from_secs(2);
    config
}

fn number(text: &str) -> OrderNumber {
    OrderNumber::parse(text).unwrap()
}

/// `extensions.cost` with the bucket at `available` of 1000, restoring `rate` a second.
fn cost(requested: f64, actual: Option<f64>, available: f64, rate: f64) -> Value {
    json!({"cost": {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": available, "restoreRate": rate}
    }})
}

fn answer(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"data": data, "extensions": cost(12.0, Some(6.0), 994.0, 50.0)}))
}

fn throttled(available: f64, rate: f64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": cost(100.0, None, available, rate)
    }))
}

fn order_node(name: &str, created_at: &str) -> Value {
    json!({
        "name": name,
        "createdAt": created_at,
        "cancelledAt": null,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "FULFILLED",
        "phone": null,
        "email": "ana@example.com",
        "customer": {"defaultPhoneNumber": {"phoneNumber": "+14155550100"}, "defaultEmailAddress": {"emailAddress": "ana@example.com"}},
        "fulfillments": [{"trackingInfo": [{"company": "UPS", "number": "1Z999AA10123456784", "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784"}]}]
    })
}

fn orders(nodes: Vec<Value>) -> Value {
    json!({"orders": {"nodes": nodes}})
}

async fn requests(shop: &MockServer) -> Vec<Value> {
    shop.received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn an_order_is_found_by_its_name_and_only_an_exact_match_counts() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(header("X-Shopify-Access-Token", TOKEN))
        .and(body_partial_json(
            json!({"variables": {"query": "name:#1001"}}),
        ))
        .respond_with(answer(orders(vec![
            order_node("#10010", "2026-11-21T10:00:00Z"),
            order_node("#1001", "2026-11-20T10:00:00Z"),
        ])))
        .expect(1)
        .mount(&shop)
        .await;

    let order = client(&shop)
        .by_number(&number("1001"))
        .await
        .unwrap()
        .expect("the order");
    assert_eq!(order.number.as_str(), "1001");
    assert_eq!(order.placed_at, "2026-11-20T10:00:00Z".parse().unwrap());
    assert_eq!(order.payment, PaymentStatus::Paid);
    assert_eq!(order.fulfillment, FulfillmentStatus::Fulfilled);
    assert_eq!(order.shipments[0].carrier, "UPS");
    assert_eq!(
        order.shipments[0].tracking_url.as_deref(),
        Some("https://www.ups.com/track?tracknum=1Z999AA10123456784")
    );
    assert_eq!(order.phone.unwrap().as_str(), "+14155550100");
    assert_eq!(order.email.as_deref(), Some("ana@example.com"));

    let sent = requests(&shop).await;
    let query = sent[0]["query"].as_str().unwrap();
    assert!(query.contains("orders(first: 5, query: $query)"));
    assert!(query.contains("displayFulfillmentStatus"));
    assert!(
        !query.contains("lineItems"),
        "nothing beyond what a caller may hear"
    );
}

#[tokio::test]
async fn a_shop_without_the_hash_prefix_is_searched_by_the_bare_number() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"variables": {"query": "name:#AB1001"}}),
        ))
        .respond_with(answer(orders(vec![])))
        .expect(1)
        .mount(&shop)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"variables": {"query": "name:AB1001"}}),
        ))
        .respond_with(answer(orders(vec![order_node(
            "AB1001",
            "2026-11-20T10:00:00Z",
        )])))
        .expect(1)
        .mount(&shop)
        .await;

    let order = client(&shop).by_number(&number("ab-1001")).await.unwrap();
    assert_eq!(order.unwrap().number.as_str(), "AB1001");
}

#[tokio::test]
async fn an_unknown_number_is_none() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(orders(vec![order_node(
            "#10017",
            "2026-11-20T10:00:00Z",
        )])))
        .expect(2)
        .mount(&shop)
        .await;
    assert_eq!(client(&shop).by_number(&number("1001")).await, Ok(None));
}

#[tokio::test]
async fn orders_by_phone_come_from_the_customers_with_that_phone_newest_first() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(body_partial_json(json!({"variables": {"query": "phone:\"+14155550100\"", "orders": 2}})))
        .respond_with(answer(json!({"customers": {"nodes": [
            {"orders": {"nodes": [order_node("#1003", "2026-11-22T10:00:00Z"), order_node("#1001", "2026-11-01T10:00:00Z")]}},
            {"orders": {"nodes": [order_node("#1002", "2026-11-10T10:00:00Z")]}}
        ]}})))
        .expect(1)
        .mount(&shop)
        .await;

    let phone = PhoneNumber::parse("+14155550100").unwrap();
    let found = client(&shop).by_phone(&phone, 2).await.unwrap();
    let numbers: Vec<&str> = found.iter().map(|o| o.number.as_str()).collect();
    assert_eq!(numbers, ["1003", "1002"]);
    let query = requests(&shop).await[0]["query"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(query.contains("customers(first: $customers, query: $query)"));
    assert!(query.contains("sortKey: CREATED_AT, reverse: true"));
}

/// A fake shop that answers `first` once, then finds order #1001.
async fn shop_recovering_from(first: ResponseTemplate) -> MockServer {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&shop)
        .await;
    Mock::given(method("POST"))
        .respond_with(answer(orders(vec![order_node(
            "#1001",
            "2026-11-20T10:00:00Z",
        )])))
        .mount(&shop)
        .await;
    shop
}

#[tokio::test]
async fn a_throttled_query_is_retried_after_the_bucket_refills() {
    // 100 points requested, 40 available, 1000 a second back: 60 ms to wait.
    let shop = shop_recovering_from(throttled(40.0, 1000.0)).await;
    let order = client(&shop).by_number(&number("1001")).await.unwrap();
    assert!(order.is_some());
    assert_eq!(requests(&shop).await.len(), 2);
}

#[tokio::test]
async fn a_throttle_longer_than_the_bound_gives_up_with_the_hint() {
    let shop = MockServer::start().await;
    // 60 points missing at 1 a second: a minute, beyond the 2-second bound.
    Mock::given(method("POST"))
        .respond_with(throttled(40.0, 1.0))
        .expect(1)
        .mount(&shop)
        .await;

    let error = client(&shop).by_number(&number("1001")).await.unwrap_err();
    assert_eq!(
        error,
        OrderError::RateLimited {
            retry_after: Some(Duration::from_secs(60))
        }
    );
}

#[tokio::test]
async fn throttling_that_never_ends_stops_after_the_configured_attempts() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(throttled(99.0, 1000.0))
        .expect(3)
        .mount(&shop)
        .await;

    let error = client(&shop).by_number(&number("1001")).await.unwrap_err();
    assert!(matches!(
        error,
        OrderError::RateLimited {
            retry_after: Some(_)
        }
    ));
}

#[tokio::test]
async fn a_query_the_bucket_cannot_hold_is_not_sent() {
    let shop = MockServer::start().await;
    // The first lookup succeeds but leaves 10 of the 100 points it requested, restoring
    // at 1 a second: the second would have to wait 90 s, so it fails without a request.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": orders(vec![order_node("#1001", "2026-11-20T10:00:00Z")]),
            "extensions": cost(100.0, Some(100.0), 10.0, 1.0)
        })))
        .expect(1)
        .mount(&shop)
        .await;

    let shopify = client(&shop);
    assert!(shopify.by_number(&number("1001")).await.unwrap().is_some());
    let error = shopify.by_number(&number("1001")).await.unwrap_err();
    let OrderError::RateLimited {
        retry_after: Some(wait),
    } = error
    else {
        panic!("expected RateLimited with a hint, got {error:?}");
    };
    // 90 s from the reading, less the moment that has passed since.
    assert!(wait > Duration::from_secs(85) && wait <= Duration::from_secs(90));
}

#[tokio::test]
async fn http_429_is_retried_after_retry_after() {
    let shop =
        shop_recovering_from(ResponseTemplate::new(429).insert_header("Retry-After", "0.05")).await;
    assert!(client(&shop)
        .by_number(&number("1001"))
        .await
        .unwrap()
        .is_some());
    assert_eq!(requests(&shop).await.len(), 2);
}

#[tokio::test]
async fn refused_credentials_are_unauthorized() {
    for status in [401, 403] {
        let shop = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(
                json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            ))
            .mount(&shop)
            .await;
        assert_eq!(
            client(&shop).by_number(&number("1001")).await,
            Err(OrderError::Unauthorized)
        );
    }
}

#[tokio::test]
async fn server_errors_and_timeouts_are_unavailable() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .mount(&shop)
        .await;
    assert!(matches!(
        client(&shop).by_number(&number("1001")).await,
        Err(OrderError::Unavailable(_))
    ));

    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(orders(vec![])).set_delay(Duration::from_secs(5)))
        .mount(&slow)
        .await;
    let mut config = config(&slow);
    config.timeout = Duration::from_millis(200);
    assert_eq!(
        ShopifyOrders::new(config).by_number(&number("1001")).await,
        Err(OrderError::Unavailable(
            "Shopify did not answer in time".into()
        ))
    );
}

#[tokio::test]
async fn graphql_errors_are_rejected_with_shopifys_words_and_never_the_token() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"message": format!("Access denied for orders field with token {TOKEN}"), "extensions": {"code": "ACCESS_DENIED"}}],
            "data": null,
            "extensions": cost(12.0, Some(2.0), 998.0, 50.0)
        })))
        .mount(&shop)
        .await;
    let error = client(&shop).by_number(&number("1001")).await.unwrap_err();
    let OrderError::Rejected(message) = &error else {
        panic!("expected Rejected, got {error:?}");
    };
    assert!(message.contains("Access denied for orders field"));
    assert!(!message.contains(TOKEN) && !error.to_string().contains(TOKEN));
}

#[tokio::test]
async fn an_answer_of_another_shape_is_rejected() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&shop)
        .await;
    assert!(matches!(
        client(&shop).by_number(&number("1001")).await,
        Err(OrderError::Rejected(_))
    ));
}

#[test]
fn the_token_never_prints() {
    let config = ShopifyConfig::new("maple.myshopify.com", ApiKey::new(TOKEN));
    let shown = format!("{config:?} {:?}", ShopifyOrders::new(config.clone()));
    assert!(!shown.contains(TOKEN), "{shown}");
}
