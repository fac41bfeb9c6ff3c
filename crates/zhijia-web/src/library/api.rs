//! The workers' library as JSON: the public shelf (`/api/v1/library`, no sign-in) and the
//! union's items (`/api/v1/console/library`, editors and administrators).

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
use zhijia_app::library::{self as uc, LibraryInput, PublicItem};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ShelfQuery {
    /// Only the items of this union and the unions below it.
    pub org: Option<i64>,
    /// `book`, `ebook`, `audiobook` or `reading`.
    pub kind: Option<String>,
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

/// The published items of the workers' library (职工书屋), latest first. No sign-in needed.
#[utoipa::path(get, path = "/api/v1/library", tag = "culture", params(ShelfQuery),
    responses((status = 200, description = "已发布的书目(分页)"),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn shelf(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ShelfQuery>,
) -> Result<Response, ApiError> {
    let page = uc::shelf(&state.store, q.org, q.kind.as_deref(), q.limit, q.offset).await?;
    Ok(Json(page).into_response())
}

/// One published item. Drafts and withdrawn items answer 404.
#[utoipa::path(get, path = "/api/v1/library/{id}", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, body = PublicItem), (status = 404, body = crate::error::ErrorBody)))]
pub async fn public(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::public(&state.store, id).await?).into_response())
}

/// Puts an item on a union's shelf as a draft (editors and administrators of the union or
/// above).
#[utoipa::path(post, path = "/api/v1/console/library", tag = "culture", request_body = LibraryInput,
    responses((status = 201, body = Created), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<LibraryInput>,
) -> Result<Response, ApiError> {
    let id = uc::create(&state.store, &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The items of a union's subtree in every status, newest first.
#[utoipa::path(get, path = "/api/v1/console/library", tag = "culture", params(ListQuery),
    responses((status = 200, description = "书目(分页)"), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) = uc::list(&state.store, &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(page).into_response())
}

/// One item, in any status. Another branch's item answers 404.
#[utoipa::path(get, path = "/api/v1/console/library/{id}", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "书目"), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::get(&state.store, &user.ctx(), id).await?).into_response())
}

/// Edits an item (`org` is ignored: an item stays on its union's shelf).
#[utoipa::path(put, path = "/api/v1/console/library/{id}", tag = "culture", params(("id" = i64, Path)),
    request_body = LibraryInput,
    responses((status = 200, description = "书目"), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LibraryInput>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let m = uc::update(&state.store, &user.ctx(), id, &input).await?;
    Ok(Json(m).into_response())
}

/// Publishes a draft or a withdrawn item.
#[utoipa::path(post, path = "/api/v1/console/library/{id}/publish", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "书目"), (status = 404, body = crate::error::ErrorBody),
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

/// Takes a published item off the shelf.
#[utoipa::path(post, path = "/api/v1/console/library/{id}/withdraw", tag = "culture", params(("id" = i64, Path)),
    responses((status = 200, description = "书目"), (status = 404, body = crate::error::ErrorBody),
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
        .route("/api/v1/library", get(shelf))
        .route("/api/v1/library/{id}", get(public))
        .route("/api/v1/console/library", get(list).post(create))
        .route("/api/v1/console/library/{id}", get(detail).put(update))
        .route("/api/v1/console/library/{id}/publish", post(publish))
        .route("/api/v1/console/library/{id}/withdraw", post(withdraw))
}
