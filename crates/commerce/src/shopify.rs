//! The Shopify Admin GraphQL API (`POST /admin/api/{version}/graphql.json`) as an
//! [`OrderSource`].

use std::time::{Duration, Instant};

use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{Order, OrderError, OrderFuture, OrderNumber, OrderSource};
use frontdesk_core::vendor::{error_chain, scrub};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::mapping::{shipment, ShopifyOrder};
use crate::throttle::{Bucket, QueryCost};

/// A stable Admin API version. Shopify supports each for a year; the owner can pin
/// another with [`ShopifyConfig::api_version`].
pub const DEFAULT_API_VERSION: &str = "2025-07";

/// Most customers one phone number is looked up on: a shared family or business phone
/// may sit on a few accounts, and each adds its orders to the query's cost.
const MAX_CUSTOMERS_PER_PHONE: usize = 3;

/// Most orders fetched per customer: a caller asks about a recent order, and the
/// query's cost grows with every order requested.
const MAX_ORDERS_PER_CUSTOMER: usize = 10;

/// The fields of an order this client reads, shared by both queries. Nothing else is
/// requested: line items, addresses and amounts never leave Shopify.
macro_rules! with_order_fields {
    ($query:literal) => {
        concat!(
            $query,
            "\nfragment OrderFields on Order {",
            " name createdAt cancelledAt displayFinancialStatus displayFulfillmentStatus",
            " phone email",
            " customer { defaultPhoneNumber { phoneNumber } defaultEmailAddress { emailAddress } }",
            " fulfillments(first: 5) { trackingInfo(first: 3) { company number url } }",
            " }"
        )
    };
}

const ORDERS_BY_NAME: &str = with_order_fields!(
    "query OrdersByName($query: String!) { orders(first: 5, query: $query) { nodes { ...OrderFields } } }"
);

const ORDERS_BY_CUSTOMER_PHONE: &str = with_order_fields!(
    "query OrdersByCustomerPhone($query: String!, $customers: Int!, $orders: Int!) { customers(first: $customers, query: $query) { nodes { orders(first: $orders, sortKey: CREATED_AT, reverse: true) { nodes { ...OrderFields } } } } }"
);

/// Where the shop is and how patient to be with it. `Debug` is derived safely: the token
/// is an [`ApiKey`], which never prints.
#[derive(Debug, Clone)]
pub struct ShopifyConfig {
    /// `https://{shop}.myshopify.com`, or just the domain; a fake server in tests.
    pub shop: String,
    /// `YYYY-MM`, [`DEFAULT_API_VERSION`] unless set; 2025-04 or later, the first with
    /// the customer's `defaultPhoneNumber` and `defaultEmailAddress` this client reads.
    pub api_version: String,
    /// The custom app's Admin API access token, sent as `X-Shopify-Access-Token`.
    pub access_token: ApiKey,
    /// One request, connect included.
    pub timeout: Duration,
    /// The longest the client waits, before one attempt, for the shop's bucket to refill.
    /// A caller is on the line, so a lookup that would wait longer fails at once with
    /// [`OrderError::RateLimited`] and the wait as its hint.
    pub max_throttle_wait: Duration,
    /// Attempts of one query that Shopify answers `THROTTLED`.
    pub max_attempts: u32,
}

