//! Settings → Audit Log: the business's events by time range in its own time zone, a
//! page at a time, and the same range as a streamed CSV (itself audited).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use frontdesk_core::accounts::Permission;
use frontdesk_core::audit::AuditAction;
use frontdesk_store::{AuditCsv, AuditRange};
use futures_util::StreamExt;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use maud::{html, Markup};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::error::PageError;
use super::home::{business_timezone, csv_download};
use super::views::{layout, local_time};
use super::{audit_member, Member};
use crate::AppState;

/// Events per page.
const PAGE_SIZE: u32 = 50;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct RangeQuery {
    /// `today`, `7d`, `30d`, `month` or `custom`.
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    /// The `seq` below which the page starts (older events).
    #[serde(default)]
    before: Option<u64>,
}

/// Resolves a named range to instants: days start at local midnight, so "today" in
/// Chicago is Chicago's today, across DST changes too. `to` is exclusive.
fn resolve(query: &RangeQuery, now: Timestamp, timezone: &TimeZone) -> Result<AuditRange, String> {
    let today = now.to_zoned(timezone.clone()).date();
    let start_of = |day: Date| -> Result<Timestamp, String> {
        day.to_zoned(timezone.clone())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    let since = |day: Date| -> Result<AuditRange, String> {
        Ok(AuditRange {
            from: Some(start_of(day)?),
            to: None,
        })
    };
    let days_back = |n: i64| today.checked_sub(n.days()).map_err(|e| e.to_string());
    match query.range.as_deref().unwrap_or("30d") {
        "today" => since(today),
        "7d" => since(days_back(6)?),
        "30d" => since(days_back(29)?),
        "month" => since(today.first_of_month()),
        "custom" => {
            let parse = |raw: &Option<String>, what: &str| -> Result<Option<Date>, String> {
                match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(text) => text.parse::<Date>().map(Some).map_err(|_| {
                        format!("the {what} date `{text}` is not a date like 2026-11-01")
                    }),
                }
            };
            let from = parse(&query.from, "from")?;
            let to = parse(&query.to, "to")?;
            if let (Some(from), Some(to)) = (from, to) {
                if to < from {
                    return Err("the range ends before it starts".into());
                }
            }
            Ok(AuditRange {
                from: from.map(start_of).transpose()?,
                // The `to` day is included: the range ends at the next local midnight.
                to: to
                    .map(|d| d.tomorrow().map_err(|e| e.to_string()).and_then(start_of))
                    .transpose()?,
            })
        }
        other => Err(format!("unknown range `{other}`")),
    }
}

