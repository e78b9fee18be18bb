//! The local order store: orders a shop without Shopify imports from a CSV file, and the
//! [`OrderSource`] that answers the phone assistant from them.

use std::io::Read;

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{
    FulfillmentStatus, Order, OrderError, OrderFuture, OrderNumber, OrderSource, PaymentStatus,
    Shipment,
};
use frontdesk_core::voice::spoken_phone;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::{backend_error, from_millis, millis};
use crate::Store;

/// The CSV header `frontdesk orders import` expects (documented in docs/orders-csv.md).
pub const ORDER_CSV_COLUMNS: [&str; 9] = [
    "order_number",
    "placed_at",
    "payment_status",
    "fulfillment_status",
    "carrier",
    "tracking_number",
    "tracking_url",
    "phone",
    "email",
];

/// A line of an order file that could not be read, with the reason in the owner's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineError {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for OrderLineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// How an import went: orders added and orders replaced (same number imported again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderImport {
    pub created: usize,
    pub updated: usize,
}

/// Reads an order file. Every bad line is reported (not just the first), and nothing is
/// returned unless every line is good, so a fixed file can be imported whole.
pub fn parse_orders_csv(input: impl Read) -> Result<Vec<Order>, Vec<OrderLineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            return Err(vec![OrderLineError {
                line: 1,
                message: error.to_string(),
            }])
        }
    };
    let index = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = ORDER_CSV_COLUMNS
        .iter()
        .copied()
        .filter(|c| index(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(vec![OrderLineError {
            line: 1,
            message: format!(
                "missing column(s) {}; the header must be {}",
                missing.join(", "),
                ORDER_CSV_COLUMNS.join(",")
            ),
        }]);
    }
    let columns: Vec<usize> = ORDER_CSV_COLUMNS.iter().filter_map(|c| index(c)).collect();
    let (mut orders, mut errors) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                errors.push(OrderLineError {
                    line,
                    message: error.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = columns
            .iter()
            .map(|&c| record.get(c).unwrap_or(""))
            .collect();
        match order_from_fields(&fields) {
            Ok(order) => {
                if let Some(first) = seen.insert(order.number.clone(), line) {
                    errors.push(OrderLineError {
                        line,
                        message: format!(
                            "order {} is also on line {first}; each order once",
                            order.number
                        ),
                    });
                }
                orders.push(order);
            }
            Err(message) => errors.push(OrderLineError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(orders)
    } else {
        Err(errors)
    }
}

/// One line's fields, in [`ORDER_CSV_COLUMNS`] order, as an order.
fn order_from_fields(fields: &[&str]) -> Result<Order, String> {
    let field = |i: usize| fields.get(i).copied().unwrap_or("");
    let number = OrderNumber::parse(field(0))
        .ok_or_else(|| format!("order_number {:?} is not letters and digits", field(0)))?;
    let placed_at = parse_when(field(1))?;
    let payment = PaymentStatus::parse(field(2)).ok_or_else(|| {
        format!(
            "payment_status {:?} is not one of pending, paid, partially_refunded, refunded, voided",
            field(2)
        )
    })?;
    let fulfillment = FulfillmentStatus::parse(field(3)).ok_or_else(|| {
        format!(
            "fulfillment_status {:?} is not one of unfulfilled, partially_fulfilled, fulfilled, cancelled",
            field(3)
        )
    })?;
    let optional = |i: usize| Some(field(i).to_owned()).filter(|v| !v.is_empty());
    let phone = match field(7) {
        "" => None,
        raw => Some(parse_phone(raw).ok_or_else(|| {
            format!("phone {raw:?} is not a phone number (use +15125550100 or 10 digits)")
        })?),
    };
    let email = match field(8) {
        "" => None,
        raw if raw.contains('@') && !raw.contains(char::is_whitespace) => {
            Some(raw.to_ascii_lowercase())
        }
        raw => return Err(format!("email {raw:?} is not an email address")),
    };
    let shipments = match (optional(4), optional(5), optional(6)) {
        (None, None, None) => Vec::new(),
        (carrier, tracking_number, tracking_url) => vec![Shipment {
            carrier: carrier.unwrap_or_default(),
            tracking_number,
            tracking_url,
        }],
    };
    Ok(Order {
        number,
        placed_at,
        payment,
        fulfillment,
        shipments,
        phone,
        email,
    })
}

/// RFC 3339 (`2026-11-20T15:04:05Z`) or a plain date (`2026-11-20`, taken as midnight UTC).
fn parse_when(raw: &str) -> Result<Timestamp, String> {
    raw.parse::<Timestamp>()
        .or_else(|_| {
            raw.parse::<jiff::civil::Date>()
                .and_then(|date| date.to_zoned(jiff::tz::TimeZone::UTC))
                .map(|zoned| zoned.timestamp())
        })
        .map_err(|_| {
            format!("placed_at {raw:?} is not a date (use 2026-11-20 or 2026-11-20T15:04:05Z)")
        })
}

/// A phone as shops export them: "+1 (512) 555-0100", "512.555.0100".
fn parse_phone(raw: &str) -> Option<PhoneNumber> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    spoken_phone(&digits, raw.trim_start().starts_with('+'))
}

const ORDER_COLUMNS: &str =
    "number, placed_at, payment, fulfillment, carrier, tracking_number, tracking_url, phone, email";

fn order_from_row(row: &AnyRow) -> Result<Order, StoreError> {
    let text =
        |column: &str| -> Result<String, StoreError> { row.try_get(column).map_err(backend_error) };
    let optional = |column: &str| -> Result<Option<String>, StoreError> {
        row.try_get(column).map_err(backend_error)
    };
    let corrupt = |what: &str| StoreError::Conflict(format!("stored order has an unknown {what}"));
    let (carrier, tracking_number, tracking_url) = (
        optional("carrier")?,
        optional("tracking_number")?,
        optional("tracking_url")?,
    );
    let shipments = if carrier.is_none() && tracking_number.is_none() && tracking_url.is_none() {
        Vec::new()
    } else {
        vec![Shipment {
            carrier: carrier.unwrap_or_default(),
            tracking_number,
            tracking_url,
        }]
    };
    Ok(Order {
        number: OrderNumber::parse(&text("number")?).ok_or_else(|| corrupt("number"))?,
        placed_at: from_millis(row.try_get("placed_at").map_err(backend_error)?)?,
        payment: PaymentStatus::parse(&text("payment")?).ok_or_else(|| corrupt("payment"))?,
        fulfillment: FulfillmentStatus::parse(&text("fulfillment")?)
            .ok_or_else(|| corrupt("fulfillment"))?,
        shipments,
        phone: optional("phone")?.and_then(|p| PhoneNumber::parse(&p).ok()),
        email: optional("email")?,
    })
}

impl Store {
    /// Adds or replaces (by order number) a business's imported orders, all in one
    /// transaction: importing the same file twice changes nothing.
    pub async fn import_orders(
        &self,
        business: BusinessId,
        orders: &[Order],
        now: Timestamp,
    ) -> Result<OrderImport, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let mut outcome = OrderImport::default();
        for order in orders {
            // A write first (SQLite can't upgrade a reading transaction while it waits),
            // which also says whether the order was there.
            let existed = sqlx::query(
                "UPDATE orders SET updated_at = $1 WHERE business_id = $2 AND number = $3",
            )
            .bind(millis(now))
            .bind(business.to_string())
            .bind(order.number.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?
            .rows_affected()
                > 0;
            let shipment = order.shipments.first();
            sqlx::query(
                "INSERT INTO orders (business_id, number, placed_at, payment, fulfillment, carrier, tracking_number, tracking_url, phone, email, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (business_id, number) DO UPDATE SET placed_at = excluded.placed_at, payment = excluded.payment, \
                 fulfillment = excluded.fulfillment, carrier = excluded.carrier, tracking_number = excluded.tracking_number, \
                 tracking_url = excluded.tracking_url, phone = excluded.phone, email = excluded.email, updated_at = excluded.updated_at",
            )
            .bind(business.to_string())
            .bind(order.number.as_str())
            .bind(millis(order.placed_at))
            .bind(order.payment.as_str())
            .bind(order.fulfillment.as_str())
            .bind(shipment.map(|s| s.carrier.as_str()).filter(|c| !c.is_empty()))
            .bind(shipment.and_then(|s| s.tracking_number.as_deref()))
            .bind(shipment.and_then(|s| s.tracking_url.as_deref()))
            .bind(order.phone.as_ref().map(PhoneNumber::as_str))
            .bind(order.email.as_deref())
            .bind(millis(now))
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
            if existed {
                outcome.updated += 1;
            } else {
                outcome.created += 1;
            }
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(outcome)
    }

    /// The imported order with this number.
    pub async fn order_by_number(
        &self,
        business: BusinessId,
        number: &OrderNumber,
    ) -> Result<Option<Order>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE business_id = $1 AND number = $2"
        ))
        .bind(business.to_string())
        .bind(number.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        row.as_ref().map(order_from_row).transpose()
    }

    /// The newest imported orders placed with this phone number.
    pub async fn orders_by_phone(
        &self,
        business: BusinessId,
        phone: &PhoneNumber,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE business_id = $1 AND phone = $2 \
             ORDER BY placed_at DESC, number DESC LIMIT $3"
        ))
        .bind(business.to_string())
        .bind(phone.as_str())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        rows.iter().map(order_from_row).collect()
    }

    /// The imported orders of one business, as an [`OrderSource`].
    pub fn local_orders(&self, business: BusinessId) -> LocalOrders {
        LocalOrders {
            store: self.clone(),
            business,
        }
    }
}

