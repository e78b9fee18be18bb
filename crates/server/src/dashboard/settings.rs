//! Settings: which language model writes this business's replies (the built-in engine,
//! or the business's own Anthropic or OpenAI-compatible account). The API key is
//! write-only: sealed at rest, never shown again, never in the audit log.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::Permission;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::llm::{ApiKey, ModelSettings, ModelVendor};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::home::business_timezone;
use super::integrations;
use super::session::Posted;
use super::views::{csrf_field, error_box, layout};
use super::{audit_member, Member};
use crate::AppState;

/// The form's value for "the server's default".
const DEFAULT: &str = "default";

#[derive(Debug, Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn view(
    member: &Member,
    current: Option<&ModelSettings>,
    integrations: Markup,
    phone: Markup,
    saved: bool,
    error: Option<&str>,
) -> Markup {
    let vendor = current.map_or(DEFAULT, |s| s.vendor.as_str());
    layout(
        member,
        "/app/settings",
        "Settings",
        html! {
            @if saved { div.notice role="status" { "Saved. New conversations use this from now on." } }
            (error_box(error))
            section.card aria-labelledby="model-title" {
                h2 id="model-title" { "Who writes the replies" }
                p.muted { "Whatever writes them, every reply passes the same safety rules and is checked against your business information before a visitor sees it." }
                form method="post" action="/app/settings/model" {
                    (csrf_field(member))
                    label for="vendor" { "Model" }
                    select id="vendor" name="vendor" {
                        @for (value, label) in [(DEFAULT, "The server's default"), ("anthropic", "My Anthropic account"), ("openai", "My OpenAI-compatible account (OpenAI, vLLM, llama.cpp, Ollama)")] {
                            option value=(value) selected[vendor == value] { (label) }
                        }
                    }
                    label for="model" { "Model name" }
                    input id="model" name="model" type="text" value=(current.map_or("", |s| s.model.as_str())) placeholder="claude-sonnet-4-5";
                    label for="base_url" { "Server address (optional)" }
                    input id="base_url" name="base_url" type="text" value=(current.and_then(|s| s.base_url.as_deref()).unwrap_or("")) placeholder="http://localhost:11434";
                    label for="api_key" { "API key" }
                    input id="api_key" name="api_key" type="password" autocomplete="off" aria-describedby="api-key-help";
                    p.muted id="api-key-help" {
                        @if current.is_some_and(|s| s.api_key.is_some()) { "A key is stored (sealed). Leave this empty to keep it, or type a new one to replace it. Changing the model's vendor or server address needs the key typed again." }
                        @else { "Stored sealed with the server's key; it is never shown again." }
                    }
                    p { button type="submit" { "Save" } }
                }
            }
            (phone)
            (integrations)
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<SettingsQuery>,
) -> Result<Markup, PageError> {
    member.require(Permission::EditSettings)?;
    let current = state.store.model_settings(member.business_id()).await?;
    let integrations = integrations_section(&state, &member).await?;
    let phone = phone_section(&state, &member).await?;
    Ok(view(
        &member,
        current.as_ref(),
        integrations,
        phone,
        query.saved.is_some(),
        None,
    ))
}

/// The phone line's section, with the stored settings (never the token).
async fn phone_section(state: &AppState, member: &Member) -> Result<Markup, PageError> {
    let current = state.store.phone_settings(member.business_id()).await?;
    Ok(super::calls::settings_section(
        member,
        current.as_ref(),
        &state.dashboard.public_url,
        None,
    ))
}

/// The Integrations section, with the calendar's state when this server can connect one,
/// and the way to the Billing page when this server bills (and the member may see it).
async fn integrations_section(state: &AppState, member: &Member) -> Result<Markup, PageError> {
    let status = match &state.calendars {
        Some(_) => Some(state.store.calendar_status(member.business_id()).await?),
        None => None,
    };
    let zone = business_timezone(member)?;
    let billing = state.billing.is_some() && member.can(Permission::ManageBilling);
    Ok(html! {
        (integrations::section(member, status.as_ref(), &zone))
        @if billing {
            section.card aria-labelledby="billing-title" {
                h2 id="billing-title" { "Billing" }
                p { a href="/app/billing" { "Your plan and payments" } }
            }
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct ModelForm {
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    api_key: String,
}

/// The settings a form asks for, or why they can't be used.
fn requested(
    form: &ModelForm,
    stored_key: Option<ApiKey>,
) -> Result<Option<ModelSettings>, String> {
    if form.vendor == DEFAULT {
        return Ok(None);
    }
    let vendor = ModelVendor::parse(&form.vendor).ok_or("Choose one of the listed models.")?;
    let model = form.model.trim();
    if model.is_empty() || model.len() > 100 || model.contains(char::is_whitespace) {
        return Err("Enter the model's name, e.g. claude-sonnet-4-5 or gpt-4o-mini.".into());
    }
    let base_url = form.base_url.trim();
    let web_address = base_url.starts_with("https://") || base_url.starts_with("http://");
    if !base_url.is_empty() && !web_address {
        return Err(
            "The server address starts with https:// (or http:// for a server on your network)."
                .into(),
        );
    }
    let api_key = match form.api_key.trim() {
        "" => stored_key,
        key => Some(ApiKey::new(key)),
    };
    Ok(Some(ModelSettings {
        vendor,
        model: model.to_owned(),
        base_url: (!base_url.is_empty()).then(|| base_url.trim_end_matches('/').to_owned()),
        api_key,
    }))
}

pub async fn save_model(
    State(state): State<AppState>,
    posted: Posted<ModelForm>,
) -> Result<Response, PageError> {
    let Posted { member, form } = posted;
    member.require(Permission::EditSettings)?;
    let current = state.store.model_settings(member.business_id()).await?;
    // A stored key only goes on to the vendor and address it was typed for: pointing
    // the model at another server must not send it the key.
    let same_destination = current.as_ref().is_some_and(|s| {
        s.vendor.as_str() == form.vendor
            && s.base_url.as_deref().unwrap_or("") == form.base_url.trim().trim_end_matches('/')
    });
    let stored_key = current
        .as_ref()
        .filter(|_| same_destination)
        .and_then(|s| s.api_key.clone());
    let checked = requested(&form, stored_key).and_then(|settings| {
        if let Some(settings) = &settings {
            state.businesses.check_settings(settings)?;
        }
        Ok(settings)
    });
    let settings = match checked {
        Ok(settings) => settings,
        Err(message) => {
            let integrations = integrations_section(&state, &member).await?;
            let phone = phone_section(&state, &member).await?;
            let markup = view(
                &member,
                current.as_ref(),
                integrations,
                phone,
                false,
                Some(&message),
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
        }
    };
    state
        .store
        .set_model_settings(member.business_id(), settings.as_ref(), state.clock.now())
        .await?;
    state.businesses.forget(&member.business.slug);
    let detail = match &settings {
        Some(s) => format!(
            "{}/{}{}",
            s.vendor.as_str(),
            s.model,
            if form.api_key.trim().is_empty() {
                ""
            } else {
                ", API key replaced"
            }
        ),
        None => "the server's default".to_owned(),
    };
    audit_member(
        &state,
        &member,
        AuditAction::ModelSettingsChanged,
        Some(format!("business:{}", member.business.slug)),
        Some(detail),
    )
    .await?;
    Ok(Redirect::to("/app/settings?saved=1").into_response())
}
