//! Appointments: a week (or a day) at a time in the business's time zone, with cancel and
//! no-show for Admins and Owners; the same as JSON under `/api/v1/app/appointments`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use frontdesk_core::accounts::Permission;
use frontdesk_core::assistant::TurnAction;
use frontdesk_core::audit::AuditAction;
use frontdesk_store::{Appointment, AppointmentStatus};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{JsonError, PageError};
use super::home::business_timezone;
use super::session::{ApiMember, ApiPosted, NoFields, Posted};
use super::views::{layout, local_time, post_button};
use super::{audit_member, Member};
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct RangeQuery {
    /// A day of the week to show (`YYYY-MM-DD`); this week by default.
    #[serde(default)]
    week: Option<String>,
    /// Show only this day.
    #[serde(default)]
    day: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// The local days shown: one day, or Monday to Sunday of a week.
fn days_shown(query: &RangeQuery, today: Date) -> Result<(Date, Date), PageError> {
    let parse = |raw: &str| {
        raw.parse::<Date>()
            .map_err(|_| PageError::BadRequest(format!("`{raw}` is not a date like 2026-11-30")))
    };
    if let Some(day) = query.day.as_deref().filter(|d| !d.is_empty()) {
        let day = parse(day)?;
        return Ok((day, day));
    }
    let anchor = match query.week.as_deref().filter(|w| !w.is_empty()) {
        Some(week) => parse(week)?,
        None => today,
    };
    let monday = anchor
        .checked_sub(i64::from(anchor.weekday().to_monday_zero_offset()).days())
        .map_err(|e| PageError::BadRequest(e.to_string()))?;
    let sunday = monday
        .checked_add(6.days())
        .map_err(|e| PageError::BadRequest(e.to_string()))?;
    Ok((monday, sunday))
}

/// The appointments of the days shown, earliest first.
async fn load(
    state: &AppState,
    member: &Member,
    query: &RangeQuery,
) -> Result<(Date, Date, Vec<Appointment>), PageError> {
    let tz = business_timezone(member)?;
    let today = state.clock.now().to_zoned(tz.clone()).date();
    let (first, last) = days_shown(query, today)?;
    let start = |day: Date| -> Result<Timestamp, PageError> {
        day.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| PageError::Internal(e.to_string()))
    };
    let from = start(first)?;
    let to = start(
        last.tomorrow()
            .map_err(|e| PageError::Internal(e.to_string()))?,
    )?;
    let appointments = state
        .store
        .appointments_between(member.business_id(), from, to)
        .await?;
    Ok((first, last, appointments))
}

