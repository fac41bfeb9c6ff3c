//! What every JSON API handler does with its input and its "created" answer, in one place: a
//! malformed body or query string becomes the same Chinese 422 everywhere.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use zhijia_app::AppError;

/// The JSON body, or a 422 saying what shape was expected.
pub fn body<T>(b: Result<Json<T>, JsonRejection>, shape: &str) -> Result<T, AppError> {
    b.map(|Json(v)| v)
        .map_err(|_| AppError::invalid("body", format!("请求体应为 JSON：{shape}")))
}

/// The query parameters, or a 422.
pub fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    q.map(|Query(v)| v)
        .map_err(|_| AppError::invalid("query", "查询参数格式不正确"))
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
