//! The HTTP layer's one error type: every failure becomes `{"error": {"code", "message"}}`
//! with a status that says whose fault it was. Internal details are logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontdesk_core::assistant::{StoreError, TurnError};
use serde::Serialize;
use utoipa::ToSchema;

/// An API failure, rendered as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A machine-readable code and a human-readable message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable identifier, e.g. `business_not_found`, `invalid_json`, `invalid_text`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// A 4xx/5xx with a code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 422 for a field that failed validation.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 404 for a business slug that does not exist.
    pub fn business_not_found(slug: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "business_not_found",
            format!("no business with slug {slug:?}"),
        )
    }

    /// 410 for a business whose owner closed the account: a notice the widget shows as
    /// it is.
    pub fn account_closed() -> Self {
        Self::new(
            StatusCode::GONE,
            "account_closed",
            "This assistant is no longer available. Please contact the business directly.",
        )
    }

    /// 404 for a conversation the caller may not see (or that does not exist).
    pub fn conversation_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "conversation_not_found",
            "conversation not found",
        )
    }

    /// 500, logged with its cause; the client only learns that it was our fault.
    pub fn internal(error: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; please try again",
        )
    }
}

impl ApiError {
    /// The JSON body, also sent as the `error` event of a stream that fails midway.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ),
            JsonRejection::JsonSyntaxError(e) => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON: {}", e.body_text()),
            ),
            JsonRejection::JsonDataError(e) => Self::invalid("invalid_body", e.body_text()),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the request body is too large",
                )
            }
            other => Self::new(other.status(), "invalid_request", other.body_text()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::conversation_not_found(),
            other => Self::internal(&other),
        }
    }
}

impl From<TurnError> for ApiError {
    fn from(error: TurnError) -> Self {
        match error {
            TurnError::ConversationNotFound => Self::conversation_not_found(),
            other => Self::internal(&other),
        }
    }
}
