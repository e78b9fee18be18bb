//! How a dashboard request fails: a small HTML page with the right status, or a redirect
//! to sign-in. Internal details are logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_core::accounts::Permission;
use frontdesk_core::assistant::StoreError;

use super::views;

/// A dashboard failure.
#[derive(Debug)]
pub enum PageError {
    /// No live session: go to the sign-in page.
    SignInRequired,
    /// Signed in, but the role lacks this permission.
    Forbidden(Permission),
    /// Not found — also what another business's ids get.
    NotFound,
    /// The request could not be understood; the message says why.
    BadRequest(String),
    /// Refused by a rule of the data (e.g. the last Owner); the message says which.
    Conflict(String),
    /// A missing or wrong CSRF token, or a cross-site form post.
    CsrfFailed,
    /// Rate-limited: how long to wait, and what to tell the person.
    TooManyAttempts {
        retry_after_secs: u64,
        message: String,
    },
    /// Our fault.
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Conflict(message) => PageError::Conflict(message),
            other => PageError::Internal(other.to_string()),
        }
    }
}

/// A failure of the call flow the dashboard's phone simulator runs.
impl From<crate::error::ApiError> for PageError {
    fn from(error: crate::error::ApiError) -> Self {
        if error.status.is_client_error() {
            PageError::BadRequest(error.message)
        } else {
            PageError::Internal(error.message)
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::SignInRequired => return Redirect::to("/app/login").into_response(),
            PageError::Forbidden(permission) => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                format!(
                    "Your role does not include this ({}). Ask an owner of the business if you need it.",
                    views::permission_label(permission)
                ),
            ),
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it belongs to another business.".to_owned(),
            ),
            PageError::BadRequest(message) => (StatusCode::BAD_REQUEST, "Check the form", message),
            PageError::Conflict(message) => (StatusCode::CONFLICT, "Not possible", message),
            PageError::CsrfFailed => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not sent from this page, or it expired. Go back, reload the page and try again."
                    .to_owned(),
            ),
            PageError::TooManyAttempts {
                retry_after_secs,
                message,
            } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    views::message_page("Too many attempts", &message),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    retry_after_secs.to_string().parse().expect("digits"),
                );
                return response;
            }
            PageError::Internal(detail) => {
                tracing::error!(error = %detail, "dashboard request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side. Please try again.".to_owned(),
                )
            }
        };
        (status, views::message_page(title, &message)).into_response()
    }
}

/// A [`PageError`] for the dashboard's JSON API: the same decisions, answered as
/// `{"error": {"code", "message"}}` with the status, and 401 instead of a redirect.
#[derive(Debug)]
pub struct JsonError(pub PageError);

impl From<PageError> for JsonError {
    fn from(error: PageError) -> Self {
        Self(error)
    }
}

impl From<StoreError> for JsonError {
    fn from(error: StoreError) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self.0 {
            PageError::SignInRequired => (
                StatusCode::UNAUTHORIZED,
                "sign_in_required",
                "sign in to the dashboard first".to_owned(),
            ),
            PageError::Forbidden(permission) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "your role does not include {}",
                    views::permission_label(permission)
                ),
            ),
            PageError::NotFound => (StatusCode::NOT_FOUND, "not_found", "not found".to_owned()),
            PageError::BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message),
            PageError::Conflict(message) => (StatusCode::CONFLICT, "conflict", message),
            PageError::CsrfFailed => (
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "send the session's X-CSRF-Token header from the dashboard's own origin".to_owned(),
            ),
            PageError::TooManyAttempts { message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            }
            PageError::Internal(detail) => {
                tracing::error!(error = %detail, "dashboard API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side; please try again".to_owned(),
                )
            }
        };
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        (status, axum::Json(body)).into_response()
    }
}
