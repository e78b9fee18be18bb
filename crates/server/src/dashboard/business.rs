//! The business's knowledge: weekly hours as a form, and the whole business file (profile,
//! closures, services, insurance, FAQs) as text. Both go through the same validation as
//! `frontdesk business import`, and every change is audited.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::Permission;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::business::Business;
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::session::Posted;
use super::views::{csrf_field, error_box, layout};
use super::{audit_member, Member};
use crate::AppState;

/// The `[hours]` keys, in week order, with their labels.
const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn view(member: &Member, source: &str, error: Option<&str>, saved: bool) -> Markup {
    layout(
        member,
        "/app/business",
        "Business",
        html! {
            @if saved { div.notice role="status" { "Saved. The assistant answers with the new information now." } }
            (error_box(error))
            section.card aria-labelledby="hours-title" {
                h2 id="hours-title" { "Opening hours" }
                p.muted id="hours-help" { "Like 09:00-17:00, or 08:00-12:00, 13:00-17:00 for a lunch break, or closed." }
                form method="post" action="/app/business/hours" {
                    (csrf_field(member))
                    div.hours {
                        @for (key, label) in DAYS {
                            label for=(format!("hours-{key}")) { (label) }
                            input id=(format!("hours-{key}")) name=(key) type="text" aria-describedby="hours-help"
                                value=(day_hours(source, key));
                        }
                    }
                    p { button type="submit" { "Save hours" } }
                }
            }
            section.card aria-labelledby="file-title" {
                h2 id="file-title" { "Everything the assistant knows" }
                p.muted { "Profile, closures, services and prices, insurance plans and FAQs, in the business file format (TOML). The assistant answers only from this." }
                form method="post" action="/app/business/file" {
                    (csrf_field(member))
                    label for="source" { "Business file" }
                    textarea id="source" name="source" spellcheck="false" { (source) }
                    p { button type="submit" { "Save business file" } }
                }
            }
        },
    )
}

/// A day's hours as written in a file that may be mid-edit (and so unparseable).
fn day_hours(source: &str, key: &str) -> String {
    source
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|doc| doc.get("hours")?.get(key)?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "closed".to_owned())
}

pub async fn page(
    member: Member,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::EditKnowledge)?;
    Ok(view(
        &member,
        &member.business.source,
        None,
        query.saved.is_some(),
    ))
}

/// Validates and stores a new business file, keeping the slug (the widget's address).
async fn save(
    state: &AppState,
    member: &Member,
    source: &str,
    what: &str,
) -> Result<Response, PageError> {
    let business = match Business::from_toml(source) {
        Ok(business) => business,
        Err(error) => {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                view(member, source, Some(&error.to_string()), false),
            )
                .into_response())
        }
    };
    if business.slug.as_str() != member.business.slug {
        let message = format!(
            "The slug must stay `{}`: it is the address your website's widget uses.",
            member.business.slug
        );
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            view(member, source, Some(&message), false),
        )
            .into_response());
    }
    state
        .store
        .import_business(&business, source, state.clock.now())
        .await?;
    state.businesses.forget(&member.business.slug);
    audit_member(
        state,
        member,
        AuditAction::KnowledgeChanged,
        Some(format!("business:{}", member.business.slug)),
        Some(what.to_owned()),
    )
    .await?;
    Ok(Redirect::to("/app/business?saved=1").into_response())
}

#[derive(Debug, Deserialize)]
pub struct HoursForm {
    #[serde(default)]
    mon: String,
    #[serde(default)]
    tue: String,
    #[serde(default)]
    wed: String,
    #[serde(default)]
    thu: String,
    #[serde(default)]
    fri: String,
    #[serde(default)]
    sat: String,
    #[serde(default)]
    sun: String,
}

pub async fn save_hours(
    State(state): State<AppState>,
    posted: Posted<HoursForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::EditKnowledge)?;
    let mut doc: toml_edit::DocumentMut = member
        .business
        .source
        .parse()
        .map_err(|e: toml_edit::TomlError| PageError::Internal(e.to_string()))?;
    let values = [
        &form.mon, &form.tue, &form.wed, &form.thu, &form.fri, &form.sat, &form.sun,
    ];
    if !doc.contains_table("hours") {
        doc["hours"] = toml_edit::table();
    }
    for ((key, _), value) in DAYS.iter().zip(values) {
        let value = value.trim();
        doc["hours"][key] = toml_edit::value(if value.is_empty() { "closed" } else { value });
    }
    save(&state, &member, &doc.to_string(), "hours").await
}

#[derive(Debug, Deserialize)]
pub struct FileForm {
    #[serde(default)]
    source: String,
}

pub async fn save_file(
    State(state): State<AppState>,
    posted: Posted<FileForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::EditKnowledge)?;
    // Browsers send textarea line breaks as CRLF.
    let source = form.source.replace("\r\n", "\n");
    save(&state, &member, &source, "business file").await
}
