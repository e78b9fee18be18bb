//! The Stripe client against a fake Stripe: form-encoded bodies, bearer key, idempotency
//! keys, and Stripe's errors mapped to clear variants with the key kept out of them.

use frontdesk_billing::{CheckoutRequest, StripeClient, StripeError};
use wiremock::matchers::{body_string_contains, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_test_51SecretKeyValue";

fn checkout<'a>(customer: Option<&'a str>) -> CheckoutRequest<'a> {
    CheckoutRequest {
        business_id: "0192f1d2-0000-7000-8000-000000000001",
        plan_id: "starter",
        price_id: "price_starter",
        customer,
        success_url: "https://desk.example/app/billing?done=1",
        cancel_url: "https://desk.example/app/billing",
    }
}

#[tokio::test]
async fn checkout_sessions_are_created_with_a_form_body() {
    let stripe = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_1"
        })))
        .expect(1)
        .mount(&stripe)
        .await;
    let client = StripeClient::new(KEY, stripe.uri());
    let session = client
        .checkout_session(&checkout(Some("cus_1")))
        .await
        .unwrap();
    assert_eq!(session.id, "cs_test_1");
    assert_eq!(session.url, "https://checkout.stripe.com/c/pay/cs_test_1");

    let requests = stripe.received_requests().await.unwrap();
    let form: Vec<(String, String)> = url_pairs(&requests[0].body);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} missing from {form:?}"))
    };
    assert_eq!(field("mode"), "subscription");
    assert_eq!(field("line_items[0][price]"), "price_starter");
    assert_eq!(field("line_items[0][quantity]"), "1");
    assert_eq!(
        field("client_reference_id"),
        "0192f1d2-0000-7000-8000-000000000001"
    );
    assert_eq!(
        field("metadata[business_id]"),
        "0192f1d2-0000-7000-8000-000000000001"
    );
    assert_eq!(
        field("subscription_data[metadata][business_id]"),
        "0192f1d2-0000-7000-8000-000000000001"
    );
    assert_eq!(
        field("success_url"),
        "https://desk.example/app/billing?done=1"
    );
    assert_eq!(field("cancel_url"), "https://desk.example/app/billing");
    assert_eq!(field("customer"), "cus_1");
}

#[tokio::test]
async fn portal_sessions_name_the_customer_and_the_way_back() {
    let stripe = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/billing_portal/sessions"))
        .and(body_string_contains("customer=cus_1"))
        .and(body_string_contains("return_url=https%3A%2F%2Fdesk.example%2Fapp%2Fbilling"))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.com/p/session/bps_1"
        })))
        .expect(1)
        .mount(&stripe)
        .await;
    let client = StripeClient::new(KEY, stripe.uri());
    let session = client
        .portal_session("cus_1", "https://desk.example/app/billing")
        .await
        .unwrap();
    assert_eq!(session.url, "https://billing.stripe.com/p/session/bps_1");
}

#[tokio::test]
async fn stripe_errors_become_clear_variants_without_the_key() {
    let stripe = MockServer::start().await;
    let cases = [
        (
            401,
            "authentication_error",
            format!("Invalid API Key provided: {KEY}"),
        ),
        (
            400,
            "invalid_request_error",
            "No such price: 'price_starter'".to_owned(),
        ),
        (429, "rate_limit_error", "Too many requests".to_owned()),
        (500, "api_error", "Something went wrong".to_owned()),
    ];
    let client = StripeClient::new(KEY, stripe.uri());
    for (status, kind, message) in cases {
        stripe.reset().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(serde_json::json!({
                    "error": {"type": kind, "message": message}
                })),
            )
            .mount(&stripe)
            .await;
        let error = client.checkout_session(&checkout(None)).await.unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(KEY), "{shown}");
        match (kind, &error) {
            ("authentication_error", StripeError::Authentication(m)) => {
                assert!(m.contains("[redacted]"), "{m}")
            }
            ("invalid_request_error", StripeError::InvalidRequest(m)) => {
                assert!(m.contains("No such price"), "{m}")
            }
            ("rate_limit_error", StripeError::RateLimited(_)) => {}
            ("api_error", StripeError::Api { kind, .. }) => assert_eq!(kind, "api_error"),
            other => panic!("unexpected mapping {other:?}"),
        }
    }
    stripe.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&stripe)
        .await;
    assert!(matches!(
        client.checkout_session(&checkout(None)).await,
        Err(StripeError::Unexpected { status: 502, .. })
    ));
    assert!(!format!("{client:?}").contains(KEY));
}

#[tokio::test]
async fn an_unreachable_stripe_is_reported_as_such() {
    let client = StripeClient::new(KEY, "http://127.0.0.1:1");
    let error = client
        .portal_session("cus_1", "https://x.example")
        .await
        .unwrap_err();
    assert!(matches!(error, StripeError::Unreachable(_)), "{error:?}");
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
