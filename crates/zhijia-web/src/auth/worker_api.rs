//! The worker's side of the JSON API: sign in by SMS code for a bearer token, read and download
//! one's own data, ask for deletion. The same rules and limits as the mobile pages.

use super::worker::WorkerUser;
use crate::extract::ClientIp;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use zhijia_app::sms::{self, WORKER_SESSION_DAYS};
use zhijia_app::{AppError, me};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CodeRequest {
    /// 中国大陆手机号，11位
    pub phone: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeSent {
    pub sent: bool,
    /// Only on a demo server: the code itself, so the API can be tried without a phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_code: Option<String>,
}

/// Sends a 6-digit sign-in code by SMS (at most 1 per phone per 60 s and 10 per day).
#[utoipa::path(post, path = "/api/v1/worker/sms-codes", tag = "auth", request_body = CodeRequest,
    responses((status = 202, body = CodeSent), (status = 422, body = crate::error::ErrorBody),
              (status = 429, body = crate::error::ErrorBody)))]
pub async fn request_code(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<Json<CodeRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"phone\"}"))?;
    let ip = client;
    let demo_code = sms::request_code(
        &state.store,
        state.sms.as_ref(),
        &req.phone,
        ip.as_deref(),
        state.config.demo,
    )
    .await?;
    let sent = CodeSent {
        sent: true,
        demo_code,
    };
    Ok((StatusCode::ACCEPTED, Json(sent)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyRequest {
    pub phone: String,
    /// 短信中的6位验证码
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkerToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds until the session ends.
    pub expires_in: i64,
}

/// Checks a code (single use, 5 tries, 5 minutes) and starts a session.
#[utoipa::path(post, path = "/api/v1/worker/sessions", tag = "auth", request_body = VerifyRequest,
    responses((status = 201, body = WorkerToken), (status = 422, body = crate::error::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    body: Result<Json<VerifyRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) =
        body.map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"phone\", \"code\"}"))?;
    let signed = sms::verify_code(&state.store, &req.phone, &req.code).await?;
    let token = WorkerToken {
        token: signed.token,
        expires_in: WORKER_SESSION_DAYS * 86_400,
    };
    Ok((StatusCode::CREATED, Json(token)).into_response())
}

/// Ends the session of the bearer token.
#[utoipa::path(delete, path = "/api/v1/worker/sessions/current", tag = "auth",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    user: WorkerUser,
) -> Result<StatusCode, ApiError> {
    sms::sign_out(&state.store, &user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything the platform holds about the signed-in worker, with their own full identity
/// number (个人信息保护法 art. 45). The read is audited.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, description = "本人的全部数据，与 /me/data.json 相同", content_type = "application/json"),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_data(
    State(state): State<AppState>,
    user: WorkerUser,
) -> Result<Response, ApiError> {
    let data = me::export(
        &state.store,
        state.config.pii_keys.as_ref(),
        &user.session.phone,
    )
    .await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(super::view::MyDataView::from(&data)),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DeletionRequestBody {
    /// 说明(可选，500字以内)
    #[serde(default)]
    pub reason: String,
}

/// Asks for deletion of the data the unions are not required to keep.
#[utoipa::path(post, path = "/api/v1/me/deletion-requests", tag = "me",
    request_body = DeletionRequestBody,
    responses((status = 202), (status = 401, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn request_deletion(
    State(state): State<AppState>,
    user: WorkerUser,
    body: Result<Json<DeletionRequestBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(req) = body.map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"reason\"}"))?;
    me::request_deletion(&state.store, &user.session.phone, &req.reason).await?;
    Ok(StatusCode::ACCEPTED)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/worker/sms-codes", post(request_code))
        .route("/api/v1/worker/sessions", post(verify))
        .route("/api/v1/worker/sessions/current", delete(sign_out))
        .route("/api/v1/me", get(my_data))
        .route("/api/v1/me/deletion-requests", post(request_deletion))
}
