//! The staff's pages of the news (资讯): the branch's articles with filters and pages
//! (`/console/news`), the write form with Markdown help (`/console/news/new`), one article with
//! its preview, edit form and the steps its status allows (`/console/news/{id}`: submit,
//! approve or send back (never one's own), withdraw, cover upload), the review queue
//! (`/console/news/review`) and the channel settings with re-shares from above
//! (`/console/channel`). Every write calls a use case; a refused form comes back with the
//! reason and what was typed.

use super::form::{self, Typed, input_of, typed_of, value};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::Id;
use crate::filters;
use crate::pages::{Pager, UserBar, page_size, page_window, render};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::article::{Articles, staff};
use zhijia_app::publishable as uc;
use zhijia_domain::article::{Kind, Topic};
use zhijia_domain::ids::{ArticleId, OrgId};
use zhijia_domain::publishing::{PublishStatus, review};
use zhijia_store::article::ArticleRecord;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    org: Option<i64>,
    kind: Option<String>,
    status: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

#[derive(Template)]
#[template(path = "article/console_list.html")]
struct ListPage {
    user: UserBar,
    title: &'static str,
    queue: bool,
    org_id: OrgId,
    org_name: String,
    kind: String,
    status: String,
    items: Vec<ArticleRecord>,
    pager: Pager,
    me: Option<i64>,
}

impl ListPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
    fn statuses(&self) -> &'static [PublishStatus] {
        PublishStatus::ALL
    }
    /// The caller wrote it (in the queue: only another person decides).
    fn mine(&self, r: &ArticleRecord) -> bool {
        self.me.is_some() && r.content.meta.created_by.map(|s| s.0) == self.me
    }
}

async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let filter = staff::filter(q.kind.as_deref(), q.status.as_deref()).unwrap_or_default();
    let size = page_size(q.size, 20);
    let (page, limit, offset) = page_window(q.page, size);
    let ctx = user.ctx();
    let org = q.org.map(OrgId);
    let (org, list) =
        staff::list(&state.store, &ctx, org, filter, (Some(limit), Some(offset))).await?;
    let kind = filter.kind.map_or("", Kind::as_str).to_owned();
    let status = filter.status.map_or("", PublishStatus::as_str).to_owned();
    let base = format!(
        "/console/news?org={}&kind={kind}&status={status}&size={size}&",
        org.id
    );
    Ok(render(&ListPage {
        user: (&user).into(),
        title: "资讯管理",
        queue: false,
        org_id: org.id,
        org_name: org.name,
        kind,
        status,
        pager: Pager::sized(page, size, list.total, base),
        items: list.items,
        me: ctx.staff_id().map(|s| s.0),
    }))
}

async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let size = page_size(q.size, 20);
    let (page, limit, offset) = page_window(q.page, size);
    let ctx = user.ctx();
    let (org, list) = staff::queue(
        &state.store,
        &ctx,
        q.org.map(OrgId),
        (Some(limit), Some(offset)),
    )
    .await?;
    let base = format!("/console/news/review?org={}&size={size}&", org.id);
    Ok(render(&ListPage {
        user: (&user).into(),
        title: "资讯审核",
        queue: true,
        org_id: org.id,
        org_name: org.name,
        kind: String::new(),
        status: String::new(),
        pager: Pager::sized(page, size, list.total, base),
        items: list.items,
        me: ctx.staff_id().map(|s| s.0),
    }))
}

#[derive(Template)]
#[template(path = "article/console_form.html")]
struct FormPage {
    user: UserBar,
    typed: Typed,
    error: Option<String>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
    fn topics(&self) -> &'static [Topic] {
        Topic::ALL
    }
}

async fn new_form(
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut typed = Typed::from([("kind".to_owned(), "article".to_owned())]);
    if let Some(o) = q.org {
        typed.insert("org".into(), o.to_string());
    }
    Ok(render(&FormPage {
        user: (&user).into(),
        typed,
        error: None,
    }))
}

fn refused(user: &StaffUser, typed: Typed, e: AppError) -> Response {
    let status = crate::error::status(&e);
    let page = FormPage {
        user: user.into(),
        typed,
        error: Some(e.to_string()),
    };
    (status, render(&page)).into_response()
}

