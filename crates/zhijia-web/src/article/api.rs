//! New media as JSON under `/api/v1`: what readers get (a member's feed for a mini-program,
//! one article, a channel's page, the knowledge base; likes and opens) and the staff's
//! articles, review, images, re-shares and channel settings (`/api/v1/console/news…`,
//! `/api/v1/console/channel`). Every handler calls a use case.

use super::view::{ChannelPageView, ChannelView, FeedView, ItemPage, StaffArticleView, StaffPage};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::article::channel::ChannelInput;
use zhijia_app::article::reader::{self, Likes};
use zhijia_app::article::{ArticleInput, Articles, PublicArticle, channel, staff};
use zhijia_app::publishable as uc;
use zhijia_domain::ids::{ArticleId, OrgId};

/// Paging of a list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The knowledge base's topic, and paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct KnowledgeQuery {
    /// `wages`, `contract`, `social_insurance`, `injury` or `gig_work`; all when absent.
    pub topic: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The console's list: the union, filters, paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct StaffQuery {
    /// The union whose subtree to list (default: the caller's first).
    pub org: Option<i64>,
    /// `article`, `notice` or `answer`.
    pub kind: Option<String>,
    /// `draft`, `in_review`, `published` or `withdrawn`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The union a staff request is about.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OrgQuery {
    /// Default: the caller's first union where they edit.
    pub org: Option<i64>,
}

/// Why an article goes back to its writer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendBackRequest {
    /// 2–200 characters.
    pub reason: String,
}

/// Which channel re-shares.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReshareRequest {
    /// The lower union whose channel shares it (default: the caller's first).
    pub org: Option<i64>,
}

/// A member's feed: their union and every union above it, pinned notices first, newest first.
#[utoipa::path(get, path = "/api/v1/news/feed", tag = "news", params(PageQuery),
    responses((status = 200, body = FeedView)))]
pub async fn feed(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<FeedView>, ApiError> {
    let (org, page) = reader::feed(
        &state.store,
        &user.session.phone,
        Utc::now(),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(FeedView {
        org_name: org.map(|o| o.name),
        page: ItemPage::from(&page),
    }))
}

/// One published article (no sign-in).
#[utoipa::path(get, path = "/api/v1/news/{id}", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = PublicArticle)))]
pub async fn article(
    State(state): State<AppState>,
    Id(id): Id<ArticleId>,
) -> Result<Json<PublicArticle>, ApiError> {
    Ok(Json(reader::article(&state.store, id, Utc::now()).await?))
}

/// Counts an open of an article (the page sends it once shown; a mini-program likewise).
#[utoipa::path(post, path = "/api/v1/news/{id}/reads", tag = "news", params(("id" = i64, Path)),
    responses((status = 204, description = "已计数")))]
pub async fn read(
    State(state): State<AppState>,
    Id(id): Id<ArticleId>,
) -> Result<StatusCode, ApiError> {
    reader::open(&state.store, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Likes an article, once per member (a second like changes nothing).
#[utoipa::path(put, path = "/api/v1/news/{id}/like", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Likes)))]
pub async fn like(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<Likes>, ApiError> {
    let phone = &user.session.phone;
    Ok(Json(
        reader::like(&state.store, phone, id, true, Utc::now()).await?,
    ))
}

/// Takes a like back.
#[utoipa::path(delete, path = "/api/v1/news/{id}/like", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Likes)))]
pub async fn unlike(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<Likes>, ApiError> {
    let phone = &user.session.phone;
    Ok(Json(
        reader::like(&state.store, phone, id, false, Utc::now()).await?,
    ))
}

/// A union's channel: its own articles and notices and its re-shares (no sign-in).
#[utoipa::path(get, path = "/api/v1/channels/{org}", tag = "news",
    params(("org" = i64, Path), PageQuery), responses((status = 200, body = ChannelPageView)))]
pub async fn channel_page(
    State(state): State<AppState>,
    Id(org): Id<OrgId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<ChannelPageView>, ApiError> {
    let c = reader::channel(&state.store, org, Utc::now(), q.limit, q.offset).await?;
    Ok(Json(ChannelPageView {
        org_id: c.org.id,
        name: c.name().to_owned(),
        intro: c
            .channel
            .as_ref()
            .map(|c| c.intro.clone())
            .unwrap_or_default(),
        avatar_url: c
            .channel
            .as_ref()
            .and_then(|c| c.avatar)
            .map(zhijia_app::article::image_url),
        page: ItemPage::from(&c.items),
    }))
}

/// The legal knowledge base, by topic (no sign-in).
#[utoipa::path(get, path = "/api/v1/knowledge", tag = "news", params(KnowledgeQuery),
    responses((status = 200, body = ItemPage)))]
pub async fn knowledge(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<KnowledgeQuery>,
) -> Result<Json<ItemPage>, ApiError> {
    let topic = q.topic.as_deref();
    let page = reader::knowledge(&state.store, topic, Utc::now(), q.limit, q.offset).await?;
    Ok(Json(ItemPage::from(&page)))
}

/// The articles of a union's subtree in every status, newest first, by kind and status.
#[utoipa::path(get, path = "/api/v1/console/news", tag = "news", params(StaffQuery),
    responses((status = 200, body = StaffPage)))]
pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> Result<Json<StaffPage>, ApiError> {
    let filter = staff::filter(q.kind.as_deref(), q.status.as_deref())?;
    let org = q.org.map(OrgId);
    let (org, page) =
        staff::list(&state.store, &user.ctx(), org, filter, (q.limit, q.offset)).await?;
    Ok(Json(StaffPage::new(&org, &page)))
}

/// What waits for review in a union's subtree, oldest first.
#[utoipa::path(get, path = "/api/v1/console/news/review", tag = "news", params(StaffQuery),
    responses((status = 200, body = StaffPage)))]
pub async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> Result<Json<StaffPage>, ApiError> {
    let org = q.org.map(OrgId);
    let (org, page) = staff::queue(&state.store, &user.ctx(), org, (q.limit, q.offset)).await?;
    Ok(Json(StaffPage::new(&org, &page)))
}

/// Writes a draft (editors and administrators of the union or above).
#[utoipa::path(post, path = "/api/v1/console/news", tag = "news", request_body = ArticleInput,
    responses((status = 201, body = Created)))]
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Response, ApiError> {
    let id = uc::create::<Articles>(&state.store, &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// One article of the caller's branch, in any status.
#[utoipa::path(get, path = "/api/v1/console/news/{id}", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = StaffArticleView)))]
pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::get::<Articles>(&state.store, &user.ctx(), id).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Edits a draft or a withdrawn article (the editor becomes its last editor).
#[utoipa::path(put, path = "/api/v1/console/news/{id}", tag = "news", params(("id" = i64, Path)),
    request_body = ArticleInput, responses((status = 200, body = StaffArticleView)))]
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::update::<Articles>(&state.store, &user.ctx(), id, &input, Utc::now()).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Submits a draft for review.
#[utoipa::path(post, path = "/api/v1/console/news/{id}/submit", tag = "news",
    params(("id" = i64, Path)), responses((status = 200, body = StaffArticleView)))]
pub async fn submit(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::submit::<Articles>(&state.store, &user.ctx(), id).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Approves an article in review: published now, or at its `publish_at`. Never by its writer
/// or its last editor (403).
#[utoipa::path(post, path = "/api/v1/console/news/{id}/approve", tag = "news",
    params(("id" = i64, Path)), responses((status = 200, body = StaffArticleView)))]
pub async fn approve(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::approve::<Articles>(&state.store, &user.ctx(), id, Utc::now()).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Sends an article in review back to draft with the reason.
#[utoipa::path(post, path = "/api/v1/console/news/{id}/send-back", tag = "news",
    params(("id" = i64, Path)), request_body = SendBackRequest,
    responses((status = 200, body = StaffArticleView)))]