impl ShopifyConfig {
    /// The default version, a 10-second timeout, waits of up to 3 seconds, 3 attempts.
    pub fn new(shop: impl Into<String>, access_token: ApiKey) -> Self {
        Self {
            shop: shop.into(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            access_token,
            timeout: Duration::from_secs(10),
            max_throttle_wait: Duration::from_secs(3),
            max_attempts: 3,
        }
    }
}

/// A shop's orders, read from the Admin GraphQL API.
#[derive(Debug)]
pub struct ShopifyOrders {
    endpoint: String,
    access_token: ApiKey,
    max_throttle_wait: Duration,
    max_attempts: u32,
    http: reqwest::Client,
    bucket: Bucket,
}

/// One attempt's outcome short of an error.
enum Attempt {
    Answered(Value),
    /// Shopify refused to run the query for now; the hint is how long until it would.
    Throttled(Option<Duration>),
}

/// `{ nodes: [...] }` of a GraphQL connection.
#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
struct OrdersData {
    orders: Nodes<OrderNode>,
}

#[derive(Deserialize)]
struct CustomersData {
    customers: Nodes<CustomerOrders>,
}

#[derive(Deserialize)]
struct CustomerOrders {
    orders: Nodes<OrderNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderNode {
    name: String,
    created_at: Option<Timestamp>,
    cancelled_at: Option<Timestamp>,
    display_financial_status: Option<String>,
    display_fulfillment_status: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    customer: Option<CustomerNode>,
    #[serde(default)]
    fulfillments: Vec<FulfillmentNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerNode {
    default_phone_number: Option<PhoneNode>,
    default_email_address: Option<EmailNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneNode {
    phone_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailNode {
    email_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentNode {
    #[serde(default)]
    tracking_info: Vec<TrackingNode>,
}

#[derive(Deserialize)]
struct TrackingNode {
    company: Option<String>,
    number: Option<String>,
    url: Option<String>,
}

impl OrderNode {
    fn into_order(self) -> Option<Order> {
        let customer_phone = self
            .customer
            .as_ref()
            .and_then(|c| c.default_phone_number.as_ref())
            .and_then(|p| p.phone_number.as_deref());
        let customer_email = self
            .customer
            .as_ref()
            .and_then(|c| c.default_email_address.as_ref())
            .and_then(|e| e.email_address.as_deref());
        ShopifyOrder {
            name: &self.name,
            created_at: self.created_at,
            cancelled_at: self.cancelled_at,
            financial_status: self.display_financial_status.as_deref(),
            fulfillment_status: self.display_fulfillment_status.as_deref(),
            shipments: self
                .fulfillments
                .iter()
                .flat_map(|f| &f.tracking_info)
                .filter_map(|t| {
                    shipment(t.company.as_deref(), t.number.as_deref(), t.url.as_deref())
                })
                .collect(),
            phones: self
                .phone
                .as_deref()
                .into_iter()
                .chain(customer_phone)
                .collect(),
            emails: self
                .email
                .as_deref()
                .into_iter()
                .chain(customer_email)
                .collect(),
        }
        .into_order()
    }
}

impl ShopifyOrders {
    /// A client for `config`; nothing is contacted until the first lookup.
    pub fn new(config: ShopifyConfig) -> Self {
        let shop = config.shop.trim().trim_end_matches('/');
        let base = if shop.contains("://") {
            shop.to_owned()
        } else {
            format!("https://{shop}")
        };
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .build()
            // Building only fails if the TLS backend can't initialise, which rustls with
            // bundled roots cannot: a panic here is a build defect, not a runtime state.
            .expect("the rustls HTTP client builds");
        Self {
            endpoint: format!(
                "{base}/admin/api/{}/graphql.json",
                config.api_version.trim()
            ),
            access_token: config.access_token,
            max_throttle_wait: config.max_throttle_wait,
            max_attempts: config.max_attempts.max(1),
            http,
            bucket: Bucket::default(),
        }
    }

    async fn order_by_number(&self, number: &OrderNumber) -> Result<Option<Order>, OrderError> {
        // Shopify names orders `#1001` by default; shops with their own prefix or no `#`
        // are found by the bare number. The search is fuzzy, so only an exact match counts:
        // reading out a neighbour's order would be the worst answer there is.
        for search in [format!("name:#{number}"), format!("name:{number}")] {
            let data: OrdersData = self
                .query("OrdersByName", ORDERS_BY_NAME, json!({ "query": search }))
                .await?;
            let found = data
                .orders
                .nodes
                .into_iter()
                .filter_map(OrderNode::into_order)
                .find(|order| order.number == *number);
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn orders_by_phone(
        &self,
        phone: &PhoneNumber,
        limit: usize,
    ) -> Result<Vec<Order>, OrderError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let variables = json!({
            "query": format!("phone:\"{}\"", phone.as_str()),
            "customers": MAX_CUSTOMERS_PER_PHONE,
            "orders": limit.min(MAX_ORDERS_PER_CUSTOMER),
        });
        let data: CustomersData = self
            .query("OrdersByCustomerPhone", ORDERS_BY_CUSTOMER_PHONE, variables)
            .await?;
        let mut orders: Vec<Order> = data
            .customers
            .nodes
            .into_iter()
            .flat_map(|customer| customer.orders.nodes)
            .filter_map(OrderNode::into_order)
            .collect();
        orders.sort_by_key(|order| std::cmp::Reverse(order.placed_at));
        orders.truncate(limit);
        Ok(orders)
    }

    /// Runs a query within the shop's throttle: waits (up to the configured bound) for the
    /// bucket to hold its cost, and retries a `THROTTLED` answer after the wait Shopify's
    /// numbers call for, up to the configured attempts.
    async fn query<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        query: &'static str,
        variables: Value,
    ) -> Result<T, OrderError> {
        let body = json!({ "query": query, "variables": variables });
        let mut attempt = 1;
        loop {
            let wait = self.bucket.wait_before(operation, Instant::now());
            self.pause(wait).await?;
            match self.attempt(operation, &body).await? {
                Attempt::Answered(data) => {
                    return serde_json::from_value(data).map_err(|e| {
                        OrderError::Rejected(format!("an answer of an unexpected shape: {e}"))
                    });
                }
                Attempt::Throttled(hint) if attempt >= self.max_attempts => {
                    tracing::warn!(operation, attempt, "Shopify kept throttling; giving up");
                    return Err(OrderError::RateLimited { retry_after: hint });
                }
                Attempt::Throttled(hint) => {
                    tracing::info!(operation, attempt, ?hint, "Shopify throttled; waiting");
                    // Without Shopify's numbers, one second: even the smallest plan
                    // restores more than a lookup's cost in that time.
                    self.pause(Some(hint.unwrap_or(Duration::from_secs(1))))
                        .await?;
                    attempt += 1;
                }
            }
        }
    }

    /// Sleeps for `wait` unless it is beyond the bound (or forever), which fails the
    /// lookup with the wait as its hint.
    async fn pause(&self, wait: Option<Duration>) -> Result<(), OrderError> {
        match wait {
            Some(wait) if wait <= self.max_throttle_wait => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            hint => Err(OrderError::RateLimited { retry_after: hint }),
        }
    }

    async fn attempt(&self, operation: &'static str, body: &Value) -> Result<Attempt, OrderError> {
        let token = self.access_token.expose();
        let response = self
            .http
            .post(&self.endpoint)
            .header("X-Shopify-Access-Token", token)
            .json(body)
            .send()
            .await
            .map_err(|e| transport_error(&e, token))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(3600.0)));
        let text = response
            .text()
            .await
            .map_err(|e| transport_error(&e, token))?;
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(OrderError::Unauthorized);
        }
        if status.is_server_error() {
            return Err(OrderError::Unavailable(format!(
                "Shopify answered {status}"
            )));
        }
        let answer: Option<Value> = serde_json::from_str(&text).ok();
        let cost = answer
            .as_ref()
            .and_then(|a| a.pointer("/extensions/cost"))
            .and_then(|c| serde_json::from_value::<QueryCost>(c.clone()).ok());
        if let Some(cost) = &cost {
            self.bucket.record(operation, cost, Instant::now());
        }
        let bucket_hint = cost.and_then(|c| c.throttle_status.wait_for(c.requested_query_cost));
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Ok(Attempt::Throttled(retry_after.or(bucket_hint)));
        }
        let Some(mut answer) = answer.filter(|_| status.is_success()) else {
            return Err(OrderError::Rejected(format!(
                "{status}: {}",
                scrub(&text, token)
            )));
        };
        match answer.get("errors") {
            None | Some(Value::Null) => {}
            Some(Value::Array(errors)) if errors.is_empty() => {}
            Some(Value::Array(errors))
                if errors
                    .iter()
                    .any(|e| e.pointer("/extensions/code") == Some(&json!("THROTTLED"))) =>
            {
                return Ok(Attempt::Throttled(bucket_hint.or(retry_after)));
            }
            Some(errors) => {
                return Err(OrderError::Rejected(scrub(&error_messages(errors), token)))
            }
        }
        Ok(Attempt::Answered(answer["data"].take()))
    }
}

impl OrderSource for ShopifyOrders {
    fn by_number<'a>(&'a self, number: &'a OrderNumber) -> OrderFuture<'a, Option<Order>> {
        Box::pin(self.order_by_number(number))
    }

