//! Home (activity at a glance), conversations with transcripts, and leads.

use std::future::Future;

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use frontdesk_core::accounts::Permission;
use frontdesk_core::assistant::StoreError;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::conversation::{ConversationId, Role as Speaker};
use frontdesk_store::{defuse, ConversationFilter, Lead};
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::error::PageError;
use super::views::{activity_chart, layout, local_time};
use super::{audit_member, Member};
use crate::AppState;

/// Days on the home chart.
const CHART_DAYS: i64 = 30;
/// Rows per page of lists.
const PAGE_SIZE: u32 = 50;
/// Rows read per query while exporting.
const EXPORT_BATCH: u32 = 500;

pub async fn home(State(state): State<AppState>, member: Member) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    let timezone = business_timezone(&member)?;
    let today = state.clock.now().to_zoned(timezone.clone()).date();
    let first = today
        .checked_sub(jiff::Span::new().days(CHART_DAYS - 1))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let since = first
        .to_zoned(timezone.clone())
        .map_err(|e| PageError::Internal(e.to_string()))?
        .timestamp();
    let (conversations, leads) = state
        .store
        .activity_since(member.business_id(), since)
        .await?;
    let day_of = |t: &jiff::Timestamp| t.to_zoned(timezone.clone()).date();
    let days: Vec<(Date, usize, usize)> = first
        .series(jiff::Span::new().days(1))
        .take(CHART_DAYS as usize)
        .map(|day| {
            (
                day,
                conversations.iter().filter(|t| day_of(t) == day).count(),
                leads.iter().filter(|t| day_of(t) == day).count(),
            )
        })
        .collect();
    let (failed, last_error) = state
        .store
        .notification_failures(member.business_id())
        .await?;
    let widget = format!(
        "<script src=\"{}/widget.js\" data-business=\"{}\" defer></script>",
        state.dashboard.public_url, member.business.slug
    );
    Ok(layout(
        &member,
        "/app",
        "Home",
        html! {
            @if failed > 0 {
                div.error role="alert" {
                    (failed) " team notification" (if failed == 1 { "" } else { "s" }) " could not be delivered"
                    @if let Some(error) = &last_error { " (latest: " (error) ")" }
                    ". Check the email and SMS settings, and each member's address under Account."
                }
            }
            div.stats {
                div.card.stat { b { (conversations.len()) } "conversations in the last 30 days" }
                div.card.stat { b { (leads.len()) } "leads in the last 30 days" }
                div.card.stat { b { (days.last().map_or(0, |d| d.1)) } "conversations today" }
            }
            section.card aria-labelledby="activity" {
                h2 id="activity" { "Activity, last 30 days" }
                @if conversations.is_empty() && leads.is_empty() {
                    p.muted { "No conversations yet. Once the assistant is on your website, each day's conversations and leads show here." }
                }
                (activity_chart(&days))
            }
            section.card aria-labelledby="install" {
                h2 id="install" { "Put the assistant on your website" }
                p { "Paste this line before " code { "</body>" } " on every page:" }
                pre { code { (widget) } }
                p { a href="/app/preview" { "Try your assistant" } }
            }
        },
    ))
}

/// The owner's own assistant on a blank page, to try answers after an edit.
pub async fn preview(member: Member) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    Ok(layout(
        &member,
        "/app",
        "Try your assistant",
        html! {
            p { "This is the assistant your visitors see. Open it with the button in the corner and ask what a customer would ask." }
            p.muted { "Conversations you have here appear under Conversations like any other." }
            script src="/widget.js" data-business=(member.business.slug) defer {}
        },
    ))
}

pub(super) fn business_timezone(member: &Member) -> Result<jiff::tz::TimeZone, PageError> {
    frontdesk_core::business::Business::from_toml(&member.business.source)
        .map(|b| b.timezone)
        .map_err(|e| PageError::Internal(e.to_string()))
}

