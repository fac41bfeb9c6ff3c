//! Shared page pieces: the layout data every page carries, rendering, the 404 page.

use crate::assets;
use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

/// Renders a template; a template error (a bug) becomes a plain 500 without details.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

/// Address of the stylesheet, with its content hash (called from base.html).
pub fn css_url() -> String {
    assets::url("app.css")
}

/// Address of htmx, with its content hash (called from base.html).
pub fn htmx_url() -> String {
    assets::url("htmx.min.js")
}

pub fn echarts_url() -> String {
    assets::url("echarts.simple.min.js")
}

pub fn charts_url() -> String {
    assets::url("charts.js")
}

/// The live countdown script (`[data-countdown]`).
pub fn countdown_url() -> String {
    assets::url("countdown.js")
}

/// The scripts of a page with a camera QR scanner (`input[data-scan]`), for its head block.
pub fn scanner_scripts() -> String {
    format!(
        "<script src=\"{}\" defer></script><script src=\"{}\" defer></script>",
        assets::url("jsQR.js"),
        assets::url("scan.js")
    )
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
    /// Shown so a person can quote it to the operator, who finds it in the log.
    pub request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ErrorPage {
            status,
            message: message.into(),
            request_id: crate::metrics::request_id(),
        }
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    path: String,
}

/// 404 for any unknown address: JSON under /api, the page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        let body = crate::error::ErrorBody {
            error: "not_found",
            message: "接口不存在".into(),
            field: None,
        };
        return (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    }
    let path: String = uri.path().chars().take(200).collect();
    (StatusCode::NOT_FOUND, render(&NotFoundPage { path })).into_response()
}

/// Page numbers for lists: 1-based page in, (limit, offset) out.
pub fn page_window(page: Option<i64>, per_page: i64) -> (i64, i64, i64) {
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    (page, per_page, (page - 1) * per_page)
}

/// How many pages a total makes.
pub fn page_count(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}
