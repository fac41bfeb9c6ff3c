//! Membership JSON API: the worker's side (bearer token or cookie), the public card check and
//! the staff side (review queue, transfers, roster), each scoped as the use cases say.

use super::view::{
    ApplicationView, MemberDetailView, MembershipView, MessageView, PageView, TransferView,
};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::AppError;
use zhijia_app::caller::worker_of_phone;
use zhijia_app::membership::card::{self, Card, CardCheck};
use zhijia_app::membership::join::{self, Decision, JoinInput, Submitted};
use zhijia_app::membership::pickers::{self, EmployerChoice, TownshipChoice};
use zhijia_app::membership::roster::{self, RosterQuery};
use zhijia_app::membership::{QueueQuery, transfer};
use zhijia_domain::ids::{ImportId, JoinApplicationId, MembershipId, TransferId};
use zhijia_domain::member::MembershipStatus;
use zhijia_domain::org::OrgId;
use zhijia_store::membership as store;

/// Applies to join; a member of another union gets a transfer instead (`transfer_id`).
#[utoipa::path(post, path = "/api/v1/membership/applications", tag = "membership",
    request_body = JoinInput,
    responses((status = 201, body = Submitted), (status = 401, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn apply(
    state: Keyed,
    user: WorkerUser,
    ApiJson(input): ApiJson<JoinInput>,
) -> Result<Response, ApiError> {
    let sub = join::apply(&state.membership(), &user.session.phone, &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(sub)).into_response())
}

#[derive(Debug, Serialize)]
pub struct MyMembership {
    pub member_no: Option<String>,
    pub current: Option<MembershipView>,
    pub history: Vec<MembershipView>,
    pub applications: Vec<ApplicationView>,
    pub transfers: Vec<TransferView>,
    pub unread: i64,
}

/// The signed-in worker's membership: current, history, applications, transfers, unread count.
#[utoipa::path(get, path = "/api/v1/membership", tag = "membership",
    responses((status = 200, description = "本人的会籍、历史、申请、接转和未读消息数"),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn mine(State(state): State<AppState>, user: WorkerUser) -> Result<Response, ApiError> {
    let db = &state.store;
    let Some(w) = zhijia_store::worker::find_by_phone(db, &user.session.phone).await? else {
        let empty = MyMembership {
            member_no: None,
            current: None,
            history: Vec::new(),
            applications: Vec::new(),
            transfers: Vec::new(),
            unread: 0,
        };
        return Ok(Json(empty).into_response());
    };
    let history = store::history(db, w.id).await?;
    let mine = MyMembership {
        member_no: w.member_no,
        current: history
            .iter()
            .find(|m| m.status != MembershipStatus::Ended)
            .map(MembershipView::from),
        history: history.iter().map(MembershipView::from).collect(),
        applications: (store::applications_of(db, w.id).await?.iter())
            .map(ApplicationView::from)
            .collect(),
        transfers: (store::transfers_of(db, w.id).await?.iter())
            .map(TransferView::from)
            .collect(),
        unread: store::unread(db, w.id).await?,
    };
    Ok(Json(mine).into_response())
}

/// The member card with a fresh signed QR payload (valid a few minutes).
#[utoipa::path(get, path = "/api/v1/membership/card", tag = "membership",
    responses((status = 200, body = Card), (status = 404, body = crate::error::ErrorBody)))]
pub async fn my_card(state: Keyed, user: WorkerUser) -> Result<Response, ApiError> {
    let c = card::card(&state.membership(), &user.session.phone, Utc::now()).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(c)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TransferRequest {
    /// 转入工会的编号
    #[schema(value_type = i64)]
    pub to_org: OrgId,
    #[serde(default)]
    pub reason: String,
}

/// The worker asks to move their membership to another union.
#[utoipa::path(post, path = "/api/v1/membership/transfers", tag = "membership",
    request_body = TransferRequest,
    responses((status = 201, body = Created), (status = 409, body = crate::error::ErrorBody)))]
