//! Privacy operations in the dashboard: data-subject requests (find, export as a zip
//! of JSON and CSV, delete), the streamed transcript export, deleting a conversation
//! flagged as a child's, and closing the account (the Danger Zone).
//!
//! Every request is audited as its own action. The audit record names the visitor only
//! by a fingerprint (a hash of the business and the identifiers searched), never by the
//! email or phone number in clear.

use std::io::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::{token_hash, Password, Permission};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::business::Business;
use frontdesk_core::conversation::ConversationId;
use frontdesk_core::leads::{calling_code, find_email, find_phone};
use frontdesk_store::{defuse, VisitorData, VisitorQuery};
use maud::{html, Markup};
use serde::Deserialize;

use super::auth::{verify_blocking, verify_second_factor};
use super::error::JsonError;
use super::error::PageError;
use super::home::{csv_line, paged_csv};
use super::session::{ApiPosted, Posted};
use super::views::{layout, local_time};
use super::{audit_member, Member};
use crate::AppState;

/// Messages read per query while exporting transcripts.
const TRANSCRIPT_BATCH: u32 = 500;

/// Who the owner is looking for, as typed.
#[derive(Debug, Deserialize, Default)]
pub struct SubjectForm {
    #[serde(default)]
    visitor_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

impl SubjectForm {
    /// The query, with the email checked and the phone put in E.164 the way leads
    /// store it (the business's own country code when none is typed).
    fn query(&self, member: &Member) -> Result<VisitorQuery, PageError> {
        let business = Business::from_toml(&member.business.source)
            .map_err(|e| PageError::Internal(e.to_string()))?;
        let visitor_id = Some(self.visitor_id.trim().to_owned()).filter(|v| !v.is_empty());
        let email = match self.email.trim() {
            "" => None,
            typed => Some(find_email(typed).ok_or_else(|| {
                PageError::BadRequest("That email address does not look right.".into())
            })?),
        };
        let phone = match self.phone.trim() {
            "" => None,
            typed => Some(
                find_phone(typed, &calling_code(business.phone.as_deref()))
                    .ok_or_else(|| {
                        PageError::BadRequest("That phone number does not look right.".into())
                    })?
                    .as_str()
                    .to_owned(),
            ),
        };
        let query = VisitorQuery {
            visitor_id,
            email,
            phone,
        };
        if query.is_empty() {
            return Err(PageError::BadRequest(
                "Give a visitor id, an email address or a phone number.".into(),
            ));
        }
        Ok(query)
    }
}

/// The audit resource of a request: a fingerprint that tells two requests about the
/// same person apart from others without storing who they are.
fn subject(member: &Member, query: &VisitorQuery) -> String {
    let key = format!(
        "{}|{}|{}|{}",
        member.business_id(),
        query.visitor_id.as_deref().unwrap_or(""),
        query.email.as_deref().unwrap_or(""),
        query.phone.as_deref().unwrap_or("")
    );
    format!("data_subject:{}", &token_hash(&key)[..16])
}

/// Which identifiers a request used, for the audit detail.
fn searched_by(query: &VisitorQuery) -> String {
    [
        query.visitor_id.as_ref().map(|_| "visitor id"),
        query.email.as_ref().map(|_| "email"),
        query.phone.as_ref().map(|_| "phone"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

fn counts(data: &[(&'static str, u64)]) -> String {
    data.iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data-subject page: a search form, and with a search, what was found.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(form): Query<SubjectForm>,
) -> Result<Response, PageError> {
    member.require(Permission::HandleDataRequests)?;
    member.require_same_site()?;
    let searching = !(form.visitor_id.trim().is_empty()
        && form.email.trim().is_empty()
        && form.phone.trim().is_empty());
    let (found, error) = if searching {
        match form.query(&member) {
            Ok(query) => {
                let data = state
                    .store
                    .find_visitor_data(member.business_id(), &query)
                    .await?;
                audit_member(
                    &state,
                    &member,
                    AuditAction::DataSubjectSearched,
                    Some(subject(&member, &query)),
                    Some(format!("by {}: {} rows", searched_by(&query), data.total())),
                )
                .await?;
                (Some(data), None)
            }
            Err(PageError::BadRequest(message)) => (None, Some(message)),
            Err(other) => return Err(other),
        }
    } else {
        (None, None)
    };
    Ok(view(&member, &form, found.as_ref(), error.as_deref(), None).into_response())
}

fn view(
    member: &Member,
    form: &SubjectForm,
    found: Option<&VisitorData>,
    error: Option<&str>,
    done: Option<&str>,
) -> Markup {
    let csrf = &member.session.csrf_token;
    let hidden = html! {
        input type="hidden" name="csrf" value=(csrf);
        input type="hidden" name="visitor_id" value=(form.visitor_id);
        input type="hidden" name="email" value=(form.email);
        input type="hidden" name="phone" value=(form.phone);
    };
    layout(
        member,
        "/app/privacy",
        "Visitor data requests",
        html! {
            p { "Find everything this business holds about one visitor — by the visitor id from a conversation, an email address or a phone number — to send it to them or to delete it. Every search, export and deletion is recorded in the audit log." }
            @if let Some(done) = done { p.notice role="status" { (done) } }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form.card method="get" action="/app/privacy" role="search" {
                label for="visitor_id" { "Visitor id" }
                input id="visitor_id" name="visitor_id" value=(form.visitor_id);
                label for="email" { "Email" }
                input id="email" name="email" type="email" value=(form.email);
                label for="phone" { "Phone" }
                input id="phone" name="phone" type="tel" value=(form.phone);
                button type="submit" { "Find" }
            }
            @if let Some(found) = found {
                section.card aria-labelledby="found" {
                    h2 id="found" { "Found" }
                    @if found.total() == 0 {
                        p { "Nothing is held about this visitor." }
                    } @else {
                        ul {
                            @for (name, n) in found.counts() {
                                li { (name.replace('_', " ")) ": " (n) }
                            }
                        }
                        form method="post" action="/app/privacy/export" {
                            (hidden)
                            button type="submit" { "Export as a zip (JSON and CSV)" }
                        }
                        form method="post" action="/app/privacy/delete" {
                            (hidden)
                            label {
                                input type="checkbox" name="confirm" value="yes" required;
                                " I understand this deletes all of it, for good."
                            }
                            button.danger type="submit" { "Delete everything about this visitor" }
                        }
                    }
                }
            }
        },
    )
}

/// Finds the visitor's data for an export, and records the export.
async fn export_data(
    state: &AppState,
    member: &Member,
    form: &SubjectForm,
) -> Result<VisitorData, PageError> {
    member.require(Permission::HandleDataRequests)?;
    let query = form.query(member)?;
    let data = state
        .store
        .find_visitor_data(member.business_id(), &query)
        .await?;
    audit_member(
        state,
        member,
        AuditAction::DataSubjectExported,
        Some(subject(member, &query)),
        Some(format!("by {}: {} rows", searched_by(&query), data.total())),
    )
    .await?;
    Ok(data)
}

/// Deletes the visitor's data, and records the deletion.
async fn delete_data(
    state: &AppState,
    member: &Member,
    form: &DeleteSubjectForm,
) -> Result<Vec<(&'static str, u64)>, PageError> {
    member.require(Permission::HandleDataRequests)?;
    if form.confirm != "yes" {
        return Err(PageError::BadRequest(
            "Tick the box to confirm the deletion (confirm=yes).".into(),
        ));
    }
    let query = form.subject.query(member)?;
    let deleted = state
        .store
        .delete_visitor_data(member.business_id(), &query)
        .await?;
    audit_member(
        state,
        member,
        AuditAction::DataSubjectDeleted,
        Some(subject(member, &query)),
        Some(format!("by {}: {}", searched_by(&query), counts(&deleted))),
    )
    .await?;
    Ok(deleted)
}

/// Exports what was found as a zip: `visitor.json` with every kind of data, and one
/// CSV file per kind (formula-safe).
pub async fn export(
    State(state): State<AppState>,
    posted: Posted<SubjectForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    let data = export_data(&state, &member, &form).await?;
    let zip = visitor_zip(&data, state.clock.now())?;
    let filename = format!(
        "{}-visitor-data-{}.zip",
        member.business.slug,
        state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        zip,
    )
        .into_response())
}

/// `POST /api/v1/app/data-subject/export` (`visitor_id`, `email` and/or `phone`, with
/// the `X-CSRF-Token` header): the visitor's data as JSON, one array per kind.
pub async fn export_json(
    State(state): State<AppState>,
    ApiPosted(posted): ApiPosted<SubjectForm>,
) -> Result<axum::Json<serde_json::Value>, JsonError> {
    let data = export_data(&state, &posted.member, &posted.form).await?;
    Ok(axum::Json(visitor_json(&data, state.clock.now())))
}

/// `POST /api/v1/app/data-subject/delete` (the same fields and `confirm=yes`): deletes
/// it all and answers with the rows deleted per kind.
pub async fn delete_json(
    State(state): State<AppState>,
    ApiPosted(posted): ApiPosted<DeleteSubjectForm>,
) -> Result<axum::Json<serde_json::Value>, JsonError> {
    let deleted = delete_data(&state, &posted.member, &posted.form).await?;
    let deleted: serde_json::Map<String, serde_json::Value> = deleted
        .into_iter()
        .map(|(name, n)| (name.to_owned(), n.into()))
        .collect();
    Ok(axum::Json(serde_json::json!({ "deleted": deleted })))
}

/// One visitor's data as a JSON object: when, and an array of row objects per kind.
fn visitor_json(data: &VisitorData, now: jiff::Timestamp) -> serde_json::Value {
    let mut json = serde_json::Map::new();
    json.insert("exported_at".into(), now.to_string().into());
    for category in &data.categories {
        let rows: Vec<serde_json::Value> = category
            .rows
            .iter()
            .map(|row| {
                serde_json::Value::Object(
                    category
                        .columns
                        .iter()
                        .map(|c| (*c).to_owned())
                        .zip(row.iter().cloned())
                        .collect(),
                )
            })
            .collect();
        json.insert(category.name.into(), rows.into());
    }
    serde_json::Value::Object(json)
}

/// The zip of one visitor's data.
fn visitor_zip(data: &VisitorData, now: jiff::Timestamp) -> Result<Vec<u8>, PageError> {
    let internal = |e: &dyn std::fmt::Display| PageError::Internal(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for category in &data.categories {
        zip.start_file(format!("{}.csv", category.name), options)
            .map_err(|e| internal(&e))?;
        let mut csv = csv_line(
            &category
                .columns
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>(),
        )?
        .to_vec();
        for row in &category.rows {
            let fields: Vec<String> = row
                .iter()
                .map(|value| match value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(text) => defuse(text).into_owned(),
                    other => other.to_string(),
                })
                .collect();
            csv.extend_from_slice(&csv_line(&fields)?);
        }
        zip.write_all(&csv).map_err(|e| internal(&e))?;
    }
    zip.start_file("visitor.json", options)
        .map_err(|e| internal(&e))?;
    let text = serde_json::to_vec_pretty(&visitor_json(data, now)).map_err(|e| internal(&e))?;
    zip.write_all(&text).map_err(|e| internal(&e))?;
    Ok(zip.finish().map_err(|e| internal(&e))?.into_inner())
}

#[derive(Debug, Deserialize)]
pub struct DeleteSubjectForm {
    #[serde(flatten)]
    subject: SubjectForm,
    #[serde(default)]
    confirm: String,
}

/// Deletes everything held about the visitor, in one transaction.
pub async fn delete(
    State(state): State<AppState>,
    posted: Posted<DeleteSubjectForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    let deleted = delete_data(&state, &member, &form).await?;
    let total: u64 = deleted.iter().map(|(_, n)| n).sum();
    Ok(view(
        &member,
        &SubjectForm::default(),
        None,
        None,
        Some(&format!("Deleted {total} records about this visitor.")),
    )
    .into_response())
}

/// Every transcript as CSV, streamed a page at a time (health details were redacted
/// before they were stored; cells are formula-safe).
pub async fn transcripts_csv(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, PageError> {
    member.require(Permission::ExportData)?;
    member.require_same_site()?;
    audit_member(
        &state,
        &member,
        AuditAction::ConversationsExported,
        None,
        Some("csv".into()),
    )
    .await?;
    let timezone = super::home::business_timezone(&member)?;
    let business = member.business_id();
    let filename = format!(
        "{}-transcripts-{}.csv",
        member.business.slug,
        state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    );
    let header = [
        "conversation_id",
        "channel",
        "visitor_id",
        "message_id",
        "time",
        "role",
        "text",
    ];
    paged_csv(&filename, &header, None, move |after: Option<String>| {
        let (state, timezone) = (state.clone(), timezone.clone());
        async move {
            let page = state
                .store
                .transcript_page(business, after.as_deref(), TRANSCRIPT_BATCH)
                .await?;
            let next = match page.last() {
                Some(last) if page.len() == TRANSCRIPT_BATCH as usize => {
                    Some(Some(last.message_id.clone()))
                }
                _ => None,
            };
            let rows = page
                .iter()
                .map(|line| {
                    vec![
                        line.conversation_id.clone(),
                        defuse(&line.channel).into_owned(),
                        defuse(&line.visitor_id).into_owned(),
                        line.message_id.clone(),
                        local_time(line.created_at, &timezone),
                        line.role.clone(),
                        defuse(&line.text).into_owned(),
                    ]
                })
                .collect();
            Ok((rows, next))
        }
    })
}

/// Deletes one conversation (the one-click delete of a transcript flagged as a
/// child's, or any other).
pub async fn delete_conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<super::session::NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::HandleDataRequests)?;
    let id = id
        .parse()
        .map(ConversationId)
        .map_err(|_| PageError::NotFound)?;
    if !state
        .store
        .delete_conversation(member.business_id(), id)
        .await?
    {
        return Err(PageError::NotFound);
    }
    audit_member(
        &state,
        &member,
        AuditAction::ConversationDeleted,
        Some(format!("conversation:{id}")),
        None,
    )
    .await?;
    Ok(Redirect::to("/app/conversations").into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct CloseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    business_name: String,
}

/// Settings → Account → Danger Zone: what closing means, the exports to take first, and
/// the form.
pub async fn danger_zone(member: Member) -> Result<Markup, PageError> {
    member.require(Permission::DangerZone)?;
    Ok(danger_view(&member, None))
}

fn danger_view(member: &Member, error: Option<&str>) -> Markup {
    layout(
        member,
        "/app/account",
        "Danger Zone: close this account",
        html! {
            @if let Some(error) = error { p.error role="alert" { (error) } }
            section.card aria-labelledby="before" {
                h2 id="before" { "Before you close it: take your data" }
                ul {
                    li { a href="/app/conversations.csv" download { "All conversations (CSV)" } }
                    li { a href="/app/leads.csv" download { "All leads (CSV)" } }
                    li { a href="/app/audit.csv" download { "The audit log (CSV)" } }
                }
            }
            section.card aria-labelledby="close" {
                h2 id="close" { "Close the account" }
                p { "Closing is immediate: the assistant stops answering on your website, everyone on the team is signed out and no one can sign in again. All of the business's data — conversations, leads, appointments, settings and team — is deleted for good at the end of the grace period. The audit log is kept six years, as the privacy policy says, and then deleted too." }
                form method="post" action="/app/account/close" {
                    input type="hidden" name="csrf" value=(member.session.csrf_token);
                    label for="password" { "Your password" }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                    @if member.user().two_factor {
                        label for="code" { "Code from your authenticator app" }
                        input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required;
                    }
                    label for="business_name" { "Type the business name, " b { (member.business.name) } ", to confirm" }
                    input id="business_name" name="business_name" required;
                    button.danger type="submit" { "Close this account" }
                }
            }
        },
    )
}

/// Closes the account: Owner only, with the password (and second factor) again and the
/// business name typed exactly. Audited before the closure takes effect.
pub async fn close(
    State(state): State<AppState>,
    posted: Posted<CloseForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::DangerZone)?;
    let refuse = |message: &str| {
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            danger_view(&member, Some(message)),
        )
            .into_response())
    };
    let attempt = super::auth::begin_attempt(
        &state,
        super::auth::Guarded::SignIn,
        Some(&member.user().email),
        &member.context,
    )
    .await?;
    if !verify_blocking(
        Password::new(form.password.clone()),
        member.user().password_hash.clone(),
    )
    .await?
    {
        return refuse("The password is not right.");
    }
    if member.user().two_factor
        && verify_second_factor(&state, member.user(), &form.code)
            .await?
            .is_none()
    {
        return refuse("That code is not right, or it was already used.");
    }
    super::auth::attempt_succeeded(&state, &attempt).await?;
    if form.business_name.trim() != member.business.name {
        return refuse("The business name does not match. Type it exactly as shown.");
    }
    let policy = state.retention;
    let now = state.clock.now();
    audit_member(
        &state,
        &member,
        AuditAction::AccountDeletionRequested,
        Some(format!("business:{}", member.business_id())),
        Some(format!(
            "account closed; data purged after {} days",
            policy.closure_grace().as_hours() / 24
        )),
    )
    .await?;
    state
        .store
        .close_account(member.business_id(), &policy, now)
        .await?;
    state.businesses.forget(&member.business.slug);
    let secure = state.dashboard.secure_cookies();
    Ok((
        [(
            header::SET_COOKIE,
            super::session::set_cookie(super::session::SESSION_COOKIE, None, secure),
        )],
        Redirect::to("/app/login"),
    )
        .into_response())
}
