//! What every handler does with its input and its "created" answer, in one place: a malformed
//! body or query string becomes the same Chinese 422 everywhere (`ApiJson`, `ApiQuery`).

use crate::ApiError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use zhijia_app::AppError;

/// What was wrong with a JSON body, in words: a missing field is named.
fn body_refused(e: &JsonRejection) -> AppError {
    match e {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::invalid("body", "请求体应为 JSON(Content-Type: application/json)")
        }
        JsonRejection::JsonDataError(d) => {
            let text = d.body_text();
            match text
                .split("missing field `")
                .nth(1)
                .and_then(|r| r.split('`').next())
            {
                Some(field) => AppError::invalid("body", format!("请求体缺少字段“{field}”")),
                None => AppError::invalid("body", "请求体中有字段的格式不正确"),
            }
        }
        _ => AppError::invalid("body", "请求体应为有效的 JSON"),
    }
}

fn query_refused() -> AppError {
    AppError::invalid("query", "查询参数格式不正确")
}

/// A JSON body; refused with the API's JSON 422.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|e| ApiError(body_refused(&e)))
    }
}

/// Query parameters; refused with the API's JSON 422.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|_| ApiError(query_refused()))
    }
}

/// The JSON body, or a 422 saying what shape was expected: for the few handlers whose body is
/// optional; the others take `ApiJson`.
pub fn body<T>(b: Result<Json<T>, JsonRejection>, shape: &str) -> Result<T, AppError> {
    b.map(|Json(v)| v)
        .map_err(|_| AppError::invalid("body", format!("请求体应为 JSON：{shape}")))
}

/// The answer to a request that made something: its id.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// An id from the address; a malformed one is simply not found.
pub fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or(AppError::NotFound("记录"))
}

/// An error before the handler runs, answered as the handler would: JSON under `/api/`, a page
/// elsewhere.
fn refusal(parts: &Parts, e: AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    if parts.uri.path().starts_with("/api/") {
        ApiError(e).into_response()
    } else {
        crate::PageError(e).into_response()
    }
}

/// The record id of the address (its one path parameter, whatever its name); a malformed one
/// is simply not found.
pub struct Id<T = i64>(pub T);

impl<S: Send + Sync, T: std::str::FromStr> FromRequestParts<S> for Id<T> {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| refusal(parts, AppError::NotFound("记录")))?;
        // Only a positive integer names a record; the record id types parse the same way.
        parse_id(&raw.0)
            .ok()
            .and_then(|_| raw.0.parse::<T>().ok())
            .map(Id)
            .ok_or_else(|| refusal(parts, AppError::NotFound("记录")))
    }
}

/// The server's state for the areas whose use cases need the personal-data keys (membership,
/// aid, benefits, activities), with the keys: a server started without them refuses such a
/// request before its handler runs. Derefs to the state; `membership()`, `aid()`, `benefit()`
/// and `activity()` give each area's use-case context.
pub struct Keyed {
    state: crate::AppState,
    keys: zhijia_domain::pii::PiiKeys,
}

impl Keyed {
    pub fn of(state: &crate::AppState) -> Result<Self, AppError> {
        let keys = state.config.pii_keys.clone().ok_or_else(|| {
            AppError::Config(
                "服务器未配置个人信息加密密钥(--pii-key)，暂不能办理会员、帮扶、普惠和活动业务"
                    .into(),
            )
        })?;
        Ok(Keyed {
            state: state.clone(),
            keys,
        })
    }

    pub fn membership(&self) -> zhijia_app::membership::Ctx<'_> {
        zhijia_app::membership::Ctx {
            db: &self.state.store,
            keys: &self.keys,
            settings: &self.state.config.membership,
            sms: self.state.sms.as_ref(),
        }
    }

    pub fn aid(&self) -> zhijia_app::aid::Ctx<'_> {
        zhijia_app::aid::Ctx {
            db: &self.state.store,
            keys: &self.keys,
            settings: &self.state.config.aid,
        }
    }

    /// Coupon QR codes are signed with a key derived from the personal-data keys.
    pub fn benefit(&self) -> zhijia_app::benefit::Ctx<'_> {
        zhijia_app::benefit::Ctx {
            db: &self.state.store,
            keys: &self.keys,
        }
    }

    /// Registration QR codes are signed with a key derived from the personal-data keys.
    pub fn activity(&self) -> zhijia_app::activity::Ctx<'_> {
        zhijia_app::activity::Ctx {
            db: &self.state.store,
            keys: &self.keys,
            sms: self.state.sms.as_ref(),
        }
    }
}

impl std::ops::Deref for Keyed {
    type Target = crate::AppState;
    fn deref(&self) -> &crate::AppState {
        &self.state
    }
}

impl FromRequestParts<crate::AppState> for Keyed {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Keyed::of(state).map_err(|e| refusal(parts, e))
    }
}

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the last address
/// in `X-Forwarded-For` that is not itself a trusted proxy (proxies append, so everything to its
/// left was written by the client and proves nothing). Rate limits per address and audit
/// entries use it. `None` only where there is no peer (a router called without a socket).
pub fn client_ip(parts: &Parts, trusted: &[ipnet::IpNet]) -> Option<String> {
    client_ip_of(&parts.extensions, &parts.headers, trusted)
}

/// `client_ip` from a request's extensions and headers.
pub fn client_ip_of(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> Option<String> {
    use std::net::IpAddr;
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let client = forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .copied()
        .unwrap_or(peer);
    Some(client.to_string())
}

/// The client's address as `client_ip` finds it.
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<crate::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, &state.config.trusted_proxies)))
    }
}