async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let input = match input_of(&f) {
        Ok(i) => i,
        Err(e) => return Ok(refused(&user, f, e)),
    };
    match uc::create::<Articles>(&state.store, &user.ctx(), &input, Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/news/{id}")).into_response()),
        Err(e @ AppError::Invalid(_)) => Ok(refused(&user, f, e)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "article/console_record.html")]
struct RecordPage {
    user: UserBar,
    r: ArticleRecord,
    typed: Typed,
    error: Option<String>,
    /// The caller may decide on it (in review, and neither its writer nor its last editor).
    may_decide: bool,
    may_edit: bool,
    may_submit: bool,
}

impl RecordPage {
    fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
    fn topics(&self) -> &'static [Topic] {
        Topic::ALL
    }
}

async fn record_page(
    state: &AppState,
    user: &StaffUser,
    id: ArticleId,
    error: Option<AppError>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let ctx = user.ctx();
    let r = uc::get::<Articles>(&state.store, &ctx, id).await?;
    let me = ctx.staff_id().map_or(0, |s| s.0);
    let (created_by, edited_by) = <Articles as uc::Reviewed>::writers(&r.content);
    let may_decide = review::may_decide(r.status) && review::four_eyes(me, created_by, edited_by);
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, crate::error::status);
    let page = RecordPage {
        user: user.into(),
        typed: typed.unwrap_or_else(|| typed_of(&r)),
        error: error.map(|e| e.to_string()),
        may_decide,
        may_edit: review::may_edit(r.status) && r.content.meta.shared_from.is_none(),
        may_submit: review::may_submit(r.status) && r.content.meta.shared_from.is_none(),
        r,
    };
    Ok((status, render(&page)).into_response())
}

async fn record(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
) -> Result<Response, PageError> {
    record_page(&state, &user, id, None, None).await
}

async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done = match input_of(&f) {
        Ok(input) => uc::update::<Articles>(&state.store, &user.ctx(), id, &input, Utc::now())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/console/news/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            record_page(&state, &user, id, Some(e), Some(f)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A step of the review: submit, approve, send back (with its reason) or withdraw.
async fn step(
    State(state): State<AppState>,
    user: StaffUser,
    axum::extract::Path((id, verb)): axum::extract::Path<(String, String)>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = ArticleId(crate::extract::parse_id(&id)?);
    let (db, ctx) = (&state.store, user.ctx());
    let done = match verb.as_str() {
        "submit" => uc::submit::<Articles>(db, &ctx, id).await,
        "approve" => uc::approve::<Articles>(db, &ctx, id, Utc::now()).await,
        "send-back" => uc::send_back::<Articles>(db, &ctx, id, value(&f, "reason")).await,
        "withdraw" => uc::withdraw::<Articles>(db, &ctx, id).await,
        _ => Err(AppError::NotFound("操作")),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/console/news/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            record_page(&state, &user, id, Some(e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads a cover for a draft: the image is stored (audited), then the draft points at it.
async fn cover(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleId>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (fields, bytes) = match form::one_file(multipart).await {
        Ok(x) => x,
        Err(e) => return record_page(&state, &user, id, Some(e), None).await,
    };
    if !user.csrf_ok(value(&fields, "csrf")) {
        return Ok(csrf_refused());
    }
    let ctx = user.ctx();
    let r = uc::get::<Articles>(&state.store, &ctx, id).await?;
    let done = async {
        let org = Some(r.org_id);
        let image =
            zhijia_app::article::channel::upload_image(&state.store, &ctx, org, &bytes, Utc::now())
                .await?;
        let mut typed = typed_of(&r);
        typed.insert("cover".into(), image.to_string());
        let input = input_of(&typed)?;
        uc::update::<Articles>(&state.store, &ctx, id, &input, Utc::now()).await
    };
    match done.await {
        Ok(_) => Ok(Redirect::to(&format!("/console/news/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            record_page(&state, &user, id, Some(e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(zhijia_domain::article::MAX_IMAGE_BYTES + 64 * 1024);
    Router::new()
        .route("/console/news", get(list).post(create))
        .route("/console/news/new", get(new_form))
        .route("/console/news/review", get(queue))
        .route("/console/news/{id}", get(record).post(update))
        .route("/console/news/{id}/cover", post(cover).layer(limit))
        .route("/console/news/{id}/{verb}", post(step))
}
