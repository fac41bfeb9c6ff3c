//! Activities and points JSON API: staff endpoints under `/api/v1/activities` and
//! `/api/v1/points/rules` (scoped by the use cases), the worker's under `/api/v1/me/…`, which
//! act on the session's own phone only.

use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::activity::mine::{self, MyRegistration};
use zhijia_app::activity::{self, ActivityInput, CheckedIn};
use zhijia_app::points::{self, RuleView};
use zhijia_domain::ids::ActivityId;

use super::view::{ActivityForMeView, ActivityView, DetailView};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// The union whose subtree to list (default: the caller's first).
    pub org: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Scoped<T: Serialize> {
    org_id: zhijia_domain::ids::OrgId,
    org_name: String,
    #[serde(flatten)]
    page: T,
}

/// Activities of a union's subtree, with seats taken, waiting and checked in.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activity", params(ListQuery),
    responses((status = 200, description = "活动 {org_id, org_name, items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (org, page) = activity::list(&state.store, &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(Scoped {
        org_id: org.id,
        org_name: org.name,
        page: crate::pages::views::<_, ActivityView>(page),
    })
    .into_response())
}

/// Makes an activity (editors and administrators of the union or above).
#[utoipa::path(post, path = "/api/v1/activities", tag = "activity", request_body = ActivityInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    state: Keyed,
    user: StaffUser,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Result<Response, ApiError> {
    let id = activity::create(&state.activity(), &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// An activity with its registrations, waiting list (in order) and attendance.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = i64, Path), ListQuery),
    responses((status = 200, description = "活动详情 {activity, registered, waiting, attendance_per_mille, may_check_in}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ActivityId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let d = activity::detail(&state.store, &user.ctx(), id, q.limit, q.offset).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(DetailView::from(&d)),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckInRequest {
    /// The scanned QR text: a member card (`ZJC1…`) or a registration QR (`ZJA1…`).
    pub token: String,
}

/// Checks a person in by the scanned QR; a second scan of the same person is refused (409).
#[utoipa::path(post, path = "/api/v1/activities/{id}/check-ins", tag = "activity",
    params(("id" = i64, Path)), request_body = CheckInRequest,
    responses((status = 200, body = CheckedIn), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn check_in(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ActivityId>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> Result<Json<CheckedIn>, ApiError> {
    Ok(Json(
        activity::check_in(&state.activity(), &user.ctx(), id, &req.token, Utc::now()).await?,
    ))
}

/// Cancels an activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/cancel", tag = "activity",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn cancel(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ActivityId>,
) -> Result<StatusCode, ApiError> {
    activity::cancel(&state.activity(), &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulesQuery {
    pub org: i64,
}

/// The points each reason earns for the members of a union.
#[utoipa::path(get, path = "/api/v1/points/rules", tag = "activity", params(RulesQuery),
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn rules(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<RulesQuery>,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(
        points::rules_of(&state.store, &user.ctx(), q.org).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RuleRequest {
    pub org_id: i64,
    /// check_in, survey, course, first_join
    pub reason: String,
    pub points: i64,
}

/// Sets what a reason earns in a union and below (its administrators); audited.
#[utoipa::path(post, path = "/api/v1/points/rules", tag = "activity", request_body = RuleRequest,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_rule(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(req): ApiJson<RuleRequest>,
) -> Result<StatusCode, ApiError> {
    points::set_rule(
        &state.store,
        &user.ctx(),
        req.org_id,
        &req.reason,
        req.points,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Open activities for the signed-in member's union (403 for non-members).
#[utoipa::path(get, path = "/api/v1/me/activities", tag = "activity", params(ListQuery),
    responses((status = 200, description = "可报名的活动 {items, total, offset, limit}"),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn my_activities(
    state: Keyed,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = mine::available(
        &state.activity(),
        &user.session.phone,
        Utc::now(),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(crate::pages::views::<_, ActivityView>(page)).into_response())
}

/// One activity open to the member, with their registration (and its QR) if any.
#[utoipa::path(get, path = "/api/v1/me/activities/{id}", tag = "activity", params(("id" = i64, Path)),
    responses((status = 200, description = "{activity, registration, closed_reason}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn my_activity(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<ActivityId>,
) -> Result<Response, ApiError> {
    let a = mine::activity(&state.activity(), &user.session.phone, id, Utc::now()).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(ActivityForMeView::from(&a)),
    )
        .into_response())
}

/// Registers: a seat while the capacity lasts, else the waiting list.
#[utoipa::path(post, path = "/api/v1/me/activities/{id}/registration", tag = "activity",
    params(("id" = i64, Path)),
    responses((status = 201, body = MyRegistration), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn register(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<ActivityId>,
) -> Result<Response, ApiError> {
    let r = mine::register(&state.activity(), &user.session.phone, id, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Cancels one's registration; the first on the waiting list takes the seat.
#[utoipa::path(delete, path = "/api/v1/me/activities/{id}/registration", tag = "activity",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel_registration(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<ActivityId>,
) -> Result<StatusCode, ApiError> {
    mine::cancel(&state.activity(), &user.session.phone, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in worker's registrations, newest first.
#[utoipa::path(get, path = "/api/v1/me/registrations", tag = "activity", params(ListQuery),
    responses((status = 200, description = "我的报名 {items, total, offset, limit}"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_registrations(
    state: Keyed,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page =
        mine::registrations(&state.activity(), &user.session.phone, q.limit, q.offset).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(page),
    )
        .into_response())
}

/// The signed-in worker's points balance and history.
#[utoipa::path(get, path = "/api/v1/me/points", tag = "activity", params(ListQuery),
    responses((status = 200, description = "{balance, history: {items, total, offset, limit}}"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_points(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (limit, offset) = zhijia_app::page_bounds(q.limit, q.offset, 50);
    let p = points::mine(&state.store, &user.session.phone, limit, offset).await?;
    Ok(Json(p).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities", get(list).post(create))
        .route("/api/v1/activities/{id}", get(detail))
        .route("/api/v1/activities/{id}/check-ins", post(check_in))
        .route("/api/v1/activities/{id}/cancel", post(cancel))
        .route("/api/v1/points/rules", get(rules).post(set_rule))
        .route("/api/v1/me/activities", get(my_activities))
        .route("/api/v1/me/activities/{id}", get(my_activity))
        .route(
            "/api/v1/me/activities/{id}/registration",
            post(register).delete(cancel_registration),
        )
        .route("/api/v1/me/registrations", get(my_registrations))
        .route("/api/v1/me/points", get(my_points))
}
