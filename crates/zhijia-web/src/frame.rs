//! What every page's frame needs to know about the request it answers, without each handler
//! passing it: the elder-mode preference (a cookie), the address (for "come back here" links)
//! and which face the page belongs to. Set once per request by `metrics::track`, read by
//! `base.html`; also the Chinese page or JSON body for errors that axum answers by itself
//! (405, 413, extractor rejections), which arrive with an empty or plain-text body.

use crate::AppState;
use crate::auth::{cookie, set_cookie};
use crate::pages::{ErrorPage, render};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

/// The elder-mode cookie: `1` when on. A display preference, not personal data.
pub const ELDER_COOKIE: &str = "elder";

#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub elder: bool,
    /// Path and query of the page, at most 512 characters, for `next=` links.
    pub here: String,
    /// The console's side menu, filled by the staff extractor on console pages (it knows the
    /// caller); shared so the value set inside the handler is seen by the template.
    pub menu: std::sync::Arc<std::sync::OnceLock<crate::console::Menu>>,
}

tokio::task_local! {
    static FRAME: Frame;
}

impl Frame {
    pub fn of(req: &Request, secure_cookies: bool) -> Frame {
        let here = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .chars()
            .take(512)
            .collect();
        Frame {
            elder: cookie(req.headers(), ELDER_COOKIE, secure_cookies) == Some("1"),
            here,
            menu: Default::default(),
        }
    }

    /// Runs `fut` with this frame readable by the templates it renders.
    pub async fn scope<F: std::future::Future>(self, fut: F) -> F::Output {
        FRAME.scope(self, fut).await
    }
}

fn with<T>(f: impl FnOnce(&Frame) -> T) -> Option<T> {
    FRAME.try_with(f).ok()
}

/// Whether the page is shown in elder mode (called from base.html).
pub fn elder() -> bool {
    with(|f| f.elder).unwrap_or(false)
}

/// Sets the console menu of this page (once; a second call is ignored).
pub fn set_menu(menu: crate::console::Menu) {
    let _ = with(|f| f.menu.set(menu));
}

/// The console menu of this page, if it is a console page.
pub fn menu() -> Option<crate::console::Menu> {
    with(|f| f.menu.get().cloned()).flatten()
}

/// Whether the page belongs to the staff face (console, merchant desk): its header links to
/// the console instead of the worker's home.
pub fn staff_face() -> bool {
    with(|f| f.here.starts_with("/console") || f.here.starts_with("/merchant")).unwrap_or(false)
}

/// The link that switches elder mode and comes back to this page.
pub fn elder_switch() -> String {
    let (on, here) = with(|f| (!f.elder, f.here.clone())).unwrap_or((true, "/".into()));
    let mut next = String::with_capacity(here.len() + 16);
    for b in here.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                next.push(b as char)
            }
            _ => next.push_str(&format!("%{b:02X}")),
        }
    }
    format!("/prefs/elder?on={}&next={next}", u8::from(on))
}

/// An address on this site that is safe to send a person back to after a step: a local path,
/// no scheme, no second slash that a browser would read as another host, nothing a header
/// could be split with.
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains("://")
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
            && n.len() <= 512
    })
}

#[derive(Debug, Deserialize)]
struct ElderQuery {
    on: Option<u8>,
    next: Option<String>,
}

/// Switches elder mode (remembered for a year) and goes back to the page it was asked from.
async fn switch_elder(
    State(state): State<AppState>,
    q: Result<Query<ElderQuery>, QueryRejection>,
) -> Response {
    let (on, next) = q.map_or((true, None), |Query(q)| (q.on != Some(0), q.next));
    let to = local_path(next.as_deref()).unwrap_or("/").to_owned();
    let cookie = if on {
        set_cookie(
            ELDER_COOKIE,
            "1",
            365 * 24 * 3600,
            state.config.secure_cookies,
            "Lax",
        )
    } else {
        set_cookie(ELDER_COOKIE, "", 0, state.config.secure_cookies, "Lax")
    };
    let mut headers = HeaderMap::new();
    if let (Ok(c), Ok(l)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&to)) {
        headers.insert(SET_COOKIE, c);
        headers.insert(LOCATION, l);
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/prefs/elder", get(switch_elder))
}

/// What a status means to a person, for the errors axum answers without our error types.
fn explain(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求的格式不正确，请返回上一页重新操作。",
        401 => "请先登录。",
        403 => "您没有权限进行这项操作。",
        404 => "您访问的页面或数据不存在。",
        405 => "不支持以这种方式访问该地址，请从页面上的按钮或链接进入。",
        408 => "请求超时，请检查网络后重试。",
        413 => "提交的内容太大：单个文件不超过 1 MB，请压缩或分开上传。",
        415 => "提交的内容类型不受支持。",
        422 => "提交的内容无法识别，请检查后重新填写。",
        429 => "操作太频繁，请稍后再试。",
        503 => "服务暂时不可用，请稍后再试。",
        s if s >= 500 => "服务器出错了，请稍后再试。",
        _ => "请求未能完成，请返回上一页重新操作。",
    }
}

/// An error that left a handler or axum with no body of ours (empty or plain text) gets the
/// Chinese error page, or the JSON error body under /api. Answers of ours pass unchanged.
pub async fn dress_error(is_api: bool, response: Response) -> Response {
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let plain = match response.headers().get(CONTENT_TYPE) {
        None => true,
        Some(v) => v.as_bytes().starts_with(b"text/plain"),
    };
    if !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut keep = HeaderMap::new();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            keep.append(name.clone(), value.clone());
        }
    }
    // A handler's own Chinese sentence is kept; axum's English ones are replaced.
    let said = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    let message = said.unwrap_or_else(|| explain(status).to_owned());
    let mut dressed = if is_api {
        let body = crate::error::ErrorBody {
            error: code(status),
            message,
            field: None,
        };
        (status, Json(body)).into_response()
    } else {
        let page = ErrorPage::new(status.as_u16(), message);
        (status, render(&page)).into_response()
    };
    dressed.headers_mut().extend(keep);
    dressed
}

fn code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "too_large",
        429 => "too_many",
        s if s >= 500 => "internal",
        _ => "invalid",
    }
}
