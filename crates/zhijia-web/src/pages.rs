//! Shared page pieces: the layout data every page carries, rendering, the 404 page.

use crate::assets;
use crate::auth::StaffUser;
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

/// htmx and its settings, for the head block of the pages that use it (the org tree): 17 KB
/// that the other pages, a worker's above all, do not load.
pub fn htmx_head() -> String {
    format!(
        "<meta name=\"htmx-config\" content='{{\"includeIndicatorStyles\":false}}'>\
         <script src=\"{}\" defer></script>",
        assets::url("htmx.min.js")
    )
}

pub fn echarts_url() -> String {
    assets::url("echarts.simple.min.js")
}

pub fn charts_url() -> String {
    assets::url("charts.js")
}

/// The count of an article's opens (`[data-read]`), for the head block of an article page.
pub fn read_head() -> String {
    format!("<script src=\"{}\" defer></script>", assets::url("read.js"))
}

/// The knowledge-base answers offered under a case's title as it is typed
/// (`input[data-answers]`), for the head block of the case form.
pub fn answers_head() -> String {
    format!(
        "<script src=\"{}\" defer></script>",
        assets::url("answers.js")
    )
}

/// The union-by-name suggestions (`input[data-suggest]`), for the head block of a page.
pub fn suggest_head() -> String {
    format!(
        "<script src=\"{}\" defer></script>",
        assets::url("suggest.js")
    )
}

/// The live countdown script (`[data-countdown]`).
pub fn countdown_url() -> String {
    assets::url("countdown.js")
}

/// The scripts of a page with a camera QR scanner (`input[data-scan]`), for its head block.
pub fn scanner_scripts() -> String {
    format!(
        "<script src=\"{}\" data-jsqr=\"{}\" defer></script>",
        assets::url("scan.js"),
        assets::url("jsQR.js")
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

/// A page of rows as a page of their views, for the JSON API.
pub fn views<T, V: for<'a> From<&'a T>>(p: zhijia_store::Page<T>) -> zhijia_store::Page<V> {
    zhijia_store::Page {
        items: p.items.iter().map(V::from).collect(),
        total: p.total,
        offset: p.offset,
        limit: p.limit,
    }
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

/// The page sizes a console list offers (RuoYi's and Ant Design's usual choice).
pub const PAGE_SIZES: [i64; 3] = [20, 50, 100];

/// A page size asked for, if it is one of [`PAGE_SIZES`]; `default` otherwise.
pub fn page_size(asked: Option<i64>, default: i64) -> i64 {
    asked.filter(|s| PAGE_SIZES.contains(s)).unwrap_or(default)
}

/// Rows on a page of a console or worker list.
pub const PER_PAGE: i64 = 30;

/// A list page with its position, for the pager.
pub struct Pager {
    pub page: i64,
    /// Rows on a page; a list that offers a choice shows it beside the numbers.
    pub size: i64,
    pub pages: i64,
    pub total: i64,
    /// Address of the page without `page=` (ends with `?` or `&`).
    pub base: String,
}

impl Pager {
    pub fn new(page: i64, total: i64, base: String) -> Self {
        Pager::sized(page, PER_PAGE, total, base)
    }
    /// A pager of `size` rows a page.
    pub fn sized(page: i64, size: i64, total: i64, base: String) -> Self {
        let size = size.max(1);
        Pager {
            page,
            size,
            pages: page_count(total, size),
            total,
            base,
        }
    }
    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}page={}", self.base, self.page - 1))
    }
    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| format!("{}page={}", self.base, self.page + 1))
    }
    /// Address of page `n`.
    pub fn href(&self, n: &i64) -> String {
        format!("{}page={n}", self.base)
    }
    /// The page numbers to show: the first, the last and two either side of this one, with
    /// `None` where a run is left out (shown as "…").
    pub fn numbers(&self) -> Vec<Option<i64>> {
        let mut out = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            if n == 1 || n == self.pages || (n - self.page).abs() <= 2 {
                if n > last + 1 {
                    out.push(None);
                }
                out.push(Some(n));
                last = n;
            }
        }
        out
    }
}

/// The signed-in user as the page header shows them.
pub struct UserBar {
    pub name: String,
    pub csrf: String,
}

impl From<&StaffUser> for UserBar {
    fn from(u: &StaffUser) -> Self {
        UserBar {
            name: u.session.display_name.clone(),
            csrf: u.session.csrf_token.clone(),
        }
    }
}

/// The QR code of a payload as an inline SVG (no script, no external image), rendered off the
/// async workers.
pub async fn qr_svg(payload: &str) -> Result<String, zhijia_app::AppError> {
    let payload = payload.to_owned();
    zhijia_app::slow::run(move || {
        let code = qrcode::QrCode::new(payload.as_bytes())
            .map_err(|e| zhijia_app::AppError::Config(format!("二维码生成失败：{e}")))?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .build())
    })
    .await?
}
