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