/// A business's imported orders, answering the phone assistant.
#[derive(Debug, Clone)]
pub struct LocalOrders {
    store: Store,
    business: BusinessId,
}

fn unavailable(error: StoreError) -> OrderError {
    OrderError::Unavailable(error.to_string())
}

impl OrderSource for LocalOrders {
    fn by_number<'a>(&'a self, number: &'a OrderNumber) -> OrderFuture<'a, Option<Order>> {
        Box::pin(async move {
            self.store
                .order_by_number(self.business, number)
                .await
                .map_err(unavailable)
        })
    }

    fn by_phone<'a>(&'a self, phone: &'a PhoneNumber, limit: usize) -> OrderFuture<'a, Vec<Order>> {
        Box::pin(async move {
            self.store
                .orders_by_phone(self.business, phone, limit)
                .await
                .map_err(unavailable)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n";

    #[test]
    fn a_good_file_is_read_whole() {
        let file = format!(
            "{HEADER}#1001,2026-11-20,paid,fulfilled,UPS,1Z999,https://ups.example/1Z999,(512) 555-0100,Ana@Example.com\n\
             1002,2026-11-21T10:00:00Z,Pending,unfulfilled,,,,+44 20 7946 0958,\n"
        );
        let orders = parse_orders_csv(file.as_bytes()).unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].number.as_str(), "1001");
        assert_eq!(orders[0].phone.as_ref().unwrap().as_str(), "+15125550100");
        assert_eq!(orders[0].email.as_deref(), Some("ana@example.com"));
        assert_eq!(
            orders[0].shipments[0].tracking_number.as_deref(),
            Some("1Z999")
        );
        assert!(orders[1].shipments.is_empty());
        assert_eq!(orders[1].phone.as_ref().unwrap().as_str(), "+442079460958");
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let file = format!(
            "{HEADER}1001,2026-11-20,paid,fulfilled,,,,,\n\
             10.01,2026-11-20,paid,fulfilled,,,,,\n\
             1003,yesterday,paid,fulfilled,,,,,\n\
             1004,2026-11-20,free,fulfilled,,,,,\n\
             1005,2026-11-20,paid,lost,,,,,\n\
             1006,2026-11-20,paid,fulfilled,,,,12,\n\
             1001,2026-11-20,paid,fulfilled,,,,,\n"
        );
        let errors = parse_orders_csv(file.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{errors:?}");
        assert!(errors[0].to_string().starts_with("line 3: order_number"));
        assert!(errors[5].message.contains("also on line 2"));
    }

    #[test]
    fn a_wrong_header_names_the_missing_columns() {
        let errors = parse_orders_csv("number,date\n1,2\n".as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("order_number"), "{}", errors[0]);
    }
}