    fn by_phone<'a>(&'a self, phone: &'a PhoneNumber, limit: usize) -> OrderFuture<'a, Vec<Order>> {
        Box::pin(self.orders_by_phone(phone, limit))
    }
}

/// GraphQL's `errors`: a list of `{message}` objects, or (for some REST-style failures) a
/// bare string.
fn error_messages(errors: &Value) -> String {
    match errors {
        Value::Array(list) => list
            .iter()
            .map(|e| match e.get("message").and_then(Value::as_str) {
                Some(message) => message.to_owned(),
                None => e.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::String(message) => message.clone(),
        other => other.to_string(),
    }
}

/// A request that got no HTTP answer.
fn transport_error(error: &reqwest::Error, token: &str) -> OrderError {
    if error.is_timeout() {
        return OrderError::Unavailable("Shopify did not answer in time".to_owned());
    }
    OrderError::Unavailable(scrub(&error_chain(error), token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_built_from_a_bare_domain_or_a_url() {
        let token = ApiKey::new("shpat_x");
        let bare = ShopifyOrders::new(ShopifyConfig::new("maple.myshopify.com/", token.clone()));
        assert_eq!(
            bare.endpoint,
            "https://maple.myshopify.com/admin/api/2025-07/graphql.json"
        );
        let mut config = ShopifyConfig::new("http://127.0.0.1:9", token);
        config.api_version = "2025-10".into();
        assert_eq!(
            ShopifyOrders::new(config).endpoint,
            "http://127.0.0.1:9/admin/api/2025-10/graphql.json"
        );
    }

    #[test]
    fn graphql_errors_read_in_both_shapes() {
        assert_eq!(
            error_messages(&json!([{"message": "a"}, {"code": 1}])),
            "a; {\"code\":1}"
        );
        assert_eq!(error_messages(&json!("[API] Invalid")), "[API] Invalid");
    }

    #[test]
    fn both_queries_carry_the_order_fields() {
        for query in [ORDERS_BY_NAME, ORDERS_BY_CUSTOMER_PHONE] {
            assert!(query.contains("...OrderFields"));
            assert!(query.contains("fragment OrderFields on Order"));
            assert!(query.contains("trackingInfo(first: 3) { company number url }"));
        }
    }
}
