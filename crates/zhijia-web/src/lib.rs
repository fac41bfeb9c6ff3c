//! The HTTP side of zhijia: the worker's mobile pages, the staff console, the JSON API under
//! `/api/v1`, its OpenAPI document, `/healthz` and `/metrics`. One folder per area, each with
//! `api.rs` (JSON) and `pages.rs` (HTML).

mod assets;
mod error;
mod health;
mod home;
mod metrics;
mod openapi;
mod org;
mod pages;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use zhijia_app::AppError;
use zhijia_store::Store;

pub use error::{ApiError, PageError};

/// What the web layer is told at start-up; passed in state, never global.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Demo mode: pages say so, and sign-in helpers for newcomers are shown.
    pub demo: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Result<Self, AppError> {
        let metrics = metrics::Metrics::new()
            .map_err(|e| AppError::Config(format!("监控指标无法初始化：{e}")))?;
        Ok(Self {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics),
        })
    }
}

/// Content Security Policy: everything from this origin only; htmx's inline indicator styles are
/// switched off in the page head, so no inline script or style is needed.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The whole application as one router, ready to serve.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(home::pages::routes())
        .merge(org::pages::routes())
        .merge(org::api::routes())
        .merge(openapi::routes())
        .merge(health::routes())
        .merge(assets::routes())
        .fallback(pages::not_found);
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state)
}