pub async fn request_transfer(
    state: Keyed,
    user: WorkerUser,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<Response, ApiError> {
    let id = transfer::request(
        &state.membership(),
        &user.session.phone,
        req.to_org,
        &req.reason,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// Why the worker leaves: required, so that leaving is never one tap.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LeaveRequest {
    /// 退会原因 (2–200 字)，记入审计日志并告知所在工会
    pub reason: String,
}

/// The worker leaves the union (退会) with a reason; the card stops working.
#[utoipa::path(post, path = "/api/v1/membership/leave", tag = "membership",
    request_body = LeaveRequest,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn leave(
    state: Keyed,
    user: WorkerUser,
    ApiJson(req): ApiJson<LeaveRequest>,
) -> Result<StatusCode, ApiError> {
    transfer::leave(
        &state.membership(),
        &user.session.phone,
        &req.reason,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SuggestQuery {
    /// 名称中的几个字(单位也可按统一社会信用代码开头查找)
    pub q: String,
}

/// Employers the site knows (their unions exist), by name or credit code: the join form's
/// suggestions, so a worker picks rather than types a code.
#[utoipa::path(get, path = "/api/v1/join/employers", tag = "membership", params(SuggestQuery),
    responses((status = 200, body = [EmployerChoice]), (status = 401, body = crate::error::ErrorBody)))]
pub async fn employer_suggestions(
    State(state): State<AppState>,
    _user: WorkerUser,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<Vec<EmployerChoice>>, ApiError> {
    Ok(Json(pickers::employers(&state.store, &q.q).await?))
}

/// Township (street) unions by name, with the county each serves.
#[utoipa::path(get, path = "/api/v1/join/townships", tag = "membership", params(SuggestQuery),
    responses((status = 200, body = [TownshipChoice]), (status = 401, body = crate::error::ErrorBody)))]
pub async fn township_suggestions(
    State(state): State<AppState>,
    _user: WorkerUser,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<Vec<TownshipChoice>>, ApiError> {
    Ok(Json(pickers::townships(&state.store, &q.q).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The worker's inbox, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "membership", params(PageQuery),
    responses((status = 200, description = "消息列表 {items, total, offset, limit}")))]
pub async fn inbox(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let w = worker_of_phone(&state.store, &user.session.phone).await?;
    let (limit, offset) = zhijia_app::page_bounds(q.limit, q.offset, 20);
    let page = store::messages(&state.store, w.id, limit, offset).await?;
    Ok(Json(PageView::of(&page, |r| MessageView::from(r))).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReadRequest {
    /// One message; all when absent.
    #[schema(value_type = Option<i64>)]
    pub id: Option<zhijia_domain::ids::MessageId>,
}

/// Marks a message (or all) as read.
#[utoipa::path(post, path = "/api/v1/inbox/read", tag = "membership", request_body = ReadRequest,
    responses((status = 204)))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiJson(req): ApiJson<ReadRequest>,
) -> Result<StatusCode, ApiError> {
    zhijia_app::membership::inbox::mark_read(&state.store, &user.session.phone, req.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyCard {
    /// 扫描会员卡二维码得到的内容
    pub token: String,
}

/// Checks a scanned member card: valid, expired, forged, revoked or malformed. Public, so a
/// merchant or an activity organiser can check without an account.
#[utoipa::path(post, path = "/api/v1/cards/verify", tag = "membership", request_body = VerifyCard,
    responses((status = 200, body = CardCheck)))]
pub async fn verify_card(
    state: Keyed,
    ApiJson(req): ApiJson<VerifyCard>,
) -> Result<Json<CardCheck>, ApiError> {
    if req.token.len() > 512 {
        return Err(AppError::invalid("token", "二维码内容过长").into());
    }
    Ok(Json(
        card::verify(
            state.membership().db,
            state.membership().keys,
            &req.token,
            Utc::now(),
        )
        .await?,
    ))
}

// -------------------------------------------------------------------------------------------
// Staff

/// The review queue of a union's subtree (default: pending, earliest deadline first).
#[utoipa::path(get, path = "/api/v1/applications", tag = "membership", params(QueueQuery),
    responses((status = 200, description = "入会申请 {items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn applications(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, ApiError> {
    let (_, page) = join::queue(&state.membership(), &user.ctx(), &q, Utc::now()).await?;
    Ok(Json(PageView::of(&page, |r| ApplicationView::from(r))).into_response())
}

/// One application with its applicant (identity number masked), for the decision.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 200, description = "入会申请详情(身份证号已脱敏)"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn application_detail(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<JoinApplicationId>,
) -> Result<Response, ApiError> {
    let d =
        zhijia_app::membership::review::detail(&state.membership(), &user.ctx(), id, Utc::now())
            .await?;
    Ok(Json(d).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionRequest {
    pub approve: bool,
    /// 不予通过的原因(不通过时必填，申请人可见)
    #[serde(default)]
    pub reason: String,
}

/// Approves or rejects an application of the reviewer's branch.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "membership",
    params(("id" = i64, Path)), request_body = DecisionRequest,
    responses((status = 200, description = "处理后的申请"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<JoinApplicationId>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let decision = if req.approve {
        Decision::Approve
    } else {
        Decision::Reject { reason: req.reason }
    };
    let app = join::decide(&state.membership(), &user.ctx(), id, decision, Utc::now()).await?;
    Ok(Json(ApplicationView::from(&app)).into_response())
}

/// Transfers in or out of a union's subtree (default: awaiting release).
#[utoipa::path(get, path = "/api/v1/transfers", tag = "membership", params(QueueQuery),
    responses((status = 200, description = "会籍接转 {items, total, offset, limit}")))]
pub async fn transfers(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, ApiError> {
    let (_, page) = transfer::queue(&state.membership(), &user.ctx(), &q).await?;
    Ok(Json(PageView::of(&page, |r| TransferView::from(r))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UnionTransfer {
    pub member_no: String,
    #[schema(value_type = i64)]
    pub to_org: OrgId,
    #[serde(default)]
    pub reason: String,
}

/// What a union is told after proposing a transfer: the same whatever the number led to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Proposed {
    pub message: String,
}

/// A receiving union proposes the transfer of a member who now works in its branch. The worker
/// is asked to confirm (inbox and SMS); the answer is the same whether the number is valid or
/// not, and the transfer shows in the lists only once the worker agrees. At most 30 a day per
/// staff member (429 beyond).
#[utoipa::path(post, path = "/api/v1/transfers", tag = "membership", request_body = UnionTransfer,
    responses((status = 202, body = Proposed), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn start_transfer(
    state: Keyed,
    user: StaffUser,
    ApiJson(req): ApiJson<UnionTransfer>,
) -> Result<Response, ApiError> {
    let message = transfer::start_by_union(
        &state.membership(),
        &user.ctx(),
        &req.member_no,
        req.to_org,
        &req.reason,
        Utc::now(),
    )
    .await?;
    let body = Proposed {
        message: message.to_owned(),
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// The worker agrees to a union's proposal to take their membership.
#[utoipa::path(post, path = "/api/v1/membership/transfers/{id}/confirm", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn confirm_transfer(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<TransferId>,
) -> Result<StatusCode, ApiError> {
    transfer::confirm(&state.membership(), &user.session.phone, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The worker turns a union's proposal down.
#[utoipa::path(post, path = "/api/v1/membership/transfers/{id}/decline", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn decline_transfer(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<TransferId>,
) -> Result<StatusCode, ApiError> {
    transfer::decline(&state.membership(), &user.session.phone, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReleaseRequest {
    /// 不同意转出的原因；为空表示同意转出
    pub refuse_reason: Option<String>,
}

/// The releasing union agrees to (or refuses) the transfer.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/release", tag = "membership",
    params(("id" = i64, Path)), request_body = ReleaseRequest,
    responses((status = 200, description = "处理后的接转"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn release(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<TransferId>,
    ApiJson(req): ApiJson<ReleaseRequest>,
) -> Result<Response, ApiError> {
    let refuse = req
        .refuse_reason
        .as_deref()
        .filter(|r| !r.trim().is_empty());
    let t = transfer::answer_release(&state.membership(), &user.ctx(), id, refuse).await?;
    Ok(Json(TransferView::from(&t)).into_response())
}

/// The receiving union accepts a released transfer: the membership moves.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/accept", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 200, description = "完成的接转"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn accept(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<TransferId>,
) -> Result<Response, ApiError> {
    let t = transfer::accept(&state.membership(), &user.ctx(), id, Utc::now()).await?;
    Ok(Json(TransferView::from(&t)).into_response())
}

#[derive(Debug, Serialize)]
struct RosterPage {
    org_id: OrgId,
    org_name: String,
    #[serde(flatten)]
    page: zhijia_store::Page<roster::RosterItem>,
}

/// The roster of a union's subtree: search (name, member number, identity number, phone),
/// filters, pagination. Identity numbers and phones are masked.
#[utoipa::path(get, path = "/api/v1/roster", tag = "membership",
    params(("org" = Option<i64>, Query), ("q" = Option<String>, Query), ("status" = Option<String>, Query),
           ("joined_from" = Option<String>, Query), ("joined_to" = Option<String>, Query),
           ("gig" = Option<String>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, description = "会员名册 {org_id, org_name, items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn roster_list(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<RosterQuery>,
) -> Result<Response, ApiError> {
    let (org, page) = roster::list(&state.membership(), &user.ctx(), &q).await?;
    Ok(Json(RosterPage {
        org_id: org.id,
        org_name: org.name,
        page,
    })
    .into_response())
}

/// One member of the caller's branch: memberships, transfers, card status, audit trail.
#[utoipa::path(get, path = "/api/v1/roster/{membership_id}", tag = "membership",
    params(("membership_id" = i64, Path)),
    responses((status = 200, description = "会员详情"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn roster_detail(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, ApiError> {
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok(Json(MemberDetailView::from(&d)).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FullIdNumber {
    pub id_number: String,
}

/// The full identity number, for reviewers and administrators; every call is audited.
#[utoipa::path(post, path = "/api/v1/roster/{membership_id}/id-number", tag = "membership",
    params(("membership_id" = i64, Path)),
    responses((status = 200, body = FullIdNumber), (status = 403, body = crate::error::ErrorBody)))]
pub async fn reveal(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, ApiError> {
    let full = roster::reveal_id_number(&state.membership(), &user.ctx(), id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(FullIdNumber { id_number: full }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RetiredRequest {
    pub retired: bool,
}

/// Marks a member retired (membership kept) or active again.
#[utoipa::path(post, path = "/api/v1/roster/{membership_id}/retired", tag = "membership",
    params(("membership_id" = i64, Path)), request_body = RetiredRequest,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn retired(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
    ApiJson(req): ApiJson<RetiredRequest>,
) -> Result<StatusCode, ApiError> {
    transfer::set_retired(&state.membership(), &user.ctx(), id, req.retired).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roster filters and `full`. Spelt out rather than `#[serde(flatten)]`: flattened fields
/// of a query string arrive as text, and a number among them fails to parse.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub org: Option<OrgId>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub joined_from: Option<String>,
    pub joined_to: Option<String>,
    pub gig: Option<String>,
    /// Full identity numbers (reviewers and administrators only).
    pub full: bool,
}

impl ExportQuery {
    fn roster(&self) -> RosterQuery {
        RosterQuery {
            org: self.org,
            q: self.q.clone(),
            status: self.status.clone(),
            joined_from: self.joined_from.clone(),
            joined_to: self.joined_to.clone(),
            gig: self.gig.clone(),
            limit: None,
            offset: None,
        }
    }
}

/// The filtered roster as an XLSX file; masked unless `full` and allowed; audited.
#[utoipa::path(get, path = "/api/v1/roster/export.xlsx", tag = "membership",
    params(("org" = Option<i64>, Query), ("q" = Option<String>, Query), ("full" = Option<bool>, Query)),
    responses((status = 200, description = "XLSX 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let e = roster::export(&state.membership(), &user.ctx(), &q.roster(), q.full).await?;
    let bytes = zhijia_app::slow::run(move || super::xlsx::roster(&e)).await??;
    Ok(crate::attachment::xlsx_download(bytes, "roster.xlsx"))
}

/// A CSV file download (UTF-8 with BOM, as Excel expects).
pub fn csv_attachment(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ImportQuery {
    /// 会员所属的工会编号
    pub org: i64,
    /// 文件名(用于记录)
    pub name: Option<String>,
}

/// Imports a roster: the request body is the .xlsx or .csv file itself. Valid rows are
/// imported, bad ones reported (row, column, reason); members already in the union are skipped,
/// and people the caller cannot see are reported with one neutral reason.
#[utoipa::path(post, path = "/api/v1/roster/imports", tag = "membership", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "名册文件(.csv 或 .xlsx)"),
    responses((status = 201, description = "导入结果 {id, rows, imported, skipped, errors}"),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_roster(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    use futures_util::StreamExt;
    use zhijia_app::membership::import::{HEAD_BYTES, MAX_UPLOAD, check_head};
    let name = q.name.unwrap_or_else(|| "roster".into());
    // Read as it arrives: refused on its first bytes when it cannot be a roster and as soon as
    // it passes the limit, without reading the rest.
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut checked = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            zhijia_app::AppError::invalid("file", "文件上传不完整或超过20MB，请重试")
        })?;
        bytes.extend_from_slice(&chunk);
        let mut refused = None;
        if !checked && bytes.len() >= HEAD_BYTES {
            checked = true;
            refused = check_head(&bytes).err();
        }
        if refused.is_none() && bytes.len() > MAX_UPLOAD {
            refused = Some(zhijia_app::AppError::invalid(
                "file",
                "文件超过20MB，请分批上传或使用命令行 zhijia import members",
            ));
        }
        if let Some(e) = refused {
            crate::attachment::drain_body_later(stream, MAX_UPLOAD);
            return Err(e.into());
        }
    }
    let up = zhijia_app::membership::import::upload(
        &state.membership(),
        &user.ctx(),
        OrgId(q.org),
        &name,
        bytes,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(up)).into_response())
}

/// The error report of an import, as CSV (row, column, reason).
#[utoipa::path(get, path = "/api/v1/roster/imports/{id}/errors.csv", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn import_errors(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ImportId>,
) -> Result<Response, ApiError> {
    let (_, csv) =
        zhijia_app::membership::import::error_report(&state.membership(), &user.ctx(), id).await?;
    Ok(csv_attachment(csv, &format!("import-{id}-errors.csv")))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/membership", get(mine))
        .route("/api/v1/membership/applications", post(apply))
        .route("/api/v1/membership/card", get(my_card))
        .route("/api/v1/membership/transfers", post(request_transfer))
        .route(
            "/api/v1/membership/transfers/{id}/confirm",
            post(confirm_transfer),
        )
        .route(
            "/api/v1/membership/transfers/{id}/decline",
            post(decline_transfer),
        )
        .route("/api/v1/membership/leave", post(leave))
        .route("/api/v1/join/employers", get(employer_suggestions))
        .route("/api/v1/join/townships", get(township_suggestions))
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/inbox/read", post(mark_read))
        .route("/api/v1/cards/verify", post(verify_card))
        .route("/api/v1/applications", get(applications))
        .route("/api/v1/applications/{id}", get(application_detail))
        .route("/api/v1/applications/{id}/decision", post(decide))
        .route("/api/v1/transfers", get(transfers).post(start_transfer))
        .route("/api/v1/transfers/{id}/release", post(release))
        .route("/api/v1/transfers/{id}/accept", post(accept))
        .route("/api/v1/roster", get(roster_list))
        .route("/api/v1/roster/export.xlsx", get(export))
        .route(
            "/api/v1/roster/imports",
            post(import_roster).layer(axum::extract::DefaultBodyLimit::max(
                zhijia_app::membership::import::MAX_UPLOAD + 64 * 1024,
            )),
        )
        .route("/api/v1/roster/imports/{id}/errors.csv", get(import_errors))
        .route("/api/v1/roster/{id}", get(roster_detail))
        .route("/api/v1/roster/{id}/id-number", post(reveal))
        .route("/api/v1/roster/{id}/retired", post(retired))
}
