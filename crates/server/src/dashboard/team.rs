//! The team: who has access, with which role; invitations; role changes and removals.
//! Everyone can see the team; only Owners change it, and a business keeps an Owner.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::{Permission, Role};
use frontdesk_core::audit::AuditAction;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{send_invite, valid_email};
use super::error::PageError;
use super::home::business_timezone;
use super::session::{NoFields, Posted};
use super::views::{csrf_field, error_box, layout, local_time, post_button};
use super::{audit_member, Member};
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct TeamQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<TeamQuery>,
) -> Result<Markup, PageError> {
    render(&state, &member, query.done.as_deref(), None).await
}

async fn render(
    state: &AppState,
    member: &Member,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Markup, PageError> {
    let team = state.store.team(member.business_id()).await?;
    let manage = member.can(Permission::ManageTeam);
    let invites = if manage {
        state
            .store
            .open_invites(member.business_id(), state.clock.now())
            .await?
    } else {
        Vec::new()
    };
    let timezone = business_timezone(member)?;
    let notice = match done {
        Some("invited") => Some("Invitation sent. The link works once, for 7 days."),
        Some("role") => Some("Role changed."),
        Some("removed") => Some("Removed from the team; their sessions have ended."),
        Some("revoked") => Some("Invitation withdrawn."),
        _ => None,
    };
    Ok(layout(
        member,
        "/app/team",
        "Team",
        html! {
            @if let Some(notice) = notice { div.notice role="status" { (notice) } }
            (error_box(error))
            div.table-wrap {
                table {
                    thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Two-factor" } @if manage { th { "Actions" } } } }
                    tbody {
                        @for user in &team {
                            tr {
                                td { (user.name) }
                                td { (user.email) }
                                td { (user.role) }
                                td { (if user.two_factor { "on" } else { "off" }) }
                                @if manage {
                                    td {
                                        form.row method="post" action=(format!("/app/team/{}/role", user.id)) {
                                            (csrf_field(member))
                                            label.visually-hidden for=(format!("role-{}", user.id)) { "Role of " (user.email) }
                                            select id=(format!("role-{}", user.id)) name="role" {
                                                @for role in Role::ALL.iter().rev() {
                                                    option value=(role.as_str()) selected[*role == user.role] { (role) }
                                                }
                                            }
                                            button.secondary type="submit" { "Change role" }
                                        }
                                        @if user.id != member.user().id {
                                            (post_button(member, &format!("/app/team/{}/remove", user.id), "Remove", "danger"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if manage {
                section.card aria-labelledby="invite-title" {
                    h2 id="invite-title" { "Invite someone" }
                    form.row method="post" action="/app/team/invite" {
                        (csrf_field(member))
                        div {
                            label for="invite-email" { "Email" }
                            input id="invite-email" name="email" type="email" required;
                        }
                        div {
                            label for="invite-role" { "Role" }
                            select id="invite-role" name="role" {
                                @for role in Role::ALL {
                                    option value=(role.as_str()) { (role) }
                                }
                            }
                        }
                        button type="submit" { "Send invitation" }
                    }
                    p.muted { "Viewers read conversations and leads. Admins also edit the business's information and settings and export data. Owners also manage the team and billing." }
                }
                @if !invites.is_empty() {
                    h2 { "Open invitations" }
                    div.table-wrap {
                        table {
                            thead { tr { th { "Email" } th { "Role" } th { "Expires" } th { "" } } }
                            tbody {
                                @for invite in &invites {
                                    tr {
                                        td { (invite.email) }
                                        td { (invite.role) }
                                        td { (local_time(invite.expires_at, &timezone)) }
                                        td { (post_button(member, &format!("/app/team/invites/{}/revoke", invite.id), "Withdraw", "secondary")) }
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

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

fn parse_role(raw: &str) -> Result<Role, PageError> {
    raw.parse()
        .map_err(|e: frontdesk_core::accounts::UnknownRole| PageError::BadRequest(e.to_string()))
}

fn parse_id(raw: &str) -> Result<Uuid, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

pub async fn invite(
    State(state): State<AppState>,
    posted: Posted<InviteForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageTeam)?;
    let role = parse_role(&form.role)?;
    let email = form.email.trim();
    if !valid_email(email) {
        let markup = render(&state, &member, None, Some("Enter a valid email address.")).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
    }
    if state.store.user_by_email(email).await?.is_some() {
        let markup = render(
            &state,
            &member,
            None,
            Some("This email already has an account. Each person belongs to one business."),
        )
        .await?;
        return Ok((axum::http::StatusCode::CONFLICT, markup).into_response());
    }
    send_invite(&state, &member, email, role).await?;
    Ok(Redirect::to("/app/team?done=invited").into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    Path(user): Path<String>,
    posted: Posted<RoleForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::ManageTeam)?;
    let user = parse_id(&user)?;
    let role = parse_role(&form.role)?;
    let before = state
        .store
        .user(member.business_id(), user)
        .await?
        .ok_or(PageError::NotFound)?;
    state
        .store
        .set_role(member.business_id(), user, role, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::TeamRoleChanged,
        Some(format!("user:{user}")),
        Some(format!(
            "{}: {} → {}",
            before.email,
            before.role.as_str(),
            role.as_str()
        )),
    )
    .await?;
    Ok(Redirect::to("/app/team?done=role").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Path(user): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::ManageTeam)?;
    let user = parse_id(&user)?;
    let removed = state
        .store
        .user(member.business_id(), user)
        .await?
        .ok_or(PageError::NotFound)?;
    state
        .store
        .remove_user(member.business_id(), user, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::TeamRemoved,
        Some(format!("user:{user}")),
        Some(removed.email),
    )
    .await?;
    Ok(Redirect::to("/app/team?done=removed").into_response())
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    Path(invite): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let member = posted.member;
    member.require(Permission::ManageTeam)?;
    let invite = parse_id(&invite)?;
    state
        .store
        .revoke_invite(member.business_id(), invite, state.clock.now())
        .await?;
    audit_member(
        &state,
        &member,
        AuditAction::InviteRevoked,
        Some(format!("invite:{invite}")),
        None,
    )
    .await?;
    Ok(Redirect::to("/app/team?done=revoked").into_response())
}
