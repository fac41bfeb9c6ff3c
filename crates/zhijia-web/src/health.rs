//! `/healthz` for load balancers (answers only when the store answers) and `/metrics`.

use crate::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable")
        }
    }
}

/// Who may read `/metrics`: a scraper with the configured `--metrics-token` as its bearer
/// token, or, without a token, a process on this machine talking to the server directly (a
/// request that came through a proxy carries `X-Forwarded-For`, and is refused). Anyone else is
/// told there is nothing here: route names and counts map the API and its traffic.
fn may_scrape(parts: &Parts, state: &AppState) -> bool {
    if let Some(token) = state.config.metrics_token.as_deref() {
        return crate::auth::bearer(&parts.headers)
            .is_some_and(|t| zhijia_domain::auth::tokens_match(t, token));
    }
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    peer.is_some_and(|ip| ip.is_loopback()) && !parts.headers.contains_key("x-forwarded-for")
}

async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if !may_scrape(&parts, &state) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}
