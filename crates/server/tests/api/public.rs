use frontdesk_store::Backend;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_profile_and_openapi() {
    let app = spawn_app(Backend::Sqlite).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    let profile: Value = app
        .client
        .get(app.url("/api/v1/businesses/demo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["name"], "Maple Street Dental Studio");
    assert!(profile["greeting"].as_str().unwrap().starts_with("Hi!"));
    let missing = app
        .client
        .get(app.url("/api/v1/businesses/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/businesses/{slug}/messages",
        "/api/v1/businesses/{slug}/conversations/{id}",
        "/api/v1/businesses/{slug}",
        "/healthz",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    assert!(spec["components"]["schemas"]["MessageRequest"]["properties"]["text"].is_object());
}

#[tokio::test]
async fn widget_and_demo_page_are_served() {
    let app = spawn_app(Backend::Sqlite).await;
    let widget = app.client.get(app.url("/widget.js")).send().await.unwrap();
    assert_eq!(widget.status(), 200);
    assert!(widget.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let script = widget.text().await.unwrap();
    assert!(
        script.contains("attachShadow"),
        "widget isolates its styles"
    );
    assert!(
        !script.contains("document.cookie"),
        "widget sets no cookies"
    );

    let demo = app.client.get(app.url("/demo")).send().await.unwrap();
    assert_eq!(demo.status(), 200);
    let html = demo.text().await.unwrap();
    assert!(html.contains(r#"<script src="/widget.js" data-business="demo" async></script>"#));
}

#[tokio::test]
async fn the_api_can_be_called_from_the_businesss_own_site() {
    let app = spawn_app(Backend::Sqlite).await;
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            app.url("/api/v1/businesses/demo/messages"),
        )
        .header("origin", "https://maple.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(preflight
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}
