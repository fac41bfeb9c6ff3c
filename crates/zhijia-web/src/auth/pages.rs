//! Staff sign-in, sign-out and password change pages.

use super::{CSRF_COOKIE, SESSION_COOKIE, StaffUser, cookie, csrf_refused, set_cookie};
use crate::extract::ClientIp;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{SESSION_HOURS, random_token, tokens_match};

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only addresses inside the console are followed after sign-in (no open redirect), and only
/// printable ones: a line break would end up in the `Location` header.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/console")
                && !n.starts_with("//")
                && !n.contains("://")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    let csrf = cookie(&headers, CSRF_COOKIE, state.config.secure_cookies)
        .filter(|c| c.len() == 64)
        .map_or_else(random_token, str::to_owned);
    let next = safe_next(q.as_ref().ok().and_then(|q| q.next.as_deref()));
    let page = SignInPage {
        csrf: csrf.clone(),
        next,
        username: String::new(),
        error: None,
        demo: state.config.demo,
    };
    let set = set_cookie(
        CSRF_COOKIE,
        &csrf,
        3600,
        state.config.secure_cookies,
        "Strict",
    );
    ([(header::SET_COOKIE, set)], render(&page)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(client): ClientIp,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    let expected = cookie(&headers, CSRF_COOKIE, state.config.secure_cookies).unwrap_or("");
    if expected.is_empty() || !tokens_match(&form.csrf, expected) {
        return csrf_refused();
    }
    let next = safe_next(form.next.as_deref());
    let ip = client;
    match zhijia_app::staff::sign_in(&state.store, &form.username, &form.password, ip.as_deref())
        .await
    {
        Ok(staff) => match zhijia_app::session::start(&state.store, staff.id).await {
            Ok(started) => {
                let to = if staff.must_change_password {
                    "/console/password".to_owned()
                } else {
                    next
                };
                let set = set_cookie(
                    SESSION_COOKIE,
                    &started.token,
                    SESSION_HOURS * 3600,
                    state.config.secure_cookies,
                    "Lax",
                );
                ([(header::SET_COOKIE, set)], Redirect::to(&to)).into_response()
            }
            Err(e) => PageError(e).into_response(),
        },
        Err(e @ (AppError::Unauthorized(_) | AppError::Forbidden(_) | AppError::TooMany(_))) => {
            // The form comes back with the reason and the name typed, whatever the refusal.
            let status = crate::error::status(&e);
            let page = SignInPage {
                csrf: form.csrf,
                next,
                username: form.username.chars().take(32).collect(),
                error: Some(e.to_string()),
                demo: state.config.demo,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    if !user.csrf_ok(&form.csrf) {
        return csrf_refused();
    }
    if let Err(e) = zhijia_app::session::end(&state.store, &user.token).await {
        return PageError(e).into_response();
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies, "Lax");
    (
        [(header::SET_COOKIE, clear)],
        Redirect::to("/console/sign-in"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    user: String,
    csrf: String,
    forced: bool,
    error: Option<String>,
}

async fn password_form(user: StaffUser) -> Response {
    render(&PasswordPage {
        user: user.session.display_name.clone(),
        csrf: user.session.csrf_token.clone(),
        forced: user.session.must_change_password,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    user: StaffUser,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return csrf_refused();
    };
    if !user.csrf_ok(&form.csrf) {
        return csrf_refused();
    }
    let again = |error: String| {
        let page = PasswordPage {
            user: user.session.display_name.clone(),
            csrf: user.session.csrf_token.clone(),
            forced: user.session.must_change_password,
            error: Some(error),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
    };
    if form.new != form.confirm {
        return again("两次输入的新密码不一致".into());
    }
    let actor = Actor {
        kind: ActorKind::Staff,
        id: Some(user.session.staff_id.0),
        name: user.session.username.clone(),
        ip: client,
    };
    match zhijia_app::staff::change_password(
        &state.store,
        user.session.staff_id,
        &form.current,
        &form.new,
        &actor,
    )
    .await
    {
        Ok(()) => {}
        Err(e @ AppError::Invalid(_)) => return again(e.to_string()),
        Err(e) => return PageError(e).into_response(),
    }
    // Every other session of the account ends; this one starts afresh.
    let started = match async {
        zhijia_app::session::end_all(&state.store, user.session.staff_id).await?;
        zhijia_app::session::start(&state.store, user.session.staff_id).await
    }
    .await
    {
        Ok(s) => s,
        Err(e) => return PageError(e).into_response(),
    };
    let set = set_cookie(
        SESSION_COOKIE,
        &started.token,
        SESSION_HOURS * 3600,
        state.config.secure_cookies,
        "Lax",
    );
    ([(header::SET_COOKIE, set)], Redirect::to("/console")).into_response()
}

/// Credentials of an API client.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApiSignIn {
    pub username: String,
    pub password: String,
}

/// A session for an API client: send `Authorization: Bearer {token}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiSession {
    pub token: String,
    /// Seconds until the session ends.
    pub expires_in: i64,
    /// The account must change its first password (on the console) before anything else.
    pub must_change_password: bool,
}

/// Signs a staff account in for API use; the same limits, waits after wrong passwords and audit
/// as the console.
#[utoipa::path(post, path = "/api/v1/staff/sessions", tag = "auth", request_body = ApiSignIn,
    responses((status = 200, body = ApiSession), (status = 401, body = crate::error::ErrorBody),
              (status = 429, description = "登录请求过多，请稍后再试", body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_sign_in(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<axum::Json<ApiSignIn>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<ApiSession>, crate::ApiError> {
    let axum::Json(req) = body
        .map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"username\", \"password\"}"))?;
    let ip = client;
    let staff =
        zhijia_app::staff::sign_in(&state.store, &req.username, &req.password, ip.as_deref())
            .await?;
    let started = zhijia_app::session::start(&state.store, staff.id).await?;
    Ok(axum::Json(ApiSession {
        token: started.token,
        expires_in: SESSION_HOURS * 3600,
        must_change_password: staff.must_change_password,
    }))
}

/// Ends the session whose token the request carries (an API client signing out, or a token
/// thought leaked).
#[utoipa::path(delete, path = "/api/v1/staff/sessions/current", tag = "auth",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_sign_out(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<StatusCode, crate::ApiError> {
    zhijia_app::session::end(&state.store, &user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the signed-in account, on every device and API client.
#[utoipa::path(delete, path = "/api/v1/staff/sessions", tag = "auth",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_sign_out_everywhere(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<StatusCode, crate::ApiError> {
    zhijia_app::session::end_all(&state.store, user.session.staff_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/staff/sessions",
            axum::routing::post(api_sign_in).delete(api_sign_out_everywhere),
        )
        .route(
            "/api/v1/staff/sessions/current",
            axum::routing::delete(api_sign_out),
        )
        .route("/console/sign-in", get(sign_in_form).post(sign_in))
        .route("/console/sign-out", axum::routing::post(sign_out))
        .route(
            "/console/password",
            get(password_form).post(change_password),
        )
}
