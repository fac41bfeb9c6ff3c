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
    let Some(token) = super::bearer(headers).or_else(|| cookie(headers, WORKER_COOKIE)) else {
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
            Ok(None) => Err(Redirect::to("/sign-in").into_response()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

#[derive(Template)]
#[template(path = "worker_sign_in.html")]
struct SignInPage {
    csrf: String,
    /// Set once a code was sent: the page then asks for the code.
    phone: Option<String>,
    phone_masked: String,
    demo_code: Option<String>,
    error: Option<String>,
}

fn csrf_from(headers: &HeaderMap) -> String {
    cookie(headers, CSRF_COOKIE)
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

async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = csrf_from(&headers);
    let page = SignInPage {
        csrf: csrf.clone(),
        phone: None,
        phone_masked: String::new(),
        demo_code: None,
        error: None,
    };
    with_csrf_cookie(&state, &csrf, StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    phone: String,
}

fn csrf_valid(headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, CSRF_COOKIE).is_some_and(|c| !c.is_empty() && tokens_match(c, submitted))
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
    if !csrf_valid(&headers, &form.csrf) {
        return csrf_refused();
    }
    let ip = client;
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
            let page = SignInPage {
                csrf: form.csrf,
                phone_masked: mask_phone(&phone),
                phone: Some(phone),
                demo_code,
                error: None,
            };
            render(&page)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooMany(_))) => {
            let status = if matches!(e, AppError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = SignInPage {
                csrf: form.csrf,
                phone: None,
                phone_masked: String::new(),
                demo_code: None,
                error: Some(e.to_string()),
            };
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
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<VerifyForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    if !csrf_valid(&headers, &form.csrf) {
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
            ([(header::SET_COOKIE, set)], Redirect::to("/")).into_response()
        }
        Err(e @ AppError::Invalid(_)) => {
            let phone = zhijia_domain::auth::parse_phone(&form.phone).ok();
            let page = SignInPage {
                csrf: form.csrf,
                phone_masked: phone.as_deref().map(mask_phone).unwrap_or_default(),
                phone,
                demo_code: None,
                error: Some(e.to_string()),
            };
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