pub async fn send_back(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
    ApiJson(req): ApiJson<SendBackRequest>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::send_back::<Articles>(&state.store, &user.ctx(), id, &req.reason).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Withdraws a published article: it leaves the feeds and channels at once.
#[utoipa::path(post, path = "/api/v1/console/news/{id}/withdraw", tag = "news",
    params(("id" = i64, Path)), responses((status = 200, body = StaffArticleView)))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
) -> Result<Json<StaffArticleView>, ApiError> {
    let r = uc::withdraw::<Articles>(&state.store, &user.ctx(), id).await?;
    Ok(Json(StaffArticleView::from(&r)))
}

/// Re-shares (转载) a published article of a union above into a lower union's channel, once.
#[utoipa::path(post, path = "/api/v1/console/news/{id}/reshare", tag = "news",
    params(("id" = i64, Path)), request_body = ReshareRequest,
    responses((status = 201, body = Created)))]
pub async fn reshare(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
    ApiJson(req): ApiJson<ReshareRequest>,
) -> Result<Response, ApiError> {
    let org = req.org.map(OrgId);
    let new = channel::reshare(&state.store, &user.ctx(), org, id, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: new.0 })).into_response())
}

/// Uploads a cover or an avatar: the body is the image (JPEG, PNG or WebP by content, at most
/// 2 MB); its id goes into `cover` or `avatar`.
#[utoipa::path(post, path = "/api/v1/console/news/images", tag = "news", params(OrgQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "图片"),
    responses((status = 201, body = Created)))]
pub async fn upload(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<OrgQuery>,
    bytes: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let org = q.org.map(OrgId);
    let id = channel::upload_image(&state.store, &user.ctx(), org, &bytes, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// A union's channel settings.
#[utoipa::path(get, path = "/api/v1/console/channel", tag = "news", params(OrgQuery),
    responses((status = 200, body = ChannelView)))]
pub async fn channel_settings(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> Result<Json<ChannelView>, ApiError> {
    let (org, c) = channel::settings(&state.store, &user.ctx(), q.org.map(OrgId)).await?;
    Ok(Json(ChannelView::new(&org, c.as_ref())))
}

/// Sets a union's channel name, intro and avatar.
#[utoipa::path(put, path = "/api/v1/console/channel", tag = "news", params(OrgQuery),
    request_body = ChannelInput, responses((status = 200, body = ChannelView)))]
pub async fn set_channel(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<OrgQuery>,
    ApiJson(input): ApiJson<ChannelInput>,
) -> Result<Json<ChannelView>, ApiError> {
    let org = q.org.map(OrgId);
    let ctx = user.ctx();
    let c = channel::set(&state.store, &ctx, org, &input, Utc::now()).await?;
    let (org, _) = channel::settings(&state.store, &ctx, Some(c.org_id)).await?;
    Ok(Json(ChannelView::new(&org, Some(&c))))
}

pub fn routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post, put};
    let image_limit = DefaultBodyLimit::max(zhijia_domain::article::MAX_IMAGE_BYTES + 1024);
    Router::new()
        .route("/api/v1/news/feed", get(feed))
        .route("/api/v1/news/{id}", get(article))
        .route("/api/v1/news/{id}/reads", post(read))
        .route("/api/v1/news/{id}/like", put(like).delete(unlike))
        .route("/api/v1/channels/{org}", get(channel_page))
        .route("/api/v1/knowledge", get(knowledge))
        .route("/api/v1/console/news", get(list).post(create))
        .route("/api/v1/console/news/review", get(queue))
        .route(
            "/api/v1/console/news/images",
            post(upload).layer(image_limit),
        )
        .route("/api/v1/console/news/{id}", get(detail).put(update))
        .route("/api/v1/console/news/{id}/submit", post(submit))
        .route("/api/v1/console/news/{id}/approve", post(approve))
        .route("/api/v1/console/news/{id}/send-back", post(send_back))
        .route("/api/v1/console/news/{id}/withdraw", post(withdraw))
        .route("/api/v1/console/news/{id}/reshare", post(reshare))
        .route(
            "/api/v1/console/channel",
            get(channel_settings).put(set_channel),
        )
}