fn query_string(query: &RangeQuery) -> String {
    let mut out = format!("range={}", query.range.as_deref().unwrap_or("30d"));
    for (key, value) in [("from", &query.from), ("to", &query.to)] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            let safe: String = value
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            out.push_str(&format!("&{key}={safe}"));
        }
    }
    out
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<RangeQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewAuditLog)?;
    let timezone = business_timezone(&member)?;
    let range = resolve(&query, state.clock.now(), &timezone).map_err(PageError::BadRequest)?;
    let events = state
        .store
        .audit_events(member.business_id(), range, PAGE_SIZE, query.before)
        .await?;
    let selected = query.range.clone().unwrap_or_else(|| "30d".into());
    let next = (events.len() == PAGE_SIZE as usize)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    Ok(layout(
        &member,
        "/app/audit",
        "Audit log",
        html! {
            form.row.card method="get" action="/app/audit" {
                div {
                    label for="range" { "Period" }
                    select id="range" name="range" {
                        @for (value, label) in [("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days"), ("month", "This month"), ("custom", "Custom range")] {
                            option value=(value) selected[selected == value] { (label) }
                        }
                    }
                }
                div {
                    label for="from" { "From (custom)" }
                    input id="from" name="from" type="date" value=(query.from.clone().unwrap_or_default());
                }
                div {
                    label for="to" { "To (custom)" }
                    input id="to" name="to" type="date" value=(query.to.clone().unwrap_or_default());
                }
                button type="submit" { "Show" }
                @if member.can(Permission::ExportData) {
                    a.button href=(format!("/app/audit.csv?{}", query_string(&query))) download { "Export CSV" }
                }
            }
            p.muted { "Times are in " (timezone.iana_name().unwrap_or("the business's time zone")) ". Every event is chained to the one before it; " code { "frontdesk audit verify" } " checks the chain." }
            @if events.is_empty() {
                p { "No events in this period." }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr { th { "When" } th { "Who" } th { "What" } th { "Resource" } th { "From" } th { "Detail" } } }
                        tbody {
                            @for record in &events {
                                @let event = &record.event;
                                tr {
                                    td { (local_time(event.at, &timezone)) }
                                    td { (event.actor.email.as_deref().unwrap_or("system")) }
                                    td { code { (event.action) } }
                                    td { (event.resource.as_deref().unwrap_or("")) }
                                    td { (event.ip.as_deref().unwrap_or("")) }
                                    td { (event.detail.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if query.before.is_some() { a href=(format!("/app/audit?{}", query_string(&query))) { "← Newest" } }
                @if let Some(seq) = next { a href=(format!("/app/audit?{}&before={seq}", query_string(&query))) { "Older →" } }
            }
        },
    ))
}

pub async fn export(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    member.require(Permission::ExportData)?;
    member.require(Permission::ViewAuditLog)?;
    member.require_same_site()?;
    let timezone = business_timezone(&member)?;
    let range = resolve(&query, state.clock.now(), &timezone).map_err(PageError::BadRequest)?;
    // Audited first, so the export's own event is in the chain (and in a later export).
    audit_member(
        &state,
        &member,
        AuditAction::AuditExported,
        None,
        Some(query_string(&query)),
    )
    .await?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let business = member.business_id();
    tokio::spawn(async move {
        let mut csv = match AuditCsv::new(Vec::new(), timezone) {
            Ok(csv) => csv,
            Err(_) => return,
        };
        let mut events = state.store.audit_stream(business, range);
        let mut written = 0usize;
        loop {
            let record = match events.next().await {
                None => break,
                Some(Ok(record)) => record,
                Some(Err(error)) => {
                    tracing::error!(%error, "audit export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            if csv.write(&record).is_err() {
                return;
            }
            written += 1;
            // Hand over what is buffered every hundred rows: memory stays flat.
            if written.is_multiple_of(100) {
                let Ok(chunk) = csv.take() else { return };
                if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                    return;
                }
            }
        }
        if let Ok(rest) = csv.finish() {
            let _ = tx.send(Ok(Bytes::from(rest))).await;
        }
    });
    let filename = format!(
        "{}-audit-{}.csv",
        member.business.slug,
        state.clock.now().to_zoned(TimeZone::UTC).date()
    );
    Ok(csv_download(&filename, rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(range: &str, from: Option<&str>, to: Option<&str>) -> RangeQuery {
        RangeQuery {
            range: Some(range.into()),
            from: from.map(Into::into),
            to: to.map(Into::into),
            before: None,
        }
    }

    #[test]
    fn ranges_start_at_local_midnight_across_dst() {
        let chicago = TimeZone::get("America/Chicago").unwrap();
        // 2026-11-02 10:00 in Chicago, the day after DST ended.
        let now: Timestamp = "2026-11-02T16:00:00Z".parse().unwrap();
        let today = resolve(&query("today", None, None), now, &chicago).unwrap();
        assert_eq!(today.from, Some("2026-11-02T06:00:00Z".parse().unwrap()));
        let week = resolve(&query("7d", None, None), now, &chicago).unwrap();
        // Six days back is 2026-10-27, still daylight time (UTC-5).
        assert_eq!(week.from, Some("2026-10-27T05:00:00Z".parse().unwrap()));
        let month = resolve(&query("month", None, None), now, &chicago).unwrap();
        assert_eq!(month.from, Some("2026-11-01T05:00:00Z".parse().unwrap()));
        let custom = resolve(
            &query("custom", Some("2026-10-31"), Some("2026-11-01")),
            now,
            &chicago,
        )
        .unwrap();
        assert_eq!(custom.from, Some("2026-10-31T05:00:00Z".parse().unwrap()));
        assert_eq!(custom.to, Some("2026-11-02T06:00:00Z".parse().unwrap()));
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        let utc = TimeZone::UTC;
        let now = Timestamp::UNIX_EPOCH;
        assert!(
            resolve(&query("custom", Some("yesterday"), None), now, &utc)
                .unwrap_err()
                .contains("yesterday")
        );
        assert!(resolve(
            &query("custom", Some("2026-02-02"), Some("2026-02-01")),
            now,
            &utc
        )
        .is_err());
        assert!(resolve(&query("forever", None, None), now, &utc).is_err());
    }
}
