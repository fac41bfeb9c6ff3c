//! Worker sign-in by phone and SMS code, mobile pages.

use super::{CSRF_COOKIE, cookie, csrf_refused, set_cookie};
use crate::extract::ClientIp;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::sms::{self, WORKER_SESSION_DAYS};
use zhijia_domain::auth::{mask_phone, random_token, tokens_match};
use zhijia_store::sms::WorkerSession;

pub const WORKER_COOKIE: &str = "zhijia_worker";

/// The signed-in worker of a request, if any, with their token: a bearer token (apps and API
/// clients) or the cookie (the mobile pages).
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(WorkerSession, String)>, AppError> {
    let Some(token) = super::bearer(headers)
        .or_else(|| cookie(headers, WORKER_COOKIE, state.config.secure_cookies))
    else {
        return Ok(None);
    };
    Ok(sms::resolve(&state.store, token)
        .await?
        .map(|s| (s, token.to_owned())))
}

/// A signed-in worker. Pages that need one redirect to the sign-in page; API routes answer 401.
pub struct WorkerUser {
    pub session: WorkerSession,
    pub token: String,
}

impl WorkerUser {
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        tokens_match(&self.session.csrf_token, submitted)
    }
}

impl FromRequestParts<AppState> for WorkerUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(refused) = super::cross_site_api_write(parts) {
            return Err(refused);
        }
        match current(state, &parts.headers).await {
            Ok(Some((session, token))) => Ok(WorkerUser { session, token }),
            Ok(None) if parts.uri.path().starts_with("/api/") => {
                let body = crate::error::ErrorBody {
                    error: "unauthorized",
                    message: "请先用手机号登录".into(),
                    field: None,
                };
                Err((StatusCode::UNAUTHORIZED, axum::Json(body)).into_response())
            }
            // A page the worker asked for comes back after signing in; a form's target does not
            // (its answer would be a 405 or a lost post).
            Ok(None) if parts.method == axum::http::Method::GET => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/", axum::http::uri::PathAndQuery::as_str);
                Err(Redirect::to(&sign_in_link(here)).into_response())
            }
            Ok(None) => Err(Redirect::to("/sign-in").into_response()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

/// The sign-in page's address that comes back to `here` (a local path) afterwards.
pub fn sign_in_link(here: &str) -> String {
    let Some(here) = crate::frame::local_path(Some(here)).filter(|h| *h != "/") else {
        return "/sign-in".into();
    };
    let mut link = String::from("/sign-in?next=");
    for b in here.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                link.push(b as char)
            }
            _ => link.push_str(&format!("%{b:02X}")),
        }
    }
    link
}

#[derive(Template)]
#[template(path = "auth/worker_sign_in.html")]
struct SignInPage {
    csrf: String,
    /// Set once a code was sent: the page then asks for the code.
    phone: Option<String>,
    phone_masked: String,
    /// The phone as typed, kept when it was refused.
    phone_typed: String,
    /// The code as typed, kept when a new code was refused.
    code: String,
    /// Where to go after signing in (a local path), carried through every step.
    next: String,
    /// Seconds until another code may be asked for, and that moment in Beijing time.
    wait: i64,
    wait_until: String,
    demo_code: Option<String>,
    error: Option<String>,
}

impl SignInPage {
    fn start(csrf: String, next: String) -> Self {
        SignInPage {
            csrf,
            phone: None,
            phone_masked: String::new(),
            phone_typed: String::new(),
            code: String::new(),
            next,
            wait: 0,
            wait_until: String::new(),
            demo_code: None,
            error: None,
        }
    }

    /// The step that asks for the code sent to `phone`.
    fn code_step(mut self, phone: String, wait: i64) -> Self {
        self.phone_masked = mask_phone(&phone);
        self.phone = Some(phone);
        self.wait = wait;
        self.wait_until = crate::filters::beijing_fmt(
            &(chrono::Utc::now() + chrono::Duration::seconds(wait)),
            "%H:%M:%S",
        );
        self
    }
}

/// `next` as posted or asked, kept only when it is a local path.
fn safe_next(next: Option<&str>) -> String {
    crate::frame::local_path(next.map(str::trim))
        .unwrap_or_default()
        .to_owned()
}

fn csrf_from(state: &AppState, headers: &HeaderMap) -> String {
    cookie(headers, CSRF_COOKIE, state.config.secure_cookies)
        .filter(|c| c.len() == 64)
        .map_or_else(random_token, str::to_owned)
}

