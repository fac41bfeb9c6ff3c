//! Cases as JSON: the worker's side under `/api/v1/me/cases` (bearer token or cookie), the
//! handler's under `/api/v1/cases`, statistics at `/api/v1/case-stats`.

use crate::attachment::{FileQuery, file_response, upload_limit};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, parse_id};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::case::file::{self, CaseInput, DeskInput, Filed};
use zhijia_app::case::handle::{self, Step};
use zhijia_app::case::stats::{self, StatsQuery};
use zhijia_app::case::talk::{self, MediationInput};
use zhijia_app::case::{self, QueueQuery};
use zhijia_domain::ids::{AttachmentId, CaseId, PendingUploadId};
use zhijia_domain::org::OrgId;

use super::view::{CaseView, DetailView, FiguresView, OwnCaseView, item_page};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

// ---- worker --------------------------------------------------------------------------------

/// A worker's filing: the case, and the ids of files kept first with `POST /api/v1/me/uploads`
/// (a photo chosen before a refusal stays usable for a day, by this worker only).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkerCase {
    #[serde(flatten)]
    pub case: CaseInput,
    /// 已暂存的文件编号，随诉求一并提交
    #[schema(value_type = Vec<i64>)]
    pub upload_ids: Vec<PendingUploadId>,
}

