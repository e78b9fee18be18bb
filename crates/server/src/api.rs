//! The public, versioned JSON API the widget talks to.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use frontdesk_core::assistant::{
    IncomingMessage, LoadedBusiness, TurnAction, TurnError, TurnOutcome,
};
use frontdesk_core::conversation::{
    BusinessId, Channel, ConversationId, Message, VisitorId, VisitorText,
};
use frontdesk_core::safety::Safety;
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// Longest page URL stored with a conversation.
const MAX_PAGE_URL_CHARS: usize = 2_048;

/// The OpenAPI description of this API, generated from the handlers and types below.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "frontdesk API",
        version = "1",
        description = "Public API of a frontdesk server: the chat widget's messages and transcripts."
    ),
    paths(post_message, get_conversation, get_business, healthz),
    components(schemas(
        MessageRequest,
        MessageResponse,
        ActionBody,
        ReplyBody,
        SafetyBody,
        TranscriptResponse,
        TranscriptMessage,
        BusinessProfile,
        ErrorBody,
        DeltaEvent
    ))
)]
pub struct ApiDoc;

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/businesses/{slug}", get(get_business))
        .route("/businesses/{slug}/messages", post(post_message))
        .route(
            "/businesses/{slug}/conversations/{id}",
            get(get_conversation),
        )
        .route("/openapi.json", get(openapi))
}

/// A JSON body extractor whose rejections are our JSON errors.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

/// A visitor's message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageRequest {
    /// The anonymous id the widget keeps in localStorage (8–64 of `A-Za-z0-9-_`).
    pub visitor_id: String,
    /// Null to start a conversation; the id from an earlier reply to continue it.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// What the visitor wrote: 1–2,000 characters.
    pub text: String,
    /// The page the widget was on.
    #[serde(default)]
    pub page_url: Option<String>,
}

/// The verdict of the safety wall on a reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct SafetyBody {
    /// `allowed`, `redirected` or `emergency`.
    pub verdict: &'static str,
    /// Ids of the rules that fired.
    pub rules: Vec<String>,
}

impl From<&Safety> for SafetyBody {
    fn from(safety: &Safety) -> Self {
        Self {
            verdict: safety.verdict.as_str(),
            rules: safety.rules.clone(),
        }
    }
}

/// The assistant's reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyBody {
    pub text: String,
    pub safety: SafetyBody,
}

/// The answer to a visitor's message (also the `done` event of a stream).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub conversation_id: String,
    pub reply: ReplyBody,
    /// When the reply was stored (RFC 3339).
    pub created_at: String,
    /// What the turn did besides answering, e.g. `{"type": "lead_captured", "lead_id"}`.
    pub actions: Vec<ActionBody>,
}

/// Something a turn did, for the widget to show.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionBody {
    /// The visitor's details were saved for the team (new, or merged into their earlier lead).
    LeadCaptured { lead_id: String },
    /// An appointment was booked; `code` is what the visitor quotes to change or cancel it.
    AppointmentBooked {
        appointment_id: String,
        code: String,
    },
    /// The visitor cancelled an appointment by its code.
    AppointmentCancelled { appointment_id: String },
    /// The visitor moved an appointment by its code (the code stays the same).
    AppointmentRescheduled { appointment_id: String },
}

impl From<&TurnAction> for ActionBody {
    fn from(action: &TurnAction) -> Self {
        match action {
            TurnAction::LeadCaptured { lead_id } => ActionBody::LeadCaptured {
                lead_id: lead_id.to_string(),
            },
            TurnAction::AppointmentBooked {
                appointment_id,
                code,
            } => ActionBody::AppointmentBooked {
                appointment_id: appointment_id.to_string(),
                code: code.clone(),
            },
            TurnAction::AppointmentCancelled { appointment_id } => {
                ActionBody::AppointmentCancelled {
                    appointment_id: appointment_id.to_string(),
                }
            }
            TurnAction::AppointmentRescheduled { appointment_id } => {
                ActionBody::AppointmentRescheduled {
                    appointment_id: appointment_id.to_string(),
                }
            }
        }
    }
}

impl From<&TurnOutcome> for MessageResponse {
    fn from(outcome: &TurnOutcome) -> Self {
        Self {
            conversation_id: outcome.conversation.to_string(),
            reply: ReplyBody {
                text: outcome.reply.clone(),
                safety: SafetyBody::from(&outcome.safety),
            },
            created_at: outcome.created_at.to_string(),
            actions: outcome.actions.iter().map(ActionBody::from).collect(),
        }
    }
}

/// One `delta` event of a streamed reply: the next piece of text.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeltaEvent {
    pub text: String,
}

/// What the widget needs to show before the first message.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessProfile {
    pub slug: String,
    pub name: String,
    pub greeting: String,
}

