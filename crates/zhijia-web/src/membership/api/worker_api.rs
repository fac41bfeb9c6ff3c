//! The worker's side of the membership API, and the public card check.

use super::*;

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