fn with_csrf_cookie(
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    page: &SignInPage,
) -> Response {
    let set = set_cookie(
        CSRF_COOKIE,
        csrf,
        3600,
        state.config.secure_cookies,
        "Strict",
    );
    (status, [(header::SET_COOKIE, set)], render(page)).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<axum::extract::Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let csrf = csrf_from(&state, &headers);
    let next = safe_next(q.ok().and_then(|q| q.0.next).as_deref());
    let page = SignInPage::start(csrf.clone(), next);
    with_csrf_cookie(&state, &csrf, StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    phone: String,
    /// A code typed before asking for another: kept if the new one is refused.
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: Option<String>,
}

fn csrf_valid(state: &AppState, headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, CSRF_COOKIE, state.config.secure_cookies)
        .is_some_and(|c| !c.is_empty() && tokens_match(c, submitted))
}

async fn send_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(client): ClientIp,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    if !csrf_valid(&state, &headers, &form.csrf) {
        return csrf_refused();
    }
    let ip = client;
    let next = safe_next(form.next.as_deref());
    let start = SignInPage::start(form.csrf.clone(), next);
    match sms::request_code(
        &state.store,
        state.sms.as_ref(),
        &form.phone,
        ip.as_deref(),
        state.config.demo,
    )
    .await
    {
        Ok(demo_code) => {
            let phone = zhijia_domain::auth::parse_phone(&form.phone).unwrap_or_default();
            let mut page = start.code_step(phone, sms::PHONE_GAP_SECONDS);
            page.demo_code = demo_code;
            render(&page)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooMany(_))) => {
            let status = if matches!(e, AppError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            // Too soon for another code: the worker stays on the code step with what they
            // typed, and sees when they may ask again. A wrong number is shown to correct.
            let mut page = match zhijia_domain::auth::parse_phone(&form.phone) {
                Ok(phone) if matches!(e, AppError::TooMany(_)) => {
                    let wait =
                        match sms::resend_wait(&state.store, &phone, chrono::Utc::now()).await {
                            Ok(w) => w,
                            Err(e) => return PageError(e).into_response(),
                        };
                    let mut page = start.code_step(phone, wait);
                    page.code = form
                        .code
                        .chars()
                        .filter(char::is_ascii_digit)
                        .take(6)
                        .collect();
                    page
                }
                _ => SignInPage {
                    phone_typed: form.phone.chars().take(20).collect(),
                    ..start
                },
            };
            page.error = Some(e.to_string());
            (status, render(&page)).into_response()
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    csrf: String,
    phone: String,
    code: String,
    #[serde(default)]
    next: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<VerifyForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    if !csrf_valid(&state, &headers, &form.csrf) {
        return csrf_refused();
    }
    match sms::verify_code(&state.store, &form.phone, &form.code).await {
        Ok(signed) => {
            let set = set_cookie(
                WORKER_COOKIE,
                &signed.token,
                WORKER_SESSION_DAYS * 86_400,
                state.config.secure_cookies,
                "Lax",
            );
            // Back to the page the worker wanted, never off-site.
            let to = safe_next(form.next.as_deref());
            let to = if to.is_empty() { "/".to_owned() } else { to };
            ([(header::SET_COOKIE, set)], Redirect::to(&to)).into_response()
        }
        Err(e @ AppError::Invalid(_)) => {
            let start = SignInPage::start(form.csrf.clone(), safe_next(form.next.as_deref()));
            let mut page = match zhijia_domain::auth::parse_phone(&form.phone) {
                Ok(phone) => {
                    let wait =
                        match sms::resend_wait(&state.store, &phone, chrono::Utc::now()).await {
                            Ok(w) => w,
                            Err(e) => return PageError(e).into_response(),
                        };
                    start.code_step(phone, wait)
                }
                Err(_) => start,
            };
            page.error = Some(e.to_string());
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    let (session, token) = match current(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return Redirect::to("/").into_response(),
        Err(e) => return PageError(e).into_response(),
    };
    if !tokens_match(&session.csrf_token, &form.csrf) {
        return csrf_refused();
    }
    if let Err(e) = sms::sign_out(&state.store, &token).await {
        return PageError(e).into_response();
    }
    let clear = set_cookie(WORKER_COOKIE, "", 0, state.config.secure_cookies, "Lax");
    ([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(form))
        .route("/sign-in/code", post(send_code))
        .route("/sign-in/verify", post(verify))
        .route("/sign-out", post(sign_out))
}