/// A conversation, oldest message first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptResponse {
    pub conversation_id: String,
    pub messages: Vec<TranscriptMessage>,
}

/// One message of a transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptMessage {
    /// `visitor` or `assistant`.
    pub role: &'static str,
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Message> for TranscriptMessage {
    fn from(message: Message) -> Self {
        Self {
            role: message.role.as_str(),
            text: message.text,
            created_at: message.created_at.to_string(),
        }
    }
}

/// Who is asking for a transcript.
#[derive(Debug, Deserialize)]
pub struct TranscriptQuery {
    visitor_id: Option<String>,
}

async fn load_business(state: &AppState, slug: &str) -> Result<Arc<LoadedBusiness>, ApiError> {
    state
        .businesses
        .get(&state.store, slug)
        .await?
        .ok_or_else(|| ApiError::business_not_found(slug))
}

fn parse_conversation_id(raw: &str) -> Result<ConversationId, ApiError> {
    Uuid::parse_str(raw).map(ConversationId).map_err(|_| {
        ApiError::invalid(
            "invalid_conversation_id",
            "conversation_id must be a UUID returned by an earlier reply",
        )
    })
}

fn parse_visitor(raw: &str) -> Result<VisitorId, ApiError> {
    VisitorId::parse(raw).map_err(|m| ApiError::invalid("invalid_visitor_id", m))
}

/// Public profile of a business, for the widget's header and greeting.
#[utoipa::path(get, path = "/api/v1/businesses/{slug}", params(("slug" = String, Path, description = "Business slug")),
    responses((status = 200, body = BusinessProfile), (status = 404, body = ErrorBody)))]
