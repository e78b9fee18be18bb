//! The widget script and the demo page, compiled into the binary so one file is the
//! whole product.

use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;

use crate::AppState;

const WIDGET_JS: &str = include_str!("../assets/widget.js");
const DEMO_HTML: &str = include_str!("../assets/demo.html");

/// `/widget.js`, `/demo` and `/` (which sends newcomers to the demo).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/widget.js", get(widget))
        .route("/demo", get(demo))
        .route("/", get(|| async { Redirect::temporary("/demo") }))
}

async fn widget() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        WIDGET_JS,
    )
}

async fn demo() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
            ),
        ],
        DEMO_HTML,
    )
}