#[derive(Debug, Deserialize, Default)]
pub struct ConversationQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn conversations(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ConversationQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    let timezone = business_timezone(&member)?;
    let page_number = query.page.unwrap_or(1).clamp(1, 10_000);
    let channel = query
        .channel
        .as_deref()
        .filter(|c| ["web", "sms", "voice"].contains(c))
        .map(str::to_owned);
    let filter = ConversationFilter {
        text: query.q.clone(),
        channel: channel.clone(),
        ..Default::default()
    };
    let rows = state
        .store
        .conversations(
            member.business_id(),
            &filter,
            PAGE_SIZE + 1,
            (page_number - 1) * PAGE_SIZE,
        )
        .await?;
    let more = rows.len() > PAGE_SIZE as usize;
    let link = |page: u32| {
        let mut url = format!("/app/conversations?page={page}");
        if let Some(q) = query.q.as_deref().filter(|q| !q.is_empty()) {
            url.push_str(&format!("&q={}", urlencode(q)));
        }
        if let Some(c) = &channel {
            url.push_str(&format!("&channel={c}"));
        }
        url
    };
    Ok(layout(
        &member,
        "/app/conversations",
        "Conversations",
        html! {
            @if member.can(Permission::ExportData) {
                p { a.button href="/app/conversations.csv" download { "Export all transcripts as CSV" } }
            }
            form.row.card method="get" action="/app/conversations" role="search" {
                div {
                    label for="q" { "Search messages" }
                    input id="q" name="q" type="search" value=(query.q.clone().unwrap_or_default());
                }
                div {
                    label for="channel" { "Channel" }
                    select id="channel" name="channel" {
                        option value="" { "All" }
                        @for (value, label) in [("web", "Website chat"), ("sms", "SMS"), ("voice", "Phone")] {
                            option value=(value) selected[channel.as_deref() == Some(value)] { (label) }
                        }
                    }
                }
                button type="submit" { "Filter" }
            }
            @if rows.is_empty() {
                p { "No conversations match." }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr { th { "Last activity" } th { "Channel" } th { "Opened with" } th { "Messages" } th { "Flag" } } }
                        tbody {
                            @for c in rows.iter().take(PAGE_SIZE as usize) {
                                tr {
                                    td { a href=(format!("/app/conversations/{}", c.id)) { (local_time(c.updated_at, &timezone)) } }
                                    td { (c.channel) }
                                    td { (c.opening.as_deref().map(|t| shortened(t, 90)).unwrap_or_default()) }
                                    td { (c.messages) }
                                    td {
                                        @if c.child_flagged_at.is_some() {
                                            strong.flag { "Under 13: please delete" }
                                            @if member.can(Permission::HandleDataRequests) {
                                                form.inline method="post" action=(format!("/app/conversations/{}/delete", c.id)) {
                                                    input type="hidden" name="csrf" value=(member.session.csrf_token);
                                                    button.danger type="submit" { "Delete" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if page_number > 1 { a href=(link(page_number - 1)) { "← Newer" } }
                @if more { a href=(link(page_number + 1)) { "Older →" } }
            }
        },
    ))
}

fn shortened(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// Percent-encodes a query value.
fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn transcript(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewConversations)?;
    member.require_same_site()?;
    let id = id
        .parse()
        .map(ConversationId)
        .map_err(|_| PageError::NotFound)?;
    let (summary, messages) = state
        .store
        .team_transcript(member.business_id(), id)
        .await?
        .ok_or(PageError::NotFound)?;
    // Recorded before the transcript is shown: no unaudited view.
    audit_member(
        &state,
        &member,
        AuditAction::TranscriptViewed,
        Some(format!("conversation:{id}")),
        None,
    )
    .await?;
    let timezone = business_timezone(&member)?;
    Ok(layout(
        &member,
        "/app/conversations",
        "Conversation",
        html! {
            @if summary.child_flagged_at.is_some() {
                div.error role="alert" {
                    p { "The visitor said they are under 13. No contact details were taken after that; please delete this conversation." }
                    @if member.can(Permission::HandleDataRequests) {
                        form method="post" action=(format!("/app/conversations/{id}/delete")) {
                            input type="hidden" name="csrf" value=(member.session.csrf_token);
                            button.danger type="submit" { "Delete this conversation" }
                        }
                    }
                }
            }
            p.muted {
                (summary.channel) " · started " (local_time(summary.created_at, &timezone))
                @if let Some(url) = &summary.page_url { " · on " (url) }
            }
            ol style="list-style:none;padding:0" aria-label="Messages" {
                @for message in &messages {
                    @let (class, who) = match message.role { Speaker::Visitor => ("visitor", "Visitor"), Speaker::Assistant => ("assistant", "Assistant") };
                    li class=(format!("msg {class}")) {
                        small { (who) " · " (local_time(message.created_at, &timezone)) }
                        (message.text)
                    }
                }
            }
            p { a href="/app/conversations" { "← All conversations" } }
        },
    ))
}

pub async fn leads(State(state): State<AppState>, member: Member) -> Result<Markup, PageError> {
    member.require(Permission::ViewLeads)?;
    let timezone = business_timezone(&member)?;
    let leads = state
        .store
        .leads(member.business_id(), PAGE_SIZE, 0)
        .await?;
    Ok(layout(
        &member,
        "/app/leads",
        "Leads",
        html! {
            @if member.can(Permission::ExportData) {
                p { a.button href="/app/leads.csv" download { "Export all leads as CSV" } }
            }
            @if leads.is_empty() {
                p { "No leads yet. When a visitor asks to be contacted or to book, they appear here." }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr { th { "When" } th { "Name" } th { "Phone" } th { "Email" } th { "Interested in" } th { "Contact time" } th { "Consent" } } }
                        tbody {
                            @for lead in &leads {
                                tr {
                                    td {
                                        @if let Some(c) = lead.conversation {
                                            a href=(format!("/app/conversations/{c}")) { (local_time(lead.created_at, &timezone)) }
                                        } @else { (local_time(lead.created_at, &timezone)) }
                                    }
                                    td { (lead.name.as_deref().unwrap_or("")) }
                                    td { (lead.phone.as_deref().unwrap_or("")) }
                                    td { (lead.email.as_deref().unwrap_or("")) }
                                    td { (lead.interest.as_deref().unwrap_or("")) }
                                    td { (lead.preferred_time.as_deref().unwrap_or("")) }
                                    td { (if lead.consent { "yes" } else { "no" }) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn lead_row(lead: &Lead, timezone: &jiff::tz::TimeZone) -> Vec<String> {
    vec![
        lead.id.to_string(),
        local_time(lead.created_at, timezone),
        lead.channel.clone(),
        defuse(lead.name.as_deref().unwrap_or("")).into_owned(),
        defuse(lead.phone.as_deref().unwrap_or("")).into_owned(),
        defuse(lead.email.as_deref().unwrap_or("")).into_owned(),
        defuse(lead.interest.as_deref().unwrap_or("")).into_owned(),
        defuse(lead.preferred_time.as_deref().unwrap_or("")).into_owned(),
        if lead.consent { "yes" } else { "no" }.to_owned(),
        lead.conversation.map(|c| c.to_string()).unwrap_or_default(),
        defuse(lead.page_url.as_deref().unwrap_or("")).into_owned(),
    ]
}

const LEAD_HEADER: [&str; 11] = [
    "id",
    "created",
    "channel",
    "name",
    "phone",
    "email",
    "interest",
    "preferred_time",
    "consent",
    "conversation_id",
    "page_url",
];

pub(super) fn csv_line(fields: &[String]) -> Result<Bytes, PageError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields)
        .map_err(|e| PageError::Internal(e.to_string()))?;
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| PageError::Internal(e.to_string()))
}

/// A CSV download streamed from a channel, so memory stays flat for any size.
pub(super) fn csv_download(
    filename: &str,
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

pub async fn leads_csv(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, PageError> {
    member.require(Permission::ExportData)?;
    member.require_same_site()?;
    audit_member(
        &state,
        &member,
        AuditAction::LeadsExported,
        None,
        Some("csv".into()),
    )
    .await?;
    let timezone = business_timezone(&member)?;
    let business = member.business_id();
    let filename = format!(
        "{}-leads-{}.csv",
        member.business.slug,
        state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    );
    paged_csv(&filename, &LEAD_HEADER, 0, move |offset| {
        let (state, timezone) = (state.clone(), timezone.clone());
        async move {
            let batch = state.store.leads(business, EXPORT_BATCH, offset).await?;
            let next = (batch.len() == EXPORT_BATCH as usize).then_some(offset + EXPORT_BATCH);
            Ok((batch.iter().map(|l| lead_row(l, &timezone)).collect(), next))
        }
    })
}

/// One page of a CSV export: its rows, and where the next page starts (`None` after
/// the last).
pub(super) type CsvPage<C> = Result<(Vec<Vec<String>>, Option<C>), StoreError>;

/// A CSV download read page by page from `next_page`, starting at `first`, and streamed
/// as it is read: memory stays flat for any size.
pub(super) fn paged_csv<C, F, Fut>(
    filename: &str,
    header: &[&str],
    first: C,
    mut next_page: F,
) -> Result<Response, PageError>
where
    C: Send + 'static,
    F: FnMut(C) -> Fut + Send + 'static,
    Fut: Future<Output = CsvPage<C>> + Send,
{
    let header_line = csv_line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())?;
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        if tx.send(Ok(header_line)).await.is_err() {
            return;
        }
        let mut cursor = Some(first);
        while let Some(at) = cursor.take() {
            let (rows, next) = match next_page(at).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(%error, "export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            for row in &rows {
                let Ok(line) = csv_line(row) else {
                    return;
                };
                if tx.send(Ok(line)).await.is_err() {
                    return;
                }
            }
            cursor = next;
        }
    });
    Ok(csv_download(filename, rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("a b&c=d"), "a%20b%26c%3Dd");
    }
}

/// One lead in the JSON API.
#[derive(Debug, serde::Serialize)]
pub struct LeadJson {
    pub id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interest: Option<String>,
    pub preferred_time: Option<String>,
    pub consent: bool,
    pub channel: String,
    pub page_url: Option<String>,
    pub conversation_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

/// `GET /api/v1/app/leads?limit=&offset=`: the signed-in member's business, newest first.
pub async fn leads_json(
    State(state): State<AppState>,
    super::session::ApiMember(member): super::session::ApiMember,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<Vec<LeadJson>>, super::error::JsonError> {
    member.require(Permission::ViewLeads)?;
    let leads = state
        .store
        .leads(
            member.business_id(),
            page.limit.unwrap_or(PAGE_SIZE).clamp(1, 500),
            page.offset.unwrap_or(0),
        )
        .await?;
    Ok(axum::Json(
        leads
            .into_iter()
            .map(|lead| LeadJson {
                id: lead.id.to_string(),
                name: lead.name,
                phone: lead.phone,
                email: lead.email,
                interest: lead.interest,
                preferred_time: lead.preferred_time,
                consent: lead.consent,
                channel: lead.channel,
                page_url: lead.page_url,
                conversation_id: lead.conversation.map(|c| c.to_string()),
                created_at: lead.created_at.to_string(),
                updated_at: lead.updated_at.to_string(),
            })
            .collect(),
    ))
}
