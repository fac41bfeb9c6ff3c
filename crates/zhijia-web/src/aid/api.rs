//! Hardship aid JSON API under `/api/v1/aid`: files, applications and their stages, objections,
//! the ledger and its export for staff (scoped by the use cases); the public notice for anyone;
//! objections to the notice for signed-in workers.

use crate::attachment::{FileQuery, file_response, upload_limit};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed, parse_id};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::aid::application::{
    self, ApplicationInput, ApplicationQuery, DecisionInput, NoticeItem,
};
use zhijia_app::aid::attachment;
use zhijia_app::aid::file::{self, FileInput, FileQuery as FilesQuery, ReviewInput};
use zhijia_app::aid::ledger::{self, DisbursementInput, LedgerQuery};
use zhijia_domain::ids::{
    AidApplicationId, AidFileId, AttachmentId, DisbursementId, ObjectionId, RecordId,
};
use zhijia_domain::org::OrgId;

use super::view::{ApplicationDetailView, FileDetailView, LedgerView};

fn created(id: impl RecordId) -> Response {
    (StatusCode::CREATED, Json(Created { id: id.get() })).into_response()
}

#[derive(Debug, Serialize)]
struct Scoped<T: Serialize> {
    org_id: OrgId,
    org_name: String,
    #[serde(flatten)]
    page: T,
}

/// Hardship files of a union's subtree (without health, disability or income).
#[utoipa::path(get, path = "/api/v1/aid/files", tag = "aid", params(FilesQuery),
    responses((status = 200, description = "困难职工档案 {org_id, org_name, items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn files(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<FilesQuery>,
) -> Result<Response, ApiError> {
    let (org, page) = file::list(&state.aid(), &user.ctx(), &q, Utc::now()).await?;
    Ok(Json(Scoped {
        org_id: org.id,
        org_name: org.name,
        page,
    })
    .into_response())
}

/// Opens a hardship file for a member's household (aid officers).
#[utoipa::path(post, path = "/api/v1/aid/files", tag = "aid", request_body = FileInput,
    responses((status = 201, body = Created), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_file(
    state: Keyed,
    user: StaffUser,
    ApiJson(input): ApiJson<FileInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        file::open(&state.aid(), &user.ctx(), &input, Utc::now()).await?,
    ))
}

/// One file, its household (identity numbers masked), applications and yearly totals. Health,
/// disability and income are present only for aid officers of the file, and their view is
/// audited.
#[utoipa::path(get, path = "/api/v1/aid/files/{id}", tag = "aid", params(("id" = i64, Path)),
    responses((status = 200, description = "档案详情 {file, members, applications, paid_by_year, may_manage}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_detail(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
) -> Result<Response, ApiError> {
    let d = file::detail(&state.aid(), &user.ctx(), id).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(FileDetailView::from(&d)),
    )
        .into_response())
}