/// Files a case (维权诉求) for the signed-in worker, with the files kept in `upload_ids`; more
/// attachments follow with `POST /api/v1/me/cases/{id}/attachments`.
#[utoipa::path(post, path = "/api/v1/me/cases", tag = "case", request_body = WorkerCase,
    responses((status = 201, body = Filed), (status = 401, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn file_case(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiJson(input): ApiJson<WorkerCase>,
) -> Result<Response, ApiError> {
    let phone = &user.session.phone;
    let now = Utc::now();
    let upload_ids = &input.upload_ids;
    let (_, uploads) = zhijia_app::pending::load(&state.store, phone, upload_ids, now).await?;
    let filed = file::file(&state.cases(), phone, &input.case, &uploads, now).await?;
    zhijia_app::pending::discard(&state.store, phone, upload_ids).await?;
    Ok((StatusCode::CREATED, Json(filed)).into_response())
}

/// The signed-in worker's cases, newest first.
#[utoipa::path(get, path = "/api/v1/me/cases", tag = "case", params(PageQuery),
    responses((status = 200, description = "本人提交的案件(分页)"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_cases(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (limit, offset) = zhijia_app::page_bounds(q.limit, q.offset, 20);
    let page =
        zhijia_store::case::of_filer(&state.store, &user.session.phone, limit, offset).await?;
    Ok(Json(item_page(&page)).into_response())
}

/// One of the worker's cases: history, messages (no internal notes), attachments, mediation.
#[utoipa::path(get, path = "/api/v1/me/cases/{id}", tag = "case", params(("id" = i64, Path)),
    responses((status = 200, description = "案件详情", body = OwnCaseView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn my_case(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
) -> Result<Response, ApiError> {
    let view = talk::own_view(&state.cases(), &user.session.phone, id).await?;
    Ok(Json(OwnCaseView::from(&view)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    pub body: String,
}

/// The worker writes on their case; while it waits for them this is their answer and the
/// deadline clock restarts.
#[utoipa::path(post, path = "/api/v1/me/cases/{id}/replies", tag = "case", params(("id" = i64, Path)),
    request_body = ReplyRequest,
    responses((status = 200, description = "案件", body = CaseView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
    ApiJson(r): ApiJson<ReplyRequest>,
) -> Result<Response, ApiError> {
    let c = handle::reply(
        &state.cases(),
        &user.session.phone,
        id,
        &r.body,
        &[],
        Utc::now(),
    )
    .await?;
    Ok(Json(CaseView::from(&c)).into_response())
}

/// Adds one attachment to the worker's case: the body is the file itself (JPG, PNG, WebP or
/// PDF, checked by content, at most 10 MB).
#[utoipa::path(post, path = "/api/v1/me/cases/{id}/attachments", tag = "case",
    params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "附件文件"),
    responses((status = 201, description = "案件", body = CaseView), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn my_attachment(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
    ApiQuery(q): ApiQuery<FileQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload = q.upload(&bytes);
    let c = handle::reply(
        &state.cases(),
        &user.session.phone,
        id,
        "",
        &[upload],
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CaseView::from(&c))).into_response())
}

/// Downloads an attachment of the worker's case.
#[utoipa::path(get, path = "/api/v1/me/cases/{id}/attachments/{file}", tag = "case",
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "文件"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn my_file(
    State(state): State<AppState>,
    user: WorkerUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, file) = (CaseId(parse_id(&id)?), AttachmentId(parse_id(&file)?));
    let f = talk::worker_file(&state.cases(), &user.session.phone, id, file).await?;
    Ok(file_response(f))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RatingRequest {
    pub satisfied: bool,
    #[serde(default)]
    pub comment: String,
}

/// The worker rates the answer: satisfied closes the case; the first unsatisfied rating
/// reopens it for review by the parent union.
#[utoipa::path(post, path = "/api/v1/me/cases/{id}/rating", tag = "case", params(("id" = i64, Path)),
    request_body = RatingRequest,
    responses((status = 200, description = "案件", body = CaseView), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
    ApiJson(r): ApiJson<RatingRequest>,
) -> Result<Response, ApiError> {
    let c = handle::rate(
        &state.cases(),
        &user.session.phone,
        id,
        r.satisfied,
        &r.comment,
        Utc::now(),
    )
    .await?;
    Ok(Json(CaseView::from(&c)).into_response())
}

// ---- staff ---------------------------------------------------------------------------------

/// A handler's queue: open cases of a union's subtree by deadline, cases escalated to it
/// (`view=supervised`), cases of its children to review (`view=review`), or one state.
#[utoipa::path(get, path = "/api/v1/cases", tag = "case", params(QueueQuery),
    responses((status = 200, description = "案件队列(分页；总数超过一万时显示为 10001)"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, ApiError> {
    let (org, _, page) = case::queue(&state.cases(), &user.ctx(), &q).await?;
    Ok(Json(serde_json::json!({
        "org_id": org.id.0,
        "org_name": org.name,
        "items": item_page(&page).items,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }))
    .into_response())
}

/// Registers a case taken by telephone or at a desk.
#[utoipa::path(post, path = "/api/v1/cases", tag = "case", request_body = DeskInput,
    responses((status = 201, body = Filed), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<DeskInput>,
) -> Result<Response, ApiError> {
    let filed = file::register(&state.cases(), &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(filed)).into_response())
}

/// A case with its history, messages and internal notes, attachments and mediation records.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "case", params(("id" = i64, Path)),
    responses((status = 200, description = "案件详情", body = DetailView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
) -> Result<Response, ApiError> {
    let d = case::detail(&state.cases(), &user.ctx(), id, Utc::now()).await?;
    Ok(Json(DetailView::from(&d)).into_response())
}

/// Takes a step: `{"step": "accept", "tier": "simple"}`, `decline` (reason), `start`,
/// `ask_worker` (question), `resolve` (answer), `close`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "case", params(("id" = i64, Path)),
    request_body = Step,
    responses((status = 200, description = "案件", body = CaseView), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    ApiJson(step): ApiJson<Step>,
) -> Result<Response, ApiError> {
    let c = handle::act(&state.cases(), &user.ctx(), id, &step, Utc::now()).await?;
    Ok(Json(CaseView::from(&c)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MessageRequest {
    pub body: String,
    /// An internal note the worker never sees.
    #[serde(default)]
    pub internal: bool,
}

/// Writes to the worker (inbox and SMS) or adds an internal note.
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages", tag = "case", params(("id" = i64, Path)),
    request_body = MessageRequest,
    responses((status = 201, body = Created), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn message(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    ApiJson(m): ApiJson<MessageRequest>,
) -> Result<Response, ApiError> {
    let mid = talk::post(
        &state.cases(),
        &user.ctx(),
        id,
        &m.body,
        m.internal,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: mid.0 })).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RouteRequest {
    /// The union to hand the case to, in the handler's subtree.
    #[schema(value_type = i64)]
    pub org: OrgId,
    #[serde(default)]
    pub reason: String,
}

/// Re-routes (转办) a case within the handler's subtree.
#[utoipa::path(post, path = "/api/v1/cases/{id}/route", tag = "case", params(("id" = i64, Path)),
    request_body = RouteRequest,
    responses((status = 200, description = "案件", body = CaseView), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn reroute(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    ApiJson(r): ApiJson<RouteRequest>,
) -> Result<Response, ApiError> {
    let c = handle::reroute(
        &state.cases(),
        &user.ctx(),
        id,
        r.org,
        &r.reason,
        Utc::now(),
    )
    .await?;
    Ok(Json(CaseView::from(&c)).into_response())
}

/// Records a labour-dispute mediation (调解记录).
#[utoipa::path(post, path = "/api/v1/cases/{id}/mediations", tag = "case", params(("id" = i64, Path)),
    request_body = MediationInput,
    responses((status = 201, body = Created), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn mediation(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    ApiJson(m): ApiJson<MediationInput>,
) -> Result<Response, ApiError> {
    let mid = talk::mediate(&state.cases(), &user.ctx(), id, &m, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: mid.0 })).into_response())
}

/// Adds one attachment to a case; the body is the file itself.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "case",
    params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "附件文件"),
    responses((status = 201, description = "已上传"), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    ApiQuery(q): ApiQuery<FileQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload = q.upload(&bytes);
    talk::attach(&state.cases(), &user.ctx(), id, &[upload], Utc::now()).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Downloads an attachment of a case the handler may see.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{file}", tag = "case",
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "文件"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn staff_file(
    State(state): State<AppState>,
    user: StaffUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, file) = (CaseId(parse_id(&id)?), AttachmentId(parse_id(&file)?));
    let f = talk::staff_file(&state.cases(), &user.ctx(), id, file).await?;
    Ok(file_response(f))
}

/// Statistics of a union's subtree over a period of submission.
#[utoipa::path(get, path = "/api/v1/case-stats", tag = "case", params(StatsQuery),
    responses((status = 200, body = FiguresView), (status = 403, body = crate::error::ErrorBody)))]
pub async fn statistics(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Response, ApiError> {
    let f = stats::figures(&state.cases(), &user.ctx(), &q, Utc::now()).await?;
    Ok(Json(FiguresView::from(&f)).into_response())
}

pub fn routes() -> Router<AppState> {
    let upload = upload_limit();
    Router::new()
        .route("/api/v1/me/cases", get(my_cases).post(file_case))
        .route("/api/v1/me/cases/{id}", get(my_case))
        .route("/api/v1/me/cases/{id}/replies", post(reply))
        .route(
            "/api/v1/me/cases/{id}/attachments",
            post(my_attachment).layer(upload),
        )
        .route("/api/v1/me/cases/{id}/attachments/{file}", get(my_file))
        .route("/api/v1/me/cases/{id}/rating", post(rate))
        .route("/api/v1/cases", get(queue).post(register))
        .route("/api/v1/cases/{id}", get(detail))
        .route("/api/v1/cases/{id}/steps", post(step))
        .route("/api/v1/cases/{id}/messages", post(message))
        .route("/api/v1/cases/{id}/route", post(reroute))
        .route("/api/v1/cases/{id}/mediations", post(mediation))
        .route(
            "/api/v1/cases/{id}/attachments",
            post(attachment).layer(upload),
        )
        .route("/api/v1/cases/{id}/attachments/{file}", get(staff_file))
        .route("/api/v1/case-stats", get(statistics))
}
