//! The worker's hardship aid as JSON under `/api/v1/me/aid` and `/api/v1/me/uploads`: may
//! they apply, applying with documents, their applications and files.

use super::*;

/// Whether the signed-in worker may apply for aid from the phone: `not_member` (with
/// `pending_join` when their join application is in review) or `member` (with the household's
/// active file, if any: then no household figures are asked).
#[utoipa::path(get, path = "/api/v1/me/aid/standing", tag = "aid",
    responses((status = 200, body = Standing), (status = 401, body = crate::error::ErrorBody)))]
pub async fn standing_api(
    state: Keyed,
    user: WorkerUser,
) -> Result<axum::Json<Standing>, ApiError> {
    Ok(axum::Json(
        mine::standing(&state.aid(), &user.session.phone).await?,
    ))
}

/// A member applies for hardship aid for their household. It enters the staged review of its
/// kind and amount; without an active file the household figures open one in the same step.
/// Documents: keep each first with `POST /api/v1/me/uploads` and list their ids in
/// `upload_ids`, or add them afterwards with `POST /api/v1/me/aid/applications/{id}/attachments`.
/// A refusal names its field; the kept files stay usable for a day.
#[utoipa::path(post, path = "/api/v1/me/aid/applications", tag = "aid",
    request_body = WorkerApplication,
    responses((status = 201, body = Applied), (status = 401, body = crate::error::ErrorBody),
              (status = 409, description = "不是在会会员等", body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn apply_api(
    state: Keyed,
    user: WorkerUser,
    ApiJson(input): ApiJson<WorkerApplication>,
) -> Result<Response, ApiError> {
    let phone = &user.session.phone;
    let ids = &input.upload_ids;
    let now = Utc::now();
    let (_, uploads) = pending::load(&state.store, phone, ids, now).await?;
    let applied = mine::apply(&state.aid(), phone, &input, &uploads, now).await?;
    pending::discard(&state.store, phone, ids).await?;
    Ok((StatusCode::CREATED, axum::Json(applied)).into_response())
}

/// The signed-in worker's applications, newest first.
#[utoipa::path(get, path = "/api/v1/me/aid/applications", tag = "aid",
    params(("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, description = "本人的帮扶申请 {items, total, offset, limit}"),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn applications_api(
    state: Keyed,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    let (limit, offset) = zhijia_app::page_bounds(q.limit, q.offset, 20);
    let page = mine::applications(&state.aid(), &user.session.phone, limit, offset).await?;
    Ok(axum::Json(page).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct LimitQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// One of the signed-in worker's applications with its documents; another household's is 404.
#[utoipa::path(get, path = "/api/v1/me/aid/applications/{id}", tag = "aid",
    params(("id" = i64, Path)),
    responses((status = 200, description = "申请及材料 {application, attachments}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn application_api(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
) -> Result<Response, ApiError> {
    let d = mine::application(&state.aid(), &user.session.phone, id).await?;
    Ok(axum::Json(crate::aid::view::MyApplicationDetailView::from(&d)).into_response())
}

/// Adds one document to the worker's own application while it is in review: the body is the
/// file (JPG, PNG, WebP or PDF, checked by content, at most 10 MB). Another household's is 404.
#[utoipa::path(post, path = "/api/v1/me/aid/applications/{id}/attachments", tag = "aid",
    params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "证明材料"),
    responses((status = 201, description = "已上传"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_api(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
    ApiQuery(q): ApiQuery<FileQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload = q.upload(&bytes);
    mine::attach(&state.aid(), &user.session.phone, id, &[upload], Utc::now()).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Downloads a document of the worker's own application.
#[utoipa::path(get, path = "/api/v1/me/aid/applications/{id}/attachments/{file}", tag = "aid",
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "文件"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_api(
    state: Keyed,
    user: WorkerUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, file) = (
        AidApplicationId(parse_id(&id)?),
        AttachmentId(parse_id(&file)?),
    );
    Ok(file_response(
        mine::file(&state.aid(), &user.session.phone, id, file).await?,
    ))
}

/// A file kept for the signed-in worker, to send with a form later (`upload_ids` of an aid
/// application, or of a case): the body is the file. Only this worker's session can use it;
/// it stays usable for a day.
#[utoipa::path(post, path = "/api/v1/me/uploads", tag = "aid",
    params(FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "文件"),
    responses((status = 201, body = KeptFile), (status = 401, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn upload_api(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<FileQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload = q.upload(&bytes);
    let p = pending::keep_one(&state.store, &user.session.phone, upload, Utc::now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(KeptFile {
            id: p.id,
            file_name: p.file_name,
            content_type: p.content_type,
            size_bytes: p.size_bytes,
        }),
    )
        .into_response())
}

/// A file kept for later use in a form.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeptFile {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::ids::PendingUploadId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// The signed-in worker's household aid: the files they head, each application's stage,
/// notice and payment status (never health, disability or income).
#[utoipa::path(get, path = "/api/v1/me/aid", tag = "aid",
    responses((status = 200, description = "本人家庭的困难职工档案与帮扶申请进度"),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_aid_api(
    state: Keyed,
    user: WorkerUser,
) -> Result<axum::Json<Vec<MyFile>>, crate::ApiError> {
    Ok(axum::Json(
        mine::mine(&state.aid(), &user.session.phone).await?,
    ))
}
