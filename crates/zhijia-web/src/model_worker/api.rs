//! Model workers as JSON: the public showcase (`/api/v1/model-workers`, no sign-in) and the
//! union's records (`/api/v1/console/model-workers`, editors and administrators).

use crate::auth::StaffUser;
use crate::extract::Created;
use crate::extract::parse_id;
use crate::extract::{ApiJson, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::model_worker::{self as uc, ModelWorkerInput, PublicModelWorker};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ShowcaseQuery {
    /// Only the records published by this union and the unions below it.
    pub org: Option<i64>,
    /// `national`, `province`, `city` or `county`.
    pub level: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// The union whose subtree to list; the caller's first union by default.
    pub org: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The published model workers (劳模风采), latest first. No sign-in needed.
#[utoipa::path(get, path = "/api/v1/model-workers", tag = "culture", params(ShowcaseQuery),
    responses((status = 200, description = "已发布的劳模事迹(分页)；不含电话、身份证号、会员号"),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn showcase(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ShowcaseQuery>,
) -> Result<Response, ApiError> {
    let page = uc::showcase(&state.store, q.org, q.level.as_deref(), q.limit, q.offset).await?;
    Ok(Json(page).into_response())
}

/// One published model worker. Drafts and withdrawn records answer 404.
#[utoipa::path(get, path = "/api/v1/model-workers/{id}", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, body = PublicModelWorker), (status = 404, body = crate::error::ErrorBody)))]
pub async fn public(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::public(&state.store, id).await?).into_response())
}

/// Records a model worker as a draft (editors and administrators of the union or above).
#[utoipa::path(post, path = "/api/v1/console/model-workers", tag = "culture", request_body = ModelWorkerInput,
    responses((status = 201, body = Created), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<ModelWorkerInput>,
) -> Result<Response, ApiError> {
    let id = uc::create(&state.store, &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The records of a union's subtree in every status, newest first (with the linked member
/// number and the consent time).
#[utoipa::path(get, path = "/api/v1/console/model-workers", tag = "culture", params(ListQuery),
    responses((status = 200, description = "劳模记录(分页)"), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) = uc::list(&state.store, &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(page).into_response())
}

/// One record, in any status. Another branch's record answers 404.
#[utoipa::path(get, path = "/api/v1/console/model-workers/{id}", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "劳模记录"), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::get(&state.store, &user.ctx(), id).await?).into_response())
}

/// Edits a record (`org` is ignored: a record stays with its union). A published record keeps
/// its consent (409 otherwise).
#[utoipa::path(put, path = "/api/v1/console/model-workers/{id}", tag = "culture", params(("id" = i64, Path)),
    request_body = ModelWorkerInput,
    responses((status = 200, description = "劳模记录"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ModelWorkerInput>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let m = uc::update(&state.store, &user.ctx(), id, &input, Utc::now()).await?;
    Ok(Json(m).into_response())
}

/// Publishes a draft or a withdrawn record; refused (409) without the honouree's consent.
#[utoipa::path(post, path = "/api/v1/console/model-workers/{id}/publish", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "劳模记录"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let m = uc::publish(&state.store, &user.ctx(), id, Utc::now()).await?;
    Ok(Json(m).into_response())
}

/// Takes a published record off the showcase.
#[utoipa::path(post, path = "/api/v1/console/model-workers/{id}/withdraw", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "劳模记录"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let m = uc::withdraw(&state.store, &user.ctx(), id).await?;
    Ok(Json(m).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/model-workers", get(showcase))
        .route("/api/v1/model-workers/{id}", get(public))
        .route("/api/v1/console/model-workers", get(list).post(create))
        .route(
            "/api/v1/console/model-workers/{id}",
            get(detail).put(update),
        )
        .route("/api/v1/console/model-workers/{id}/publish", post(publish))
        .route(
            "/api/v1/console/model-workers/{id}/withdraw",
            post(withdraw),
        )
}
