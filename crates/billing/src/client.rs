//! A small Stripe API client: the two sessions that send an owner to Stripe's hosted
//! pages. Requests are form-encoded with `Authorization: Bearer`; creates carry an
//! `Idempotency-Key` so a retried request never opens two sessions. The secret key
//! never appears in errors or `Debug` output.

use std::time::Duration;

use serde::Deserialize;

/// Stripe's API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

const TIMEOUT: Duration = Duration::from_secs(20);

/// Talks to Stripe with one secret key.
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: String,
    secret_key: String,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("base_url", &self.base_url)
            .field("secret_key", &"[redacted]")
            .finish()
    }
}

/// A session on Stripe's side: where to send the owner's browser.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RedirectSession {
    pub id: String,
    pub url: String,
}

/// What a Checkout session subscribes a business to.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    /// Our business id, echoed back in the webhook events.
    pub business_id: &'a str,
    pub plan_id: &'a str,
    pub price_id: &'a str,
    /// The business's existing Stripe customer, so a returning owner is not duplicated.
    pub customer: Option<&'a str>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// Why a Stripe call failed.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// The key was refused (`authentication_error`, 401).
    #[error("Stripe refused the API key: {0}")]
    Authentication(String),
    /// Stripe says the request is wrong (an unknown price or customer, say).
    #[error("Stripe refused the request: {0}")]
    InvalidRequest(String),
    /// Too many requests (429): try again later.
    #[error("Stripe is rate limiting requests: {0}")]
    RateLimited(String),
    /// Stripe's own failure, or an error type we don't know.
    #[error("Stripe failed ({kind}): {message}")]
    Api { kind: String, message: String },
    /// Stripe could not be reached.
    #[error("could not reach Stripe: {0}")]
    Unreachable(String),
    /// Stripe answered something that is not what its API describes.
    #[error("unexpected answer from Stripe (HTTP {status}): {detail}")]
    Unexpected { status: u16, detail: String },
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: Option<String>,
}

impl StripeClient {
    /// A client for `base_url` (Stripe's, or a fake in tests).
    pub fn new(secret_key: impl Into<String>, base_url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .expect("a TLS backend is compiled in");
        Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            secret_key: secret_key.into(),
        }
    }

    /// Creates a subscription Checkout session for one plan.
    pub async fn checkout_session(
        &self,
        request: &CheckoutRequest<'_>,
    ) -> Result<RedirectSession, StripeError> {
        let mut form = vec![
            ("mode", "subscription"),
            ("line_items[0][price]", request.price_id),
            ("line_items[0][quantity]", "1"),
            ("success_url", request.success_url),
            ("cancel_url", request.cancel_url),
            ("client_reference_id", request.business_id),
            ("metadata[business_id]", request.business_id),
            ("metadata[plan_id]", request.plan_id),
            (
                "subscription_data[metadata][business_id]",
                request.business_id,
            ),
            ("subscription_data[metadata][plan_id]", request.plan_id),
        ];
        if let Some(customer) = request.customer {
            form.push(("customer", customer));
        }
        self.create("/v1/checkout/sessions", &form).await
    }

    /// Creates a Customer Portal session, where the owner changes plan, card or cancels.
    pub async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<RedirectSession, StripeError> {
        self.create(
            "/v1/billing_portal/sessions",
            &[("customer", customer), ("return_url", return_url)],
        )
        .await
    }

    async fn create(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<RedirectSession, StripeError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .form(form)
            .send()
            .await
            // Without the URL: it names only our configured base, but keep errors short.
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| StripeError::Unexpected {
                status: status.as_u16(),
                detail: e.to_string(),
            });
        }
        let Ok(ErrorEnvelope { error }) = serde_json::from_slice(&body) else {
            return Err(StripeError::Unexpected {
                status: status.as_u16(),
                detail: "an error without Stripe's error object".into(),
            });
        };
        // Stripe masks keys in its messages; a key echoed whole is cut out all the same.
        let message = error
            .message
            .unwrap_or_else(|| error.kind.clone())
            .replace(&self.secret_key, "[redacted]");
        Err(match error.kind.as_str() {
            "authentication_error" => StripeError::Authentication(message),
            "invalid_request_error" if status.as_u16() == 429 => StripeError::RateLimited(message),
            "invalid_request_error" => StripeError::InvalidRequest(message),
            "rate_limit_error" => StripeError::RateLimited(message),
            _ => StripeError::Api {
                kind: error.kind,
                message,
            },
        })
    }
}
