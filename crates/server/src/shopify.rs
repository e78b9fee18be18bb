//! Shopify's order webhooks (`POST /webhooks/shopify/{slug}`): each verified delivery
//! updates the business's local copy of the order, so the phone line answers from fresh
//! data even when Shopify is slow or throttling. Signed with the connection's webhook
//! secret over the raw body; anything unsigned is refused before it is read.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use frontdesk_commerce::webhook::{
    read_order_webhook, WebhookError, WebhookHeaders, WebhookSecret, HMAC_HEADER,
    SHOP_DOMAIN_HEADER, TOPIC_HEADER, WEBHOOK_ID_HEADER,
};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::AppState;

/// Order payloads carry line items and addresses we never keep, and can exceed the API's
/// usual body limit.
pub(crate) const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

pub(crate) async fn webhook(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let business = crate::api::load_business(&state, &slug).await?;
    let connection = state
        .store
        .shopify_connection(business.id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "shopify_not_connected",
                format!("business {slug:?} has no Shopify connection"),
            )
        })?;
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let delivered = read_order_webhook(
        &WebhookSecret::new(connection.webhook_secret),
        WebhookHeaders {
            hmac: header(HMAC_HEADER),
            topic: header(TOPIC_HEADER),
            webhook_id: header(WEBHOOK_ID_HEADER),
            shop_domain: header(SHOP_DOMAIN_HEADER),
        },
        &body,
    );
    let hook = match delivered {
        Ok(hook) => hook,
        Err(WebhookError::MissingSignature | WebhookError::BadSignature) => {
            tracing::warn!(
                slug,
                "refused a Shopify webhook with a bad or missing signature"
            );
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "the X-Shopify-Hmac-Sha256 header does not match this body",
            ));
        }
        // Answered 200 so Shopify stops retrying a topic we never subscribe to.
        Err(WebhookError::UnsupportedTopic(topic)) => {
            return Ok(Json(json!({"status": "ignored", "topic": topic})));
        }
        Err(other) => return Err(ApiError::invalid("invalid_webhook", other.to_string())),
    };
    state
        .store
        .import_orders(business.id, &[hook.order], state.clock.now())
        .await?;
    Ok(Json(json!({"status": "stored"})))
}
