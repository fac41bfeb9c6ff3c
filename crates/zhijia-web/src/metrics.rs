//! Request counts and latencies per route, in Prometheus text.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, Registry, TextEncoder};
use std::time::Instant;

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

/// Records every request under its route template (`/api/v1/orgs/{id}`), never the raw path,
/// so the number of series stays bounded whatever addresses clients try; and adds the security
/// headers to the response.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = req.method().clone();
    let start = Instant::now();
    let mut response = next.run(req).await;
    state
        .metrics
        .requests
        .with_label_values(&[route, method.as_str(), response.status().as_str()])
        .observe(start.elapsed().as_secs_f64());
    crate::security_headers(&mut response);
    response
}