fn status_label(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "Booked",
        AppointmentStatus::Cancelled => "Cancelled",
        AppointmentStatus::NoShow => "No-show",
    }
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<RangeQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::ViewLeads)?;
    let tz = business_timezone(&member)?;
    let (first, last, appointments) = load(&state, &member, &query).await?;
    let manage = member.can(Permission::ManageAppointments);
    let previous = first.checked_sub(7.days()).unwrap_or(first);
    let next = first.checked_add(7.days()).unwrap_or(first);
    let notice = match query.done.as_deref() {
        Some("cancelled") => Some("Appointment cancelled."),
        Some("no_show") => Some("Marked as no-show."),
        _ => None,
    };
    Ok(layout(
        &member,
        "/app/appointments",
        "Appointments",
        html! {
            @if let Some(notice) = notice { div.notice role="status" { (notice) } }
            nav.pager aria-label="Weeks" {
                a href=(format!("/app/appointments?week={previous}")) { "← Previous week" }
                span { (first.strftime("%a, %b %-d")) " – " (last.strftime("%a, %b %-d")) }
                a href=(format!("/app/appointments?week={next}")) { "Next week →" }
            }
            @if appointments.is_empty() {
                p { "No appointments in this period." }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr { th { "When" } th { "Service" } th { "Code" } th { "Status" } th { "Conversation" } @if manage { th { "" } } } }
                        tbody {
                            @for a in &appointments {
                                tr {
                                    td { (local_time(a.starts_at, &tz)) " – " (a.ends_at.to_zoned(tz.clone()).strftime("%H:%M")) }
                                    td { (a.service.as_deref().unwrap_or("—")) }
                                    td { code { (a.code) } }
                                    td { (status_label(a.status)) }
                                    td { @if let Some(c) = a.conversation { a href=(format!("/app/conversations/{c}")) { "Open" } } }
                                    @if manage {
                                        td {
                                            @if a.status == AppointmentStatus::Booked {
                                                (post_button(&member, &format!("/app/appointments/{}/cancel", a.id), "Cancel", "secondary"))
                                                " "
                                                @if a.starts_at <= state.clock.now() {
                                                    (post_button(&member, &format!("/app/appointments/{}/no-show", a.id), "No-show", "secondary"))
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
        },
    ))
}

/// Sets a booked appointment's status; audited as a settings change of the business.
async fn change(
    state: &AppState,
    member: &Member,
    id: &str,
    status: AppointmentStatus,
) -> Result<(), PageError> {
    member.require(Permission::ManageAppointments)?;
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    if status == AppointmentStatus::NoShow {
        // A no-show can only be recorded once the appointment has started.
        let now = state.clock.now();
        let a_year_ago = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 366))
            .unwrap_or(now);
        let started = state
            .store
            .appointments_between(member.business_id(), a_year_ago, now)
            .await?;
        if !started.iter().any(|a| a.id == id) {
            return Err(PageError::Conflict(
                "An appointment can be marked no-show once its time has come.".into(),
            ));
        }
    }
    state
        .store
        .set_appointment_status(member.business_id(), id, status, state.clock.now())
        .await?;
    // A cancelled appointment's calendar event goes too; a no-show keeps it as history.
    if let (AppointmentStatus::Cancelled, Some(calendars)) = (status, &state.calendars) {
        let cancelled = TurnAction::AppointmentCancelled { appointment_id: id };
        calendars.sync_in_background(member.business_id(), &[cancelled]);
    }
    audit_member(
        state,
        member,
        AuditAction::SettingsChanged,
        Some(format!("appointment:{id}")),
        Some(format!("status {}", status.as_str())),
    )
    .await
}

pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    change(&state, &posted.member, &id, AppointmentStatus::Cancelled).await?;
    Ok(Redirect::to("/app/appointments?done=cancelled").into_response())
}

pub async fn no_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    change(&state, &posted.member, &id, AppointmentStatus::NoShow).await?;
    Ok(Redirect::to("/app/appointments?done=no_show").into_response())
}

/// One appointment in the JSON API.
#[derive(Debug, Serialize)]
pub struct AppointmentJson {
    pub id: String,
    pub code: String,
    pub service: Option<String>,
    /// RFC 3339.
    pub starts_at: String,
    pub ends_at: String,
    /// `booked`, `cancelled` or `no_show`.
    pub status: &'static str,
    pub conversation_id: Option<String>,
    pub lead_id: Option<String>,
}

/// `GET /api/v1/app/appointments?week=|day=`: the signed-in member's business only.
pub async fn list_json(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Vec<AppointmentJson>>, JsonError> {
    member.require(Permission::ViewLeads)?;
    let (_, _, appointments) = load(&state, &member, &query).await?;
    Ok(Json(
        appointments
            .into_iter()
            .map(|a| AppointmentJson {
                id: a.id.to_string(),
                code: a.code,
                service: a.service,
                starts_at: a.starts_at.to_string(),
                ends_at: a.ends_at.to_string(),
                status: a.status.as_str(),
                conversation_id: a.conversation.map(|c| c.to_string()),
                lead_id: a.lead.map(|l| l.to_string()),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    /// `cancelled` or `no_show`.
    status: String,
}

/// `POST /api/v1/app/appointments/{id}/status` with `status=cancelled|no_show` and the
/// `X-CSRF-Token` header.
pub async fn set_status_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiPosted(posted): ApiPosted<StatusForm>,
) -> Result<StatusCode, JsonError> {
    let status = match posted.form.status.as_str() {
        "cancelled" => AppointmentStatus::Cancelled,
        "no_show" => AppointmentStatus::NoShow,
        other => {
            return Err(PageError::BadRequest(format!(
                "status must be cancelled or no_show, not {other:?}"
            ))
            .into())
        }
    };
    change(&state, &posted.member, &id, status).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_monday_to_sunday() {
        let today: Date = "2026-11-26".parse().unwrap();
        let query = RangeQuery::default();
        assert_eq!(
            days_shown(&query, today).unwrap(),
            ("2026-11-23".parse().unwrap(), "2026-11-29".parse().unwrap())
        );
        let day = RangeQuery {
            day: Some("2026-12-01".into()),
            ..RangeQuery::default()
        };
        let one: Date = "2026-12-01".parse().unwrap();
        assert_eq!(days_shown(&day, today).unwrap(), (one, one));
        let bad = RangeQuery {
            week: Some("soon".into()),
            ..RangeQuery::default()
        };
        assert!(days_shown(&bad, today).is_err());
    }
}