/// The annual review (年度复核): the facts again; the tier is recomputed.
#[utoipa::path(post, path = "/api/v1/aid/files/{id}/review", tag = "aid",
    params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn review(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<StatusCode, ApiError> {
    file::review(&state.aid(), &user.ctx(), id, &input, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
}

/// Leaving hardship (解困脱困), with the reason.
#[utoipa::path(post, path = "/api/v1/aid/files/{id}/exit", tag = "aid",
    params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn exit(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<StatusCode, ApiError> {
    file::exit(&state.aid(), &user.ctx(), id, &req.reason, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Aid applications of a union's subtree, newest first.
#[utoipa::path(get, path = "/api/v1/aid/applications", tag = "aid", params(ApplicationQuery),
    responses((status = 200, description = "帮扶申请 {org_id, org_name, items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn applications(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> Result<Response, ApiError> {
    let (org, page) = application::list(&state.aid(), &user.ctx(), &q).await?;
    Ok(Json(Scoped {
        org_id: org.id,
        org_name: org.name,
        page,
    })
    .into_response())
}

/// Enters an application for an active file; its approval chain is fixed by kind and amount.
#[utoipa::path(post, path = "/api/v1/aid/applications", tag = "aid", request_body = ApplicationInput,
    responses((status = 201, body = Created), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn apply(
    state: Keyed,
    user: StaffUser,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        application::apply(&state.aid(), &user.ctx(), &input, Utc::now()).await?,
    ))
}

/// An application with its stages (who, when, decision, reason), objections and the metadata
/// of its attached files (download each at `/attachments/{file}`).
#[utoipa::path(get, path = "/api/v1/aid/applications/{id}", tag = "aid", params(("id" = i64, Path)),
    responses((status = 200, description = "申请详情 {application, stages, objections, attachments, paid_fen, may_manage}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn application_detail(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
) -> Result<Response, ApiError> {
    let d = application::detail(&state.aid(), &user.ctx(), id).await?;
    Ok(Json(ApplicationDetailView::from(&d)).into_response())
}

/// Decides the current stage. Refused: another stage than the current one (409), a second
/// stage by the same person or an application of one's own household (403).
#[utoipa::path(post, path = "/api/v1/aid/applications/{id}/decisions", tag = "aid",
    params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, description = "处理后的申请"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Response, ApiError> {
    Ok(
        Json(application::decide(&state.aid(), &user.ctx(), id, &input, Utc::now()).await?)
            .into_response(),
    )
}

/// Attaches one file to an application (aid officers of its file): the body is the file itself
/// (JPG, PNG, WebP or PDF, checked by content, at most 10 MB; at most 10 per application).
#[utoipa::path(post, path = "/api/v1/aid/applications/{id}/attachments", tag = "aid",
    params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "申请材料文件(录取通知书、医疗票据等)"),
    responses((status = 201, description = "已上传"), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attachment(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    ApiQuery(q): ApiQuery<FileQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload = q.upload(&bytes);
    attachment::attach(&state.aid(), &user.ctx(), id, &[upload], Utc::now()).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Downloads a file of an application the caller may read.
#[utoipa::path(get, path = "/api/v1/aid/applications/{id}/attachments/{file}", tag = "aid",
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "文件"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn staff_file(
    state: Keyed,
    user: StaffUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, file) = (
        AidApplicationId(parse_id(&id)?),
        AttachmentId(parse_id(&file)?),
    );
    let f = attachment::staff_file(&state.aid(), &user.ctx(), id, file).await?;
    Ok(file_response(f))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ObjectionRequest {
    /// 异议内容
    pub detail: String,
}

/// Staff record an objection received about an approved application; payment pauses.
#[utoipa::path(post, path = "/api/v1/aid/applications/{id}/objections", tag = "aid",
    params(("id" = i64, Path)), request_body = ObjectionRequest,
    responses((status = 201, body = Created), (status = 409, body = crate::error::ErrorBody)))]
pub async fn staff_objection(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    ApiJson(req): ApiJson<ObjectionRequest>,
) -> Result<Response, ApiError> {
    let sc = user.ctx();
    Ok(created(
        application::object(
            &state.aid(),
            &user.actor,
            Some(&sc),
            id,
            &req.detail,
            Utc::now(),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolutionRequest {
    /// 异议是否成立；成立则申请不予帮扶
    pub upheld: bool,
    pub note: String,
}

/// Resolves an objection (aid officers).
#[utoipa::path(post, path = "/api/v1/aid/objections/{id}/resolution", tag = "aid",
    params(("id" = i64, Path)), request_body = ResolutionRequest,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn resolve(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ObjectionId>,
    ApiJson(req): ApiJson<ResolutionRequest>,
) -> Result<StatusCode, ApiError> {
    application::resolve(&state.aid(), &user.ctx(), id, req.upheld, &req.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a payment (aid officers): after the notice, within the approved amount and the
/// household's yearly cap. Each payment carries an idempotency key (the `Idempotency-Key` header
/// or `idempotency_key`): a retry with the same key answers 201 with the entry already recorded
/// and pays nothing more; the key sent with another payment is refused (409).
#[utoipa::path(post, path = "/api/v1/aid/disbursements", tag = "aid",
    params(("Idempotency-Key" = Option<String>, Header)), request_body = DisbursementInput,
    responses((status = 201, body = Created), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn disburse(
    state: Keyed,
    user: StaffUser,
    headers: axum::http::HeaderMap,
    ApiJson(mut input): ApiJson<DisbursementInput>,
) -> Result<Response, ApiError> {
    if let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        input.idempotency_key = Some(k.to_owned());
    }
    Ok(created(
        ledger::disburse(&state.aid(), &user.ctx(), &input, Utc::now()).await?,
    ))
}

/// Corrects an entry with a reversing entry that points to it (the ledger is never changed).
#[utoipa::path(post, path = "/api/v1/aid/disbursements/{id}/reversal", tag = "aid",
    params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 201, body = Created), (status = 409, body = crate::error::ErrorBody)))]
pub async fn reverse(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<DisbursementId>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Response, ApiError> {
    Ok(created(
        ledger::reverse(&state.aid(), &user.ctx(), id, &req.reason, Utc::now()).await?,
    ))
}

/// The ledger of a union's subtree with totals per year, fund and file.
#[utoipa::path(get, path = "/api/v1/aid/ledger", tag = "aid", params(LedgerQuery),
    responses((status = 200, description = "发放台账 {org_id, org_name, items, total, offset, limit, totals}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn ledger_list(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Response, ApiError> {
    let (org, ledger) = ledger::list(&state.aid(), &user.ctx(), &q).await?;
    Ok(Json(Scoped {
        org_id: org.id,
        org_name: org.name,
        page: LedgerView::from(&ledger),
    })
    .into_response())
}

/// The ledger as an XLSX file for auditors (aid officers and administrators); audited.
#[utoipa::path(get, path = "/api/v1/aid/ledger/export.xlsx", tag = "aid", params(LedgerQuery),
    responses((status = 200, description = "XLSX 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn ledger_export(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Response, ApiError> {
    let (_, rows, totals) = ledger::export(&state.aid(), &user.ctx(), &q).await?;
    let bytes = zhijia_app::slow::run(move || super::ledger_xlsx(&rows, &totals)).await??;
    Ok(crate::attachment::xlsx_download(bytes, "aid-ledger.xlsx"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct IdentityRequest {
    /// 本人身份证号(只保存其盲索引，用于回避本人家庭的申请)
    pub id_number: String,
}

/// A staff member records their own identity number once, before deciding aid stages.
#[utoipa::path(post, path = "/api/v1/aid/my-identity", tag = "aid", request_body = IdentityRequest,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn my_identity(
    state: Keyed,
    user: StaffUser,
    ApiJson(req): ApiJson<IdentityRequest>,
) -> Result<StatusCode, ApiError> {
    zhijia_app::aid::link_identity(
        state.aid().db,
        state.aid().keys,
        &user.ctx(),
        &req.id_number,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct NoticeQuery {
    /// 工会编号：只看该工会及下级
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoticePage {
    pub items: Vec<NoticeItem>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The public notice (公示) of approved aid: names masked, no identity numbers. Public.
#[utoipa::path(get, path = "/api/v1/aid/notice", tag = "aid", params(NoticeQuery),
    responses((status = 200, body = NoticePage)))]
pub async fn notice(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> Result<Json<NoticePage>, ApiError> {
    let p = application::notice(&state.store, q.org, q.limit, q.offset, Utc::now()).await?;
    Ok(Json(NoticePage {
        items: p.items,
        total: p.total,
        offset: p.offset,
        limit: p.limit,
    }))
}

/// A signed-in worker objects to an application on notice; payment pauses.
#[utoipa::path(post, path = "/api/v1/aid/notice/{id}/objections", tag = "aid",
    params(("id" = i64, Path)), request_body = ObjectionRequest,
    responses((status = 201, body = Created), (status = 401, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn worker_objection(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
    ApiJson(req): ApiJson<ObjectionRequest>,
) -> Result<Response, ApiError> {
    let actor = zhijia_app::caller::worker_actor(&user.session.phone);
    Ok(created(
        application::object(&state.aid(), &actor, None, id, &req.detail, Utc::now()).await?,
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/aid/files", get(files).post(open_file))
        .route("/api/v1/aid/files/{id}", get(file_detail))
        .route("/api/v1/aid/files/{id}/review", post(review))
        .route("/api/v1/aid/files/{id}/exit", post(exit))
        .route("/api/v1/aid/applications", get(applications).post(apply))
        .route("/api/v1/aid/applications/{id}", get(application_detail))
        .route("/api/v1/aid/applications/{id}/decisions", post(decide))
        .route(
            "/api/v1/aid/applications/{id}/attachments",
            post(attachment).layer(upload_limit()),
        )
        .route(
            "/api/v1/aid/applications/{id}/attachments/{file}",
            get(staff_file),
        )
        .route(
            "/api/v1/aid/applications/{id}/objections",
            post(staff_objection),
        )
        .route("/api/v1/aid/objections/{id}/resolution", post(resolve))
        .route("/api/v1/aid/disbursements", post(disburse))
        .route("/api/v1/aid/disbursements/{id}/reversal", post(reverse))
        .route("/api/v1/aid/ledger", get(ledger_list))
        .route("/api/v1/aid/ledger/export.xlsx", get(ledger_export))
        .route("/api/v1/aid/my-identity", post(my_identity))
        .route("/api/v1/aid/notice", get(notice))
        .route("/api/v1/aid/notice/{id}/objections", post(worker_objection))
}