async fn get_business(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<BusinessProfile>, ApiError> {
    let business = load_business(&state, &slug).await?;
    let profile = &business.knowledge.business;
    Ok(Json(BusinessProfile {
        slug: profile.slug.to_string(),
        name: profile.name.clone(),
        greeting: profile.greeting.clone(),
    }))
}

/// Sends a visitor message and returns the assistant's reply once both are stored.
///
/// With `Accept: text/event-stream` the reply streams as server-sent events: `delta`
/// events (`{"text": "..."}`) and then one `done` event carrying the same JSON as the
/// non-streaming response.
#[utoipa::path(post, path = "/api/v1/businesses/{slug}/messages", params(("slug" = String, Path, description = "Business slug")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The reply (JSON, or SSE with `delta` and `done` events)", body = MessageResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 404, description = "Unknown business or conversation", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A field failed validation", body = ErrorBody)))]
async fn post_message(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Response, ApiError> {
    let visitor = parse_visitor(&request.visitor_id)?;
    let text =
        VisitorText::parse(&request.text).map_err(|m| ApiError::invalid("invalid_text", m))?;
    let conversation = request
        .conversation_id
        .as_deref()
        .map(parse_conversation_id)
        .transpose()?;
    if request
        .page_url
        .as_ref()
        .is_some_and(|url| url.chars().count() > MAX_PAGE_URL_CHARS)
    {
        return Err(ApiError::invalid(
            "invalid_page_url",
            format!("page_url is longer than {MAX_PAGE_URL_CHARS} characters"),
        ));
    }
    let business = load_business(&state, &slug).await?;
    let incoming = IncomingMessage {
        visitor,
        conversation,
        text,
        channel: Channel::Web,
        page_url: request.page_url,
    };
    let wants_stream = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"));
    if wants_stream {
        return stream_turn(state, business, incoming).await;
    }
    let outcome = state.assistant.take_turn(&business, incoming).await?;
    sync_calendar(&state, business.id, &outcome);
    grade_in_background(&state, business, &outcome);
    Ok(Json(MessageResponse::from(&outcome)).into_response())
}

/// What a turn running in the background reports to the stream answering it.
enum TurnEvent {
    /// Text that passed the safety gate, ready for the visitor.
    Released(String),
    Finished(Result<Box<TurnOutcome>, TurnError>),
}

/// Runs a turn in its own task and streams it: released text as `delta` events while the
/// provider writes, then `done` once the turn is stored (or `error`). The task finishes
/// and stores the turn even if the visitor disconnects. A failure before any text (an
/// unknown conversation, say) is still an ordinary HTTP error.
async fn stream_turn(
    state: AppState,
    business: Arc<LoadedBusiness>,
    incoming: IncomingMessage,
) -> Result<Response, ApiError> {
    let (events, mut reports) = mpsc::unbounded_channel();
    let task_state = state.clone();
    tokio::spawn(async move {
        let released = events.clone();
        let release = move |text: &str| {
            let _ = released.send(TurnEvent::Released(text.to_owned()));
        };
        let result = task_state
            .assistant
            .take_turn_streaming(&business, incoming, &release)
            .await;
        if let Ok(outcome) = &result {
            sync_calendar(&task_state, business.id, outcome);
            grade_in_background(&task_state, business, outcome);
        }
        let _ = events.send(TurnEvent::Finished(result.map(Box::new)));
    });
    let first = reports
        .recv()
        .await
        .ok_or_else(|| ApiError::internal(&TurnTaskLost))?;
    if let TurnEvent::Finished(Err(error)) = first {
        return Err(error.into());
    }
    let pace = state.stream_pace;
    let events = stream::once(std::future::ready(first))
        .chain(UnboundedReceiverStream::new(reports))
        .flat_map(|report| stream::iter(sse_events(report)))
        .enumerate()
        .then(move |(index, (event, is_delta))| async move {
            if is_delta && index > 0 && !pace.is_zero() {
                tokio::time::sleep(pace).await;
            }
            Ok::<_, Infallible>(event)
        });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The turn task ended without reporting (it panicked).
#[derive(Debug, thiserror::Error)]
#[error("the turn task ended without a result")]
struct TurnTaskLost;

/// The SSE events of one report: released text word by word (so even an instant reply
/// reads like typing; `true` marks deltas to pace), or the closing `done` / `error`.
fn sse_events(report: TurnEvent) -> Vec<(Event, bool)> {
    match report {
        TurnEvent::Released(text) => text
            .split_inclusive(' ')
            .map(|word| {
                let event = Event::default()
                    .event("delta")
                    .json_data(DeltaEvent {
                        text: word.to_owned(),
                    })
                    .expect("delta serialises");
                (event, true)
            })
            .collect(),
        TurnEvent::Finished(Ok(outcome)) => vec![(
            Event::default()
                .event("done")
                .json_data(MessageResponse::from(outcome.as_ref()))
                .expect("reply serialises"),
            false,
        )],
        TurnEvent::Finished(Err(error)) => vec![(
            Event::default()
                .event("error")
                .json_data(ApiError::from(error).body())
                .expect("error serialises"),
            false,
        )],
    }
}

/// Runs the quality checks of a turn after the visitor has their answer, and stores what
/// they find; a failure here is logged and never reaches the visitor.
/// Writes the turn's bookings, moves and cancellations into the business's connected
/// calendar, after the turn is stored and without holding up the answer.
pub(crate) fn sync_calendar(state: &AppState, business: BusinessId, outcome: &TurnOutcome) {
    if let Some(calendars) = &state.calendars {
        calendars.sync_in_background(business, &outcome.actions);
    }
}

pub(crate) fn grade_in_background(
    state: &AppState,
    business: Arc<LoadedBusiness>,
    outcome: &TurnOutcome,
) {
    let store = state.store.clone();
    let grounding = state.grounding_grader;
    let (reply, safety, draft) = (
        outcome.reply.clone(),
        outcome.safety.clone(),
        outcome.blocked_draft.clone(),
    );
    let (conversation, at) = (outcome.conversation, outcome.created_at);
    tokio::spawn(async move {
        let findings = frontdesk_core::policy::grade(
            &business.knowledge.business,
            &reply,
            &safety,
            draft.as_deref(),
            grounding,
        );
        if let Err(error) = store
            .record_quality(business.id, conversation, &findings, at)
            .await
        {
            tracing::warn!(%error, "storing quality findings failed");
        }
    });
}

/// A conversation's transcript, only for the visitor who owns it.
#[utoipa::path(get, path = "/api/v1/businesses/{slug}/conversations/{id}",
    params(("slug" = String, Path, description = "Business slug"), ("id" = String, Path, description = "Conversation id"),
           ("visitor_id" = String, Query, description = "The visitor id that started the conversation")),
    responses((status = 200, body = TranscriptResponse), (status = 404, description = "Unknown, or not this visitor's", body = ErrorBody)))]
async fn get_conversation(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<TranscriptQuery>,
) -> Result<Json<TranscriptResponse>, ApiError> {
    let business = load_business(&state, &slug).await?;
    // A malformed id or visitor is indistinguishable from someone else's conversation.
    let conversation =
        parse_conversation_id(&id).map_err(|_| ApiError::conversation_not_found())?;
    let visitor = query
        .visitor_id
        .as_deref()
        .and_then(|v| VisitorId::parse(v).ok())
        .ok_or_else(ApiError::conversation_not_found)?;
    let messages = state
        .store
        .transcript(business.id, conversation, &visitor)
        .await?;
    Ok(Json(TranscriptResponse {
        conversation_id: conversation.to_string(),
        messages: messages.into_iter().map(TranscriptMessage::from).collect(),
    }))
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Up"), (status = 503, description = "Database unreachable")))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
