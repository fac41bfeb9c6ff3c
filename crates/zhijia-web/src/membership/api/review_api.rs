//! The staff side: the review queue, decisions, and transfers between unions.

use super::*;

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
