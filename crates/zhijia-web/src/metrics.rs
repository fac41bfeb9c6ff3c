//! Request counts and latencies per route, in Prometheus text.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, Registry, TextEncoder};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Instrument;

pub struct Metrics {
    registry: Registry,
    /// One histogram by route, method and status: its `_count` series are the request counts,
    /// so each request costs one label lookup, not two.
    requests: HistogramVec,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "zhijia_http_request_duration_seconds",
                "HTTP request latency by route, method and status; _count is the number of requests",
            )
            .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["route", "method", "status"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        Ok(Self { registry, requests })
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, for error pages and bodies (`None` outside a request).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A request id: the one a proxy sent (`X-Request-Id`, if short and plain), or this process's
/// tag and a counter: unique across processes without a system call per request.
fn new_request_id(req: &Request) -> String {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    if let Some(sent) = req
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        })
    {
        return sent.to_owned();
    }
    let tag = TAG.get_or_init(|| zhijia_domain::auth::random_token()[..8].to_owned());
    format!("{tag}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Records every request under its route template (`/api/v1/orgs/{id}`), never the raw path,
/// so the number of series stays bounded whatever addresses clients try; serves it inside a
/// `request` span carrying its id (echoed in `X-Request-Id` and on error pages); and adds the
/// security headers to the response.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = req.method().clone();
    let id = new_request_id(&req);
    let span = tracing::info_span!("request", id = %id, method = %method, route);
    let start = Instant::now();
    let frame = crate::frame::Frame::of(&req, state.config.secure_cookies);
    let is_api = req.uri().path().starts_with("/api/");
    // Workers' audit entries record the client as staff entries do (`caller::worker_actor`).
    let client = crate::extract::client_ip_of(
        req.extensions(),
        req.headers(),
        &state.config.trusted_proxies,
    );
    let serve = async move { crate::frame::dress_error(is_api, next.run(req).await).await };
    let serve = zhijia_app::caller::with_client_address(client, serve);
    let mut response = REQUEST_ID
        .scope(id.clone(), frame.scope(serve).instrument(span))
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID, v);
    }
    state
        .metrics
        .requests
        .with_label_values(&[route, method.as_str(), response.status().as_str()])
        .observe(start.elapsed().as_secs_f64());
    crate::security_headers(&mut response, state.config.secure_cookies);
    response
}
