//! The HTTP side of zhijia: the worker's mobile pages, the staff console, the JSON API under
//! `/api/v1`, its OpenAPI document, `/healthz` and `/metrics`. One folder per area, each with
//! `api.rs` (JSON) and `pages.rs` (HTML).

mod activity;
mod aid;
mod article;
mod assets;
mod attachment;
mod audience;
mod audit;
mod auth;
mod benefit;
mod case;
pub mod console;
mod deletion;
mod error;
mod extract;
mod filters;
mod frame;
mod grant;
mod health;
mod home;
mod library;
mod mall;
mod membership;
mod metrics;
mod model_worker;
mod openapi;
mod org;
mod pages;
mod publishable;
mod region;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use zhijia_app::AppError;
use zhijia_store::Store;

/// The JSON of a hardship file as the API answers it (tests check what it leaves out).
pub use aid::view::FileDetailView;
pub use error::{ApiError, PageError};

/// What the web layer is told at start-up; passed in state, never global.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Demo mode: pages say so, and sign-in helpers for newcomers are shown.
    pub demo: bool,
    /// Mark cookies `Secure` (the site is served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Keys to decrypt personal data for the people allowed to see it; `None` when the operator
    /// has not configured any (the site still runs; such views say the data is unavailable).
    pub pii_keys: Option<zhijia_domain::pii::PiiKeys>,
    /// Review deadlines, the release timeout and the business calendar.
    pub membership: zhijia_app::membership::Settings,
    /// Case deadlines, escalation period and the business calendar.
    pub cases: zhijia_app::case::Settings,
    /// Minimum living standards, approval chains, the yearly cap, notice and review periods.
    pub aid: zhijia_app::aid::Settings,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`). From any other
    /// peer the header is ignored: the client is the peer.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token a metrics scraper sends (`--metrics-token`); without one, `/metrics`
    /// answers only to this machine.
    pub metrics_token: Option<String>,
    /// The site's public address (`--public-url`, e.g. `https://zhijia.example.cn/`): feeds
    /// and the WeChat export link back to it. Without it, the request's `Host` is used.
    pub public_url: Option<String>,
}

/// What every handler is given. One `Arc`, so the per-request clone is a single increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Store,
    pub config: WebConfig,
    /// Sends sign-in codes to workers.
    pub sms: Arc<dyn zhijia_app::sms::SmsSender>,
    metrics: metrics::Metrics,
}

impl AppState {
    /// The rights-protection context: cases need no personal-data keys, so every server has
    /// one (the areas that need keys take `extract::Keyed`).
    pub fn cases(&self) -> zhijia_app::case::Ctx<'_> {
        zhijia_app::case::Ctx {
            db: &self.store,
            settings: &self.config.cases,
            sms: self.sms.as_ref(),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// The application with the log SMS sender (codes go to the log).
    pub fn new(store: Store, config: WebConfig) -> Result<Self, AppError> {
        Self::with_sms(store, config, Arc::new(zhijia_app::sms::LogSender))
    }

    pub fn with_sms(
        store: Store,
        config: WebConfig,
        sms: Arc<dyn zhijia_app::sms::SmsSender>,
    ) -> Result<Self, AppError> {
        let metrics = metrics::Metrics::new()
            .map_err(|e| AppError::Config(format!("监控指标无法初始化：{e}")))?;
        Ok(Self(Arc::new(Shared {
            store,
            config,
            sms,
            metrics,
        })))
    }
}

/// Content Security Policy: everything from this origin only; htmx's inline indicator styles are
/// switched off in the page head, so no inline script or style is needed.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Security headers, added by the metrics middleware (which sees every response anyway, so no
/// extra layer). `nosniff` goes on everything; the policies that only mean something to a
/// document being displayed (CSP, framing, referrer, permissions) go on HTML pages only.
/// `https` is `--secure-cookies`: the site is served over HTTPS, so browsers are told to keep
/// to it (HSTS, a year).
pub(crate) fn security_headers(res: &mut Response, https: bool) {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages and API answers carry personal data more often than not: no cache (a shared
    // computer's browser, a proxy) keeps them unless the handler said otherwise, as the
    // content-hashed assets do.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if is_html {
        // A page that needs a narrower policy of its own (the WeChat export's preview: inline
        // style attributes, no script at all) sets it; every other page gets this one.
        h.entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
        );
    }
}

/// The whole application, ready to serve.
///
/// Only the metrics middleware sits inside the router, because it needs the matched route
/// template. Everything else wraps the router once: a layer added with `Router::layer` is
/// wrapped around every route's boxed service and cloned with it on each request, which cost
/// about a quarter of the throughput of a point read (docs/benchmarks.md).
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .merge(home::pages::routes())
        .merge(auth::pages::routes())
        .merge(auth::worker::routes())
        .merge(auth::me::routes())
        .merge(auth::worker_api::routes())
        .merge(membership::api::routes())
        .merge(case::api::routes())
        .merge(benefit::api::routes())
        .merge(benefit::merchant_api::routes())
        .merge(benefit::merchant::routes())
        .merge(benefit::pages::routes())
        .merge(benefit::console::routes())
        .merge(benefit::console_shops::routes())
        .merge(mall::routes())
        .merge(publishable::routes::<zhijia_app::model_worker::ModelWorkers>())
        .merge(publishable::routes::<zhijia_app::library::Library>())
        .merge(article::routes())
        .merge(case::pages::routes())
        .merge(case::console::routes())
        .merge(activity::api::routes())
        .merge(activity::console::routes())
        .merge(activity::worker::routes())
        .merge(article::comment::routes())
        .merge(article::feed::routes())
        .merge(article::export::routes())
        .merge(aid::api::routes())
        .merge(aid::console::routes())
        .merge(aid::worker::routes())
        .merge(deletion::routes())
        .merge(membership::pages::routes())
        .merge(membership::console::routes())
        .merge(audit::routes())
        .merge(grant::routes())
        .merge(org::pages::routes())
        .merge(org::api::routes())
        .merge(openapi::routes())
        .merge(health::routes())
        .merge(frame::routes())
        .merge(region::routes())
        .merge(assets::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .with_state(state);
    let stack = ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(CompressionLayer::new());
    Router::new().fallback_service(stack.service(routes))
}
