//! Who is asking: the staff session from its cookie, CSRF checks on forms.

pub mod me;
pub mod pages;
pub mod view;
pub mod worker;
pub mod worker_api;

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use zhijia_domain::auth::{Grant, tokens_match};
use zhijia_domain::org::OrgPath;
use zhijia_store::session::Session;

pub const SESSION_COOKIE: &str = "zhijia_session";
/// Double-submit token of forms shown before sign-in (the sign-in form itself).
pub const CSRF_COOKIE: &str = "zhijia_csrf";

/// The name a cookie travels under. Over HTTPS (`--secure-cookies`) it carries the `__Host-`
/// prefix: browsers then take it only from this very host, over HTTPS, with `Path=/` and no
/// `Domain`, so a neighbouring subdomain or a plain-HTTP answer cannot plant or overwrite a
/// session (fixation). Only the prefixed name is read then.
pub fn cookie_name(name: &str, secure: bool) -> std::borrow::Cow<'_, str> {
    if secure {
        format!("__Host-{name}").into()
    } else {
        name.into()
    }
}

/// The value of a cookie of the request, under its name for this site (`cookie_name`).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str, secure: bool) -> Option<&'a str> {
    let name = cookie_name(name, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A write to the JSON API authenticated by a cookie must be sent as JSON. A page on another
/// site can post a form (with no preflight) but cannot send `application/json` without CORS,
/// which zhijia does not allow; SameSite cookies already stop such posts in current browsers,
/// and this holds in the others too. API clients use a bearer token and are not concerned.
pub fn cross_site_api_write(parts: &Parts) -> Option<Response> {
    let safe = matches!(parts.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    if safe || !parts.uri.path().starts_with("/api/") || bearer(&parts.headers).is_some() {
        return None;
    }
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        return None;
    }
    let body = crate::error::ErrorBody {
        error: "forbidden",
        message: "通过浏览器登录状态调用接口时，请求须以 JSON 提交(或使用 Bearer 令牌)".into(),
        field: None,
    };
    Some((StatusCode::FORBIDDEN, axum::Json(body)).into_response())
}

/// A `Set-Cookie` value: HttpOnly always, `Path=/` and no `Domain`; `Secure` and the `__Host-`
/// name when the site is served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool, same_site: &str) -> String {
    let name = cookie_name(name, secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}")
}

/// A signed-in staff member, with the grants that scope what they see.
pub struct StaffUser {
    pub session: Session,
    pub token: String,
    pub grants: Vec<Grant>,
    /// The user as the actor of audited actions.
    pub actor: zhijia_domain::audit::Actor,
}

impl StaffUser {
    /// The caller of a use case: this user with their grants.
    pub fn ctx(&self) -> zhijia_app::caller::StaffCtx<'_> {
        zhijia_app::caller::StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }

    /// Whether an org (by its path) lies inside the subtree of any of the user's grants.
    pub fn may_see(&self, path: &OrgPath) -> bool {
        self.grants.iter().any(|g| g.org_path.contains(path))
    }

    /// Whether a form's CSRF token is this session's.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        tokens_match(submitted, &self.session.csrf_token)
    }
}

/// A submitted console form that carries the session's CSRF token in a `csrf` field.
pub trait CarriesCsrf {
    fn csrf(&self) -> &str;
}

impl CarriesCsrf for std::collections::HashMap<String, String> {
    fn csrf(&self) -> &str {
        self.get("csrf").map_or("", String::as_str)
    }
}

/// Implements [`CarriesCsrf`] for form structs with a `csrf: String` field.
macro_rules! carries_csrf {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::auth::CarriesCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use carries_csrf;

/// A signed-in session (staff or worker) whose CSRF token a form must carry.
pub trait CsrfSession {
    fn csrf_ok(&self, submitted: &str) -> bool;
}

impl CsrfSession for StaffUser {
    fn csrf_ok(&self, submitted: &str) -> bool {
        StaffUser::csrf_ok(self, submitted)
    }
}

impl CsrfSession for worker::WorkerUser {
    fn csrf_ok(&self, submitted: &str) -> bool {
        worker::WorkerUser::csrf_ok(self, submitted)
    }
}

/// The fields of a form once it was read and its CSRF token is the session's; `None` when
/// either fails, to be answered with [`csrf_refused`].
pub fn checked_form<T: CarriesCsrf>(
    user: &impl CsrfSession,
    form: Result<axum::extract::Form<T>, axum::extract::rejection::FormRejection>,
) -> Option<T> {
    let Ok(axum::extract::Form(form)) = form else {
        return None;
    };
    user.csrf_ok(form.csrf()).then_some(form)
}

pub fn csrf_refused() -> Response {
    let page =
        crate::pages::ErrorPage::new(403, "表单已失效(缺少或错误的安全令牌)，请刷新页面后重试");
    (StatusCode::FORBIDDEN, crate::pages::render(&page)).into_response()
}

fn not_signed_in(parts: &Parts) -> Response {
    if parts.uri.path().starts_with("/api/") {
        let body = crate::error::ErrorBody {
            error: "unauthorized",
            message: "请先登录".into(),
            field: None,
        };
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    let next = parts
        .uri
        .path_and_query()
        .map_or("/console", |p| p.as_str());
    let next: String = url_encode(next);
    Redirect::to(&format!("/console/sign-in?next={next}")).into_response()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(refused) = cross_site_api_write(parts) {
            return Err(refused);
        }
        // API clients send the session token as a bearer token; browsers send the cookie.
        let Some(token) = bearer(&parts.headers)
            .or_else(|| cookie(&parts.headers, SESSION_COOKIE, state.config.secure_cookies))
            .map(str::to_owned)
        else {
            return Err(not_signed_in(parts));
        };
        let session = match zhijia_app::session::resolve(&state.store, &token).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(not_signed_in(parts)),
            Err(e) => return Err(crate::PageError(e).into_response()),
        };
        // A first password must be changed before anything else.
        if session.must_change_password && parts.uri.path() != "/console/password" {
            if parts.uri.path().starts_with("/api/") {
                let body = crate::error::ErrorBody {
                    error: "forbidden",
                    message: "请先在工作台修改初始密码".into(),
                    field: None,
                };
                return Err((StatusCode::FORBIDDEN, axum::Json(body)).into_response());
            }
            return Err(Redirect::to("/console/password").into_response());
        }
        let grants = match zhijia_store::staff::grants(&state.store, session.staff_id).await {
            Ok(g) => g,
            Err(e) => return Err(crate::PageError(e.into()).into_response()),
        };
        if crate::console::wants_shell(parts) {
            crate::console::fill_menu(&state.store, &grants, parts.uri.path()).await;
        }
        let actor = zhijia_domain::audit::Actor {
            kind: zhijia_domain::audit::ActorKind::Staff,
            id: Some(session.staff_id.0),
            name: session.username.clone(),
            // Audit entries record the address the rate limits use.
            ip: crate::extract::client_ip(parts, &state.config.trusted_proxies),
        };
        Ok(StaffUser {
            session,
            token,
            grants,
            actor,
        })
    }
}
